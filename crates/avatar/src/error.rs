//! The one error type of the crate, with a stable code per variant for the UI to branch on.

use crate::format::Format;
use crate::options::CropRect;

/// Why an image could not be turned into an avatar.
///
/// The `Display` text is written for the person who chose the file; [`Error::code`] is the stable
/// identifier the app branches on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The input has no bytes at all.
    #[error("the file is empty")]
    Empty,

    /// The input is larger than [`Limits::max_input_bytes`](crate::Limits::max_input_bytes).
    #[error("the file is {} but images may be at most {}", mib(*size), mib(*max))]
    TooLarge {
        /// Size of the input, in bytes.
        size: u64,
        /// The limit, in bytes.
        max: u64,
    },

    /// The content is not one of the formats we decode. `format` names what it is instead
    /// ("HEIC", "SVG", "PDF", "text", …, or "unknown").
    #[error("{}", unsupported_message(format))]
    Unsupported {
        /// What the content was recognised as.
        format: &'static str,
    },

    /// The image declares more pixels than [`Limits::max_pixels`](crate::Limits::max_pixels).
    /// Refused from the header alone, before anything is decoded.
    #[error("the image is {width} × {height} pixels; images may have at most {}", pixels(*max))]
    TooManyPixels {
        /// Width declared by the file (before orientation; for a GIF, of its largest part).
        width: u32,
        /// Height declared by the file.
        height: u32,
        /// The limit, in pixels.
        max: u64,
    },

    /// Decoding would need more memory than
    /// [`Limits::max_decoder_bytes`](crate::Limits::max_decoder_bytes).
    #[error("decoding this image would need more than {} of memory", mib(*max))]
    TooMuchMemory {
        /// The limit, in bytes.
        max: u64,
    },

    /// The file claims to be `format` but cannot be decoded: truncated, damaged, or using a part
    /// of the format the decoder does not implement.
    #[error("the {format} file is damaged or incomplete ({reason})")]
    Corrupt {
        /// The format the content was sniffed as.
        format: Format,
        /// What the decoder reported.
        reason: String,
    },

    /// The crop rectangle is empty or reaches outside the (oriented) image.
    #[error("the crop {crop} does not fit inside the {width} × {height} image")]
    InvalidCrop {
        /// The requested rectangle.
        crop: CropRect,
        /// Width of the image after orientation.
        width: u32,
        /// Height of the image after orientation.
        height: u32,
    },

    /// The requested output size is 0 or above [`MAX_SIZE`](crate::MAX_SIZE).
    #[error("the avatar size must be between 1 and {max} pixels, not {size}")]
    InvalidSize {
        /// The requested size.
        size: u32,
        /// The largest size allowed.
        max: u32,
    },

    /// Resizing or encoding failed. Not caused by the input (a bug of ours); reported rather
    /// than panicking.
    #[error("the image could not be processed ({0})")]
    Internal(String),
}

impl Error {
    /// A stable, snake_case identifier for the variant, for the UI to branch on.
    pub fn code(&self) -> &'static str {
        match self {
            Error::Empty => "image_empty",
            Error::TooLarge { .. } => "image_too_large",
            Error::Unsupported { .. } => "image_unsupported",
            Error::TooManyPixels { .. } => "image_too_many_pixels",
            Error::TooMuchMemory { .. } => "image_too_much_memory",
            Error::Corrupt { .. } => "image_corrupt",
            Error::InvalidCrop { .. } => "image_invalid_crop",
            Error::InvalidSize { .. } => "image_invalid_size",
            Error::Internal(_) => "image_internal",
        }
    }

    pub(crate) fn corrupt(format: Format, reason: impl Into<String>) -> Self {
        Error::Corrupt { format, reason: reason.into() }
    }
}

/// Names that are not images, so the message does not call them one.
const NOT_IMAGES: &[(&str, &str)] = &[
    ("text", "this is a text file, not an image"),
    ("HTML", "this is a web page, not an image"),
    ("unknown", "this file is not an image in a supported format (JPEG, PNG, WebP, GIF or BMP)"),
];

fn unsupported_message(format: &str) -> String {
    if let Some((_, message)) = NOT_IMAGES.iter().find(|(name, _)| *name == format) {
        return (*message).to_owned();
    }
    let noun = match format {
        "PDF" | "PostScript" => "documents",
        "MP4/QuickTime video" => "files",
        _ => "images",
    };
    format!("{format} {noun} are not supported; use a JPEG, PNG, WebP, GIF or BMP image")
}

fn pixels(count: u64) -> String {
    if count >= 1_000_000 {
        format!("{} megapixels", count as f64 / 1e6)
    } else {
        format!("{count} pixels")
    }
}

fn mib(bytes: u64) -> String {
    const MIB: u64 = 1024 * 1024;
    if bytes >= MIB {
        format!("{:.1} MiB", bytes as f64 / MIB as f64)
    } else {
        format!("{bytes} bytes")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unsupported_messages_name_the_format() {
        let heic = Error::Unsupported { format: "HEIC" }.to_string();
        assert!(heic.starts_with("HEIC images are not supported"), "{heic}");
        let pdf = Error::Unsupported { format: "PDF" }.to_string();
        assert!(pdf.starts_with("PDF documents are not supported"), "{pdf}");
        let text = Error::Unsupported { format: "text" }.to_string();
        assert_eq!(text, "this is a text file, not an image");
    }

    #[test]
    fn codes_are_distinct() {
        let all = [
            Error::Empty,
            Error::TooLarge { size: 2, max: 1 },
            Error::Unsupported { format: "HEIC" },
            Error::TooManyPixels { width: 1, height: 1, max: 0 },
            Error::TooMuchMemory { max: 1 },
            Error::corrupt(Format::Png, "x"),
            Error::InvalidCrop { crop: CropRect::new(0, 0, 0, 0), width: 1, height: 1 },
            Error::InvalidSize { size: 0, max: 1 },
            Error::Internal("x".into()),
        ];
        let mut codes: Vec<_> = all.iter().map(Error::code).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), all.len());
    }

    #[test]
    fn pixel_limits_read_as_megapixels() {
        let e = |max| Error::TooManyPixels { width: 100_000, height: 100_000, max }.to_string();
        assert_eq!(
            e(100_000_000),
            "the image is 100000 × 100000 pixels; images may have at most 100 megapixels"
        );
        assert!(e(2_500_000).ends_with("at most 2.5 megapixels"));
        assert!(e(9_999).ends_with("at most 9999 pixels"));
    }

    #[test]
    fn sizes_read_as_mebibytes() {
        let e = Error::TooLarge { size: 50 * 1024 * 1024, max: 40 * 1024 * 1024 };
        assert_eq!(e.to_string(), "the file is 50.0 MiB but images may be at most 40.0 MiB");
    }
}
