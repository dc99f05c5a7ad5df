//! Crop and resize in one pass with `fast_image_resize` (Lanczos3, SIMD where the CPU has it;
//! alpha premultiplied while filtering so transparent pixels do not bleed colour).

use fast_image_resize::images::{Image, ImageRef};
use fast_image_resize::{FilterType, PixelType, ResizeAlg, ResizeOptions, Resizer};

use crate::error::Error;
use crate::orientation::Rect;
use crate::pixels::Pixels;

/// Resamples the part `crop` of `src` (in `src`'s pixel coordinates, fractions allowed) to
/// `width` × `height`.
pub(crate) fn crop_resize(src: &Pixels, crop: Rect, width: u32, height: u32) -> Result<Pixels, Error> {
    let internal = |e: &dyn std::fmt::Display| Error::Internal(format!("resize: {e}"));
    let alpha = src.has_alpha_channel();
    let pixel_type = if alpha { PixelType::U8x4 } else { PixelType::U8x3 };
    let view = ImageRef::new(src.width(), src.height(), src.data(), pixel_type).map_err(|e| internal(&e))?;
    // Rounding in the coordinate mapping may overshoot the edge by a hair.
    let (src_w, src_h) = (f64::from(src.width()), f64::from(src.height()));
    let x = crop.x.clamp(0.0, src_w);
    let y = crop.y.clamp(0.0, src_h);
    let w = crop.width.min(src_w - x).max(f64::MIN_POSITIVE);
    let h = crop.height.min(src_h - y).max(f64::MIN_POSITIVE);
    let options =
        ResizeOptions::new().crop(x, y, w, h).resize_alg(ResizeAlg::Convolution(FilterType::Lanczos3));
    let mut dst = Image::new(width, height, pixel_type);
    Resizer::new().resize(&view, &mut dst, &options).map_err(|e| internal(&e))?;
    Pixels::new(width, height, alpha, dst.into_vec())
        .ok_or_else(|| Error::Internal("resize: wrong output length".into()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_the_cropped_part() {
        // Black in the left quarter, white elsewhere; a crop well inside the white part must
        // come out white. (The filter may look a few pixels past the crop's edges, as resizing
        // the whole image and then cropping would.)
        let data: Vec<u8> = (0..16 * 16).flat_map(|i| if i % 16 < 4 { [0; 3] } else { [255; 3] }).collect();
        let src = Pixels::new(16, 16, false, data).unwrap();
        let rect = Rect { x: 10.0, y: 4.0, width: 6.0, height: 6.0 };
        let out = crop_resize(&src, rect, 3, 3).unwrap();
        assert!(out.data().iter().all(|&v| v == 255), "{:?}", out.data());
        let whole = Rect { x: 0.0, y: 0.0, width: 16.0, height: 16.0 };
        let out = crop_resize(&src, whole, 4, 4).unwrap();
        assert!(out.data()[0] < 40, "left column stays dark: {:?}", &out.data()[..3]);
    }
}
