//! The quality the fast path keeps: a large phone photo (EXIF orientation 6) decoded at 1/4 scale
//! in the DCT, cropped and resized in one Lanczos3 pass and encoded at JPEG quality 88, compared
//! with a reference that decodes every pixel and resizes with the `image` crate's own Lanczos3.
//!
//! Measured (2026-12-03): before encoding PSNR 50.0 dB, SSIM 0.992; the avatar as uploaded
//! (18.8 KB) PSNR 45.4 dB, SSIM 0.978. Bounds, about 3 dB below: PSNR ≥ 47 dB before encoding,
//! PSNR ≥ 42 dB and SSIM ≥ 0.96 for the avatar. A change that trades quality for speed (a
//! coarser DCT scale, a cheaper filter, a lower JPEG quality) fails here.

mod common;

use common::*;
use image::{imageops, DynamicImage, RgbImage, RgbaImage};
use userdesk_avatar::{stages, Options};

/// The reference: every pixel decoded, turned upright, centre square, `image`'s Lanczos3.
fn reference(bytes: &[u8], size: u32) -> RgbaImage {
    let mut decoder = jpeg_decoder::Decoder::new(bytes);
    let rgb = decoder.decode().unwrap();
    let info = decoder.info().unwrap();
    let stored = RgbImage::from_raw(info.width.into(), info.height.into(), rgb).unwrap();
    let upright = imageops::rotate90(&stored); // orientation 6
    let side = upright.width().min(upright.height());
    let (x, y) = ((upright.width() - side) / 2, (upright.height() - side) / 2);
    let square = imageops::crop_imm(&upright, x, y, side, side).to_image();
    DynamicImage::ImageRgb8(imageops::resize(&square, size, size, imageops::FilterType::Lanczos3)).to_rgba8()
}

/// Mean structural similarity of the luma (BT.601) over 8 × 8 windows.
fn ssim(a: &RgbaImage, b: &RgbaImage) -> f64 {
    assert_eq!(a.dimensions(), b.dimensions());
    let luma = |image: &RgbaImage, x: u32, y: u32| {
        let p = image.get_pixel(x, y).0;
        0.299 * f64::from(p[0]) + 0.587 * f64::from(p[1]) + 0.114 * f64::from(p[2])
    };
    let (c1, c2) = ((0.01f64 * 255.0).powi(2), (0.03f64 * 255.0).powi(2));
    let (mut total, mut windows) = (0f64, 0f64);
    for wy in (0..a.height() - 7).step_by(8) {
        for wx in (0..a.width() - 7).step_by(8) {
            let mut pairs = Vec::with_capacity(64);
            for y in wy..wy + 8 {
                for x in wx..wx + 8 {
                    pairs.push((luma(a, x, y), luma(b, x, y)));
                }
            }
            let n = pairs.len() as f64;
            let (ma, mb) = pairs.iter().fold((0.0, 0.0), |(sa, sb), &(p, q)| (sa + p, sb + q));
            let (ma, mb) = (ma / n, mb / n);
            let (mut va, mut vb, mut cov) = (0.0, 0.0, 0.0);
            for &(p, q) in &pairs {
                va += (p - ma) * (p - ma);
                vb += (q - mb) * (q - mb);
                cov += (p - ma) * (q - mb);
            }
            let (va, vb, cov) = (va / (n - 1.0), vb / (n - 1.0), cov / (n - 1.0));
            total += ((2.0 * ma * mb + c1) * (2.0 * cov + c2)) / ((ma * ma + mb * mb + c1) * (va + vb + c2));
            windows += 1.0;
        }
    }
    total / windows
}

#[test]
fn the_scaled_decode_and_fast_encode_keep_the_stated_quality() {
    // 3072 × 2048 stored, upright 2048 × 3072: the 2048 square at 1/4 is exactly 512.
    let bytes = with_orientation(&jpeg(&photo(3072, 2048)), 6);
    let options = Options::default();
    let plan = stages::plan(&bytes, &options).unwrap();
    assert_eq!(plan.scale_denominator(), 4, "the smallest DCT scale that still covers 512");
    assert_eq!(plan.output_size(), (512, 512));

    let reference = reference(&bytes, 512);
    let resized = stages::resize(&stages::decode(&bytes, &plan).unwrap(), &plan).unwrap();
    assert!(!resized.has_alpha_channel());
    let before = RgbImage::from_raw(512, 512, resized.data().to_vec()).unwrap();
    let before = DynamicImage::ImageRgb8(before).to_rgba8();
    let avatar = stages::encode(resized).unwrap();
    assert_eq!(avatar, userdesk_avatar::process(&bytes, &options).unwrap());
    let after = decode(&avatar);

    let (psnr_before, psnr_after) = (psnr(&before, &reference), psnr(&after, &reference));
    let (ssim_before, ssim_after) = (ssim(&before, &reference), ssim(&after, &reference));
    println!(
        "against a full decode + Lanczos3: before encoding PSNR {psnr_before:.1} dB, SSIM \
         {ssim_before:.4}; the avatar ({} bytes) PSNR {psnr_after:.1} dB, SSIM {ssim_after:.4}",
        avatar.bytes.len()
    );
    assert!(psnr_before >= 47.0, "scaled decode + resize: PSNR {psnr_before:.1} dB < 47");
    assert!(psnr_after >= 42.0, "the avatar: PSNR {psnr_after:.1} dB < 42");
    assert!(ssim_after >= 0.96, "the avatar: SSIM {ssim_after:.4} < 0.96");
}
