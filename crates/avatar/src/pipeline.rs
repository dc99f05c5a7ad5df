//! The stages of [`process`](crate::process), each callable on its own (benchmarks time them,
//! and a caller may show a preview between them):
//!
//! 1. [`plan`]: sniff the format, read the headers, check every limit and the crop, and decide
//!    the output size and the JPEG decoding scale. Nothing is allocated in proportion to the
//!    image before this succeeds.
//! 2. [`decode`]: decode to 8-bit RGB(A), in stored orientation, at the planned scale.
//! 3. [`resize`]: crop and resample to the output size, then turn the small result upright.
//! 4. [`encode`]: JPEG, or PNG when the result has transparency.

use crate::decode as decoder;
use crate::error::Error;
use crate::format::{sniff, Format};
use crate::header::{self, Header};
use crate::options::{CropRect, Limits, Options, MAX_SIZE};
use crate::orientation::Rect;
use crate::pixels::Pixels;
use crate::{encode as encoder, resize as resizer};

/// What the headers say about an image, as a person would see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ImageInfo {
    /// The format sniffed from the content.
    pub format: Format,
    /// Width after EXIF orientation.
    pub width: u32,
    /// Height after EXIF orientation.
    pub height: u32,
    /// Whether the format declares an alpha channel or a transparent colour. (The output is a
    /// PNG only if the result really has translucent pixels.)
    pub has_alpha: bool,
}

/// The finished avatar: the bytes to upload and what they are.
#[derive(Clone, PartialEq, Eq)]
pub struct Avatar {
    /// The encoded image, without metadata.
    pub bytes: Vec<u8>,
    /// `image/jpeg` or `image/png`.
    pub mime: &'static str,
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
}

impl std::fmt::Debug for Avatar {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Avatar")
            .field("bytes", &self.bytes.len())
            .field("mime", &self.mime)
            .field("width", &self.width)
            .field("height", &self.height)
            .finish()
    }
}

/// What [`decode`], [`resize`] and [`encode`] will do, decided from the headers alone.
#[derive(Debug, Clone)]
pub struct Plan {
    header: Header,
    crop: CropRect,
    output: (u32, u32),
    denominator: u32,
    limits: Limits,
}

impl Plan {
    /// The image as the headers describe it.
    pub fn info(&self) -> ImageInfo {
        info(&self.header)
    }

    /// The part of the (oriented) image that is kept.
    pub fn crop(&self) -> CropRect {
        self.crop
    }

    /// Width and height of the avatar.
    pub fn output_size(&self) -> (u32, u32) {
        self.output
    }

    /// The JPEG decoder produces 1/`n` of the pixels in each direction (1, 2, 4 or 8; always 1
    /// for other formats).
    pub fn scale_denominator(&self) -> u32 {
        self.denominator
    }
}

pub(crate) fn info(header: &Header) -> ImageInfo {
    let (width, height) = header.orientation.display_size(header.width, header.height);
    ImageInfo { format: header.format, width, height, has_alpha: header.has_alpha }
}

/// Which part of the oriented image a plan keeps.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Region {
    /// The given rectangle, or the centred square when `None` (as [`Options::crop`]).
    Crop(Option<CropRect>),
    /// All of it, aspect ratio kept (a preview).
    Whole,
}

impl Region {
    /// The rectangle kept of a `width` × `height` (oriented) image; an error when it does not fit.
    fn rect(self, width: u32, height: u32) -> Result<CropRect, Error> {
        let crop = match self {
            Region::Crop(Some(crop)) => crop,
            Region::Crop(None) => CropRect::centre_square(width, height),
            Region::Whole => CropRect::new(0, 0, width, height),
        };
        if crop.fits(width, height) {
            Ok(crop)
        } else {
            Err(Error::InvalidCrop { crop, width, height })
        }
    }
}

fn check_size(size: u32) -> Result<(), Error> {
    if (1..=MAX_SIZE).contains(&size) {
        Ok(())
    } else {
        Err(Error::InvalidSize { size, max: MAX_SIZE })
    }
}

/// Stage 1: checks the input against `options` and decides how to process it.
pub fn plan(bytes: &[u8], options: &Options) -> Result<Plan, Error> {
    plan_region(bytes, options.size, Region::Crop(options.crop), options.limits)
}

/// [`plan`] for the part `region` names, with `size` the output's longest side.
pub(crate) fn plan_region(bytes: &[u8], size: u32, region: Region, limits: Limits) -> Result<Plan, Error> {
    check_size(size)?;
    let len = bytes.len() as u64;
    if len > limits.max_input_bytes {
        return Err(Error::TooLarge { size: len, max: limits.max_input_bytes });
    }
    let header = header::read(bytes, sniff(bytes)?)?;
    let area = header.area();
    if area > limits.max_pixels {
        let (width, height) = header.largest;
        return Err(Error::TooManyPixels { width, height, max: limits.max_pixels });
    }

    let (width, height) = header.orientation.display_size(header.width, header.height);
    let crop = region.rect(width, height)?;
    let output = fit(crop.width, crop.height, size);

    let denominator = match &header.jpeg {
        Some(frame) if !frame.lossless => jpeg_denominator(&header, crop, output),
        _ => 1,
    };
    let needed = match &header.jpeg {
        Some(frame) => frame.decoder_bytes(header.width, header.height, denominator),
        // The decoder's buffer, and our 8-bit RGBA copy of it.
        None => area.saturating_mul(header.decoded_bytes_per_pixel + 4),
    };
    if needed > limits.max_decoder_bytes {
        return Err(Error::TooMuchMemory { max: limits.max_decoder_bytes });
    }
    Ok(Plan { header, crop, output, denominator, limits })
}

/// The output size: the crop scaled so its longer side is `size`, never enlarged.
fn fit(width: u32, height: u32, size: u32) -> (u32, u32) {
    let long = u64::from(width.max(height));
    let target = long.min(u64::from(size));
    let scale = |side: u32| ((u64::from(side) * target + long / 2) / long).max(1) as u32;
    (scale(width), scale(height))
}

/// The largest DCT scaling (1/8, 1/4, 1/2) that still leaves at least the output's pixels in
/// the cropped part, in both directions.
fn jpeg_denominator(header: &Header, crop: CropRect, output: (u32, u32)) -> u32 {
    [8, 4, 2]
        .into_iter()
        .find(|&d| crop.width / d >= output.0 && crop.height / d >= output.1)
        .filter(|&d| header.width / d > 0 && header.height / d > 0)
        .unwrap_or(1)
}

/// Stage 2: decodes to 8-bit RGB(A) in stored orientation, at the planned scale.
pub fn decode(bytes: &[u8], plan: &Plan) -> Result<Pixels, Error> {
    decoder::decode(bytes, &plan.header, plan.denominator, &plan.limits)
}

/// Stage 3: crops and resizes `decoded` (from [`decode`]) to the output size, then applies the
/// EXIF orientation to the small result.
pub fn resize(decoded: &Pixels, plan: &Plan) -> Result<Pixels, Error> {
    let header = &plan.header;
    let orientation = header.orientation;
    let crop = Rect {
        x: f64::from(plan.crop.x),
        y: f64::from(plan.crop.y),
        width: f64::from(plan.crop.width),
        height: f64::from(plan.crop.height),
    };
    let stored = orientation.rect_to_stored(crop, f64::from(header.width), f64::from(header.height));
    // The decoder may have scaled the image; map the rectangle onto what it produced.
    let sx = f64::from(decoded.width()) / f64::from(header.width);
    let sy = f64::from(decoded.height()) / f64::from(header.height);
    let scaled =
        Rect { x: stored.x * sx, y: stored.y * sy, width: stored.width * sx, height: stored.height * sy };
    let (out_w, out_h) = plan.output;
    let (stored_w, stored_h) = if orientation.swaps_axes() { (out_h, out_w) } else { (out_w, out_h) };
    let resized = resizer::crop_resize(decoded, scaled, stored_w, stored_h)?;
    let alpha = resized.has_alpha_channel();
    let channels = resized.channels();
    let (data, width, height) = orientation.apply(resized.into_data(), stored_w, stored_h, channels);
    Pixels::new(width, height, alpha, data)
        .ok_or_else(|| Error::Internal("orientation: wrong output length".into()))
}

/// Crops and resizes pixels already in memory (a clipboard's RGBA, upright by definition) to the
/// part `region` names with `size` the output's longest side, then encodes them as [`encode`]
/// does. The same size, pixel and crop checks as [`plan`]; nothing is decoded.
pub(crate) fn from_pixels(
    pixels: &Pixels,
    size: u32,
    region: Region,
    limits: Limits,
) -> Result<Avatar, Error> {
    check_size(size)?;
    let (width, height) = (pixels.width(), pixels.height());
    if u64::from(width) * u64::from(height) > limits.max_pixels {
        return Err(Error::TooManyPixels { width, height, max: limits.max_pixels });
    }
    let crop = region.rect(width, height)?;
    let (out_w, out_h) = fit(crop.width, crop.height, size);
    let rect = Rect {
        x: f64::from(crop.x),
        y: f64::from(crop.y),
        width: f64::from(crop.width),
        height: f64::from(crop.height),
    };
    encode(resizer::crop_resize(pixels, rect, out_w, out_h)?)
}

/// Stage 4: encodes the result — PNG if any pixel is translucent, JPEG otherwise.
pub fn encode(pixels: Pixels) -> Result<Avatar, Error> {
    let (width, height) = (pixels.width(), pixels.height());
    let (bytes, mime) = if pixels.is_translucent() {
        (encoder::png(&pixels)?, "image/png")
    } else {
        (encoder::jpeg(&pixels.into_rgb())?, "image/jpeg")
    };
    Ok(Avatar { bytes, mime, width, height })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fit_never_enlarges_and_keeps_aspect() {
        assert_eq!(fit(4000, 4000, 512), (512, 512));
        assert_eq!(fit(100, 100, 512), (100, 100));
        assert_eq!(fit(1000, 500, 512), (512, 256));
        assert_eq!(fit(10_000, 1, 512), (512, 1));
        assert_eq!(fit(1, 1, 512), (1, 1));
    }

    #[test]
    fn jpeg_scale_leaves_enough_pixels() {
        let header = |w, h| {
            let mut bytes = vec![0xFF, 0xD8, 0xFF, 0xC0, 0, 11, 8];
            bytes.extend_from_slice(&u16::to_be_bytes(h));
            bytes.extend_from_slice(&u16::to_be_bytes(w));
            bytes.extend_from_slice(&[1, 1, 0x11, 0]);
            header::read(&bytes, Format::Jpeg).unwrap()
        };
        let h = header(6000, 4000);
        let square = CropRect::new(1000, 0, 4000, 4000);
        assert_eq!(jpeg_denominator(&h, square, (512, 512)), 4);
        assert_eq!(jpeg_denominator(&h, square, (500, 500)), 8);
        assert_eq!(jpeg_denominator(&h, square, (2048, 2048)), 1);
        let small = CropRect::new(0, 0, 600, 600);
        assert_eq!(jpeg_denominator(&h, small, (512, 512)), 1);
    }

    #[test]
    fn a_preview_keeps_the_whole_image_and_still_decodes_scaled() {
        // A 6000 × 4000 JPEG's frame header, enough for planning.
        let mut bytes = vec![0xFF, 0xD8, 0xFF, 0xC0, 0, 11, 8];
        bytes.extend_from_slice(&u16::to_be_bytes(4000));
        bytes.extend_from_slice(&u16::to_be_bytes(6000));
        bytes.extend_from_slice(&[1, 1, 0x11, 0]);
        let plan = plan_region(&bytes, 1024, Region::Whole, Limits::default()).unwrap();
        assert_eq!(plan.crop(), CropRect::new(0, 0, 6000, 4000));
        assert_eq!(plan.output_size(), (1024, 683));
        assert_eq!(plan.scale_denominator(), 4, "1500 × 1000 decoded pixels cover 1024 × 683");
    }
}
