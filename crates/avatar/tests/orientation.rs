//! All eight EXIF orientations come out the right way up, with and without a crop.

mod common;

use common::*;
use image::{metadata::Orientation as ImageOrientation, DynamicImage};
use userdesk_avatar::{CropRect, Options};

/// The stored image a camera writes for `displayed` with EXIF `orientation`, made with the
/// `image` crate's own orientation code so the test does not share ours.
fn stored_for(displayed: &image::RgbImage, orientation: u8) -> image::RgbImage {
    let inverse = match orientation {
        6 => 8,
        8 => 6,
        other => other,
    };
    let mut stored = DynamicImage::ImageRgb8(displayed.clone());
    stored.apply_orientation(ImageOrientation::from_exif(inverse).unwrap());
    // The oracle must round-trip before we trust it.
    let mut back = stored.clone();
    back.apply_orientation(ImageOrientation::from_exif(orientation).unwrap());
    assert_eq!(back.to_rgb8(), *displayed, "oracle for orientation {orientation}");
    stored.to_rgb8()
}

fn assert_quadrants(out: &image::RgbaImage, what: &str) {
    let (w, h) = out.dimensions();
    assert_near(out, w / 4, h / 4, RED, &format!("{what}: top-left"));
    assert_near(out, 3 * w / 4, h / 4, GREEN, &format!("{what}: top-right"));
    assert_near(out, w / 4, 3 * h / 4, BLUE, &format!("{what}: bottom-left"));
    assert_near(out, 3 * w / 4, 3 * h / 4, WHITE, &format!("{what}: bottom-right"));
}

#[test]
fn all_eight_orientations_display_upright() {
    // Landscape as displayed, so orientations 5–8 store a portrait image.
    let displayed = quadrants(96, 64);
    for orientation in 1..=8u8 {
        let stored = stored_for(&displayed, orientation);
        let bytes = with_orientation(&jpeg(&stored), u16::from(orientation));

        let info = userdesk_avatar::probe(&bytes).unwrap();
        assert_eq!((info.width, info.height), (96, 64), "probe, orientation {orientation}");

        // The whole image, so the aspect ratio shows too.
        let options = Options { crop: Some(CropRect::new(0, 0, 96, 64)), ..Options::default() };
        let avatar = userdesk_avatar::process(&bytes, &options).unwrap();
        assert_eq!((avatar.width, avatar.height), (96, 64), "orientation {orientation}");
        assert_quadrants(&decode(&avatar), &format!("orientation {orientation}"));
    }
}

#[test]
fn the_crop_is_in_upright_coordinates() {
    // Crop the displayed top-right quadrant: it must be green whatever the storage.
    let displayed = quadrants(96, 64);
    for orientation in 1..=8u8 {
        let stored = stored_for(&displayed, orientation);
        let bytes = with_orientation(&jpeg(&stored), u16::from(orientation));
        let options = Options { crop: Some(CropRect::new(56, 8, 32, 16)), ..Options::default() };
        let avatar = userdesk_avatar::process(&bytes, &options).unwrap();
        assert_eq!((avatar.width, avatar.height), (32, 16));
        let out = decode(&avatar);
        for (x, y) in [(4, 4), (28, 4), (4, 12), (28, 12), (16, 8)] {
            assert_near(&out, x, y, GREEN, &format!("orientation {orientation}"));
        }
    }
}

#[test]
fn default_crop_is_the_centre_square_of_the_upright_image() {
    // A portrait photo stored landscape (orientation 6), 60 × 100 upright. The centre square is
    // rows 20..80 upright: top half of it red, bottom half blue.
    let displayed = image::RgbImage::from_fn(60, 100, |_, y| {
        image::Rgb(match y {
            0..20 => GREEN,
            20..50 => RED,
            50..80 => BLUE,
            _ => WHITE,
        })
    });
    let bytes = with_orientation(&jpeg(&stored_for(&displayed, 6)), 6);
    let avatar = process(&bytes);
    assert_eq!((avatar.width, avatar.height), (60, 60));
    let out = decode(&avatar);
    assert_near(&out, 30, 5, RED, "top of the square");
    assert_near(&out, 30, 55, BLUE, "bottom of the square");
}

#[test]
fn png_exif_orientation_is_applied() {
    let displayed = quadrants(40, 40);
    let stored = stored_for(&displayed, 3);
    let png = png_rgb(&stored);
    // Insert an eXIf chunk before IDAT (after the 33-byte signature + IHDR).
    let exif = exif(3, false);
    let payload = &exif[6..];
    let mut chunk = (payload.len() as u32).to_be_bytes().to_vec();
    chunk.extend_from_slice(b"eXIf");
    chunk.extend_from_slice(payload);
    let crc = crc32(&chunk[4..]);
    chunk.extend_from_slice(&crc.to_be_bytes());
    let mut bytes = png[..33].to_vec();
    bytes.extend_from_slice(&chunk);
    bytes.extend_from_slice(&png[33..]);
    assert_quadrants(&decode(&process(&bytes)), "PNG eXIf 3");
}

fn crc32(data: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &byte in data {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            crc = if crc & 1 != 0 { (crc >> 1) ^ 0xEDB8_8320 } else { crc >> 1 };
        }
    }
    !crc
}
