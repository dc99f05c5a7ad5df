use serde::Serialize;
use ts_rs::TS;
use userdesk_fapi::models::ClerkError;

/// How every command fails, as the UI receives it.
///
/// `code` is Clerk's error code where the server gave one (`form_password_incorrect`, …) or one
/// of the app's (`network`, `timeout`, `invalid_settings`, …); `field` names the form field the
/// error concerns, so the UI can show it there.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct CommandError {
    /// What kind of failure, stable for the UI to branch on.
    pub code: String,
    /// What to tell the person.
    pub message: String,
    /// The form field concerned, if any.
    pub field: Option<String>,
}

impl CommandError {
    pub fn new(code: &str, message: impl Into<String>) -> Self {
        Self { code: code.to_owned(), message: message.into(), field: None }
    }

    pub fn at_field(mut self, field: &str) -> Self {
        self.field = Some(field.to_owned());
        self
    }
}

impl From<userdesk_fapi::Error> for CommandError {
    fn from(error: userdesk_fapi::Error) -> Self {
        Self {
            code: error.code().to_owned(),
            message: error.to_string(),
            field: error.field().map(str::to_owned),
        }
    }
}

impl From<ClerkError> for CommandError {
    fn from(error: ClerkError) -> Self {
        Self { field: error.param_name().map(str::to_owned), code: error.code, message: error.long_message }
    }
}

pub type CommandResult<T> = Result<T, CommandError>;
