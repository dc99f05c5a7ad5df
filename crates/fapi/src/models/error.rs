use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// One error as Clerk reports it (`ClerkError`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ClerkError {
    /// A short, human-readable message.
    pub message: String,
    /// A longer message with more detail.
    pub long_message: String,
    /// A stable machine code, e.g. `form_password_incorrect`.
    pub code: String,
    /// Extra facts, e.g. `param_name` for the form field concerned.
    #[serde(default, skip_serializing_if = "Map::is_empty")]
    #[cfg_attr(feature = "ts", ts(type = "Record<string, JsonValue>"))]
    pub meta: Map<String, Value>,
}

impl ClerkError {
    /// An error with no `meta`.
    pub fn new(code: impl Into<String>, message: impl Into<String>, long_message: impl Into<String>) -> Self {
        Self {
            code: code.into(),
            message: message.into(),
            long_message: long_message.into(),
            meta: Map::new(),
        }
    }

    /// The same error, naming the form parameter it concerns (`meta.param_name`).
    pub fn with_param(mut self, param: impl Into<String>) -> Self {
        self.meta.insert("param_name".into(), Value::String(param.into()));
        self
    }

    /// The form parameter this error concerns, if any.
    pub fn param_name(&self) -> Option<&str> {
        self.meta.get("param_name").and_then(Value::as_str)
    }
}

/// The body of every unsuccessful response (`ClerkErrors`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClerkErrors {
    /// What went wrong; at least one.
    pub errors: Vec<ClerkError>,
    /// Extra facts about the whole response.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<Map<String, Value>>,
    /// A trace id for support requests.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clerk_trace_id: Option<String>,
}

impl From<ClerkError> for ClerkErrors {
    fn from(error: ClerkError) -> Self {
        Self { errors: vec![error], meta: None, clerk_trace_id: None }
    }
}
