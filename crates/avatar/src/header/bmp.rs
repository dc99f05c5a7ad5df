//! BMP: the file header and the DIB header that follows it (OS/2 core or Windows info header).

use super::{truncated, Header, Reader};
use crate::error::Error;
use crate::format::Format;

pub(super) fn read(bytes: &[u8]) -> Result<Header, Error> {
    let r = Reader(bytes);
    let cut = || truncated(Format::Bmp);
    let dib_size = r.le32(14).ok_or_else(cut)?;
    let (width, height, bits) = if dib_size == 12 {
        let w = r.le16(18).ok_or_else(cut)?;
        let h = r.le16(20).ok_or_else(cut)?;
        (u32::from(w), u32::from(h), r.le16(24).ok_or_else(cut)?)
    } else {
        let w = r.le32(18).ok_or_else(cut)? as i32;
        // A negative height means rows run top to bottom.
        let h = r.le32(22).ok_or_else(cut)? as i32;
        if w < 0 {
            return Err(Error::corrupt(Format::Bmp, "the width is negative"));
        }
        (w.unsigned_abs(), h.unsigned_abs(), r.le16(28).ok_or_else(cut)?)
    };
    let mut header = Header::new(Format::Bmp, width, height, 4);
    header.has_alpha = bits == 32;
    Ok(header)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_info_header() {
        let mut b = b"BM".to_vec();
        b.extend_from_slice(&[0; 12]);
        b.extend_from_slice(&40u32.to_le_bytes());
        b.extend_from_slice(&7i32.to_le_bytes());
        b.extend_from_slice(&(-3i32).to_le_bytes());
        b.extend_from_slice(&1u16.to_le_bytes());
        b.extend_from_slice(&24u16.to_le_bytes());
        let h = read(&b).unwrap();
        assert_eq!((h.width, h.height, h.has_alpha), (7, 3, false));
        assert!(read(&b[..24]).is_err());
    }
}
