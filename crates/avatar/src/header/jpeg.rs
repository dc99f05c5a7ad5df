//! JPEG: walks the marker segments up to the frame header (SOFn), reading the EXIF orientation
//! on the way.

use super::{truncated, Header, Reader};
use crate::error::Error;
use crate::exif;
use crate::format::Format;
use crate::orientation::Orientation;

/// The parts of the frame header that size the decoder's buffers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct JpegFrame {
    /// Progressive JPEGs keep every DCT coefficient of the image until the last scan.
    pub progressive: bool,
    /// Lossless JPEGs have no DCT, so no scaled decoding, and keep 16-bit planes.
    pub lossless: bool,
    /// Sampling factors (horizontal, vertical) of each component, 1 to 4 components.
    pub sampling: Vec<(u8, u8)>,
}

impl JpegFrame {
    /// Blocks of 8 × 8 coefficients per component, as the decoder pads them to whole MCUs.
    fn blocks(&self, width: u32, height: u32) -> impl Iterator<Item = u64> + '_ {
        let h_max = u64::from(self.sampling.iter().map(|s| s.0).max().unwrap_or(1));
        let v_max = u64::from(self.sampling.iter().map(|s| s.1).max().unwrap_or(1));
        let mcus_x = u64::from(width).div_ceil(8 * h_max);
        let mcus_y = u64::from(height).div_ceil(8 * v_max);
        self.sampling.iter().map(move |&(h, v)| mcus_x * u64::from(h) * mcus_y * u64::from(v))
    }

    /// Upper bound of what decoding at `1/denominator` scale allocates: the coefficients of a
    /// progressive image, each component's plane, and the interleaved output.
    pub(crate) fn decoder_bytes(&self, width: u32, height: u32, denominator: u32) -> u64 {
        let components = self.sampling.len() as u64;
        if self.lossless {
            // 16-bit planes, 16-bit output, and our 8-bit RGB copy.
            return u64::from(width) * u64::from(height) * (components * 4 + 3);
        }
        let coefficients: u64 =
            if self.progressive { self.blocks(width, height).map(|b| b * 64 * 2).sum() } else { 0 };
        let block_side = u64::from(8 / denominator.clamp(1, 8));
        let planes: u64 = self.blocks(width, height).map(|b| b * block_side * block_side).sum();
        let output = u64::from(width.div_ceil(denominator))
            * u64::from(height.div_ceil(denominator))
            * components.max(3);
        coefficients + planes + output
    }
}

pub(super) fn read(bytes: &[u8]) -> Result<Header, Error> {
    let r = Reader(bytes);
    let corrupt = |reason: &str| Error::corrupt(Format::Jpeg, reason);
    let mut orientation = Orientation::Normal;
    let mut seen_exif = false;
    let mut pos = 2;
    loop {
        // Like libjpeg, tolerate junk between segments: find the next 0xFF, skip fill bytes.
        while r.u8(pos).ok_or_else(|| truncated(Format::Jpeg))? != 0xFF {
            pos += 1;
        }
        while r.u8(pos).ok_or_else(|| truncated(Format::Jpeg))? == 0xFF {
            pos += 1;
        }
        let marker = r.u8(pos).ok_or_else(|| truncated(Format::Jpeg))?;
        pos += 1;
        match marker {
            // Stuffed zero, TEM and RSTn stand alone.
            0x00 | 0x01 | 0xD0..=0xD7 => continue,
            0xD8 => continue,
            0xD9 => return Err(corrupt("the image ends before its frame header")),
            0xDA => return Err(corrupt("the image data starts before its frame header")),
            _ => {}
        }
        let length = usize::from(r.be16(pos).ok_or_else(|| truncated(Format::Jpeg))?);
        if length < 2 {
            return Err(corrupt("a segment has an impossible length"));
        }
        let segment = r.slice(pos + 2, length - 2).ok_or_else(|| truncated(Format::Jpeg))?;
        match marker {
            0xE1 if !seen_exif && segment.starts_with(exif::EXIF_PREFIX) => {
                seen_exif = true;
                if let Some(value) = exif::orientation(segment) {
                    orientation = Orientation::from_exif(value);
                }
            }
            0xC0..=0xCF if !matches!(marker, 0xC4 | 0xC8 | 0xCC) => {
                return frame(marker, segment, orientation);
            }
            _ => {}
        }
        pos += length;
    }
}

fn frame(marker: u8, segment: &[u8], orientation: Orientation) -> Result<Header, Error> {
    let corrupt = |reason: &str| Error::corrupt(Format::Jpeg, reason);
    match marker {
        0xC5..=0xC7 => return Err(Error::Unsupported { format: "hierarchical JPEG" }),
        0xC9..=0xCF => return Err(Error::Unsupported { format: "arithmetic-coded JPEG" }),
        _ => {}
    }
    let r = Reader(segment);
    let (height, width, count) = match (r.be16(1), r.be16(3), r.u8(5)) {
        (Some(h), Some(w), Some(n)) => (h, w, n),
        _ => return Err(truncated(Format::Jpeg)),
    };
    if height == 0 {
        return Err(corrupt("the height is left to a DNL marker, which is not supported"));
    }
    if !matches!(count, 1 | 3 | 4) {
        return Err(corrupt("the frame has an unsupported number of components"));
    }
    let sampling = (0..usize::from(count))
        .map(|i| {
            let hv = r.u8(6 + i * 3 + 1).ok_or_else(|| truncated(Format::Jpeg))?;
            let (h, v) = (hv >> 4, hv & 0x0F);
            if !(1..=4).contains(&h) || !(1..=4).contains(&v) {
                return Err(corrupt("a component has an invalid sampling factor"));
            }
            Ok((h, v))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let mut header = Header::new(Format::Jpeg, u32::from(width), u32::from(height), 3);
    header.orientation = orientation;
    header.decoded_bytes_per_pixel = u64::from(count).max(3);
    header.jpeg = Some(JpegFrame { progressive: marker == 0xC2, lossless: marker == 0xC3, sampling });
    Ok(header)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sof(marker: u8, width: u16, height: u16, components: &[(u8, u8)]) -> Vec<u8> {
        let mut out = vec![0xFF, 0xD8, 0xFF, marker];
        let len = 8 + 3 * components.len() as u16;
        out.extend_from_slice(&len.to_be_bytes());
        out.push(8);
        out.extend_from_slice(&height.to_be_bytes());
        out.extend_from_slice(&width.to_be_bytes());
        out.push(components.len() as u8);
        for (i, (h, v)) in components.iter().enumerate() {
            out.extend_from_slice(&[i as u8 + 1, (h << 4) | v, 0]);
        }
        out
    }

    #[test]
    fn reads_the_frame_header() {
        let h = read(&sof(0xC0, 6000, 4000, &[(2, 2), (1, 1), (1, 1)])).unwrap();
        assert_eq!((h.width, h.height), (6000, 4000));
        let frame = h.jpeg.unwrap();
        assert!(!frame.progressive);
        // 4:2:0 baseline at 1/4: Y plane 1500 × 1000, chroma 750 × 500, output RGB.
        assert_eq!(frame.decoder_bytes(6000, 4000, 4), 1500 * 1000 + 2 * 750 * 500 + 1500 * 1000 * 3);
        let p = read(&sof(0xC2, 6000, 4000, &[(2, 2), (1, 1), (1, 1)])).unwrap();
        assert!(p.jpeg.unwrap().decoder_bytes(6000, 4000, 4) > 6000 * 4000 * 3);
    }

    #[test]
    fn refuses_what_the_decoder_cannot_do() {
        assert!(matches!(read(&sof(0xC9, 8, 8, &[(1, 1)])), Err(Error::Unsupported { .. })));
        assert!(matches!(read(&sof(0xC0, 8, 0, &[(1, 1)])), Err(Error::Corrupt { .. })));
        assert!(matches!(read(&sof(0xC0, 8, 8, &[(5, 1)])), Err(Error::Corrupt { .. })));
        let cut = sof(0xC0, 8, 8, &[(1, 1), (1, 1), (1, 1)]);
        assert!(matches!(read(&cut[..cut.len() - 2]), Err(Error::Corrupt { .. })));
        assert!(matches!(read(&[0xFF, 0xD8, 0xFF]), Err(Error::Corrupt { .. })));
        assert!(matches!(read(&[0xFF, 0xD8, 0xFF, 0xDA, 0, 2]), Err(Error::Corrupt { .. })));
    }
}
