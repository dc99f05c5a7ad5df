//! Every supported format and variant decodes to the right pixels.

mod common;

use common::*;
use image::{codecs::gif::GifEncoder, Delay, Frame, ImageEncoder, Rgba, RgbaImage};
use userdesk_avatar::{stages, Format, Options};

#[test]
fn baseline_jpeg_photo_becomes_a_512_jpeg() {
    let bytes = jpeg(&photo(800, 600));
    let info = userdesk_avatar::probe(&bytes).unwrap();
    assert_eq!((info.format, info.width, info.height, info.has_alpha), (Format::Jpeg, 800, 600, false));
    let avatar = process(&bytes);
    assert_eq!((avatar.mime, avatar.width, avatar.height), ("image/jpeg", 512, 512));
    decode(&avatar);
}

#[test]
fn progressive_jpeg() {
    let bytes = jpeg_with(&quadrants(64, 64), |e| e.set_progressive(true));
    assert!(bytes.windows(2).any(|w| w == [0xFF, 0xC2]), "SOF2 expected");
    let out = decode(&process(&bytes));
    assert_near(&out, 16, 16, RED, "progressive");
    assert_near(&out, 48, 48, WHITE, "progressive");
}

fn cmyk_jpeg(colour_type: jpeg_encoder::ColorType) -> Vec<u8> {
    let image = quadrants(64, 64);
    let mut out = Vec::new();
    jpeg_encoder::Encoder::new(&mut out, 95).encode(&to_cmyk(&image), 64, 64, colour_type).unwrap();
    out
}

#[test]
fn cmyk_and_ycck_jpeg_become_srgb() {
    for (what, colour_type) in
        [("CMYK", jpeg_encoder::ColorType::Cmyk), ("YCCK", jpeg_encoder::ColorType::CmykAsYcck)]
    {
        let bytes = cmyk_jpeg(colour_type);
        assert!(bytes.windows(5).any(|w| w == b"Adobe"), "{what}: Adobe marker expected");
        let avatar = process(&bytes);
        assert_eq!(avatar.mime, "image/jpeg");
        let out = decode(&avatar);
        assert_near(&out, 16, 16, RED, what);
        assert_near(&out, 48, 16, GREEN, what);
        assert_near(&out, 16, 48, BLUE, what);
        assert_near(&out, 48, 48, WHITE, what);
    }
}

#[test]
fn greyscale_jpeg() {
    let grey: Vec<u8> = (0..64 * 64).map(|i| if i % 64 < 32 { 30 } else { 220 }).collect();
    let mut bytes = Vec::new();
    jpeg_encoder::Encoder::new(&mut bytes, 92).encode(&grey, 64, 64, jpeg_encoder::ColorType::Luma).unwrap();
    let out = decode(&process(&bytes));
    assert_near(&out, 8, 32, [30, 30, 30], "dark half");
    assert_near(&out, 56, 32, [220, 220, 220], "light half");
}

#[test]
fn sixteen_bit_png_comes_down_to_eight() {
    let mut bytes = Vec::new();
    let mut encoder = png::Encoder::new(&mut bytes, 32, 32);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Sixteen);
    let mut writer = encoder.write_header().unwrap();
    let data: Vec<u8> = (0..32 * 32)
        .flat_map(|_| [0xE6E6u16, 0x1414, 0x1414].into_iter().flat_map(u16::to_be_bytes))
        .collect();
    writer.write_image_data(&data).unwrap();
    writer.finish().unwrap();
    let avatar = process(&bytes);
    assert_eq!((avatar.mime, avatar.width), ("image/jpeg", 32));
    assert_near(&decode(&avatar), 16, 16, RED, "16-bit PNG");
}

#[test]
fn palette_png() {
    let mut bytes = Vec::new();
    let mut encoder = png::Encoder::new(&mut bytes, 16, 16);
    encoder.set_color(png::ColorType::Indexed);
    encoder.set_depth(png::BitDepth::Two);
    encoder.set_palette([RED, GREEN, BLUE, WHITE].concat());
    let mut writer = encoder.write_header().unwrap();
    // 2 bits per pixel: left half index 0 (red), right half index 2 (blue).
    let row = [0b0000_0000u8, 0b0000_0000, 0b1010_1010, 0b1010_1010];
    writer.write_image_data(&row.repeat(16)).unwrap();
    writer.finish().unwrap();
    let out = decode(&process(&bytes));
    assert_near(&out, 3, 8, RED, "palette index 0");
    assert_near(&out, 12, 8, BLUE, "palette index 2");
}

#[test]
fn transparency_is_kept_as_png() {
    // A red disc on a transparent background.
    let image = RgbaImage::from_fn(64, 64, |x, y| {
        let (dx, dy) = (x as i32 - 32, y as i32 - 32);
        if dx * dx + dy * dy < 20 * 20 {
            Rgba([RED[0], RED[1], RED[2], 255])
        } else {
            Rgba([0, 0, 0, 0])
        }
    });
    let bytes = png_rgba(&image);
    assert!(userdesk_avatar::probe(&bytes).unwrap().has_alpha);
    let avatar = process(&bytes);
    assert_eq!(avatar.mime, "image/png");
    let out = decode(&avatar);
    assert_eq!(out.get_pixel(1, 1)[3], 0, "corner stays transparent");
    assert_eq!(out.get_pixel(32, 32)[3], 255, "centre stays opaque");
    assert_near(&out, 32, 32, RED, "disc colour");
}

#[test]
fn opaque_rgba_becomes_jpeg() {
    // An alpha channel that is all 255 is not transparency.
    let image = RgbaImage::from_pixel(20, 20, Rgba([20, 40, 220, 255]));
    let avatar = process(&png_rgba(&image));
    assert_eq!(avatar.mime, "image/jpeg");
}

#[test]
fn animated_gif_uses_the_first_frame() {
    let mut bytes = Vec::new();
    {
        let mut encoder = GifEncoder::new(&mut bytes);
        for colour in [RED, BLUE, GREEN] {
            let frame = RgbaImage::from_pixel(24, 24, Rgba([colour[0], colour[1], colour[2], 255]));
            encoder.encode_frame(Frame::from_parts(frame, 0, 0, Delay::from_numer_denom_ms(100, 1))).unwrap();
        }
    }
    assert_eq!(userdesk_avatar::probe(&bytes).unwrap().format, Format::Gif);
    let out = decode(&process(&bytes));
    assert_near(&out, 12, 12, RED, "first frame");
}

#[test]
fn lossless_webp() {
    let bytes = encode_rgb(&quadrants(40, 40), image::ImageFormat::WebP);
    let info = userdesk_avatar::probe(&bytes).unwrap();
    assert_eq!((info.format, info.width, info.height), (Format::WebP, 40, 40));
    let out = decode(&process(&bytes));
    assert_near(&out, 10, 10, RED, "WebP");
    assert_near(&out, 30, 30, WHITE, "WebP");
}

#[test]
fn bmp() {
    let bytes = encode_rgb(&quadrants(30, 20), image::ImageFormat::Bmp);
    let options = Options { crop: Some(userdesk_avatar::CropRect::new(0, 0, 30, 20)), ..Options::default() };
    let avatar = userdesk_avatar::process(&bytes, &options).unwrap();
    let out = decode(&avatar);
    assert_near(&out, 5, 5, RED, "BMP");
    assert_near(&out, 25, 15, WHITE, "BMP");
}

#[test]
fn one_by_one() {
    for bytes in [jpeg(&solid(1, 1, BLUE)), png_rgb(&solid(1, 1, BLUE))] {
        let avatar = process(&bytes);
        assert_eq!((avatar.width, avatar.height), (1, 1));
        assert_near(&decode(&avatar), 0, 0, BLUE, "1 × 1");
    }
}

#[test]
fn panorama_keeps_its_centre_square() {
    // 10 000 × 400: blue, except the centre square x ∈ [4800, 5200), which is red.
    let image = image::RgbImage::from_fn(10_000, 400, |x, _| {
        image::Rgb(if (4800..5200).contains(&x) { RED } else { BLUE })
    });
    let avatar = process(&jpeg(&image));
    assert_eq!((avatar.width, avatar.height), (400, 400), "never enlarged");
    let out = decode(&avatar);
    for x in [6, 200, 393] {
        assert_near(&out, x, 200, RED, "inside the centre square");
    }
}

#[test]
fn png_named_jpg_is_sniffed_as_png() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("photo.jpg");
    std::fs::write(&path, png_rgb(&solid(10, 10, GREEN))).unwrap();
    let bytes = std::fs::read(&path).unwrap();
    assert_eq!(userdesk_avatar::probe(&bytes).unwrap().format, Format::Png);
    assert_near(&decode(&process(&bytes)), 5, 5, GREEN, "PNG named .jpg");
}

#[test]
fn large_jpeg_is_decoded_at_reduced_scale_without_losing_quality() {
    // 1024 × 768 to 128: the centre square is 768 wide, so 1/4 scale (192) still leaves more
    // than 128 pixels.
    let source = photo(1024, 768);
    let bytes = jpeg(&source);
    let options = Options { size: 128, ..Options::default() };
    let plan = stages::plan(&bytes, &options).unwrap();
    assert_eq!(plan.scale_denominator(), 4);
    let decoded = stages::decode(&bytes, &plan).unwrap();
    assert_eq!((decoded.width(), decoded.height()), (256, 192));

    // Reference: full-size decode, then the `image` crate's own Lanczos3.
    let mut full = jpeg_decoder::Decoder::new(&bytes[..]);
    let rgb = full.decode().unwrap();
    let full = image::RgbImage::from_raw(1024, 768, rgb).unwrap();
    let square = image::imageops::crop_imm(&full, 128, 0, 768, 768).to_image();
    let reference = image::DynamicImage::ImageRgb8(image::imageops::resize(
        &square,
        128,
        128,
        image::imageops::FilterType::Lanczos3,
    ))
    .to_rgba8();
    let ours = decode(&userdesk_avatar::process(&bytes, &options).unwrap());
    let psnr = psnr(&ours, &reference);
    assert!(psnr > 30.0, "PSNR {psnr:.1} dB against a full-size decode");
}

/// Display P3 → sRGB by the published matrix, independent of the colour library we use.
fn p3_to_srgb(p3: [u8; 3]) -> [u8; 3] {
    let linear = |v: u8| {
        let v = f64::from(v) / 255.0;
        if v <= 0.04045 {
            v / 12.92
        } else {
            ((v + 0.055) / 1.055).powf(2.4)
        }
    };
    let encode = |v: f64| {
        let v = v.clamp(0.0, 1.0);
        let e = if v <= 0.003_130_8 { 12.92 * v } else { 1.055 * v.powf(1.0 / 2.4) - 0.055 };
        (e * 255.0).round() as u8
    };
    let [r, g, b] = p3.map(linear);
    [
        encode(1.224_940_2 * r - 0.224_940_4 * g),
        encode(-0.042_056_9 * r + 1.042_057_1 * g),
        encode(-0.019_637_6 * r - 0.078_636_1 * g + 1.098_273_5 * b),
    ]
}

#[test]
fn display_p3_is_converted_to_srgb() {
    let p3_colour = [200, 120, 80];
    let expected = p3_to_srgb(p3_colour);
    assert!(expected[0] > 210, "the test colour must move visibly: {expected:?}");
    let icc = moxcms::ColorProfile::new_display_p3().encode().unwrap();
    let image = solid(32, 32, p3_colour);

    let mut png = Vec::new();
    let mut encoder = image::codecs::png::PngEncoder::new(&mut png);
    encoder.set_icc_profile(icc.clone()).unwrap();
    encoder.write_image(image.as_raw(), 32, 32, image::ExtendedColorType::Rgb8).unwrap();

    let mut jpeg = Vec::new();
    let mut encoder = jpeg_encoder::Encoder::new(&mut jpeg, 98);
    encoder.add_icc_profile(&icc).unwrap();
    encoder.encode(image.as_raw(), 32, 32, jpeg_encoder::ColorType::Rgb).unwrap();

    for (what, bytes) in [("PNG", png), ("JPEG", jpeg)] {
        let out = decode(&process(&bytes));
        let got = out.get_pixel(16, 16).0;
        for c in 0..3 {
            assert!(
                got[c].abs_diff(expected[c]) <= 4,
                "{what}: got {got:?}, expected {expected:?} (P3 {p3_colour:?})"
            );
        }
    }
}
