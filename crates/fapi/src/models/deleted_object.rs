use serde::{Deserialize, Serialize};

/// What a `DELETE` answers: which object is gone (`DeletedObject`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeletedObject {
    /// The kind of object, e.g. `user`.
    pub object: String,
    /// Its id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Its slug, for objects that have one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub slug: Option<String>,
    /// Always `true`.
    pub deleted: bool,
}
