//! Pixels already in memory (a picture pasted from the clipboard) go through the same crop,
//! resize and encode as files, without an encoded file in between.

mod common;

use common::{assert_near, decode, quadrants, GREEN, RED};
use userdesk_avatar::{CropRect, Error, Limits, Options, Pixels};

fn rgba(image: &image::RgbImage, transparent_bottom: bool) -> Pixels {
    let (width, height) = image.dimensions();
    let data = image
        .enumerate_pixels()
        .flat_map(|(_, y, p)| {
            let alpha = if transparent_bottom && y >= height / 2 { 0 } else { 255 };
            [p[0], p[1], p[2], alpha]
        })
        .collect();
    Pixels::new(width, height, true, data).unwrap()
}

#[test]
fn opaque_pixels_become_a_jpeg_of_the_chosen_square() {
    let pixels = rgba(&quadrants(200, 100), false);
    let options = Options { size: 64, crop: Some(CropRect::new(100, 0, 50, 50)), ..Options::default() };
    let avatar = userdesk_avatar::process_pixels(&pixels, &options).unwrap();
    assert_eq!((avatar.mime, avatar.width, avatar.height), ("image/jpeg", 50, 50), "never enlarged");
    let image = decode(&avatar);
    assert_near(&image, 25, 25, GREEN, "the top-right quadrant was kept");
}

#[test]
fn translucent_pixels_stay_a_png_and_the_preview_keeps_the_whole_picture() {
    let pixels = rgba(&quadrants(200, 100), true);
    let preview = userdesk_avatar::preview_pixels(&pixels, 100, Limits::default()).unwrap();
    assert_eq!((preview.mime, preview.width, preview.height), ("image/png", 100, 50));
    let image = decode(&preview);
    assert_near(&image, 10, 10, RED, "top-left stays red");
    assert_eq!(image.get_pixel(10, 40)[3], 0, "the transparent half stays transparent");
}

#[test]
fn crops_outside_and_pictures_over_the_pixel_limit_are_refused() {
    let pixels = rgba(&quadrants(20, 10), false);
    let outside = Options { crop: Some(CropRect::new(15, 0, 10, 10)), ..Options::default() };
    assert!(matches!(userdesk_avatar::process_pixels(&pixels, &outside), Err(Error::InvalidCrop { .. })));
    let small = Limits { max_pixels: 199, ..Limits::default() };
    assert!(matches!(
        userdesk_avatar::preview_pixels(&pixels, 64, small),
        Err(Error::TooManyPixels { width: 20, height: 10, max: 199 })
    ));
}
