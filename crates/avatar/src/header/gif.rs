//! GIF: the logical screen, then the blocks up to the first image descriptor (a graphic control
//! extension before it may declare a transparent colour).

use super::{truncated, Header, Reader};
use crate::error::Error;
use crate::format::Format;

pub(super) fn read(bytes: &[u8]) -> Result<Header, Error> {
    let r = Reader(bytes);
    let cut = || truncated(Format::Gif);
    let width = r.le16(6).ok_or_else(cut)?;
    let height = r.le16(8).ok_or_else(cut)?;
    let flags = r.u8(10).ok_or_else(cut)?;
    let mut pos = 13;
    if flags & 0x80 != 0 {
        pos += 3 << ((flags & 0x07) + 1);
    }
    // The decoder composes the first frame on an RGBA canvas of the logical screen's size.
    let mut header = Header::new(Format::Gif, u32::from(width), u32::from(height), 4);
    loop {
        match r.u8(pos).ok_or_else(cut)? {
            0x21 => {
                let label = r.u8(pos + 1).ok_or_else(cut)?;
                if label == 0xF9 && r.u8(pos + 3).ok_or_else(cut)? & 0x01 != 0 {
                    header.has_alpha = true;
                }
                pos += 2;
                // Sub-blocks, each prefixed by its length, up to an empty one.
                loop {
                    let len = usize::from(r.u8(pos).ok_or_else(cut)?);
                    pos += 1 + len;
                    if len == 0 {
                        break;
                    }
                }
            }
            0x2C => {
                let frame_width = r.le16(pos + 5).ok_or_else(cut)?;
                let frame_height = r.le16(pos + 7).ok_or_else(cut)?;
                let frame = (u32::from(frame_width), u32::from(frame_height));
                if u64::from(frame.0) * u64::from(frame.1) > header.area() {
                    header.largest = frame;
                }
                return Ok(header);
            }
            0x3B => return Err(Error::corrupt(Format::Gif, "the file has no frame")),
            _ => return Err(Error::corrupt(Format::Gif, "an unknown block")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_screen_transparency_and_frame() {
        let mut g = b"GIF89a".to_vec();
        g.extend_from_slice(&[10, 0, 5, 0, 0x80, 0, 0]); // 10 × 5, a 2-colour table
        g.extend_from_slice(&[0; 6]);
        g.extend_from_slice(&[0x21, 0xF9, 4, 0x01, 0, 0, 0, 0]); // transparent colour
        g.extend_from_slice(&[0x2C, 0, 0, 0, 0, 20, 0, 20, 0, 0]); // a 20 × 20 frame
        let h = read(&g).unwrap();
        assert_eq!((h.width, h.height), (10, 5));
        assert!(h.has_alpha);
        assert_eq!((h.largest, h.area()), ((20, 20), 400));
        assert!(read(&g[..20]).is_err());
    }
}
