//! Reads what the pipeline needs to know before decoding — dimensions, orientation, alpha, and
//! enough about the coding to bound the decoder's memory — from each format's headers, without
//! allocating anything in proportion to the image.

mod bmp;
mod gif;
mod jpeg;
mod png;
mod webp;

use crate::error::Error;
use crate::format::Format;
use crate::orientation::Orientation;

pub(crate) use jpeg::JpegFrame;

/// What the headers say.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Header {
    pub format: Format,
    /// Stored width, before orientation.
    pub width: u32,
    /// Stored height, before orientation.
    pub height: u32,
    pub orientation: Orientation,
    /// The format declares an alpha channel or a transparent colour.
    pub has_alpha: bool,
    /// Bytes per pixel of the buffer the decoder fills (before our conversion to 8-bit RGB/RGBA).
    pub decoded_bytes_per_pixel: u64,
    /// The largest part the decoder may allocate for: the image itself, or a part the format
    /// allows to be larger (a GIF frame larger than its logical screen).
    pub largest: (u32, u32),
    /// JPEG frame details, for DCT scaling and the coefficient buffer.
    pub jpeg: Option<JpegFrame>,
}

impl Header {
    /// Pixels in the largest part.
    pub(crate) fn area(&self) -> u64 {
        u64::from(self.largest.0) * u64::from(self.largest.1)
    }

    fn new(format: Format, width: u32, height: u32, decoded_bytes_per_pixel: u64) -> Self {
        Header {
            format,
            width,
            height,
            orientation: Orientation::Normal,
            has_alpha: false,
            decoded_bytes_per_pixel,
            largest: (width, height),
            jpeg: None,
        }
    }
}

/// Parses the headers of `bytes`, already sniffed as `format`.
pub(crate) fn read(bytes: &[u8], format: Format) -> Result<Header, Error> {
    let header = match format {
        Format::Jpeg => jpeg::read(bytes),
        Format::Png => png::read(bytes),
        Format::Gif => gif::read(bytes),
        Format::WebP => webp::read(bytes),
        Format::Bmp => bmp::read(bytes),
    }?;
    if header.width == 0 || header.height == 0 {
        return Err(Error::corrupt(
            format,
            format!("the header declares a {} × {} image", header.width, header.height),
        ));
    }
    Ok(header)
}

fn truncated(format: Format) -> Error {
    Error::corrupt(format, "the header is cut short")
}

/// Bounds-checked integer reads. `None` past the end.
pub(super) struct Reader<'a>(pub &'a [u8]);

impl Reader<'_> {
    fn array<const N: usize>(&self, at: usize) -> Option<[u8; N]> {
        self.0.get(at..at.checked_add(N)?)?.try_into().ok()
    }
    pub fn u8(&self, at: usize) -> Option<u8> {
        self.0.get(at).copied()
    }
    pub fn be16(&self, at: usize) -> Option<u16> {
        self.array(at).map(u16::from_be_bytes)
    }
    pub fn be32(&self, at: usize) -> Option<u32> {
        self.array(at).map(u32::from_be_bytes)
    }
    pub fn le16(&self, at: usize) -> Option<u16> {
        self.array(at).map(u16::from_le_bytes)
    }
    pub fn le24(&self, at: usize) -> Option<u32> {
        let [a, b, c] = self.array(at)?;
        Some(u32::from_le_bytes([a, b, c, 0]))
    }
    pub fn le32(&self, at: usize) -> Option<u32> {
        self.array(at).map(u32::from_le_bytes)
    }
    pub fn slice(&self, at: usize, len: usize) -> Option<&[u8]> {
        self.0.get(at..at.checked_add(len)?)
    }
}
