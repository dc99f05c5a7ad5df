//! Userdesk's profile-image pipeline.
//!
//! A photo the person dropped, picked or pasted goes in as bytes; an avatar ready to upload comes
//! out: the format sniffed from the content (JPEG, PNG, WebP, GIF, BMP; anything else refused by
//! name), every size limit checked from the headers before anything large is allocated, the EXIF
//! orientation applied, the colour brought to 8-bit sRGB, cropped (centre square unless told
//! otherwise), resized with Lanczos3 and encoded as JPEG — or PNG when transparency is really
//! used — without any metadata (no EXIF, GPS, ICC, XMP or comments).
//!
//! ```no_run
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let bytes = std::fs::read("photo.jpg")?;
//! let info = userdesk_avatar::probe(&bytes)?; // format and size, from the headers
//! let avatar = userdesk_avatar::process(&bytes, &userdesk_avatar::Options::default())?;
//! println!("{}×{} {} → {}×{} {}", info.width, info.height, info.format,
//!          avatar.width, avatar.height, avatar.mime);
//! # Ok(())
//! # }
//! ```
//!
//! [`probe`] reads only headers, so the embedded server can check an upload cheaply before
//! processing it. [`preview`] gives the whole upright picture, scaled down, for a crop editor.
//! The binary `userdesk-avatar INPUT OUTPUT [--size N] [--crop X,Y,W,H]` writes exactly what the
//! app would upload.
//!
//! CMYK and YCCK JPEGs are converted with the usual naive formula (their print profile is not
//! applied); RGB images with an ICC profile are converted to sRGB.

#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod convert;
mod decode;
mod encode;
mod error;
mod exif;
mod format;
mod header;
mod icc;
mod options;
mod orientation;
mod pipeline;
mod pixels;
mod resize;

pub use error::Error;
pub use format::Format;
pub use options::{CropRect, Limits, Options, MAX_SIZE};
pub use pipeline::{Avatar, ImageInfo};
pub use pixels::Pixels;

/// The pipeline's stages, for benchmarks and for callers that want the pixels between them.
/// [`process`] is `plan` → `decode` → `resize` → `encode`.
pub mod stages {
    pub use crate::pipeline::{decode, encode, plan, resize, Plan};
}

/// Reads the format, the size as a person sees it (after EXIF orientation) and whether the
/// format declares transparency — from the headers alone, without decoding.
pub fn probe(bytes: &[u8]) -> Result<ImageInfo, Error> {
    let format = format::sniff(bytes)?;
    let header = header::read(bytes, format)?;
    Ok(pipeline::info(&header))
}

/// Turns an image into an avatar as `options` ask.
pub fn process(bytes: &[u8], options: &Options) -> Result<Avatar, Error> {
    run(bytes, pipeline::plan(bytes, options)?)
}

/// The whole image as a person sees it (EXIF orientation applied, not cropped), scaled so its
/// longer side is at most `max_side` — what a crop editor shows. Its pixels map linearly onto
/// the oriented image that [`Options::crop`] is measured in ([`probe`] gives that size).
///
/// The same checks, decoding (with JPEG DCT scaling) and metadata-free encoding as [`process`].
pub fn preview(bytes: &[u8], max_side: u32, limits: Limits) -> Result<Avatar, Error> {
    run(bytes, pipeline::plan_region(bytes, max_side, pipeline::Region::Whole, limits)?)
}

/// [`process`] for pixels already decoded, such as a picture pasted from the clipboard: no
/// encoded file in between. `pixels` are taken as upright.
pub fn process_pixels(pixels: &Pixels, options: &Options) -> Result<Avatar, Error> {
    pipeline::from_pixels(pixels, options.size, pipeline::Region::Crop(options.crop), options.limits)
}

/// [`preview`] for pixels already decoded.
pub fn preview_pixels(pixels: &Pixels, max_side: u32, limits: Limits) -> Result<Avatar, Error> {
    pipeline::from_pixels(pixels, max_side, pipeline::Region::Whole, limits)
}

fn run(bytes: &[u8], plan: stages::Plan) -> Result<Avatar, Error> {
    let decoded = pipeline::decode(bytes, &plan)?;
    let resized = pipeline::resize(&decoded, &plan)?;
    drop(decoded);
    pipeline::encode(resized)
}
