//! Test corpus made in code: images, EXIF blocks, and readers for the output's structure.
#![allow(dead_code)] // each test file uses a different part

use image::{Rgb, RgbImage, Rgba, RgbaImage};
use userdesk_avatar::{Avatar, Options};

pub const RED: [u8; 3] = [230, 20, 20];
pub const GREEN: [u8; 3] = [20, 200, 40];
pub const BLUE: [u8; 3] = [20, 40, 220];
pub const WHITE: [u8; 3] = [250, 250, 250];

/// Red top-left, green top-right, blue bottom-left, white bottom-right: every one of the eight
/// orientations puts a different colour in the top-left corner or swaps its neighbours.
pub fn quadrants(width: u32, height: u32) -> RgbImage {
    RgbImage::from_fn(width, height, |x, y| {
        Rgb(match (x < width / 2, y < height / 2) {
            (true, true) => RED,
            (false, true) => GREEN,
            (true, false) => BLUE,
            (false, false) => WHITE,
        })
    })
}

/// Photograph-like content: smooth gradients with a deterministic grain.
pub fn photo(width: u32, height: u32) -> RgbImage {
    let mut state = 0x2545_F491_4F6C_DD1Du64;
    RgbImage::from_fn(width, height, |x, y| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        let grain = (state % 17) as i32 - 8;
        let fx = x as f32 / width as f32;
        let fy = y as f32 / height as f32;
        let wave = ((fx * 9.0).sin() * (fy * 7.0).cos() * 60.0) as i32;
        let c = |base: f32| (base as i32 + wave + grain).clamp(0, 255) as u8;
        Rgb([c(40.0 + 180.0 * fx), c(60.0 + 150.0 * fy), c(200.0 - 150.0 * fx * fy)])
    })
}

pub fn solid(width: u32, height: u32, colour: [u8; 3]) -> RgbImage {
    RgbImage::from_pixel(width, height, Rgb(colour))
}

/// Baseline JPEG, 4:2:0, quality 92.
pub fn jpeg(image: &RgbImage) -> Vec<u8> {
    jpeg_with(image, |_| {})
}

pub fn jpeg_with(
    image: &RgbImage,
    configure: impl FnOnce(&mut jpeg_encoder::Encoder<&mut Vec<u8>>),
) -> Vec<u8> {
    let mut out = Vec::new();
    let mut encoder = jpeg_encoder::Encoder::new(&mut out, 92);
    encoder.set_sampling_factor(jpeg_encoder::SamplingFactor::F_2_2);
    configure(&mut encoder);
    encoder
        .encode(image.as_raw(), image.width() as u16, image.height() as u16, jpeg_encoder::ColorType::Rgb)
        .unwrap();
    out
}

/// An RGB image as CMYK ink amounts (naive), for the CMYK and YCCK encoders.
pub fn to_cmyk(image: &RgbImage) -> Vec<u8> {
    image
        .pixels()
        .flat_map(|p| {
            let k = 255 - p.0.iter().copied().max().unwrap_or(0);
            let ink = |v: u8| {
                if k == 255 {
                    0
                } else {
                    ((255 - v as u32 - k as u32) * 255 / (255 - k as u32)) as u8
                }
            };
            [ink(p[0]), ink(p[1]), ink(p[2]), k]
        })
        .collect()
}

/// Encodes with the `image` crate's own encoder for `format` (PNG, GIF, lossless WebP, BMP).
pub fn encode_rgb(image: &RgbImage, format: image::ImageFormat) -> Vec<u8> {
    let mut out = std::io::Cursor::new(Vec::new());
    image.write_to(&mut out, format).unwrap();
    out.into_inner()
}

pub fn png_rgb(image: &RgbImage) -> Vec<u8> {
    encode_rgb(image, image::ImageFormat::Png)
}

pub fn png_rgba(image: &RgbaImage) -> Vec<u8> {
    let mut out = std::io::Cursor::new(Vec::new());
    image.write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

/// Inserts `segments` (marker, payload) right after a JPEG's SOI.
pub fn insert_segments(jpeg: &[u8], segments: &[(u8, Vec<u8>)]) -> Vec<u8> {
    let mut out = jpeg[..2].to_vec();
    for (marker, payload) in segments {
        out.extend_from_slice(&[0xFF, *marker]);
        out.extend_from_slice(&((payload.len() + 2) as u16).to_be_bytes());
        out.extend_from_slice(payload);
    }
    out.extend_from_slice(&jpeg[2..]);
    out
}

/// Latitude 51° 30' 26" N, as a camera writes it.
pub const GPS_LATITUDE: [u32; 6] = [51, 1, 30, 1, 26, 1];

/// An APP1 `Exif` payload (big-endian TIFF) with an orientation, a camera make, and optionally a
/// GPS IFD.
pub fn exif(orientation: u16, gps: bool) -> Vec<u8> {
    let mut t = b"MM\0*\0\0\0\x08".to_vec();
    let entries: u16 = if gps { 3 } else { 2 };
    let ifd0_end = 8 + 2 + 12 * entries as u32 + 4;
    let make_at = ifd0_end;
    let gps_ifd_at = make_at + 6;
    t.extend_from_slice(&entries.to_be_bytes());
    // Make: ASCII "Canon\0" stored past the IFD.
    t.extend_from_slice(&[0x01, 0x0F, 0, 2, 0, 0, 0, 6]);
    t.extend_from_slice(&make_at.to_be_bytes());
    // Orientation: SHORT, in the value field.
    t.extend_from_slice(&[0x01, 0x12, 0, 3, 0, 0, 0, 1]);
    t.extend_from_slice(&orientation.to_be_bytes());
    t.extend_from_slice(&[0, 0]);
    if gps {
        t.extend_from_slice(&[0x88, 0x25, 0, 4, 0, 0, 0, 1]);
        t.extend_from_slice(&gps_ifd_at.to_be_bytes());
    }
    t.extend_from_slice(&[0; 4]);
    t.extend_from_slice(b"Canon\0");
    if gps {
        let lat_at = gps_ifd_at + 2 + 2 * 12 + 4;
        t.extend_from_slice(&2u16.to_be_bytes());
        t.extend_from_slice(&[0, 1, 0, 2, 0, 0, 0, 2, b'N', 0, 0, 0]);
        t.extend_from_slice(&[0, 2, 0, 5, 0, 0, 0, 3]);
        t.extend_from_slice(&lat_at.to_be_bytes());
        t.extend_from_slice(&[0; 4]);
        for v in GPS_LATITUDE {
            t.extend_from_slice(&v.to_be_bytes());
        }
    }
    let mut payload = b"Exif\0\0".to_vec();
    payload.extend_from_slice(&t);
    payload
}

pub fn with_orientation(jpeg: &[u8], orientation: u16) -> Vec<u8> {
    insert_segments(jpeg, &[(0xE1, exif(orientation, false))])
}

/// The marker of every segment of a JPEG up to the first SOS.
pub fn jpeg_markers(bytes: &[u8]) -> Vec<u8> {
    assert_eq!(&bytes[..2], &[0xFF, 0xD8], "not a JPEG");
    let mut markers = vec![0xD8];
    let mut pos = 2;
    while pos + 4 <= bytes.len() {
        assert_eq!(bytes[pos], 0xFF, "segment at {pos} does not start with 0xFF");
        let marker = bytes[pos + 1];
        markers.push(marker);
        if marker == 0xDA {
            break;
        }
        let len = u16::from_be_bytes([bytes[pos + 2], bytes[pos + 3]]) as usize;
        pos += 2 + len;
    }
    markers
}

/// The type of every chunk of a PNG.
pub fn png_chunks(bytes: &[u8]) -> Vec<String> {
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n", "not a PNG");
    let mut chunks = Vec::new();
    let mut pos = 8;
    while pos + 8 <= bytes.len() {
        let len = u32::from_be_bytes(bytes[pos..pos + 4].try_into().unwrap()) as usize;
        chunks.push(String::from_utf8_lossy(&bytes[pos + 4..pos + 8]).into_owned());
        pos += 12 + len;
    }
    chunks
}

/// Decodes an avatar back to RGBA for sampling.
pub fn decode(avatar: &Avatar) -> RgbaImage {
    let format = match avatar.mime {
        "image/jpeg" => {
            // The `image` crate is built without its JPEG decoder; use ours underneath.
            let mut d = jpeg_decoder::Decoder::new(&avatar.bytes[..]);
            let rgb = d.decode().unwrap();
            let info = d.info().unwrap();
            assert_eq!(info.pixel_format, jpeg_decoder::PixelFormat::RGB24);
            let rgb = RgbImage::from_raw(info.width.into(), info.height.into(), rgb).unwrap();
            let decoded = image::DynamicImage::ImageRgb8(rgb).to_rgba8();
            assert_eq!((decoded.width(), decoded.height()), (avatar.width, avatar.height));
            return decoded;
        }
        "image/png" => image::ImageFormat::Png,
        other => panic!("unexpected output type {other}"),
    };
    let decoded = image::load_from_memory_with_format(&avatar.bytes, format).unwrap().to_rgba8();
    assert_eq!((decoded.width(), decoded.height()), (avatar.width, avatar.height));
    decoded
}

/// Whether a pixel is within `tolerance` of `colour` in every channel.
pub fn near(pixel: Rgba<u8>, colour: [u8; 3], tolerance: u8) -> bool {
    pixel.0[..3].iter().zip(colour).all(|(&a, b)| a.abs_diff(b) <= tolerance)
}

pub fn assert_near(image: &RgbaImage, x: u32, y: u32, colour: [u8; 3], what: &str) {
    let pixel = *image.get_pixel(x, y);
    assert!(near(pixel, colour, 40), "{what}: pixel ({x}, {y}) is {:?}, expected about {colour:?}", pixel.0);
}

pub fn process(bytes: &[u8]) -> Avatar {
    userdesk_avatar::process(bytes, &Options::default()).unwrap()
}

/// Peak signal-to-noise ratio of two RGB(A) images of the same size, over the colour channels.
pub fn psnr(a: &RgbaImage, b: &RgbaImage) -> f64 {
    assert_eq!(a.dimensions(), b.dimensions());
    let (mut sum, mut n) = (0f64, 0f64);
    for (p, q) in a.pixels().zip(b.pixels()) {
        for c in 0..3 {
            let d = f64::from(p[c]) - f64::from(q[c]);
            sum += d * d;
            n += 1.0;
        }
    }
    let mse = sum / n;
    if mse == 0.0 {
        f64::INFINITY
    } else {
        10.0 * (255.0 * 255.0 / mse).log10()
    }
}
