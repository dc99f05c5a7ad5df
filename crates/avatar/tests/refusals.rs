//! Bad input is refused with an error a person can act on — never a panic, a hang, or a huge
//! allocation.

mod common;

use common::*;
use image::ImageFormat;
use userdesk_avatar::{stages, CropRect, Error, Format, Limits, Options};

fn refuse(bytes: &[u8]) -> Error {
    let error =
        userdesk_avatar::process(bytes, &Options::default()).expect_err("the input should be refused");
    // Every refusal has a code and a message.
    assert!(error.code().starts_with("image_"), "{}", error.code());
    assert!(!error.to_string().is_empty());
    error
}

#[test]
fn zero_bytes_is_empty() {
    assert_eq!(refuse(&[]), Error::Empty);
    assert_eq!(userdesk_avatar::probe(&[]), Err(Error::Empty));
    assert_eq!(Error::Empty.code(), "image_empty");
}

#[test]
fn other_formats_are_refused_by_name() {
    let heic = b"\0\0\0\x18ftypheic\0\0\0\0mif1heic\0\0\x01\0meta".to_vec();
    let svg = b"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"10\" height=\"10\"></svg>\n".to_vec();
    let pdf = b"%PDF-1.7\n%\xE2\xE3\xCF\xD3\n1 0 obj\n".to_vec();
    let text = b"Dear team,\nplease find my photo attached.\n".to_vec();
    for (bytes, name, message) in [
        (heic, "HEIC", "HEIC images are not supported"),
        (svg, "SVG", "SVG images are not supported"),
        (pdf, "PDF", "PDF documents are not supported"),
        (text, "text", "this is a text file, not an image"),
    ] {
        let error = refuse(&bytes);
        assert_eq!(error, Error::Unsupported { format: name });
        assert_eq!(error.code(), "image_unsupported");
        assert!(error.to_string().starts_with(message), "{name}: {error}");
        assert_eq!(userdesk_avatar::probe(&bytes), Err(error));
    }
}

/// A PNG whose IHDR declares `width` × `height` and which has no image data at all: if the
/// pipeline got as far as decoding it would report a corrupt file, not the pixel limit.
fn png_bomb(width: u32, height: u32) -> Vec<u8> {
    let mut bytes = b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR".to_vec();
    bytes.extend_from_slice(&width.to_be_bytes());
    bytes.extend_from_slice(&height.to_be_bytes());
    bytes.extend_from_slice(&[8, 2, 0, 0, 0, 0, 0, 0, 0]);
    bytes
}

#[test]
fn decompression_bomb_png_is_refused_from_its_header() {
    let bytes = png_bomb(100_000, 100_000);
    assert!(bytes.len() < 64);
    let info = userdesk_avatar::probe(&bytes).unwrap();
    assert_eq!((info.width, info.height), (100_000, 100_000));
    assert_eq!(refuse(&bytes), Error::TooManyPixels { width: 100_000, height: 100_000, max: 100_000_000 });
}

#[test]
fn decompression_bomb_jpeg_is_refused_from_its_header() {
    // SOI, SOF0 declaring 65 535 × 65 535 × 3, and nothing else.
    let mut bytes = vec![0xFF, 0xD8, 0xFF, 0xC0, 0, 17, 8, 0xFF, 0xFF, 0xFF, 0xFF, 3];
    bytes.extend_from_slice(&[1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1]);
    assert!(matches!(refuse(&bytes), Error::TooManyPixels { width: 65_535, height: 65_535, .. }));
}

#[test]
fn decompression_bomb_gif_and_webp_are_refused_from_their_headers() {
    // A GIF whose first frame is 65 535 × 65 535 on a 1 × 1 screen.
    let mut gif = b"GIF89a\x01\0\x01\0\0\0\0".to_vec();
    gif.extend_from_slice(&[0x2C, 0, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF, 0]);
    assert!(
        matches!(refuse(&gif), Error::TooManyPixels { width: 65_535, height: 65_535, .. }),
        "the frame, not the screen, is what is too large"
    );

    // A VP8X WebP declaring a 16 384 × 16 384 canvas (268 megapixels).
    let mut webp = b"RIFF\x16\0\0\0WEBPVP8X\x0a\0\0\0\0\0\0\0".to_vec();
    webp.extend_from_slice(&[0xFF, 0x3F, 0, 0xFF, 0x3F, 0]);
    assert!(matches!(refuse(&webp), Error::TooManyPixels { .. }));
}

#[test]
fn limits_are_the_callers() {
    let bytes = png_rgb(&solid(100, 100, RED));
    let with = |limits: Limits| Options { limits, ..Options::default() };
    let defaults = Limits::default();

    let small_input = with(Limits { max_input_bytes: 10, ..defaults });
    assert_eq!(
        userdesk_avatar::process(&bytes, &small_input),
        Err(Error::TooLarge { size: bytes.len() as u64, max: 10 })
    );

    let few_pixels = with(Limits { max_pixels: 9_999, ..defaults });
    assert!(matches!(
        userdesk_avatar::process(&bytes, &few_pixels),
        Err(Error::TooManyPixels { width: 100, height: 100, max: 9_999 })
    ));

    let little_memory = with(Limits { max_decoder_bytes: 10_000, ..defaults });
    assert_eq!(userdesk_avatar::process(&bytes, &little_memory), Err(Error::TooMuchMemory { max: 10_000 }));

    // A progressive JPEG holds all its coefficients: 2 bytes × 64 per block, whatever the scale.
    let progressive = jpeg_with(&photo(256, 256), |e| e.set_progressive(true));
    let tight = with(Limits { max_decoder_bytes: 256 * 256 * 2, ..defaults });
    assert!(matches!(userdesk_avatar::process(&progressive, &tight), Err(Error::TooMuchMemory { .. })));
    assert!(userdesk_avatar::process(&progressive, &Options::default()).is_ok());
}

#[test]
fn truncated_files_are_corrupt() {
    let jpeg = jpeg(&photo(64, 64));
    let cut = &jpeg[..jpeg.len() / 2];
    let error = refuse(cut);
    assert!(matches!(error, Error::Corrupt { format: Format::Jpeg, .. }), "{error:?}");
    assert_eq!(error.code(), "image_corrupt");

    let png = png_rgb(&photo(64, 64));
    assert!(matches!(refuse(&png[..png.len() / 2]), Error::Corrupt { format: Format::Png, .. }));
}

/// Every prefix of a file, and many single-byte corruptions, give a result or an error — never
/// a panic (a panic fails the test) or a hang.
fn survive_damage(bytes: &[u8]) {
    let step = (bytes.len() / 97).max(1);
    for len in (0..bytes.len()).step_by(step) {
        let _ = userdesk_avatar::probe(&bytes[..len]);
        let _ = userdesk_avatar::process(&bytes[..len], &Options::default());
    }
    let mut state = 0x9E37_79B9_7F4A_7C15u64;
    for _ in 0..150 {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        let mut damaged = bytes.to_vec();
        let at = (state % bytes.len() as u64) as usize;
        damaged[at] ^= (state >> 32) as u8 | 1;
        let _ = userdesk_avatar::process(&damaged, &Options::default());
    }
}

#[test]
fn damaged_files_never_panic() {
    let image = photo(48, 40);
    survive_damage(&jpeg(&image));
    survive_damage(&jpeg_with(&image, |e| e.set_progressive(true)));
    survive_damage(&with_orientation(&jpeg(&image), 6));
    for format in [ImageFormat::Png, ImageFormat::Gif, ImageFormat::WebP, ImageFormat::Bmp] {
        survive_damage(&encode_rgb(&image, format));
    }
}

#[test]
fn crop_outside_the_image_is_invalid() {
    let bytes = jpeg(&photo(64, 48));
    for crop in [
        CropRect::new(0, 0, 65, 10),
        CropRect::new(60, 0, 10, 10),
        CropRect::new(0, 40, 10, 10),
        CropRect::new(0, 0, 0, 10),
        CropRect::new(u32::MAX, 0, 1, 1),
    ] {
        let options = Options { crop: Some(crop), ..Options::default() };
        assert_eq!(
            userdesk_avatar::process(&bytes, &options),
            Err(Error::InvalidCrop { crop, width: 64, height: 48 })
        );
    }
    // The crop is checked against the upright size: 64 × 48 stored with orientation 6 is
    // 48 × 64 upright.
    let turned = with_orientation(&bytes, 6);
    let tall = Options { crop: Some(CropRect::new(0, 0, 48, 64)), ..Options::default() };
    assert!(userdesk_avatar::process(&turned, &tall).is_ok());
    assert!(userdesk_avatar::process(&bytes, &tall).is_err());
}

#[test]
fn output_size_is_checked() {
    let bytes = png_rgb(&solid(4, 4, RED));
    for size in [0, userdesk_avatar::MAX_SIZE + 1] {
        let options = Options { size, ..Options::default() };
        assert!(matches!(stages::plan(&bytes, &options), Err(Error::InvalidSize { .. })));
    }
}
