use serde::Serialize;
use ts_rs::TS;
use userdesk_fapi::models::ClerkError;

/// How every command fails, as the UI receives it: what kind of failure (`code`), what to tell
/// the person (`message`), and the form field it concerns, so the UI can show it there.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct CommandError {
    pub code: ErrorCode,
    /// Clerk's error code where the server gave one (`form_password_incorrect`, …), or the
    /// app's (`avatar_bad_crop`, `invalid_settings`, …): for the log and the tests. The UI acts on
    /// `code` alone.
    #[serde(skip)]
    pub reason: String,
    pub message: String,
    pub field: Option<String>,
}

/// The failures the UI treats differently; every other one is `other`, told by its message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// The instance did not answer: the UI says it cannot reach it, rather than failing.
    Network,
    Timeout,
    /// The session is over (signed out elsewhere, revoked): the UI forgets the account.
    SignedOut,
    /// A wrong one-time code: the code input is cleared for another try.
    FormCodeIncorrect,
    /// The code cannot be used any more (too many tries, or too old): a new one is needed.
    VerificationFailed,
    VerificationExpired,
    /// Asked too often: the UI waits before offering again.
    TooManyRequests,
    /// What the action was about is gone (removed on another device): the UI reloads.
    ResourceNotFound,
    /// The person stopped an upload: nothing to report.
    UploadCancelled,
    /// A fault inside Userdesk.
    Internal,
    Other,
}

impl ErrorCode {
    /// The kind of a failure from its precise reason: the one place the two are matched.
    pub fn of(reason: &str) -> Self {
        match reason {
            "network" => Self::Network,
            "timeout" => Self::Timeout,
            "signed_out" => Self::SignedOut,
            "form_code_incorrect" => Self::FormCodeIncorrect,
            "verification_failed" => Self::VerificationFailed,
            "verification_expired" => Self::VerificationExpired,
            "too_many_requests" => Self::TooManyRequests,
            "resource_not_found" => Self::ResourceNotFound,
            "upload_cancelled" => Self::UploadCancelled,
            "internal" => Self::Internal,
            _ => Self::Other,
        }
    }
}

impl CommandError {
    pub fn new(reason: &str, message: impl Into<String>) -> Self {
        Self { code: ErrorCode::of(reason), reason: reason.to_owned(), message: message.into(), field: None }
    }

    pub fn at_field(mut self, field: &str) -> Self {
        self.field = Some(field.to_owned());
        self
    }
}

impl From<userdesk_fapi::Error> for CommandError {
    fn from(error: userdesk_fapi::Error) -> Self {
        Self { field: error.field().map(str::to_owned), ..Self::new(error.code(), error.to_string()) }
    }
}

impl From<ClerkError> for CommandError {
    fn from(error: ClerkError) -> Self {
        Self { field: error.param_name().map(str::to_owned), ..Self::new(&error.code, error.long_message) }
    }
}

pub type CommandResult<T> = Result<T, CommandError>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_ui_gets_the_kind_of_failure_and_the_sentence_not_the_reason() {
        let wrong_code = CommandError::new("form_code_incorrect", "Incorrect code").at_field("code");
        assert_eq!(
            serde_json::to_value(&wrong_code).unwrap(),
            serde_json::json!({"code": "form_code_incorrect", "message": "Incorrect code", "field": "code"})
        );
        let taken = CommandError::new("form_identifier_exists", "That email address is taken.");
        assert_eq!(taken.code, ErrorCode::Other);
        assert_eq!(serde_json::to_value(&taken).unwrap()["code"], "other");
        assert_eq!(taken.reason, "form_identifier_exists", "kept for the log and the tests");
        let offline: CommandError = userdesk_fapi::Error::Network {
            url: "http://127.0.0.1:9/".into(),
            message: "connection refused".into(),
        }
        .into();
        assert_eq!(offline.code, ErrorCode::Network);
    }
}
