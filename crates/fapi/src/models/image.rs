use serde::{Deserialize, Serialize};

/// An uploaded image, e.g. a profile picture (`Image`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Image {
    /// Always `image`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub object: Option<String>,
    /// Its id.
    pub id: String,
    /// The uploaded file's name, when the upload gave one (the spec's `name` is not nullable, so
    /// none is left out rather than sent as `null`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Where it is served.
    pub public_url: String,
}
