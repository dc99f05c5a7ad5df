//! The one in-memory image form the stages pass along: 8-bit RGB or RGBA, tightly packed.

use std::fmt;

/// 8-bit sRGB pixels, RGB or RGBA (straight alpha), rows top to bottom without padding.
#[derive(Clone, PartialEq, Eq)]
pub struct Pixels {
    width: u32,
    height: u32,
    alpha: bool,
    data: Vec<u8>,
}

impl Pixels {
    /// Wraps `data`, which must hold exactly `width × height` pixels of 3 (or 4, with `alpha`)
    /// bytes. `None` when the length does not match.
    pub fn new(width: u32, height: u32, alpha: bool, data: Vec<u8>) -> Option<Self> {
        let channels = if alpha { 4 } else { 3 };
        let expected = (width as usize).checked_mul(height as usize)?.checked_mul(channels)?;
        (data.len() == expected).then_some(Pixels { width, height, alpha, data })
    }

    /// Width in pixels.
    pub fn width(&self) -> u32 {
        self.width
    }

    /// Height in pixels.
    pub fn height(&self) -> u32 {
        self.height
    }

    /// Whether the pixels carry an alpha channel (RGBA rather than RGB).
    pub fn has_alpha_channel(&self) -> bool {
        self.alpha
    }

    /// Bytes per pixel: 3 or 4.
    pub fn channels(&self) -> usize {
        if self.alpha {
            4
        } else {
            3
        }
    }

    /// The pixel bytes.
    pub fn data(&self) -> &[u8] {
        &self.data
    }

    /// Whether any pixel is less than fully opaque.
    pub fn is_translucent(&self) -> bool {
        self.alpha && self.data.chunks_exact(4).any(|p| p[3] != u8::MAX)
    }

    /// The same pixels without the alpha channel.
    pub(crate) fn into_rgb(self) -> Pixels {
        if !self.alpha {
            return self;
        }
        let mut data = self.data;
        let pixels = data.len() / 4;
        for i in 0..pixels {
            data.copy_within(i * 4..i * 4 + 3, i * 3);
        }
        data.truncate(pixels * 3);
        Pixels { alpha: false, data, ..self }
    }

    pub(crate) fn data_mut(&mut self) -> &mut [u8] {
        &mut self.data
    }

    pub(crate) fn into_data(self) -> Vec<u8> {
        self.data
    }
}

impl fmt::Debug for Pixels {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Pixels")
            .field("width", &self.width)
            .field("height", &self.height)
            .field("alpha", &self.alpha)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checks_length_and_drops_alpha() {
        assert!(Pixels::new(2, 1, false, vec![0; 5]).is_none());
        let p = Pixels::new(2, 1, true, vec![1, 2, 3, 255, 4, 5, 6, 255]).unwrap();
        assert!(!p.is_translucent());
        assert_eq!(p.into_rgb().data(), &[1, 2, 3, 4, 5, 6]);
        let t = Pixels::new(1, 1, true, vec![1, 2, 3, 254]).unwrap();
        assert!(t.is_translucent());
    }
}
