//! Rows to wire models (`userdesk_fapi::models`), and the loading that a full resource needs.
//!
//! Private metadata is never read here: the FAPI `User` has no field for it, and the Backend API
//! adds it separately.

use std::collections::HashMap;

use serde_json::{Map, Value};
use sqlx::SqliteConnection;
use userdesk_fapi::models::{
    ClerkError, Client, EmailAddress, PhoneNumber, PublicUserData, Session, SessionStatus, SignIn,
    SignInFactor, SignInStatus, SignInUserData, User, Verification, VerificationStatus,
};

use super::profile_image;
use crate::error::{Error, Result};
use crate::ids::now_ms;
use crate::store::sessions::SessionRow;
use crate::store::sign_ins::SignInRow;
use crate::store::users::{Account, IdentificationRow, UserRow};
use crate::store::{clients, sessions, sign_ins, users};

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

fn identification_verification(row: &IdentificationRow) -> Result<Option<Verification>> {
    match (&row.verification_status, &row.verification_strategy) {
        (Some(status), Some(strategy)) => Ok(Some(verification(
            status_at(status, row.verification_expire_at, now_ms()),
            strategy,
            row.verification_attempts,
            row.verification_expire_at,
            row.verification_error.as_deref(),
        )?)),
        _ => Ok(None),
    }
}

/// The wire form of an email address.
pub fn email_address(row: &IdentificationRow) -> Result<EmailAddress> {
    Ok(EmailAddress {
        id: row.id.clone(),
        object: "email_address".into(),
        email_address: row.value.clone(),
        reserved: row.reserved,
        verification: identification_verification(row)?,
        linked_to: Vec::new(),
        created_at: row.created_at,
        updated_at: row.updated_at,
    })
}

/// The wire form of a phone number.
pub fn phone_number(row: &IdentificationRow) -> Result<PhoneNumber> {
    Ok(PhoneNumber {
        id: row.id.clone(),
        object: "phone_number".into(),
        phone_number: row.value.clone(),
        reserved_for_second_factor: row.reserved_for_second_factor,
        default_second_factor: row.default_second_factor,
        reserved: row.reserved,
        verification: identification_verification(row)?,
        linked_to: Vec::new(),
        backup_codes: None,
        created_at: row.created_at,
        updated_at: row.updated_at,
    })
}

/// The FAPI user (no private metadata). Image URLs are absolute, on `base_url` (this server's).
pub fn user(account: &Account, base_url: &str) -> Result<User> {
    let row = &account.user;
    let mut email_addresses = Vec::new();
    let mut phone_numbers = Vec::new();
    for identification in &account.identifications {
        match identification.kind.as_str() {
            "email_address" => email_addresses.push(email_address(identification)?),
            "phone_number" => phone_numbers.push(phone_number(identification)?),
            other => return Err(Error::Internal(format!("unknown identification kind {other:?}"))),
        }
    }
    let primary_email = account
        .identifications
        .iter()
        .find(|identification| Some(&identification.id) == row.primary_email_address_id.as_ref())
        .map(|identification| identification.value.as_str());
    let image_url = profile_image::image_url(base_url, row, primary_email);
    Ok(User {
        id: row.id.clone(),
        object: "user".into(),
        username: row.username.clone(),
        first_name: row.first_name.clone(),
        last_name: row.last_name.clone(),
        profile_image_url: Some(image_url.clone()),
        image_url,
        has_image: row.image_id.is_some(),
        primary_email_address_id: row.primary_email_address_id.clone(),
        primary_phone_number_id: row.primary_phone_number_id.clone(),
        primary_web3_wallet_id: None,
        password_enabled: row.password_hash.is_some(),
        // As Clerk: an authenticator app, or a verified phone number kept for two-step
        // verification, turns it on (backup codes alone do not).
        two_factor_enabled: account.second_factors.totp
            || account.identifications.iter().any(|identification| {
                identification.kind == "phone_number"
                    && identification.reserved_for_second_factor
                    && identification.is_verified()
            }),
        totp_enabled: account.second_factors.totp,
        backup_code_enabled: account.second_factors.backup_codes,
        email_addresses,
        phone_numbers,
        web3_wallets: Vec::new(),
        passkeys: Vec::new(),
        external_accounts: Vec::new(),
        saml_accounts: Vec::new(),
        enterprise_accounts: Vec::new(),
        password_last_updated_at: row.password_updated_at,
        public_metadata: metadata(&row.public_metadata)?,
        unsafe_metadata: metadata(&row.unsafe_metadata)?,
        external_id: row.external_id.clone(),
        last_sign_in_at: row.last_sign_in_at,
        banned: row.banned,
        locked: row.locked,
        lockout_expires_in_seconds: None,
        verification_attempts_remaining: None,
        created_at: row.created_at,
        updated_at: row.updated_at,
        delete_self_enabled: row.delete_self_enabled,
        create_organization_enabled: row.create_organization_enabled,
        last_active_at: row.last_active_at,
        mfa_enabled_at: row.mfa_enabled_at,
        mfa_disabled_at: row.mfa_disabled_at,
        legal_accepted_at: row.legal_accepted_at,
    })
}

/// A session with its user.
pub fn session(row: &SessionRow, account: &Account, base_url: &str) -> Result<Session> {
    let now = now_ms();
    let user = user(account, base_url)?;
    let public_user_data = PublicUserData {
        first_name: user.first_name.clone(),
        last_name: user.last_name.clone(),
        image_url: Some(user.image_url.clone()),
        has_image: user.has_image,
        identifier: row.identifier.clone(),
        user_id: Some(user.id.clone()),
        username: user.username.clone(),
    };
    let first_factor_age = i32::try_from((now - row.created_at).max(0) / 60_000).unwrap_or(i32::MAX);
    let second_factor_age = row
        .second_factor_verified_at
        .map_or(-1, |at| i32::try_from((now - at).max(0) / 60_000).unwrap_or(i32::MAX));
    Ok(Session {
        id: row.id.clone(),
        object: "session".into(),
        status: parse_enum::<SessionStatus>("session status", row.status_at(now))?,
        expire_at: row.expire_at,
        abandon_at: row.abandon_at,
        last_active_at: row.last_active_at,
        last_active_token: None,
        actor: None,
        last_active_organization_id: None,
        user: Some(user),
        public_user_data: Some(public_user_data),
        factor_verification_age: vec![first_factor_age, second_factor_age],
        created_at: row.created_at,
        updated_at: row.updated_at,
    })
}

/// The first factors a user can sign in with (a password, when they have one).
fn first_factors(user: &UserRow) -> Vec<SignInFactor> {
    let mut factors = Vec::new();
    if user.password_hash.is_some() {
        factors.push(SignInFactor {
            strategy: "password".into(),
            safe_identifier: None,
            email_address_id: None,
            phone_number_id: None,
            primary: None,
            default: None,
        });
    }
    factors
}

/// A sign-in attempt. Its user's picture is shown when they uploaded one.
pub fn sign_in(row: &SignInRow, user: Option<&UserRow>, base_url: &str) -> Result<SignIn> {
    let first_factor_verification = match (&row.first_factor_status, &row.first_factor_strategy) {
        (Some(status), Some(strategy)) => {
            Some(verification(status, strategy, row.first_factor_attempts, None, None)?)
        }
        _ => None,
    };
    Ok(SignIn {
        object: "sign_in_attempt".into(),
        id: row.id.clone(),
        status: parse_enum::<SignInStatus>("sign-in status", &row.status)?,
        supported_identifiers: SUPPORTED_IDENTIFIERS.iter().map(|s| (*s).to_owned()).collect(),
        supported_first_factors: user.map(first_factors),
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
    })
}

/// The client with its live sessions (each with its user) and the sign-in under way.
pub async fn client(conn: &mut SqliteConnection, base_url: &str, client_id: &str) -> Result<Client> {
    let row = clients::find(conn, client_id)
        .await?
        .ok_or_else(|| Error::Internal(format!("client {client_id} vanished")))?;
    let rows = sessions::live_for_client(conn, client_id).await?;
    let mut accounts: HashMap<String, Account> = HashMap::new();
    let mut sessions = Vec::with_capacity(rows.len());
    for session_row in &rows {
        if !accounts.contains_key(&session_row.user_id) {
            match users::find(conn, &session_row.user_id).await? {
                Some(account) => {
                    accounts.insert(session_row.user_id.clone(), account);
                }
                None => continue,
            }
        }
        if let Some(account) = accounts.get(&session_row.user_id) {
            let mut rendered = session(session_row, account, base_url)?;
            if let Some(user) = rendered.user.as_mut() {
                user.external_accounts =
                    super::external_accounts::for_user(conn, &session_row.user_id).await?;
            }
            sessions.push(rendered);
        }
    }
    let last_active_session_id =
        row.last_active_session_id.filter(|id| sessions.iter().any(|session| &session.id == id));
    let sign_in = match &row.sign_in_id {
        Some(id) => match sign_ins::find_for_client(conn, client_id, id).await? {
            Some(sign_in_row) => {
                let user = match &sign_in_row.user_id {
                    Some(user_id) => users::find_row(conn, user_id).await?,
                    None => None,
                };
                let mut rendered = sign_in(&sign_in_row, user.as_ref(), base_url)?;
                super::oauth_sign_ins::decorate(conn, &mut rendered).await?;
                super::two_factor::show_second_factor(conn, &mut rendered, user.as_ref()).await?;
                Some(rendered)
            }
            None => None,
        },
        None => None,
    };
    Ok(Client {
        object: "client".into(),
        id: row.id,
        sessions,
        sign_in,
        sign_up: None,
        last_active_session_id,
        last_authentication_strategy: row.last_authentication_strategy,
        cookie_expires_at: None,
        captcha_bypass: false,
        created_at: row.created_at,
        updated_at: row.updated_at,
    })
}

/// The FAPI user with this id.
pub async fn user_by_id(conn: &mut SqliteConnection, base_url: &str, user_id: &str) -> Result<User> {
    let account = users::find(conn, user_id).await?.ok_or(Error::NotFound("user"))?;
    let mut user = user(&account, base_url)?;
    user.external_accounts = super::external_accounts::for_user(conn, user_id).await?;
    Ok(user)
}
