//! PNG: IHDR, then the chunks before the image data (tRNS for transparency, eXIf for the
//! orientation).

use super::{truncated, Header, Reader};
use crate::error::Error;
use crate::exif;
use crate::format::Format;
use crate::orientation::Orientation;

/// PNG caps dimensions at 2³¹ − 1.
const MAX_DIMENSION: u32 = i32::MAX as u32;

pub(super) fn read(bytes: &[u8]) -> Result<Header, Error> {
    let r = Reader(bytes);
    let corrupt = |reason: &str| Error::corrupt(Format::Png, reason);
    if r.slice(12, 4) != Some(b"IHDR") || r.be32(8) != Some(13) {
        return Err(if bytes.len() < 16 {
            truncated(Format::Png)
        } else {
            corrupt("the first chunk is not IHDR")
        });
    }
    let (width, height, depth, colour) = match (r.be32(16), r.be32(20), r.u8(24), r.u8(25)) {
        (Some(w), Some(h), Some(d), Some(c)) => (w, h, d, c),
        _ => return Err(truncated(Format::Png)),
    };
    if width > MAX_DIMENSION || height > MAX_DIMENSION {
        return Err(corrupt("a dimension is above the format's limit"));
    }
    // Samples per pixel as the decoder expands them: palettes become RGB, and a transparent
    // colour (tRNS) adds an alpha channel.
    let channels: u64 = match colour {
        0 => 1,
        2 | 3 => 3,
        4 => 2,
        6 => 4,
        _ => return Err(corrupt("the colour type is invalid")),
    };
    let bytes_per_sample = if depth == 16 { 2 } else { 1 };
    let mut header = Header::new(Format::Png, width, height, channels * bytes_per_sample);
    header.has_alpha = matches!(colour, 4 | 6);

    // Walk the chunks up to the first IDAT.
    let mut pos = 8 + 8 + 13 + 4;
    while let (Some(length), Some(kind)) = (r.be32(pos), r.slice(pos + 4, 4)) {
        let length = usize::try_from(length).map_err(|_| truncated(Format::Png))?;
        match kind {
            b"IDAT" | b"IEND" => break,
            b"tRNS" => {
                header.has_alpha = true;
                header.decoded_bytes_per_pixel = (channels + 1) * bytes_per_sample;
            }
            b"eXIf" => {
                if let Some(value) = r.slice(pos + 8, length).and_then(exif::orientation) {
                    header.orientation = Orientation::from_exif(value);
                }
            }
            _ => {}
        }
        pos =
            pos.checked_add(12).and_then(|p| p.checked_add(length)).ok_or_else(|| truncated(Format::Png))?;
    }
    Ok(header)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ihdr(width: u32, height: u32, depth: u8, colour: u8) -> Vec<u8> {
        let mut out = b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR".to_vec();
        out.extend_from_slice(&width.to_be_bytes());
        out.extend_from_slice(&height.to_be_bytes());
        out.extend_from_slice(&[depth, colour, 0, 0, 0]);
        out.extend_from_slice(&[0; 4]);
        out
    }

    fn chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
        out.extend_from_slice(&(data.len() as u32).to_be_bytes());
        out.extend_from_slice(kind);
        out.extend_from_slice(data);
        out.extend_from_slice(&[0; 4]);
    }

    #[test]
    fn reads_size_alpha_and_orientation() {
        let h = read(&ihdr(100_000, 100_000, 8, 2)).unwrap();
        assert_eq!((h.width, h.height, h.has_alpha), (100_000, 100_000, false));
        assert_eq!(h.decoded_bytes_per_pixel, 3);

        let mut p = ihdr(4, 3, 16, 6);
        chunk(&mut p, b"eXIf", b"MM\0*\0\0\0\x08\0\x01\x01\x12\0\x03\0\0\0\x01\0\x06\0\0");
        chunk(&mut p, b"IDAT", &[]);
        let h = read(&p).unwrap();
        assert_eq!(h.orientation, Orientation::Rotate90);
        assert!(h.has_alpha);
        assert_eq!(h.decoded_bytes_per_pixel, 8);

        let mut t = ihdr(4, 3, 8, 3);
        chunk(&mut t, b"PLTE", &[0; 6]);
        chunk(&mut t, b"tRNS", &[0]);
        let h = read(&t).unwrap();
        assert!(h.has_alpha);
        assert_eq!(h.decoded_bytes_per_pixel, 4);
    }

    #[test]
    fn refuses_broken_headers() {
        let p = ihdr(4, 3, 8, 2);
        assert!(read(&p[..20]).is_err());
        assert!(read(&ihdr(4, 3, 8, 5)).is_err());
        assert!(read(&ihdr(u32::MAX, 3, 8, 2)).is_err());
    }
}
