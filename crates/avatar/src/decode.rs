//! Decoding to 8-bit sRGB, RGB or RGBA. JPEG goes through `jpeg-decoder`, which can run the
//! inverse DCT at 1/2, 1/4 or 1/8 scale (most of a 24-megapixel photo is never produced at full
//! size); the other formats through `image`, under its allocation limits.
//!
//! Why `jpeg-decoder`: of the pure-Rust decoders only it scales in the DCT (`zune-jpeg` decodes
//! every pixel, which costs more time and, for a 24-megapixel photo, 72 MB — more than
//! `vipsthumbnail`'s whole 49 MiB peak; scaled IDCT for it is only proposed upstream, in
//! zune-image PRs 412 and 414; zune-jpeg 0.5.15 has none). libjpeg-turbo (through
//! `mozjpeg` or `turbojpeg`) decodes the same photo at 1/4 in about two thirds of the time, but
//! brings C — and nasm, or cmake — into every build, and a C parser to untrusted uploads; the
//! pure-Rust pipeline already beats `vipsthumbnail` (`scripts/bench-avatar.sh`).

use std::io::Cursor;
use std::panic::{catch_unwind, AssertUnwindSafe};

use image::codecs::{bmp::BmpDecoder, gif::GifDecoder, png::PngDecoder, webp::WebPDecoder};
use image::{ColorType, ImageDecoder, ImageError};
use jpeg_decoder::PixelFormat;

use crate::convert;
use crate::error::Error;
use crate::format::Format;
use crate::header::Header;
use crate::icc;
use crate::options::Limits;
use crate::pixels::Pixels;

/// Decodes `bytes` (whose headers gave `header`) at `1/denominator` scale where the format can.
/// Decoder panics are caught and reported as [`Error::Corrupt`]: no input can abort the caller.
pub(crate) fn decode(
    bytes: &[u8],
    header: &Header,
    denominator: u32,
    limits: &Limits,
) -> Result<Pixels, Error> {
    let format = header.format;
    let decoded = catch_unwind(AssertUnwindSafe(|| match format {
        Format::Jpeg => jpeg(bytes, header, denominator, limits),
        Format::Png => image_crate(PngDecoder::new(Cursor::new(bytes)), format, limits),
        Format::Gif => image_crate(GifDecoder::new(Cursor::new(bytes)), format, limits),
        Format::WebP => image_crate(WebPDecoder::new(Cursor::new(bytes)), format, limits),
        Format::Bmp => image_crate(BmpDecoder::new(Cursor::new(bytes)), format, limits),
    }));
    decoded.unwrap_or_else(|_| Err(Error::corrupt(format, "the decoder failed on this file")))
}

fn jpeg(bytes: &[u8], header: &Header, denominator: u32, limits: &Limits) -> Result<Pixels, Error> {
    let corrupt = |e: jpeg_decoder::Error| match e {
        jpeg_decoder::Error::Io(_) => Error::corrupt(Format::Jpeg, "the file is cut short"),
        jpeg_decoder::Error::Unsupported(feature) => {
            Error::corrupt(Format::Jpeg, format!("unsupported feature: {feature:?}"))
        }
        other => Error::corrupt(Format::Jpeg, other.to_string()),
    };
    let mut decoder = jpeg_decoder::Decoder::new(bytes);
    decoder.set_max_decoding_buffer_size(usize::try_from(limits.max_decoder_bytes).unwrap_or(usize::MAX));
    // The header parser accepted the dimensions, which JPEG stores as 16-bit values.
    let requested = |side: u32| u16::try_from(side.div_ceil(denominator)).unwrap_or(u16::MAX);
    decoder.scale(requested(header.width), requested(header.height)).map_err(corrupt)?;
    let data = decoder.decode().map_err(corrupt)?;
    let info = decoder.info().ok_or_else(|| Error::corrupt(Format::Jpeg, "no frame was decoded"))?;
    let (width, height) = (u32::from(info.width), u32::from(info.height));
    let icc = decoder.icc_profile();
    let rgb = match info.pixel_format {
        PixelFormat::RGB24 => data,
        PixelFormat::L8 => convert::grey_to_rgb(&data),
        PixelFormat::L16 => convert::grey_to_rgb(&convert::sixteen_to_eight(&data)),
        PixelFormat::CMYK32 => convert::cmyk_to_rgb(data),
    };
    let mut pixels = Pixels::new(width, height, false, rgb)
        .ok_or_else(|| Error::corrupt(Format::Jpeg, "the decoder returned too few pixels"))?;
    // A CMYK image's profile is a print profile; the naive conversion above stands for it.
    if let (Some(icc), PixelFormat::RGB24) = (icc, info.pixel_format) {
        icc::to_srgb(&mut pixels, &icc);
    }
    Ok(pixels)
}

fn image_crate<D: ImageDecoder>(
    decoder: Result<D, ImageError>,
    format: Format,
    limits: &Limits,
) -> Result<Pixels, Error> {
    let error = |e: ImageError| match e {
        ImageError::Limits(_) => Error::TooMuchMemory { max: limits.max_decoder_bytes },
        ImageError::Unsupported(u) => Error::corrupt(format, u.to_string()),
        ImageError::IoError(_) => Error::corrupt(format, "the file is cut short"),
        other => Error::corrupt(format, other.to_string()),
    };
    let mut decoder = decoder.map_err(error)?;
    let mut image_limits = image::Limits::default();
    image_limits.max_alloc = Some(limits.max_decoder_bytes);
    decoder.set_limits(image_limits).map_err(error)?;

    let (width, height) = decoder.dimensions();
    let colour = decoder.color_type();
    // An unreadable profile is no reason to refuse the image.
    let icc = decoder.icc_profile().ok().flatten();
    let total = decoder.total_bytes();
    if total > limits.max_decoder_bytes {
        return Err(Error::TooMuchMemory { max: limits.max_decoder_bytes });
    }
    let len = usize::try_from(total).map_err(|_| Error::TooMuchMemory { max: limits.max_decoder_bytes })?;
    let mut data = vec![0u8; len];
    decoder.read_image(&mut data).map_err(error)?;

    let (alpha, data) = match colour {
        ColorType::Rgb8 => (false, data),
        ColorType::Rgba8 => (true, data),
        ColorType::L8 => (false, convert::grey_to_rgb(&data)),
        ColorType::La8 => (true, convert::grey_alpha_to_rgba(&data)),
        ColorType::Rgb16 => (false, convert::sixteen_to_eight(&data)),
        ColorType::Rgba16 => (true, convert::sixteen_to_eight(&data)),
        ColorType::L16 => (false, convert::grey_to_rgb(&convert::sixteen_to_eight(&data))),
        ColorType::La16 => (true, convert::grey_alpha_to_rgba(&convert::sixteen_to_eight(&data))),
        other => return Err(Error::corrupt(format, format!("unexpected sample format {other:?}"))),
    };
    let mut pixels = Pixels::new(width, height, alpha, data)
        .ok_or_else(|| Error::corrupt(format, "the decoder returned too few pixels"))?;
    if let Some(icc) = icc {
        icc::to_srgb(&mut pixels, &icc);
    }
    Ok(pixels)
}
