//! Colour management: pixels tagged with an RGB ICC profile (Display P3 from phones, Adobe RGB
//! from cameras) are converted to sRGB, since the output carries no profile and every viewer will
//! take it as sRGB. Profiles that are absent, unreadable, not RGB, or already sRGB leave the
//! pixels untouched, as browsers do.

use moxcms::{ColorProfile, DataColorSpace, Layout, ParsingOptions, TransformOptions, Xyzd};

use crate::pixels::Pixels;

/// Larger profiles are ignored (real RGB profiles are a few kilobytes; a CMYK one rarely over a
/// megabyte).
const MAX_PROFILE_BYTES: usize = 4 * 1024 * 1024;

/// Converts `pixels`, described by the ICC profile `icc`, to sRGB in place.
pub(crate) fn to_srgb(pixels: &mut Pixels, icc: &[u8]) {
    let options = ParsingOptions { max_profile_size: MAX_PROFILE_BYTES, ..ParsingOptions::default() };
    let Ok(profile) = ColorProfile::new_from_slice_with_options(icc, options) else {
        return;
    };
    if profile.color_space != DataColorSpace::Rgb {
        return;
    }
    let srgb = ColorProfile::new_srgb();
    if is_srgb(&profile, &srgb) {
        return;
    }
    let layout = if pixels.has_alpha_channel() { Layout::Rgba } else { Layout::Rgb };
    let Ok(transform) = profile.create_transform_8bit(layout, &srgb, layout, TransformOptions::default())
    else {
        return;
    };
    let source = pixels.data().to_vec();
    // On failure the destination may be half written: put the source back.
    if transform.transform(&source, pixels.data_mut()).is_err() {
        pixels.data_mut().copy_from_slice(&source);
    }
}

/// Same primaries, white and tone curves as sRGB: converting would only add rounding.
fn is_srgb(profile: &ColorProfile, srgb: &ColorProfile) -> bool {
    let close =
        |a: Xyzd, b: Xyzd| (a.x - b.x).abs() < 1e-3 && (a.y - b.y).abs() < 1e-3 && (a.z - b.z).abs() < 1e-3;
    close(profile.red_colorant, srgb.red_colorant)
        && close(profile.green_colorant, srgb.green_colorant)
        && close(profile.blue_colorant, srgb.blue_colorant)
        && profile.red_trc == srgb.red_trc
        && profile.green_trc == srgb.green_trc
        && profile.blue_trc == srgb.blue_trc
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pixels(rgb: [u8; 3]) -> Pixels {
        Pixels::new(1, 1, false, rgb.to_vec()).unwrap()
    }

    #[test]
    fn srgb_and_garbage_profiles_change_nothing() {
        let srgb = ColorProfile::new_srgb().encode().unwrap();
        for icc in [&srgb[..], b"not a profile", &[]] {
            let mut p = pixels([200, 120, 80]);
            to_srgb(&mut p, icc);
            assert_eq!(p.data(), &[200, 120, 80]);
        }
    }

    #[test]
    fn wide_gamut_colours_become_more_saturated_in_srgb() {
        let p3 = ColorProfile::new_display_p3().encode().unwrap();
        let mut p = pixels([200, 120, 80]);
        to_srgb(&mut p, &p3);
        let [r, g, b] = [p.data()[0], p.data()[1], p.data()[2]];
        assert!(r > 200 && g < 120 && b < 80, "{:?}", p.data());
    }
}
