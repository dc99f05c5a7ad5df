//! Reads the one EXIF field we honour, the orientation, from a TIFF-structured EXIF block.
//! Everything else in EXIF (GPS above all) is dropped with the rest of the metadata.

/// `Exif\0\0`, the prefix of the EXIF payload in a JPEG APP1 segment (and sometimes in WebP).
pub(crate) const EXIF_PREFIX: &[u8] = b"Exif\0\0";

const ORIENTATION_TAG: u16 = 0x0112;
const TYPE_SHORT: u16 = 3;

/// The orientation (1 ..= 8) in IFD0 of `data`, which starts at the TIFF header (an `Exif\0\0`
/// prefix is skipped). `None` when absent, malformed or out of range.
pub(crate) fn orientation(data: &[u8]) -> Option<u16> {
    let tiff = data.strip_prefix(EXIF_PREFIX).unwrap_or(data);
    let big_endian = match tiff.get(0..2)? {
        b"II" => false,
        b"MM" => true,
        _ => return None,
    };
    let u16_at = |at: usize| -> Option<u16> {
        let b = tiff.get(at..at.checked_add(2)?)?;
        Some(if big_endian { u16::from_be_bytes([b[0], b[1]]) } else { u16::from_le_bytes([b[0], b[1]]) })
    };
    let u32_at = |at: usize| -> Option<u32> {
        let b = tiff.get(at..at.checked_add(4)?)?;
        Some(if big_endian {
            u32::from_be_bytes([b[0], b[1], b[2], b[3]])
        } else {
            u32::from_le_bytes([b[0], b[1], b[2], b[3]])
        })
    };
    if u16_at(2)? != 42 {
        return None;
    }
    let ifd = usize::try_from(u32_at(4)?).ok()?;
    let count = usize::from(u16_at(ifd)?);
    (0..count).find_map(|i| {
        let entry = ifd.checked_add(2)?.checked_add(i.checked_mul(12)?)?;
        if u16_at(entry)? != ORIENTATION_TAG || u16_at(entry + 2)? != TYPE_SHORT {
            return None;
        }
        let value = u16_at(entry + 8)?;
        (1..=8).contains(&value).then_some(value)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tiff(big_endian: bool, entries: &[(u16, u16, u32, [u8; 4])]) -> Vec<u8> {
        let w16 = |v: u16| {
            if big_endian {
                v.to_be_bytes()
            } else {
                v.to_le_bytes()
            }
        };
        let w32 = |v: u32| {
            if big_endian {
                v.to_be_bytes()
            } else {
                v.to_le_bytes()
            }
        };
        let mut out = Vec::new();
        out.extend_from_slice(if big_endian { b"MM" } else { b"II" });
        out.extend_from_slice(&w16(42));
        out.extend_from_slice(&w32(8));
        out.extend_from_slice(&w16(entries.len() as u16));
        for (tag, ty, count, value) in entries {
            out.extend_from_slice(&w16(*tag));
            out.extend_from_slice(&w16(*ty));
            out.extend_from_slice(&w32(*count));
            out.extend_from_slice(value);
        }
        out.extend_from_slice(&[0; 4]);
        out
    }

    #[test]
    fn reads_both_byte_orders() {
        let be = tiff(true, &[(0x010F, 2, 4, *b"Can\0"), (0x0112, 3, 1, [0, 6, 0, 0])]);
        assert_eq!(orientation(&be), Some(6));
        let le = tiff(false, &[(0x0112, 3, 1, [8, 0, 0, 0])]);
        assert_eq!(orientation(&le), Some(8));
        let mut prefixed = EXIF_PREFIX.to_vec();
        prefixed.extend_from_slice(&le);
        assert_eq!(orientation(&prefixed), Some(8));
    }

    #[test]
    fn rejects_nonsense() {
        assert_eq!(orientation(&tiff(true, &[(0x0112, 3, 1, [0, 9, 0, 0])])), None);
        assert_eq!(orientation(&tiff(true, &[(0x0112, 4, 1, [0, 0, 0, 6])])), None);
        assert_eq!(orientation(b"MM\0*\xFF\xFF\xFF\xFF"), None);
        assert_eq!(orientation(b"MM\0*\0\0\0\x08\xFF\xFF"), None, "entries past the end");
        assert_eq!(orientation(b"XX"), None);
        assert_eq!(orientation(&[]), None);
    }
}
