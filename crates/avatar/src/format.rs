//! Which format the bytes are, judged from their content alone (never from a file name).

use std::fmt;

use crate::error::Error;

/// The formats this crate decodes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// JPEG / JFIF / Exif (baseline, progressive, lossless; greyscale, YCbCr, CMYK, YCCK).
    Jpeg,
    /// PNG, any bit depth and colour type (an APNG's default image).
    Png,
    /// WebP, lossy or lossless (the first frame if animated).
    WebP,
    /// GIF (the first frame).
    Gif,
    /// Windows bitmap.
    Bmp,
}

impl Format {
    /// The format's usual name ("JPEG", "PNG", …).
    pub fn name(self) -> &'static str {
        match self {
            Format::Jpeg => "JPEG",
            Format::Png => "PNG",
            Format::WebP => "WebP",
            Format::Gif => "GIF",
            Format::Bmp => "BMP",
        }
    }

    /// The format's MIME type.
    pub fn mime(self) -> &'static str {
        match self {
            Format::Jpeg => "image/jpeg",
            Format::Png => "image/png",
            Format::WebP => "image/webp",
            Format::Gif => "image/gif",
            Format::Bmp => "image/bmp",
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Tells the format from the first bytes. Anything we do not decode is refused by name.
pub(crate) fn sniff(bytes: &[u8]) -> Result<Format, Error> {
    if bytes.is_empty() {
        return Err(Error::Empty);
    }
    if let Some(format) = supported(bytes) {
        return Ok(format);
    }
    Err(Error::Unsupported { format: unsupported_name(bytes) })
}

fn supported(b: &[u8]) -> Option<Format> {
    if b.starts_with(&[0xFF, 0xD8, 0xFF]) {
        return Some(Format::Jpeg);
    }
    if b.starts_with(b"\x89PNG\r\n\x1a\n") {
        return Some(Format::Png);
    }
    if b.starts_with(b"GIF87a") || b.starts_with(b"GIF89a") {
        return Some(Format::Gif);
    }
    if b.len() >= 12 && b.starts_with(b"RIFF") && &b[8..12] == b"WEBP" {
        return Some(Format::WebP);
    }
    // "BM" alone is too weak a signature (a text file may start so): the DIB header that follows
    // the 14-byte file header must have one of the sizes the versions of the format define.
    if b.starts_with(b"BM") {
        if let Some(dib) = b.get(14..18) {
            let size = u32::from_le_bytes([dib[0], dib[1], dib[2], dib[3]]);
            if matches!(size, 12 | 16 | 40 | 52 | 56 | 64 | 108 | 124) {
                return Some(Format::Bmp);
            }
        }
    }
    None
}

/// A name for content we refuse, as specific as the signature allows.
fn unsupported_name(b: &[u8]) -> &'static str {
    const SIGNATURES: &[(&[u8], &str)] = &[
        (b"%PDF-", "PDF"),
        (b"%!PS", "PostScript"),
        (b"II*\0", "TIFF"),
        (b"MM\0*", "TIFF"),
        (b"8BPS", "Photoshop (PSD)"),
        (b"\0\0\x01\0", "ICO"),
        (b"\xFF\x0A", "JPEG XL"),
        (b"\0\0\0\x0CJXL \r\n\x87\n", "JPEG XL"),
        (b"\0\0\0\x0CjP  \r\n\x87\n", "JPEG 2000"),
        (b"\xFF\x4F\xFF\x51", "JPEG 2000"),
        (b"qoif", "QOI"),
        (b"FUJIFILMCCD-RAW", "camera RAW"),
        (b"gimp xcf", "GIMP (XCF)"),
        (b"#?RADIANCE", "Radiance HDR"),
        (b"\x76\x2F\x31\x01", "OpenEXR"),
    ];
    if let Some((_, name)) = SIGNATURES.iter().find(|(sig, _)| b.starts_with(sig)) {
        return name;
    }
    if b.get(4..8) == Some(b"ftyp") {
        return iso_media_name(b);
    }
    text_name(b).unwrap_or("unknown")
}

/// HEIF, AVIF and MP4 share the ISO base media file format; the `ftyp` box's brands tell them
/// apart.
fn iso_media_name(b: &[u8]) -> &'static str {
    let box_len = b.get(0..4).map(|l| u32::from_be_bytes([l[0], l[1], l[2], l[3]]) as usize).unwrap_or(0);
    let end = box_len.clamp(16, 256).min(b.len());
    // Major brand at 8..12, then minor version, then compatible brands.
    let brands = b
        .get(8..end)
        .unwrap_or(&[])
        .chunks_exact(4)
        .enumerate()
        .filter(|(i, _)| *i != 1)
        .map(|(_, brand)| brand);
    let mut heif = false;
    for brand in brands {
        match brand {
            b"avif" | b"avis" => return "AVIF",
            b"heic" | b"heix" | b"heim" | b"heis" | b"hevc" | b"hevx" | b"hevm" | b"hevs" => return "HEIC",
            b"mif1" | b"msf1" => heif = true,
            b"crx " => return "camera RAW",
            _ => {}
        }
    }
    if heif {
        "HEIF"
    } else {
        "MP4/QuickTime video"
    }
}

/// Text, HTML or SVG: UTF-8 without NUL bytes in the first kilobyte.
fn text_name(b: &[u8]) -> Option<&'static str> {
    let head = &b[..b.len().min(4096)];
    let probe = &head[..head.len().min(1024)];
    if probe.contains(&0) {
        return None;
    }
    let text = match std::str::from_utf8(probe) {
        Ok(text) => text,
        // A character cut by the 1 KiB window is still text.
        Err(e) if e.error_len().is_none() => std::str::from_utf8(&probe[..e.valid_up_to()]).ok()?,
        Err(_) => return None,
    };
    let trimmed = text.trim_start_matches('\u{feff}').trim_start();
    if trimmed.starts_with('<') {
        let lower = String::from_utf8_lossy(head).to_ascii_lowercase();
        if lower.contains("<svg") {
            return Some("SVG");
        }
        if lower.contains("<html") || lower.contains("<!doctype html") {
            return Some("HTML");
        }
    }
    Some("text")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn name_of(bytes: &[u8]) -> &'static str {
        match sniff(bytes) {
            Err(Error::Unsupported { format }) => format,
            other => panic!("expected Unsupported, got {other:?}"),
        }
    }

    #[test]
    fn supported_signatures() {
        assert_eq!(sniff(b"\xFF\xD8\xFF\xE0rest").ok(), Some(Format::Jpeg));
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\nrest").ok(), Some(Format::Png));
        assert_eq!(sniff(b"GIF89a....").ok(), Some(Format::Gif));
        assert_eq!(sniff(b"RIFF\0\0\0\0WEBPVP8 ").ok(), Some(Format::WebP));
        let mut bmp = b"BM".to_vec();
        bmp.extend_from_slice(&[0; 12]);
        bmp.extend_from_slice(&40u32.to_le_bytes());
        assert_eq!(sniff(&bmp).ok(), Some(Format::Bmp));
    }

    #[test]
    fn refused_by_name() {
        assert_eq!(name_of(b"\0\0\0\x18ftypheic\0\0\0\0mif1heic"), "HEIC", "iPhone photo");
        assert_eq!(name_of(b"\0\0\0\x1cftypavif\0\0\0\0avifmif1miaf"), "AVIF");
        assert_eq!(name_of(b"\0\0\0\x18ftypmif1\0\0\0\0mif1miaf"), "HEIF");
        assert_eq!(name_of(b"\0\0\0\x18ftypisom\0\0\x02\0isomiso2"), "MP4/QuickTime video");
        assert_eq!(name_of(b"%PDF-1.7\n"), "PDF");
        assert_eq!(name_of(b"II*\0\x08\0\0\0"), "TIFF");
        assert_eq!(name_of(b"<?xml version=\"1.0\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\"/>"), "SVG");
        assert_eq!(name_of(b"\xEF\xBB\xBF  <svg/>"), "SVG");
        assert_eq!(name_of(b"<!DOCTYPE html><html></html>"), "HTML");
        assert_eq!(name_of(b"hello, world\n"), "text");
        assert_eq!(name_of("caf\u{e9}".as_bytes()), "text");
        assert_eq!(name_of(b"BM but not a bitmap"), "text");
        assert_eq!(name_of(&[0x00, 0x01, 0x02, 0x03, 0xFE]), "unknown");
        assert_eq!(name_of(&[0xFF, 0xD8]), "unknown", "two bytes are not a JPEG");
    }

    #[test]
    fn empty_is_its_own_error() {
        assert_eq!(sniff(&[]), Err(Error::Empty));
    }
}
