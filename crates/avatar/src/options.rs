//! What the caller asks for: output size, crop, and the limits that bound the work.

use std::fmt;

/// The largest output side [`Options::size`] may ask for.
pub const MAX_SIZE: u32 = 4096;

/// How to turn an image into an avatar.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    /// Longest side of the output, in pixels (1 ..= [`MAX_SIZE`]); 512 by default. Images are
    /// never enlarged: a smaller crop keeps its own size.
    pub size: u32,
    /// The part of the image to keep, in source pixels after EXIF orientation (what a person
    /// sees). `None` keeps the largest centred square.
    pub crop: Option<CropRect>,
    /// Bounds on input size, pixel count and decoder memory.
    pub limits: Limits,
}

impl Default for Options {
    fn default() -> Self {
        Options { size: 512, crop: None, limits: Limits::default() }
    }
}

/// A rectangle in the oriented image's pixel coordinates (origin top-left).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct CropRect {
    /// Left edge.
    pub x: u32,
    /// Top edge.
    pub y: u32,
    /// Width, at least 1.
    pub width: u32,
    /// Height, at least 1.
    pub height: u32,
}

impl CropRect {
    /// A rectangle from its top-left corner and size.
    pub const fn new(x: u32, y: u32, width: u32, height: u32) -> Self {
        CropRect { x, y, width, height }
    }

    /// The largest square centred in a `width` × `height` image.
    pub fn centre_square(width: u32, height: u32) -> Self {
        let side = width.min(height);
        CropRect::new((width - side) / 2, (height - side) / 2, side, side)
    }

    /// Whether the rectangle is non-empty and lies inside a `width` × `height` image.
    pub fn fits(&self, width: u32, height: u32) -> bool {
        self.width > 0
            && self.height > 0
            && u64::from(self.x) + u64::from(self.width) <= u64::from(width)
            && u64::from(self.y) + u64::from(self.height) <= u64::from(height)
    }
}

impl fmt::Display for CropRect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} × {} at ({}, {})", self.width, self.height, self.x, self.y)
    }
}

/// Hard bounds checked before any large allocation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Largest input accepted, in bytes (40 MiB by default).
    pub max_input_bytes: u64,
    /// Largest pixel count (width × height as the file declares it) accepted (100 megapixels by
    /// default).
    pub max_pixels: u64,
    /// Largest amount of memory the decoder may need for pixel and coefficient buffers, in bytes
    /// (512 MiB by default).
    pub max_decoder_bytes: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_input_bytes: 40 * 1024 * 1024,
            max_pixels: 100_000_000,
            max_decoder_bytes: 512 * 1024 * 1024,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn centre_square_of_landscape_and_portrait() {
        assert_eq!(CropRect::centre_square(6000, 4000), CropRect::new(1000, 0, 4000, 4000));
        assert_eq!(CropRect::centre_square(3, 10), CropRect::new(0, 3, 3, 3));
        assert_eq!(CropRect::centre_square(1, 1), CropRect::new(0, 0, 1, 1));
    }

    #[test]
    fn fits_checks_every_edge_without_overflow() {
        assert!(CropRect::new(0, 0, 10, 10).fits(10, 10));
        assert!(!CropRect::new(1, 0, 10, 10).fits(10, 10));
        assert!(!CropRect::new(0, 1, 10, 10).fits(10, 10));
        assert!(!CropRect::new(0, 0, 0, 10).fits(10, 10));
        assert!(!CropRect::new(u32::MAX, 0, 2, 1).fits(u32::MAX, 1));
    }
}
