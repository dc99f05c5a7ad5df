//! The output carries no metadata: no EXIF (so no GPS), ICC, XMP or comments.

mod common;

use common::*;
use image::{Rgba, RgbaImage};

/// Byte strings that would betray metadata if they survived.
fn assert_clean(bytes: &[u8]) {
    let mut latitude = Vec::new();
    for v in GPS_LATITUDE {
        latitude.extend_from_slice(&v.to_be_bytes());
    }
    for needle in [
        &b"Exif"[..],
        b"Canon",
        &latitude,
        b"ICC_PROFILE",
        b"http://ns.adobe.com/xap/1.0/",
        b"my secret comment",
    ] {
        assert!(
            !bytes.windows(needle.len()).any(|w| w == needle),
            "output still contains {:?}",
            String::from_utf8_lossy(needle)
        );
    }
}

#[test]
fn jpeg_output_has_no_exif_gps_icc_xmp_or_comment() {
    let mut icc = b"ICC_PROFILE\0\x01\x01".to_vec();
    icc.extend_from_slice(&[0; 128]);
    let xmp = b"http://ns.adobe.com/xap/1.0/\0<x:xmpmeta><rdf:RDF/></x:xmpmeta>".to_vec();
    let bytes = insert_segments(
        &jpeg(&photo(300, 200)),
        &[(0xE1, exif(1, true)), (0xE2, icc), (0xE1, xmp), (0xFE, b"my secret comment".to_vec())],
    );
    // The input really has them.
    let input_markers = jpeg_markers(&bytes);
    assert!(input_markers.contains(&0xE1) && input_markers.contains(&0xFE));

    let avatar = process(&bytes);
    assert_eq!(avatar.mime, "image/jpeg");
    let markers = jpeg_markers(&avatar.bytes);
    for marker in &markers {
        assert!(
            !(0xE1..=0xEF).contains(marker) && *marker != 0xFE,
            "output has segment FF{marker:02X}: {markers:02X?}"
        );
    }
    // JFIF (APP0) at most, then tables, frame and scan.
    assert!(markers.iter().all(|m| matches!(m, 0xD8 | 0xE0 | 0xDB | 0xC4 | 0xC0 | 0xDA | 0xDD)));
    assert_clean(&avatar.bytes);
}

#[test]
fn png_output_has_only_the_critical_chunks() {
    // A translucent PNG with text and EXIF chunks.
    let image = RgbaImage::from_fn(32, 32, |x, _| Rgba([200, 10, 10, (x * 8) as u8]));
    let mut bytes = Vec::new();
    {
        let mut encoder = png::Encoder::new(&mut bytes, 32, 32);
        encoder.set_color(png::ColorType::Rgba);
        encoder.set_depth(png::BitDepth::Eight);
        encoder.add_text_chunk("Comment".into(), "my secret comment".into()).unwrap();
        let mut writer = encoder.write_header().unwrap();
        writer.write_chunk(png::chunk::ChunkType(*b"eXIf"), &exif(1, true)[6..]).unwrap();
        writer.write_image_data(image.as_raw()).unwrap();
        writer.finish().unwrap();
    }
    assert!(png_chunks(&bytes).contains(&"eXIf".to_string()));

    let avatar = process(&bytes);
    assert_eq!(avatar.mime, "image/png");
    assert_eq!(png_chunks(&avatar.bytes), ["IHDR", "IDAT", "IEND"].map(String::from).to_vec());
    assert_clean(&avatar.bytes);
}
