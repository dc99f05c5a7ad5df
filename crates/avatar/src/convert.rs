//! Sample-format conversions to 8-bit RGB/RGBA: grey expansion, 16 → 8 bits, CMYK → RGB.

/// 16-bit samples (native byte order, as decoders hand them out) to 8-bit, rounding.
pub(crate) fn sixteen_to_eight(data: &[u8]) -> Vec<u8> {
    data.chunks_exact(2)
        .map(|s| {
            let v = u32::from(u16::from_ne_bytes([s[0], s[1]]));
            ((v * 255 + 32_767) / 65_535) as u8
        })
        .collect()
}

/// Grey to RGB.
pub(crate) fn grey_to_rgb(data: &[u8]) -> Vec<u8> {
    data.iter().flat_map(|&g| [g, g, g]).collect()
}

/// Grey + alpha to RGBA.
pub(crate) fn grey_alpha_to_rgba(data: &[u8]) -> Vec<u8> {
    data.chunks_exact(2).flat_map(|p| [p[0], p[0], p[0], p[1]]).collect()
}

/// CMYK ink amounts (0 = no ink), as jpeg-decoder returns them for both Adobe CMYK and YCCK, to
/// RGB in place. Without a colour-managed print profile this is the usual naive conversion:
/// each ink absorbs its complement, black darkens all three.
pub(crate) fn cmyk_to_rgb(mut data: Vec<u8>) -> Vec<u8> {
    let pixels = data.len() / 4;
    for i in 0..pixels {
        let [c, m, y, k] = [data[i * 4], data[i * 4 + 1], data[i * 4 + 2], data[i * 4 + 3]];
        let white = 255 - u32::from(k);
        let channel = |ink: u8| ((255 - u32::from(ink)) * white + 127) / 255;
        // Writing at 3i never overtakes reading at 4i.
        data[i * 3] = channel(c) as u8;
        data[i * 3 + 1] = channel(m) as u8;
        data[i * 3 + 2] = channel(y) as u8;
    }
    data.truncate(pixels * 3);
    data
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sixteen_bits_round_to_nearest() {
        let samples: Vec<u8> = [0u16, 257, 65_535, 32_896].iter().flat_map(|v| v.to_ne_bytes()).collect();
        assert_eq!(sixteen_to_eight(&samples), vec![0, 1, 255, 128]);
    }

    #[test]
    fn cmyk_inks() {
        let out = cmyk_to_rgb(vec![
            0, 0, 0, 0, // paper
            255, 0, 0, 0, // cyan
            0, 0, 0, 255, // black
            0, 255, 255, 0, // red
        ]);
        assert_eq!(out, vec![255, 255, 255, 0, 255, 255, 0, 0, 0, 255, 0, 0]);
    }

    #[test]
    fn grey_expands() {
        assert_eq!(grey_to_rgb(&[7, 9]), vec![7, 7, 7, 9, 9, 9]);
        assert_eq!(grey_alpha_to_rgba(&[7, 1]), vec![7, 7, 7, 1]);
    }
}
