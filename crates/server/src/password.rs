//! Passwords: the one policy a new password meets (at sign-up, on change, through the Backend
//! API), and hashing with argon2 (the crate's default parameters), off the async runtime.
//!
//! The policy: at least [`PASSWORD_MIN_LENGTH`] characters (422 `form_password_length_too_short`)
//! and at most [`PASSWORD_MAX_LENGTH`], and not one of the 10 000 passwords most found in
//! breaches, compared case-insensitively (422 `form_password_pwned`). The list ships with the
//! server (`data/common-passwords.txt`, the head of Django's list, itself Royce Williams' list of
//! breached passwords by frequency): nothing is looked up online.

use std::collections::HashSet;
use std::sync::LazyLock;

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use rand::RngCore;

use crate::error::{Error, FieldError, Result};

/// Shortest password accepted (Clerk's default).
pub const PASSWORD_MIN_LENGTH: usize = 8;
/// Longest password accepted (argon2 has no limit; this bounds the work per request).
pub const PASSWORD_MAX_LENGTH: usize = 256;

/// The most common passwords, lower-cased, one a line.
static COMMON_PASSWORDS: LazyLock<HashSet<&'static str>> =
    LazyLock::new(|| include_str!("../data/common-passwords.txt").lines().collect());

/// Checks a new password against the rules; errors name `param`.
pub fn check_new(param: &str, value: &str) -> Result<()> {
    let length = value.chars().count();
    if length < PASSWORD_MIN_LENGTH {
        return Err(FieldError::new(
            "form_password_length_too_short",
            param,
            "is too short",
            format!("Passwords must be {} characters or more.", PASSWORD_MIN_LENGTH),
        )
        .into());
    }
    if length > PASSWORD_MAX_LENGTH {
        return Err(FieldError::too_long(param, PASSWORD_MAX_LENGTH, "characters").into());
    }
    if COMMON_PASSWORDS.contains(value.to_lowercase().as_str()) {
        return Err(FieldError::new(
            "form_password_pwned",
            param,
            "has been found in a data breach",
            "This password is one of the most common ones and has been found in data breaches. For your account's safety, choose a different password.".into(),
        )
        .into());
    }
    Ok(())
}

/// Hashes `password` into a PHC string, on a blocking thread (argon2 is deliberately slow).
pub async fn hash(password: String) -> Result<String> {
    tokio::task::spawn_blocking(move || {
        let mut salt = [0u8; 16];
        rand::rng().fill_bytes(&mut salt);
        let salt = SaltString::encode_b64(&salt).map_err(|e| Error::Internal(format!("salt: {e}")))?;
        Argon2::default()
            .hash_password(password.as_bytes(), &salt)
            .map(|hash| hash.to_string())
            .map_err(|e| Error::Internal(format!("hashing a password: {e}")))
    })
    .await
    .map_err(|e| Error::Internal(format!("password hashing task: {e}")))?
}

/// `true` when `password` matches the stored PHC string.
pub async fn verify(password: String, stored: String) -> Result<bool> {
    tokio::task::spawn_blocking(move || {
        let parsed = PasswordHash::new(&stored)
            .map_err(|e| Error::Internal(format!("stored password hash is unreadable: {e}")))?;
        Ok(Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok())
    })
    .await
    .map_err(|e| Error::Internal(format!("password verification task: {e}")))?
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_hash_verifies_its_password_only() {
        let stored = hash("correct horse".into()).await.expect("hash");
        assert!(stored.starts_with("$argon2"));
        assert!(verify("correct horse".into(), stored.clone()).await.expect("verify"));
        assert!(!verify("wrong horse".into(), stored).await.expect("verify"));
    }

    fn code(result: Result<()>) -> &'static str {
        match result {
            Err(Error::Field(field)) => field.code,
            other => panic!("expected a field error, got {other:?}"),
        }
    }

    #[test]
    fn the_list_is_the_top_ten_thousand() {
        assert_eq!(COMMON_PASSWORDS.len(), 10_000);
        assert!(COMMON_PASSWORDS.contains("password"));
        assert!(COMMON_PASSWORDS.contains("iloveyou"));
    }

    #[test]
    fn short_common_and_fine_passwords() {
        assert_eq!(code(check_new("password", "short")), "form_password_length_too_short");
        assert_eq!(code(check_new("password", "password")), "form_password_pwned");
        assert_eq!(code(check_new("new_password", "PassWord1")), "form_password_pwned", "any case");
        assert_eq!(code(check_new("new_password", "qwertyuiop")), "form_password_pwned");
        assert_eq!(code(check_new("password", &"x".repeat(257))), "form_param_max_length_exceeded");
        assert!(check_new("password", "long-enough-1").is_ok());
        assert!(check_new("password", "correct horse battery staple").is_ok());
    }
}
