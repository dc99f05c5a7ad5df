//! The second-factor policy: a user has two-step verification when they have a verified
//! authenticator app or a verified phone number reserved for it; signing in then takes a second
//! factor after the first.

use sqlx::SqliteConnection;

use crate::error::{Error, FieldError, Result};
use crate::state::AppState;
use crate::store::backup_codes;
use crate::store::identifications::list_for_user;
use crate::store::totp::{self as totp_store, TotpRow};
use crate::store::users::IdentificationRow;
use crate::totp;

/// Characters in a backup code.
pub const BACKUP_CODE_LENGTH: usize = 8;
/// What backup codes are made of: lower-case letters and digits without the look-alikes
/// (0/o, 1/l/i).
pub const BACKUP_CODE_ALPHABET: &[u8] = b"23456789abcdefghjkmnpqrstuvwxyz";

/// The user's verified phone numbers reserved for two-step verification, oldest first.
pub async fn phones(conn: &mut SqliteConnection, user_id: &str) -> Result<Vec<IdentificationRow>> {
    let phones = list_for_user(conn, user_id, "phone_number").await?;
    Ok(phones.into_iter().filter(|phone| phone.reserved_for_second_factor && phone.is_verified()).collect())
}

/// `true` when signing in as the user takes a second factor (see the module's rules).
pub async fn required(conn: &mut SqliteConnection, user_id: &str) -> Result<bool> {
    Ok(totp_store::second_factors(conn, user_id).await?.totp || !phones(conn, user_id).await?.is_empty())
}

/// A backup code as typed: spaces and dashes ignored, any case; anything else of the wrong form
/// is 422 `form_param_format_invalid` (not counted as an attempt).
pub fn normalize_backup_code(code: &str) -> Result<String> {
    let normalized: String =
        code.chars().filter(|c| !c.is_whitespace() && *c != '-').map(|c| c.to_ascii_lowercase()).collect();
    if normalized.len() != BACKUP_CODE_LENGTH
        || !normalized.bytes().all(|b| BACKUP_CODE_ALPHABET.contains(&b))
    {
        return Err(FieldError::format_invalid(
            "code",
            format!("A backup code is {BACKUP_CODE_LENGTH} letters and digits, as in the list you saved."),
        )
        .into());
    }
    Ok(normalized)
}

/// The keyed hash a backup code is stored as (bound to its user).
pub fn backup_code_hash(state: &AppState, user_id: &str, code: &str) -> String {
    state.security.at_rest.fingerprint(&format!("backup_code:{user_id}"), code)
}

/// The authenticator app's secret, decrypted.
pub fn totp_secret(state: &AppState, row: &TotpRow) -> Result<Vec<u8>> {
    let encoded = state.security.at_rest.open(&row.user_id, &row.secret_sealed)?;
    data_encoding::BASE32_NOPAD
        .decode(&encoded)
        .map_err(|_| Error::Internal("a stored TOTP secret is not base32".into()))
}

/// Checks a code of the user's verified authenticator app and, when right, remembers its time
/// step so it works only once. No verified app: 422 `form_param_value_invalid` (`strategy`).
pub async fn check_app_code(
    conn: &mut SqliteConnection,
    state: &AppState,
    user_id: &str,
    code: &str,
) -> Result<bool> {
    let app = totp_store::find(conn, user_id).await?.filter(|app| app.verified).ok_or_else(|| {
        FieldError::value_invalid(
            "strategy",
            "This account has no authenticator app; use another second factor.",
        )
    })?;
    let secret = totp_secret(state, &app)?;
    Ok(match totp::matching_step(&secret, code, state.security.clock.now_secs(), app.last_used_step) {
        Some(step) => totp_store::accept_step(conn, &app.id, step, false).await?,
        None => false,
    })
}

/// Uses one of the user's backup codes (already normalised); `false` when it is not one of
/// their unused codes.
pub async fn use_backup_code(
    conn: &mut SqliteConnection,
    state: &AppState,
    user_id: &str,
    code: &str,
) -> Result<bool> {
    Ok(backup_codes::use_code(conn, user_id, &backup_code_hash(state, user_id, code)).await?)
}
