//! WebP: the RIFF chunks — VP8 (lossy), VP8L (lossless) or VP8X (extended: canvas size, flags,
//! and an EXIF chunk that may carry the orientation).

use super::{truncated, Header, Reader};
use crate::error::Error;
use crate::exif;
use crate::format::Format;
use crate::orientation::Orientation;

pub(super) fn read(bytes: &[u8]) -> Result<Header, Error> {
    let r = Reader(bytes);
    let cut = || truncated(Format::WebP);
    let corrupt = |reason: &str| Error::corrupt(Format::WebP, reason);
    let kind = r.slice(12, 4).ok_or_else(cut)?;
    let data = 20;
    // Decoders work in RGBA (lossy ones hold YUV planes beside it).
    let header = match kind {
        b"VP8 " => {
            if r.slice(data + 3, 3) != Some(&[0x9D, 0x01, 0x2A]) {
                return Err(corrupt("the VP8 frame has no start code"));
            }
            let width = r.le16(data + 6).ok_or_else(cut)? & 0x3FFF;
            let height = r.le16(data + 8).ok_or_else(cut)? & 0x3FFF;
            Header::new(Format::WebP, u32::from(width), u32::from(height), 6)
        }
        b"VP8L" => {
            if r.u8(data) != Some(0x2F) {
                return Err(corrupt("the VP8L stream has no signature"));
            }
            let bits = r.le32(data + 1).ok_or_else(cut)?;
            let mut h = Header::new(Format::WebP, (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1, 4);
            h.has_alpha = bits & (1 << 28) != 0;
            h
        }
        b"VP8X" => {
            let flags = r.u8(data).ok_or_else(cut)?;
            let width = r.le24(data + 4).ok_or_else(cut)? + 1;
            let height = r.le24(data + 7).ok_or_else(cut)? + 1;
            let mut h = Header::new(Format::WebP, width, height, 6);
            h.has_alpha = flags & 0x10 != 0;
            h.orientation = orientation(&r).unwrap_or_default();
            h
        }
        _ => return Err(corrupt("the first chunk is not an image")),
    };
    Ok(header)
}

/// The orientation from an EXIF chunk, wherever it sits among the chunks.
fn orientation(r: &Reader<'_>) -> Option<Orientation> {
    let mut pos = 12;
    while let (Some(kind), Some(length)) = (r.slice(pos, 4), r.le32(pos + 4)) {
        let length = usize::try_from(length).ok()?;
        if kind == b"EXIF" {
            let value = exif::orientation(r.slice(pos + 8, length)?)?;
            return Some(Orientation::from_exif(value));
        }
        // Chunks are padded to an even length.
        pos = pos.checked_add(8)?.checked_add(length)?.checked_add(length & 1)?;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn riff(chunks: &[(&[u8; 4], Vec<u8>)]) -> Vec<u8> {
        let mut body = b"WEBP".to_vec();
        for (kind, data) in chunks {
            body.extend_from_slice(*kind);
            body.extend_from_slice(&(data.len() as u32).to_le_bytes());
            body.extend_from_slice(data);
            if data.len() % 2 == 1 {
                body.push(0);
            }
        }
        let mut out = b"RIFF".to_vec();
        out.extend_from_slice(&(body.len() as u32).to_le_bytes());
        out.extend_from_slice(&body);
        out
    }

    #[test]
    fn reads_the_three_kinds() {
        let lossy = riff(&[(b"VP8 ", vec![0, 0, 0, 0x9D, 0x01, 0x2A, 0x40, 0x01, 0xF0, 0x00])]);
        let h = read(&lossy).unwrap();
        assert_eq!((h.width, h.height, h.has_alpha), (320, 240, false));

        let bits: u32 = 99 | (49 << 14) | (1 << 28);
        let mut vp8l = vec![0x2F];
        vp8l.extend_from_slice(&bits.to_le_bytes());
        let h = read(&riff(&[(b"VP8L", vp8l)])).unwrap();
        assert_eq!((h.width, h.height, h.has_alpha), (100, 50, true));

        let mut vp8x = vec![0x18, 0, 0, 0];
        vp8x.extend_from_slice(&[0x9F, 0x86, 0x01, 0x9F, 0x86, 0x01]); // 100 000 × 100 000
        let exif = b"MM\0*\0\0\0\x08\0\x01\x01\x12\0\x03\0\0\0\x01\0\x08\0\0".to_vec();
        let h = read(&riff(&[(b"VP8X", vp8x), (b"VP8 ", vec![0; 10]), (b"EXIF", exif)])).unwrap();
        assert_eq!((h.width, h.height, h.has_alpha), (100_000, 100_000, true));
        assert_eq!(h.orientation, Orientation::Rotate270);
    }

    #[test]
    fn refuses_broken_headers() {
        assert!(read(b"RIFF\0\0\0\0WEBPVP8 ").is_err());
        assert!(read(&riff(&[(b"VP8 ", vec![0; 10])])).is_err());
        assert!(read(&riff(&[(b"JUNK", vec![0; 10])])).is_err());
    }
}
