use serde::Serialize;
use ts_rs::TS;
use userdesk_fapi::models::{ClerkError, ReverificationLevel};

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
    /// For `reverification_required`: what the instance asks the person to prove.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub reverification: Option<ReverificationLevel>,
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
    /// The instance wants the session verified again first: the UI asks, then retries once.
    ReverificationRequired,
    /// The person closed that question: the action was not done, and nothing is to report.
    /// (Raised by the UI itself, never by a command.)
    ReverificationCancelled,
    /// Passkeys: no security key answered (none plugged in, or none this app may open).
    NoAuthenticator,
    /// The key's PIN was wrong; the message says how many attempts are left.
    PinIncorrect,
    /// The key refuses its PIN until it is reset (too many wrong ones).
    AuthenticatorLocked,
    /// The key cannot do what the instance asks: it cannot hold a passkey (a U2F-only key, no PIN
    /// or fingerprint), or lacks another feature. The message says which and what to do.
    AuthenticatorUnsupported,
    /// The person cancelled the passkey ceremony: nothing to report.
    PasskeyCancelled,
    /// The key has no passkey for this instance (or the instance's RP does not fit its origin).
    PasskeyWrongRelyingParty,
    /// The instance's passkey options could not be read.
    PasskeyMalformed,
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
            "session_reverification_required" => Self::ReverificationRequired,
            "no_authenticator" => Self::NoAuthenticator,
            "pin_incorrect" => Self::PinIncorrect,
            "authenticator_locked" => Self::AuthenticatorLocked,
            "authenticator_unsupported" => Self::AuthenticatorUnsupported,
            "passkey_cancelled" => Self::PasskeyCancelled,
            "passkey_wrong_relying_party" => Self::PasskeyWrongRelyingParty,
            "passkey_malformed" => Self::PasskeyMalformed,
            "internal" => Self::Internal,
            _ => Self::Other,
        }
    }
}

impl CommandError {
    pub fn new(reason: &str, message: impl Into<String>) -> Self {
        Self {
            code: ErrorCode::of(reason),
            reason: reason.to_owned(),
            message: message.into(),
            field: None,
            reverification: None,
        }
    }

    pub fn at_field(mut self, field: &str) -> Self {
        self.field = Some(field.to_owned());
        self
    }
}

impl From<userdesk_fapi::Error> for CommandError {
    fn from(error: userdesk_fapi::Error) -> Self {
        let reverification = error.needs_reverification().then(|| {
            // The level the server names, else the least a reverification asks.
            error
                .clerk_error()
                .and_then(|clerk| clerk.meta.get("level"))
                .and_then(|level| serde_json::from_value(level.clone()).ok())
                .unwrap_or(ReverificationLevel::FirstFactor)
        });
        Self {
            field: error.field().map(str::to_owned),
            reverification,
            ..Self::new(error.code(), error.to_string())
        }
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
