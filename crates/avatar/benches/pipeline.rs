//! The pipeline's stages on generated images: a 24-megapixel photograph-like JPEG (as a phone
//! or camera writes it) to a 512 × 512 avatar, and a translucent PNG.
//!
//! `cargo bench -p userdesk-avatar` (add `-- probe` etc. to pick stages). Whole-process figures
//! against vipsthumbnail and ImageMagick come from `scripts/bench-avatar.sh`.

#[path = "../tests/common/mod.rs"]
mod common;

use std::hint::black_box;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion};
use image::{Rgba, RgbaImage};
use userdesk_avatar::{stages, Options};

fn photo_jpeg() -> Vec<u8> {
    common::with_orientation(&common::jpeg(&common::photo(6000, 4000)), 6)
}

fn stages_24mp(c: &mut Criterion) {
    let bytes = photo_jpeg();
    let options = Options::default();
    let plan = stages::plan(&bytes, &options).unwrap();
    assert_eq!(plan.scale_denominator(), 4);
    let decoded = stages::decode(&bytes, &plan).unwrap();
    let resized = stages::resize(&decoded, &plan).unwrap();

    let mut group = c.benchmark_group("24mp_jpeg_to_512");
    group.sample_size(10).measurement_time(Duration::from_secs(5));
    group.bench_function("probe", |b| b.iter(|| userdesk_avatar::probe(black_box(&bytes)).unwrap()));
    group.bench_function("plan", |b| b.iter(|| stages::plan(black_box(&bytes), &options).unwrap()));
    group.bench_function("decode_scaled_1_4", |b| {
        b.iter(|| stages::decode(black_box(&bytes), &plan).unwrap())
    });
    // For comparison: what decoding every pixel costs (an output size that allows no scaling).
    let full = stages::plan(&bytes, &Options { size: 4000, ..Options::default() }).unwrap();
    assert_eq!(full.scale_denominator(), 1);
    group.bench_function("decode_full", |b| b.iter(|| stages::decode(black_box(&bytes), &full).unwrap()));
    group.bench_function("resize_crop_orient", |b| {
        b.iter(|| stages::resize(black_box(&decoded), &plan).unwrap())
    });
    group.bench_function("encode_jpeg", |b| b.iter(|| stages::encode(black_box(resized.clone())).unwrap()));
    // For comparison: the encoder's own defaults (standard Huffman tables, 4:2:0) at the same
    // quality — what the optimised tables cost in time, against the bytes they save.
    group.bench_function("encode_jpeg_standard_tables", |b| {
        b.iter(|| {
            let mut out = Vec::new();
            let mut encoder = jpeg_encoder::Encoder::new(&mut out, 88);
            encoder.set_sampling_factor(jpeg_encoder::SamplingFactor::F_2_2);
            let (w, h) = (resized.width() as u16, resized.height() as u16);
            encoder.encode(black_box(resized.data()), w, h, jpeg_encoder::ColorType::Rgb).unwrap();
            out
        })
    });
    group.bench_function("process", |b| {
        b.iter(|| userdesk_avatar::process(black_box(&bytes), &options).unwrap())
    });
    group.finish();
}

fn translucent_png(c: &mut Criterion) {
    let image =
        RgbaImage::from_fn(1024, 1024, |x, y| Rgba([(x / 4) as u8, (y / 4) as u8, 128, ((x + y) / 8) as u8]));
    let bytes = common::png_rgba(&image);
    let options = Options::default();
    let plan = stages::plan(&bytes, &options).unwrap();
    let decoded = stages::decode(&bytes, &plan).unwrap();
    let resized = stages::resize(&decoded, &plan).unwrap();

    let mut group = c.benchmark_group("1mp_png_to_512");
    group.sample_size(20);
    group.bench_function("decode", |b| b.iter(|| stages::decode(black_box(&bytes), &plan).unwrap()));
    group.bench_function("resize", |b| b.iter(|| stages::resize(black_box(&decoded), &plan).unwrap()));
    group.bench_function("encode_png", |b| b.iter(|| stages::encode(black_box(resized.clone())).unwrap()));
    group.finish();
}

criterion_group!(benches, stages_24mp, translucent_png);
criterion_main!(benches);
