//! The crop editor's preview: the whole upright picture, scaled to fit, and crops measured on it
//! selecting what the person saw.

mod common;

use common::*;
use image::{metadata::Orientation as ImageOrientation, DynamicImage, Rgb, RgbImage, Rgba, RgbaImage};
use userdesk_avatar::{CropRect, Error, Limits, Options};

const YELLOW: [u8; 3] = [240, 220, 20];

/// The stored pixels a phone writes for `displayed` held upright: EXIF orientation 6 asks the
/// viewer to turn them 90° clockwise, so they are `displayed` turned 90° counter-clockwise.
fn stored_for_orientation_6(displayed: &RgbImage) -> RgbImage {
    let mut stored = DynamicImage::ImageRgb8(displayed.clone());
    stored.apply_orientation(ImageOrientation::Rotate270);
    stored.to_rgb8()
}

/// Quadrants (red, green / blue, white) with a yellow square inside the green one at
/// (208, 32), 64 × 64: a landscape picture whose parts a wrong mapping would mix up.
fn marked_landscape() -> RgbImage {
    let mut image = quadrants(320, 192);
    for y in 32..96 {
        for x in 208..272 {
            image.put_pixel(x, y, Rgb(YELLOW));
        }
    }
    image
}

#[test]
fn the_preview_is_the_whole_upright_picture_scaled_to_fit() {
    let displayed = marked_landscape();
    let stored = stored_for_orientation_6(&displayed);
    assert_eq!(stored.dimensions(), (192, 320), "stored portrait, shown landscape");
    let bytes = with_orientation(&jpeg(&stored), 6);

    let preview = userdesk_avatar::preview(&bytes, 160, Limits::default()).unwrap();
    assert_eq!((preview.width, preview.height), (160, 96), "landscape, aspect kept, no square crop");
    assert_eq!(preview.mime, "image/jpeg");
    let out = decode(&preview);
    assert_near(&out, 20, 20, RED, "top-left");
    assert_near(&out, 150, 10, GREEN, "top-right, outside the mark");
    assert_near(&out, 120, 32, YELLOW, "the mark");
    assert_near(&out, 20, 80, BLUE, "bottom-left");
    assert_near(&out, 140, 80, WHITE, "bottom-right");
}

#[test]
fn a_crop_chosen_on_the_preview_of_an_orientation_6_photo_keeps_what_the_person_saw() {
    let displayed = marked_landscape();
    let bytes = with_orientation(&jpeg(&stored_for_orientation_6(&displayed)), 6);
    let info = userdesk_avatar::probe(&bytes).unwrap();
    assert_eq!((info.width, info.height), (320, 192));
    let preview = userdesk_avatar::preview(&bytes, 160, Limits::default()).unwrap();

    // The person frames the yellow square on the preview (half size); the UI scales the square
    // to the picture's own pixels, which is what the crop is measured in.
    let scale = info.width / preview.width;
    let on_preview = CropRect::new(104, 16, 32, 32);
    assert_near(&decode(&preview), 120, 32, YELLOW, "the framed part of the preview");
    let crop = CropRect::new(on_preview.x * scale, on_preview.y * scale, 32 * scale, 32 * scale);

    let avatar =
        userdesk_avatar::process(&bytes, &Options { crop: Some(crop), ..Options::default() }).unwrap();
    assert_eq!((avatar.width, avatar.height), (64, 64));
    let out = decode(&avatar);
    for (x, y) in [(6, 6), (57, 6), (6, 57), (57, 57), (32, 32)] {
        assert_near(&out, x, y, YELLOW, "the framed square");
    }

    // A square over the top-left quadrant is red, and the bottom-left one blue: not mirrored.
    let red = Options { crop: Some(CropRect::new(16, 16, 64, 64)), ..Options::default() };
    assert_near(&decode(&userdesk_avatar::process(&bytes, &red).unwrap()), 32, 32, RED, "top-left square");
    let blue = Options { crop: Some(CropRect::new(16, 112, 64, 64)), ..Options::default() };
    assert_near(
        &decode(&userdesk_avatar::process(&bytes, &blue).unwrap()),
        32,
        32,
        BLUE,
        "bottom-left square",
    );
}

#[test]
fn a_crop_in_stored_coordinates_would_not_fit_an_orientation_6_photo() {
    // Stored 192 wide, shown 320 wide: x = 208 exists only in the upright picture.
    let bytes = with_orientation(&jpeg(&stored_for_orientation_6(&marked_landscape())), 6);
    let inside_upright = CropRect::new(208, 32, 100, 100);
    let outside_upright = CropRect::new(32, 208, 64, 64);
    assert!(userdesk_avatar::process(&bytes, &Options { crop: Some(inside_upright), ..Options::default() })
        .is_ok());
    assert_eq!(
        userdesk_avatar::process(&bytes, &Options { crop: Some(outside_upright), ..Options::default() }),
        Err(Error::InvalidCrop { crop: outside_upright, width: 320, height: 192 })
    );
}

#[test]
fn a_small_picture_is_previewed_at_its_own_size() {
    let bytes = png_rgb(&quadrants(90, 40));
    let preview = userdesk_avatar::preview(&bytes, 1024, Limits::default()).unwrap();
    assert_eq!((preview.width, preview.height), (90, 40));
    assert_eq!(preview.mime, "image/jpeg", "opaque PNG: JPEG preview");
}

#[test]
fn a_portrait_photo_fits_by_its_height() {
    let bytes = jpeg(&photo(1200, 2000));
    let preview = userdesk_avatar::preview(&bytes, 1024, Limits::default()).unwrap();
    assert_eq!((preview.width, preview.height), (614, 1024));
}

#[test]
fn transparency_survives_in_a_png_preview() {
    let image = RgbaImage::from_fn(64, 32, |x, _| Rgba([200, 30, 30, if x < 32 { 0 } else { 255 }]));
    let preview = userdesk_avatar::preview(&png_rgba(&image), 1024, Limits::default()).unwrap();
    assert_eq!(preview.mime, "image/png");
    let out = decode(&preview);
    assert_eq!(out.get_pixel(8, 8).0[3], 0, "transparent half");
    assert_eq!(out.get_pixel(56, 8).0[3], 255, "opaque half");
}

#[test]
fn the_preview_is_refused_like_the_avatar() {
    let bytes = jpeg(&photo(64, 64));
    let small = Limits { max_input_bytes: 100, ..Limits::default() };
    assert_eq!(
        userdesk_avatar::preview(&bytes, 1024, small),
        Err(Error::TooLarge { size: bytes.len() as u64, max: 100 })
    );
    assert_eq!(
        userdesk_avatar::preview(&bytes, 0, Limits::default()),
        Err(Error::InvalidSize { size: 0, max: userdesk_avatar::MAX_SIZE })
    );
    assert_eq!(userdesk_avatar::preview(b"", 1024, Limits::default()), Err(Error::Empty));
    let heic = b"\0\0\0\x18ftypheic\0\0\0\0mif1heic";
    assert_eq!(
        userdesk_avatar::preview(heic, 1024, Limits::default()),
        Err(Error::Unsupported { format: "HEIC" })
    );
    // Nothing in the output that the input carried besides pixels.
    let with_gps = insert_segments(&bytes, &[(0xE1, exif(1, true))]);
    let preview = userdesk_avatar::preview(&with_gps, 1024, Limits::default()).unwrap();
    assert!(!jpeg_markers(&preview.bytes).contains(&0xE1), "no EXIF in the preview");
}
