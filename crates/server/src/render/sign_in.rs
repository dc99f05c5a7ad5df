//! A sign-in attempt: its first factor (a password, or a provider's verification under way), and
//! its second factor (the ones the user can use, and the verification prepared or attempted).

use serde_json::Value;
use sqlx::SqliteConnection;
use userdesk_fapi::models::{
    ClerkError, Envelope, SignIn, SignInFactor, SignInStatus, SignInUserData, Verification,
    VerificationStatus,
};

use super::{parse_enum, profile_image, status_at, verification, SUPPORTED_IDENTIFIERS};
use crate::domain::{self, second_factor};
use crate::error::{Error, Result};
use crate::ids::now_ms;
use crate::sign_in_policy::{FirstFactor, FirstFactors};
use crate::store::identifications::list_for_user;
use crate::store::oauth_flows;
use crate::store::passkeys;
use crate::store::second_factors::{self, SecondFactorRow};
use crate::store::sign_in_factors::{self, CodeRow, Factor};
use crate::store::sign_ins::{self, SignInRow};
use crate::store::totp as totp_store;
use crate::store::users::{self, IdentificationRow, UserRow};

/// `jane@example.com` → `j***@example.com`: enough for the person to recognise, not to learn.
fn mask_email(address: &str) -> String {
    match address.split_once('@') {
        Some((local, domain)) => {
            let first: String = local.chars().take(1).collect();
            format!("{first}***@{domain}")
        }
        None => address.to_owned(),
    }
}

/// A factor on one of the user's verified email addresses or phone numbers. The one the sign-in
/// was identified by is shown as typed; the others masked.
fn factor_on(
    strategy: &str,
    identification: &IdentificationRow,
    user: &UserRow,
    identified_by: Option<&str>,
) -> SignInFactor {
    let email = identification.kind == "email_address";
    let shown = if identified_by == Some(identification.id.as_str()) {
        identification.value.clone()
    } else if email {
        mask_email(&identification.value)
    } else {
        mask_phone(&identification.value)
    };
    let primary = if email { &user.primary_email_address_id } else { &user.primary_phone_number_id };
    SignInFactor {
        strategy: strategy.to_owned(),
        safe_identifier: Some(shown),
        email_address_id: email.then(|| identification.id.clone()),
        phone_number_id: (!email).then(|| identification.id.clone()),
        passkey_id: None,
        primary: Some(primary.as_deref() == Some(identification.id.as_str())),
        default: None,
    }
}

/// The first factors the sign-in offers its user: those the instance enabled when it started
/// that the user can use (a password they have; their verified email addresses and phone
/// numbers).
async fn first_factors(
    conn: &mut SqliteConnection,
    sign_in_id: &str,
    user: &UserRow,
) -> Result<Vec<SignInFactor>> {
    let (stored, identified_by) = sign_in_factors::settings_of(conn, sign_in_id).await?;
    let enabled = FirstFactors::from_stored(stored.as_deref());
    let emails: Vec<IdentificationRow> = list_for_user(conn, &user.id, "email_address")
        .await?
        .into_iter()
        .filter(|i| i.is_verified())
        .collect();
    let phones: Vec<IdentificationRow> = list_for_user(conn, &user.id, "phone_number")
        .await?
        .into_iter()
        .filter(|i| i.is_verified())
        .collect();
    let mut factors = Vec::new();
    for factor in enabled.enabled() {
        let strategy = factor.as_str();
        if factor == FirstFactor::Password {
            if user.password_hash.is_some() {
                factors.push(SignInFactor {
                    strategy: strategy.into(),
                    safe_identifier: None,
                    email_address_id: None,
                    phone_number_id: None,
                    passkey_id: None,
                    primary: None,
                    default: None,
                });
            }
            continue;
        }
        let targets = if factor.uses_email() { &emails } else { &phones };
        factors
            .extend(targets.iter().map(|target| factor_on(strategy, target, user, identified_by.as_deref())));
    }
    if domain::passkeys::offered(stored.as_deref()) && passkeys::has_verified(conn, &user.id).await? {
        // Any of the user's passkeys will do: the request options name them all.
        factors.push(SignInFactor {
            strategy: domain::passkeys::STRATEGY.into(),
            safe_identifier: None,
            email_address_id: None,
            phone_number_id: None,
            passkey_id: None,
            primary: None,
            default: None,
        });
    }
    Ok(factors)
}

/// The second factors of a client-trust check: a code to any verified email address or phone
/// number of the user's (phones only where the instance sends SMS codes).
pub async fn client_trust_factors(
    conn: &mut SqliteConnection,
    sign_in_id: &str,
    user: &UserRow,
) -> Result<Vec<SignInFactor>> {
    let (stored, identified_by) = sign_in_factors::settings_of(conn, sign_in_id).await?;
    let enabled = FirstFactors::from_stored(stored.as_deref());
    let mut factors = Vec::new();
    for email in list_for_user(conn, &user.id, "email_address").await?.iter().filter(|i| i.is_verified()) {
        factors.push(factor_on("email_code", email, user, identified_by.as_deref()));
    }
    if enabled.phone_code {
        for phone in list_for_user(conn, &user.id, "phone_number").await?.iter().filter(|i| i.is_verified()) {
            factors.push(factor_on("phone_code", phone, user, identified_by.as_deref()));
        }
    }
    Ok(factors)
}

/// A sign-in's code verification (first factor, or the client-trust second factor) as shown.
fn code_verification(row: &CodeRow, now: i64) -> Result<Verification> {
    let status = status_at(&row.status, row.expire_at, now);
    let mut shown = verification(status, &row.strategy, row.attempts, row.expire_at, None)?;
    if row.strategy == "password" {
        shown.expire_at = None;
    }
    Ok(shown)
}

/// A sign-in attempt. Its user's picture is shown when they uploaded one.
pub fn sign_in(row: &SignInRow, user: Option<&UserRow>, base_url: &str) -> Result<SignIn> {
    let first_factor_verification = match (&row.first_factor_status, &row.first_factor_strategy) {
        (Some(status), Some(strategy)) => {
            // A code past its time shows `expired` before anything wrote that down.
            let expire_at = row.first_factor_expire_at.filter(|_| strategy != "password");
            let status = status_at(status, expire_at, now_ms());
            Some(verification(status, strategy, row.first_factor_attempts, expire_at, None)?)
        }
        _ => None,
    };
    Ok(SignIn {
        object: "sign_in_attempt".into(),
        id: row.id.clone(),
        status: parse_enum::<SignInStatus>("sign-in status", &row.status)?,
        supported_identifiers: SUPPORTED_IDENTIFIERS.iter().map(|s| (*s).to_owned()).collect(),
        // Filled in by `show_second_factor`, which reads the user's identifications.
        supported_first_factors: user.map(|_| Vec::new()),
        supported_second_factors: None,
        first_factor_verification,
        second_factor_verification: None,
        identifier: row.identifier.clone(),
        user_data: user.map(|user| SignInUserData {
            first_name: user.first_name.clone(),
            last_name: user.last_name.clone(),
            image_url: user.image_id.as_deref().map(|id| profile_image::uploaded_url(base_url, id)),
            has_image: user.image_id.is_some(),
        }),
        created_session_id: row.created_session_id.clone(),
        abandon_at: row.abandon_at,
        // Said only while the new-device check waits (`show_second_factor`).
        client_trust_state: None,
    })
}

/// Fills in what only OAuth sign-ins have on their first-factor verification: its expiry and
/// status as of now, the provider's URL while it is under way, and the error of a failure.
pub async fn decorate(conn: &mut SqliteConnection, sign_in: &mut SignIn) -> Result<()> {
    // A passkey ceremony under way: its request options, until an attempt takes them.
    if let Some(ceremony) = passkeys::ceremony(conn, &sign_in.id).await? {
        let attempts = sign_in.first_factor_verification.as_ref().and_then(|v| v.attempts);
        sign_in.first_factor_verification = Some(Verification {
            object: Some("verification_passkey".into()),
            status: if ceremony.expire_at <= now_ms() {
                VerificationStatus::Expired
            } else {
                VerificationStatus::Unverified
            },
            strategy: domain::passkeys::STRATEGY.into(),
            attempts,
            expire_at: Some(ceremony.expire_at),
            external_verification_redirect_url: None,
            error: None,
            nonce: Some(ceremony.options),
        });
        return Ok(());
    }
    let Some(verification) = sign_in.first_factor_verification.as_mut() else {
        return Ok(());
    };
    if !verification.strategy.starts_with("oauth_") {
        return Ok(());
    }
    let Some(stored) = oauth_flows::sign_in_verification(conn, &sign_in.id).await? else {
        return Ok(());
    };
    let status = status_at(&stored.status, stored.expire_at, now_ms());
    verification.status = serde_json::from_value(Value::String(status.to_owned()))
        .map_err(|_| Error::Internal(format!("stored sign-in verification status {status:?}")))?;
    verification.expire_at = stored.expire_at;
    verification.error = stored
        .error
        .as_deref()
        .map(serde_json::from_str::<ClerkError>)
        .transpose()
        .map_err(|e| Error::Internal(format!("stored sign-in verification error: {e}")))?;
    // Until the round trip ends (even past its time: the callback then says it expired).
    verification.external_verification_redirect_url = if stored.status == "unverified" {
        oauth_flows::sign_in_authorize_url(conn, &sign_in.id).await?
    } else {
        None
    };
    Ok(())
}

/// `+14155550100` → `+*******0100`.
fn mask_phone(number: &str) -> String {
    let digits = number.chars().filter(char::is_ascii_digit).count();
    let mut seen = 0;
    number
        .chars()
        .map(|c| {
            if !c.is_ascii_digit() {
                return c;
            }
            seen += 1;
            if seen + 4 > digits {
                c
            } else {
                '*'
            }
        })
        .collect()
}

/// The second factors the user can complete a sign-in (or a reverification) with.
pub async fn supported_factors(conn: &mut SqliteConnection, user: &UserRow) -> Result<Vec<SignInFactor>> {
    let have = totp_store::second_factors(conn, &user.id).await?;
    let factor = |strategy: &str| SignInFactor {
        strategy: strategy.to_owned(),
        safe_identifier: None,
        email_address_id: None,
        phone_number_id: None,
        passkey_id: None,
        primary: None,
        default: None,
    };
    let mut factors = Vec::new();
    if have.totp {
        factors.push(factor("totp"));
    }
    for phone in second_factor::phones(conn, &user.id).await? {
        factors.push(SignInFactor {
            safe_identifier: Some(mask_phone(&phone.value)),
            phone_number_id: Some(phone.id.clone()),
            primary: Some(user.primary_phone_number_id.as_deref() == Some(phone.id.as_str())),
            default: Some(phone.default_second_factor),
            ..factor("phone_code")
        });
    }
    if have.backup_codes {
        factors.push(factor("backup_code"));
    }
    Ok(factors)
}

/// A sign-in's second-factor verification as shown. Authenticator and backup-code verifications
/// know only `unverified` and `verified` (a failed one abandons its sign-in instead).
fn second_factor_verification(row: &SecondFactorRow, now: i64) -> Result<Verification> {
    let (object, status) = match row.strategy.as_str() {
        "phone_code" => ("verification_otp", status_at(&row.status, row.expire_at, now)),
        "totp" => ("verification_totp", if row.status == "verified" { "verified" } else { "unverified" }),
        _ => ("verification_backup_code", if row.status == "verified" { "verified" } else { "unverified" }),
    };
    let status = match status {
        "verified" => VerificationStatus::Verified,
        "failed" => VerificationStatus::Failed,
        "expired" => VerificationStatus::Expired,
        _ => VerificationStatus::Unverified,
    };
    Ok(Verification {
        object: Some(object.to_owned()),
        status,
        strategy: row.strategy.clone(),
        attempts: u32::try_from(row.attempts).ok(),
        expire_at: if row.strategy == "phone_code" { row.expire_at } else { None },
        external_verification_redirect_url: None,
        error: None,
        nonce: None,
    })
}

/// Adds what a sign-in shows of its factors beyond its row: the first factors its user can use,
/// the second factors while it waits for one (two-step, or a client-trust check), and the second
/// factor's verification once one was prepared or attempted.
pub async fn show_second_factor(
    conn: &mut SqliteConnection,
    sign_in: &mut SignIn,
    user: Option<&UserRow>,
) -> Result<()> {
    if let Some(user) = user {
        sign_in.supported_first_factors = Some(first_factors(conn, &sign_in.id, user).await?);
    }
    if let Some(row) = second_factors::find(conn, &sign_in.id).await? {
        sign_in.second_factor_verification = Some(second_factor_verification(&row, now_ms())?);
    } else if let Some(row) = sign_in_factors::find(conn, &sign_in.id, Factor::Second).await? {
        sign_in.second_factor_verification = Some(code_verification(&row, now_ms())?);
    }
    match (sign_in.status, user) {
        (SignInStatus::NeedsSecondFactor, Some(user)) => {
            sign_in.supported_second_factors = Some(supported_factors(conn, user).await?);
        }
        (SignInStatus::NeedsClientTrust, Some(user)) => {
            sign_in.supported_second_factors = Some(client_trust_factors(conn, &sign_in.id, user).await?);
            sign_in.client_trust_state = Some("new".into());
        }
        _ => {}
    }
    Ok(())
}

/// The client's sign-in, with the client.
pub async fn envelope(
    conn: &mut SqliteConnection,
    base_url: &str,
    client_id: &str,
    sign_in_id: &str,
) -> Result<Envelope<SignIn>> {
    let row =
        sign_ins::find_for_client(conn, client_id, sign_in_id).await?.ok_or(Error::NotFound("sign in"))?;
    let user = match &row.user_id {
        Some(user_id) => users::find_row(conn, user_id).await?,
        None => None,
    };
    let mut sign_in = sign_in(&row, user.as_ref(), base_url)?;
    decorate(conn, &mut sign_in).await?;
    show_second_factor(conn, &mut sign_in, user.as_ref()).await?;
    let client = super::client(conn, base_url, client_id).await?;
    Ok(Envelope { response: sign_in, client: Some(client) })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phones_are_masked_but_the_last_four_digits() {
        assert_eq!(mask_phone("+14155550100"), "+*******0100");
        assert_eq!(mask_phone("+442079460018"), "+********0018");
        assert_eq!(mask_phone("123"), "123");
    }

    #[test]
    fn emails_are_masked_but_the_first_letter_and_the_domain() {
        assert_eq!(mask_email("jane@example.com"), "j***@example.com");
    }
}
