//! Crop and resize in one pass with `fast_image_resize` (Lanczos3, SIMD where the CPU has it;
//! alpha premultiplied while filtering so transparent pixels do not bleed colour).
//!
//! Typed images of the two pixel kinds we have (RGB and RGBA): the untyped `Resizer::resize`
//! carries every pixel type the crate knows, in every SIMD variant, into the binary (1.1 MiB of
//! the release build's code, for thirteen types of which we use two).

use fast_image_resize::images::{TypedImage, TypedImageRef};
use fast_image_resize::pixels::{U8x3, U8x4};
use fast_image_resize::{FilterType, PixelTrait, ResizeAlg, ResizeOptions, Resizer};

use crate::error::Error;
use crate::orientation::Rect;
use crate::pixels::Pixels;

/// Resamples the part `crop` of `src` (in `src`'s pixel coordinates, fractions allowed) to
/// `width` × `height`.
pub(crate) fn crop_resize(src: &Pixels, crop: Rect, width: u32, height: u32) -> Result<Pixels, Error> {
    // Rounding in the coordinate mapping may overshoot the edge by a hair.
    let (src_w, src_h) = (f64::from(src.width()), f64::from(src.height()));
    let x = crop.x.clamp(0.0, src_w);
    let y = crop.y.clamp(0.0, src_h);
    let w = crop.width.min(src_w - x).max(f64::MIN_POSITIVE);
    let h = crop.height.min(src_h - y).max(f64::MIN_POSITIVE);
    let options =
        ResizeOptions::new().crop(x, y, w, h).resize_alg(ResizeAlg::Convolution(FilterType::Lanczos3));
    let alpha = src.has_alpha_channel();
    let data = if alpha {
        resize_as::<U8x4>(src, width, height, &options)?
    } else {
        resize_as::<U8x3>(src, width, height, &options)?
    };
    Pixels::new(width, height, alpha, data)
        .ok_or_else(|| Error::Internal("resize: wrong output length".into()))
}

fn resize_as<P: PixelTrait>(
    src: &Pixels,
    width: u32,
    height: u32,
    options: &ResizeOptions,
) -> Result<Vec<u8>, Error> {
    let internal = |e: &dyn std::fmt::Display| Error::Internal(format!("resize: {e}"));
    let view =
        TypedImageRef::<P>::from_buffer(src.width(), src.height(), src.data()).map_err(|e| internal(&e))?;
    let mut out = vec![0u8; width as usize * height as usize * P::size()];
    let mut dst = TypedImage::<P>::from_buffer(width, height, &mut out).map_err(|e| internal(&e))?;
    Resizer::new().resize_typed(&view, &mut dst, options).map_err(|e| internal(&e))?;
    Ok(out)
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
