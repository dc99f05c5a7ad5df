//! EXIF orientation: how the stored pixels must be turned to be the right way up.
//!
//! The pipeline never rotates the large decoded image. It maps the crop rectangle (given in
//! the oriented image, as a person sees it) back into stored coordinates, crops and resizes
//! there, and turns only the small result.

/// The eight EXIF orientations, named by what makes the stored image display correctly.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) enum Orientation {
    /// 1: stored the right way up.
    #[default]
    Normal,
    /// 2: mirrored left to right.
    FlipHorizontal,
    /// 3: upside down.
    Rotate180,
    /// 4: mirrored top to bottom.
    FlipVertical,
    /// 5: mirrored along the main diagonal.
    Transpose,
    /// 6: must be turned 90° clockwise (a phone photo taken upright).
    Rotate90,
    /// 7: mirrored along the anti-diagonal.
    Transverse,
    /// 8: must be turned 90° counter-clockwise.
    Rotate270,
}

/// A rectangle in `f64` pixel coordinates, as the resizer takes it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Rect {
    pub x: f64,
    pub y: f64,
    pub width: f64,
    pub height: f64,
}

impl Orientation {
    /// From the EXIF value; anything but 2 ..= 8 is taken as upright.
    pub(crate) fn from_exif(value: u16) -> Self {
        match value {
            2 => Orientation::FlipHorizontal,
            3 => Orientation::Rotate180,
            4 => Orientation::FlipVertical,
            5 => Orientation::Transpose,
            6 => Orientation::Rotate90,
            7 => Orientation::Transverse,
            8 => Orientation::Rotate270,
            _ => Orientation::Normal,
        }
    }

    /// Whether width and height trade places.
    pub(crate) fn swaps_axes(self) -> bool {
        matches!(
            self,
            Orientation::Transpose | Orientation::Rotate90 | Orientation::Transverse | Orientation::Rotate270
        )
    }

    /// The displayed size of a stored `width` × `height` image.
    pub(crate) fn display_size(self, width: u32, height: u32) -> (u32, u32) {
        if self.swaps_axes() {
            (height, width)
        } else {
            (width, height)
        }
    }

    /// Maps a rectangle of the displayed image into the stored image (`width` × `height` stored
    /// pixels).
    pub(crate) fn rect_to_stored(self, r: Rect, width: f64, height: f64) -> Rect {
        let (x, y, w, h) = (r.x, r.y, r.width, r.height);
        let (x, y, w, h) = match self {
            Orientation::Normal => (x, y, w, h),
            Orientation::FlipHorizontal => (width - x - w, y, w, h),
            Orientation::Rotate180 => (width - x - w, height - y - h, w, h),
            Orientation::FlipVertical => (x, height - y - h, w, h),
            Orientation::Transpose => (y, x, h, w),
            Orientation::Rotate90 => (y, height - x - w, h, w),
            Orientation::Transverse => (width - y - h, height - x - w, h, w),
            Orientation::Rotate270 => (width - y - h, x, h, w),
        };
        Rect { x, y, width: w, height: h }
    }

    /// Turns a stored image of `width` × `height` pixels of `channels` bytes each into its
    /// displayed form; returns the pixels and the displayed size.
    pub(crate) fn apply(
        self,
        data: Vec<u8>,
        width: u32,
        height: u32,
        channels: usize,
    ) -> (Vec<u8>, u32, u32) {
        if self == Orientation::Normal {
            return (data, width, height);
        }
        let (sw, sh) = (width as usize, height as usize);
        let (dw, dh) = self.display_size(width, height);
        let mut out = vec![0u8; data.len()];
        for yd in 0..dh as usize {
            for xd in 0..dw as usize {
                let (xs, ys) = match self {
                    Orientation::Normal => (xd, yd),
                    Orientation::FlipHorizontal => (sw - 1 - xd, yd),
                    Orientation::Rotate180 => (sw - 1 - xd, sh - 1 - yd),
                    Orientation::FlipVertical => (xd, sh - 1 - yd),
                    Orientation::Transpose => (yd, xd),
                    Orientation::Rotate90 => (yd, sh - 1 - xd),
                    Orientation::Transverse => (sw - 1 - yd, sh - 1 - xd),
                    Orientation::Rotate270 => (sw - 1 - yd, xd),
                };
                let from = (ys * sw + xs) * channels;
                let to = (yd * dw as usize + xd) * channels;
                out[to..to + channels].copy_from_slice(&data[from..from + channels]);
            }
        }
        (out, dw, dh)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALL: [Orientation; 8] = [
        Orientation::Normal,
        Orientation::FlipHorizontal,
        Orientation::Rotate180,
        Orientation::FlipVertical,
        Orientation::Transpose,
        Orientation::Rotate90,
        Orientation::Transverse,
        Orientation::Rotate270,
    ];

    /// A stored 3 × 2 image whose pixels are their own index.
    fn stored() -> Vec<u8> {
        (0..6).collect()
    }

    #[test]
    fn apply_turns_a_small_image() {
        // Stored:      0 1 2
        //              3 4 5
        let cases: [(Orientation, &[u8]); 8] = [
            (Orientation::Normal, &[0, 1, 2, 3, 4, 5]),
            (Orientation::FlipHorizontal, &[2, 1, 0, 5, 4, 3]),
            (Orientation::Rotate180, &[5, 4, 3, 2, 1, 0]),
            (Orientation::FlipVertical, &[3, 4, 5, 0, 1, 2]),
            (Orientation::Transpose, &[0, 3, 1, 4, 2, 5]),
            // Turned clockwise: the left column (0, 3) becomes the top row, bottom first.
            (Orientation::Rotate90, &[3, 0, 4, 1, 5, 2]),
            (Orientation::Transverse, &[5, 2, 4, 1, 3, 0]),
            (Orientation::Rotate270, &[2, 5, 1, 4, 0, 3]),
        ];
        for (o, want) in cases {
            let (got, w, h) = o.apply(stored(), 3, 2, 1);
            assert_eq!(got, want, "{o:?}");
            assert_eq!((w, h), o.display_size(3, 2));
        }
    }

    #[test]
    fn rect_to_stored_agrees_with_apply() {
        // Every single-pixel rectangle of the displayed image must map to the stored pixel that
        // `apply` puts there.
        for o in ALL {
            let (displayed, dw, dh) = o.apply(stored(), 3, 2, 1);
            for yd in 0..dh {
                for xd in 0..dw {
                    let r = o.rect_to_stored(
                        Rect { x: f64::from(xd), y: f64::from(yd), width: 1.0, height: 1.0 },
                        3.0,
                        2.0,
                    );
                    let index = (r.y as usize) * 3 + r.x as usize;
                    assert_eq!(displayed[(yd * dw + xd) as usize], index as u8, "{o:?} at ({xd}, {yd})");
                }
            }
        }
    }

    #[test]
    fn unknown_values_are_upright() {
        assert_eq!(Orientation::from_exif(0), Orientation::Normal);
        assert_eq!(Orientation::from_exif(9), Orientation::Normal);
        assert_eq!(Orientation::from_exif(6), Orientation::Rotate90);
    }
}
