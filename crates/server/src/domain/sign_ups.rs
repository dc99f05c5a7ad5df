//! What a sign-up still lacks, and completing it: shared by the sign-up handlers and the email
//! link that verifies a sign-up's address in a browser (`api::verify`).

use sqlx::SqliteConnection;

use crate::domain;
use crate::domain::sessions::SessionMode;
use crate::error::{Error, Result};
use crate::ids::now_ms;
use crate::render;
use crate::sign_up_policy::{SignUpSettings, FIELDS};
use crate::store::sessions::Activity;
use crate::store::sign_ups::{self, SignUpRow, VerificationRow};
use crate::store::users::{self, NewUser};

/// The fields that are verified (email address, phone number), in the order a sign-up asks.
pub const VERIFIED_FIELDS: [&str; 2] = ["email_address", "phone_number"];

/// What a sign-up still lacks.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Lacking {
    /// Required fields not given (and `legal_accepted` when consent is asked and not given).
    pub missing: Vec<&'static str>,
    /// Given email address or phone number not verified yet.
    pub unverified: Vec<&'static str>,
}

impl Lacking {
    pub fn is_empty(&self) -> bool {
        self.missing.is_empty() && self.unverified.is_empty()
    }
}

/// `true` when the sign-up gives `field`.
fn given(row: &SignUpRow, field: &str) -> bool {
    match field {
        "email_address" => row.email_address.is_some(),
        "phone_number" => row.phone_number.is_some(),
        "username" => row.username.is_some(),
        "first_name" => row.first_name.is_some(),
        "last_name" => row.last_name.is_some(),
        "password" => row.password_hash.is_some() || row.status == "complete",
        _ => false,
    }
}

/// What `row` lacks under `settings`. A given email address or phone number must be verified
/// whether required or not (it will identify the user).
pub fn lacking(settings: &SignUpSettings, row: &SignUpRow, verifications: &[VerificationRow]) -> Lacking {
    if row.status == "complete" {
        return Lacking::default();
    }
    let mut missing: Vec<&'static str> = FIELDS
        .into_iter()
        .filter(|field| settings.requirement(field).required() && !given(row, field))
        .collect();
    if settings.legal_consent.is_some() && row.legal_accepted_at.is_none() {
        missing.push("legal_accepted");
    }
    let unverified = VERIFIED_FIELDS
        .into_iter()
        .filter(|field| given(row, field))
        .filter(|field| !verifications.iter().any(|v| v.field == *field && v.status == "verified"))
        .collect();
    Lacking { missing, unverified }
}

/// Completes the sign-up when it lacks nothing: creates the user (its email address and phone
/// number verified and primary, the sign-up's unsafe metadata and legal acceptance) and starts
/// their session on the sign-up's client. `false` when something is still lacking.
pub async fn complete_if_ready(
    conn: &mut SqliteConnection,
    settings: &SignUpSettings,
    mode: SessionMode,
    row: &SignUpRow,
    activity: &Activity,
) -> Result<bool> {
    if row.status != "missing_requirements" || row.abandon_at <= now_ms() {
        return Err(Error::SignUpCannotBeUpdated);
    }
    let verifications = sign_ups::verifications(conn, &row.id).await?;
    if !lacking(settings, row, &verifications).is_empty() {
        return Ok(false);
    }
    domain::sessions::ensure_room(conn, mode, &row.client_id).await?;
    let user_id = users::insert(
        conn,
        NewUser {
            username: row.username.clone(),
            first_name: row.first_name.clone(),
            last_name: row.last_name.clone(),
            password_hash: row.password_hash.clone(),
            email_addresses: row.email_address.iter().cloned().collect(),
            unsafe_metadata: render::metadata(&row.unsafe_metadata)?,
            // As the instance's environment says (`actions.delete_self`).
            delete_self_enabled: true,
            ..NewUser::default()
        },
    )
    .await?;
    sign_ups::finish_user(conn, &user_id, row, &verifications).await?;
    // The session names the identifier and the way it was proved, as a sign-in's would.
    let strategy_of =
        |field: &str| verifications.iter().find(|v| v.field == field).map(|v| v.strategy.clone());
    let (identifier, strategy) = match (&row.email_address, &row.phone_number, &row.username) {
        (Some(email), _, _) => (email.clone(), strategy_of("email_address")),
        (None, Some(phone), _) => (phone.clone(), strategy_of("phone_number")),
        (None, None, Some(username)) => (username.clone(), None),
        (None, None, None) => (user_id.clone(), None),
    };
    let strategy = strategy.unwrap_or_else(|| "password".to_owned());
    let session =
        domain::sessions::start(conn, &row.client_id, &user_id, &identifier, &strategy, activity).await?;
    sign_ups::complete(conn, &row.id, &user_id, &session.id).await?;
    tracing::info!(user = %user_id, session = %session.id, "signed up");
    Ok(true)
}

/// A sign-up's email address verified by its link.
pub struct LinkVerified {
    pub email_address: String,
    pub redirect_url: Option<String>,
}

/// The sign-up email link with this token hash, if it is one: verifies the address and
/// completes the sign-up when that was all it lacked (the client that started it sees the
/// session when it reads the sign-up again). `None`: no sign-up's link.
pub async fn verify_link(
    conn: &mut SqliteConnection,
    settings: &SignUpSettings,
    mode: SessionMode,
    token_hash: &str,
) -> Result<Option<LinkVerified>> {
    let Some(verification) = sign_ups::find_by_link_token(conn, token_hash).await? else {
        return Ok(None);
    };
    let row = sign_ups::find(conn, &verification.sign_up_id).await?.ok_or(Error::LinkInvalid)?;
    match render::status_at(&verification.status, Some(verification.expire_at), now_ms()) {
        "unverified" => {}
        "verified" => return Err(Error::VerificationAlreadyVerified),
        "expired" => return Err(Error::VerificationExpired),
        _ => return Err(Error::LinkInvalid),
    }
    if row.status != "missing_requirements" || row.abandon_at <= now_ms() {
        return Err(Error::LinkInvalid);
    }
    let email_address = row.email_address.clone().ok_or(Error::LinkInvalid)?;
    sign_ups::mark_link_verified(conn, &row.id, &verification.field).await?;
    // The browser that opened the link is not the client's device: the session records nothing
    // of it.
    complete_if_ready(conn, settings, mode, &row, &Activity::default()).await?;
    Ok(Some(LinkVerified { email_address, redirect_url: verification.redirect_url }))
}
