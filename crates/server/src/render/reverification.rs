//! A session's reverification (`SessionReverification`), with the factors its user can use.

use sqlx::SqliteConnection;
use userdesk_fapi::models::{
    Envelope, ReverificationLevel, ReverificationStatus, SessionReverification, SignInFactor, Verification,
    VerificationStatus,
};

use super::{client, parse_enum, session, status_at};
use crate::error::{Error, Result};
use crate::ids::now_ms;
use crate::store::passkeys;
use crate::store::reverifications::{FactorRow, ReverificationRow};
use crate::store::sessions::SessionRow;
use crate::store::users::{self, Account};

fn factor(strategy: &str) -> SignInFactor {
    SignInFactor {
        strategy: strategy.to_owned(),
        safe_identifier: None,
        email_address_id: None,
        phone_number_id: None,
        passkey_id: None,
        primary: None,
        default: None,
    }
}

/// The first factors a reverification takes: the password (if the user has one), a passkey (if
/// `passkey`: the instance has them on and the user has one) and a code to each verified email
/// address.
pub fn first_factors(account: &Account, passkey: bool) -> Vec<SignInFactor> {
    let mut factors = Vec::new();
    if account.user.password_hash.is_some() {
        factors.push(factor("password"));
    }
    if passkey {
        // Any of the user's passkeys will do: the request options name them all.
        factors.push(factor("passkey"));
    }
    let primary = account.user.primary_email_address_id.as_deref();
    for email in account.identifications.iter().filter(|i| i.kind == "email_address" && i.is_verified()) {
        factors.push(SignInFactor {
            // The person's own address, to the person signed in: shown whole.
            safe_identifier: Some(email.value.clone()),
            email_address_id: Some(email.id.clone()),
            primary: Some(primary == Some(email.id.as_str())),
            ..factor("email_code")
        });
    }
    factors
}

/// A factor's verification; `nonce`: the passkey ceremony's request options while under way.
fn verification(row: &FactorRow, nonce: Option<String>, now: i64) -> Option<Verification> {
    let strategy = row.strategy.clone()?;
    let stored = row.status.as_deref()?;
    let (object, status, expire_at) = match strategy.as_str() {
        "email_code" | "phone_code" => {
            ("verification_otp", status_at(stored, row.expire_at, now), row.expire_at)
        }
        "passkey" => ("verification_passkey", status_at(stored, row.expire_at, now), row.expire_at),
        "password" => ("verification_password", stored, None),
        "totp" => ("verification_totp", stored, None),
        _ => ("verification_backup_code", stored, None),
    };
    let status = match status {
        "verified" => VerificationStatus::Verified,
        "failed" => VerificationStatus::Failed,
        "expired" => VerificationStatus::Expired,
        _ => VerificationStatus::Unverified,
    };
    Some(Verification {
        object: Some(object.to_owned()),
        status,
        strategy,
        attempts: u32::try_from(row.attempts).ok(),
        expire_at,
        external_verification_redirect_url: None,
        error: None,
        nonce,
    })
}

/// The reverification with its session, enveloped with the client. `passkeys_on`: the
/// instance has passkeys on.
pub async fn envelope(
    conn: &mut SqliteConnection,
    base_url: &str,
    passkeys_on: bool,
    client_id: &str,
    session_row: &SessionRow,
    row: &ReverificationRow,
) -> Result<Envelope<SessionReverification>> {
    let account = users::find(conn, &session_row.user_id).await?.ok_or(Error::SignedOut)?;
    let passkey = passkeys_on && passkeys::has_verified(conn, &account.user.id).await?;
    let now = now_ms();
    let response = SessionReverification {
        object: "session_reverification".into(),
        level: parse_enum::<ReverificationLevel>("reverification level", &row.level)?,
        status: parse_enum::<ReverificationStatus>("reverification status", &row.status)?,
        supported_first_factors: Some(first_factors(&account, passkey)),
        supported_second_factors: Some(super::sign_in::supported_factors(conn, &account.user).await?),
        first_factor_verification: verification(&row.first, row.first_nonce.clone(), now),
        second_factor_verification: verification(&row.second, None, now),
        session: session(session_row, &account, base_url)?,
    };
    let client = client(conn, base_url, client_id).await?;
    Ok(Envelope { response, client: Some(client) })
}
