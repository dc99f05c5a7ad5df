//! Rows to wire models (`userdesk_fapi::models`): one presenter per resource, and the loading
//! that a full resource needs. Presenters read the store and build models; they never call a
//! handler (`crate::api`), so any handler can answer with any resource.
//!
//! Private metadata is never read here: the FAPI `User` has no field for it, and the Backend API
//! adds it separately.

use serde_json::{Map, Value};
use userdesk_fapi::models::{ClerkError, Verification, VerificationStatus};

use crate::error::{Error, Result};

pub mod client;
pub mod external_account;
pub mod passkey;
pub mod profile_image;
pub mod reverification;
pub mod session;
pub mod sign_in;
pub mod user;
pub mod user_agent;

pub use client::{client, client_with};
pub use session::session;
pub use sign_in::sign_in;
pub use user::{email_address, phone_number, user, user_by_id, LoadedUser};

/// Identifiers a sign-in accepts on this server.
pub const SUPPORTED_IDENTIFIERS: [&str; 2] = ["email_address", "username"];

/// Parses a stored enum-like string (`"verified"`, `"active"`, …) into its model type.
fn parse_enum<T: serde::de::DeserializeOwned>(what: &str, text: &str) -> Result<T> {
    serde_json::from_value(Value::String(text.to_owned()))
        .map_err(|_| Error::Internal(format!("stored {what} {text:?} is not one the models know")))
}

/// Parses a stored metadata document.
pub fn metadata(text: &str) -> Result<Map<String, Value>> {
    match serde_json::from_str(text) {
        Ok(Value::Object(map)) => Ok(map),
        _ => Err(Error::Internal("stored metadata is not a JSON object".into())),
    }
}

/// The verification object's `object` for a strategy.
fn verification_object(strategy: &str) -> &'static str {
    match strategy {
        "admin" => "verification_admin",
        "email_code" | "phone_code" | "reset_password_email_code" | "reset_password_phone_code" => {
            "verification_otp"
        }
        "email_link" => "verification_email_link",
        "password" => "verification_password",
        "ticket" => "verification_ticket",
        "totp" => "verification_totp",
        "backup_code" => "verification_backup_code",
        "passkey" => "verification_passkey",
        s if s.starts_with("from_oauth_") => "verification_from_oauth",
        s if s.starts_with("oauth_") => "verification_oauth",
        _ => "verification",
    }
}

fn verification(
    status: &str,
    strategy: &str,
    attempts: Option<i64>,
    expire_at: Option<i64>,
    error: Option<&str>,
) -> Result<Verification> {
    let error = match error {
        Some(text) => Some(
            serde_json::from_str::<ClerkError>(text)
                .map_err(|e| Error::Internal(format!("stored verification error: {e}")))?,
        ),
        None => None,
    };
    Ok(Verification {
        object: Some(verification_object(strategy).to_owned()),
        status: parse_enum::<VerificationStatus>("verification status", status)?,
        strategy: strategy.to_owned(),
        attempts: attempts.and_then(|n| u32::try_from(n).ok()),
        expire_at,
        external_verification_redirect_url: None,
        error,
        nonce: None,
    })
}

/// A verification's status as of `now`: an unverified code or link past its time has expired
/// even before anything wrote that down (as a session's does).
pub fn status_at(status: &str, expire_at: Option<i64>, now: i64) -> &str {
    if status == "unverified" && expire_at.is_some_and(|at| at <= now) {
        "expired"
    } else {
        status
    }
}
