//! Two-step verification: authenticator apps (`/v1/me/totp`), backup codes
//! (`/v1/me/backup_codes`), and the second factor of a sign-in
//! (`/v1/client/sign_ins/{id}/prepare_second_factor`, `…/attempt_second_factor`).
//!
//! The rules:
//! - A user has two-step verification when they have a verified authenticator app or a verified
//!   phone number reserved for it (`two_factor_enabled`); signing in then takes a second factor
//!   after the password: `totp`, `phone_code` (an SMS, sent by `prepare_second_factor`) or
//!   `backup_code`.
//! - Authenticator codes: RFC 6238 (see [`crate::totp`]), one step either side, each code once
//!   (the last accepted time step is remembered, for enrolment and sign-in alike).
//! - Setting up an app: `POST /v1/me/totp` returns the secret and its `otpauth://` URI, once; a
//!   second `POST` before verifying replaces them; with a verified app it is refused (400
//!   `totp_already_enabled`). The first code verifies it, and a user without backup codes gets a
//!   set in that answer. The secret is stored encrypted and never shown again.
//! - Backup codes: ten, eight characters each, shown once, stored as keyed hashes, each usable
//!   once. A new set replaces the old. They need another second factor (400
//!   `backup_codes_not_available`), and go when the last one does.
//! - A sign-in's second factor allows [`MAX_ATTEMPTS`] wrong codes in all: the wrong ones before
//!   the last answer 422 `form_code_incorrect` (`meta.attempts_remaining`); the last abandons the
//!   sign-in with 400 `verification_failed`, and the person starts again. A code that is not
//!   six digits (or a backup code's form) is 422 `form_param_format_invalid` and not counted; an
//!   SMS code that was never sent is 400 `verification_missing`, a late one
//!   `verification_expired`.
//! - Wrong codes also count against the user across sign-ins (`domain::lockout`): at the limit
//!   every attempt is 403 `user_locked` until the lock lifts.

use axum::extract::State;
use axum::routing::post;
use axum::{Json, Router};
use rand::Rng;
use sqlx::SqliteConnection;
use userdesk_fapi::models::{BackupCodes, DeletedObject, Envelope, SignIn, Totp};

use crate::domain;
use crate::domain::identifications;
use crate::domain::reverification::Level;
use crate::domain::second_factor::{
    self, backup_code_hash, normalize_backup_code, totp_secret, BACKUP_CODE_ALPHABET, BACKUP_CODE_LENGTH,
};
use crate::error::{Error, FieldError, Result};
use crate::http::activity::RequestActivity;
use crate::http::form::{Form, PathId};
use crate::http::native_client::CurrentClient;
use crate::http::signed_in::SignedIn;
use crate::http::validate;
use crate::ids::{new_id, now_ms};
use crate::one_time_code::{self, MAX_ATTEMPTS};
use crate::outbox::{self, OutboxChannel, Outgoing};
use crate::render;
use crate::state::{millis, AppState};
use crate::store::second_factors::{self, SecondFactorRow};
use crate::store::totp::TotpRow;
use crate::store::users::UserRow;
use crate::store::{backup_codes, sessions, sign_ins as sign_in_store, totp as totp_store, users};
use crate::totp;

/// The issuer authenticator apps show beside the account.
const TOTP_ISSUER: &str = "Userdesk";
/// Backup codes in a set.
pub const BACKUP_CODE_COUNT: usize = 10;

/// The routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/me/totp", post(create_totp).delete(delete_totp))
        .route("/v1/me/totp/attempt_verification", post(attempt_totp))
        .route("/v1/me/backup_codes", post(create_backup_codes))
        .route("/v1/client/sign_ins/{sign_in_id}/prepare_second_factor", post(prepare_second_factor))
        .route("/v1/client/sign_ins/{sign_in_id}/attempt_second_factor", post(attempt_second_factor))
}

/// A sign-in of this client that waits for its second factor, with its user.
async fn waiting_sign_in(
    conn: &mut SqliteConnection,
    client_id: &str,
    sign_in_id: &str,
) -> Result<(sign_in_store::SignInRow, UserRow, Option<SecondFactorRow>)> {
    let row = sign_in_store::find_for_client(conn, client_id, sign_in_id)
        .await?
        .ok_or(Error::NotFound("sign in"))?;
    let second = second_factors::find(conn, &row.id).await?;
    if second.as_ref().is_some_and(|second| second.status == "failed") {
        return Err(Error::VerificationFailed);
    }
    if row.status != "needs_second_factor" || row.abandon_at <= now_ms() {
        return Err(FieldError::value_invalid(
            "strategy",
            "This sign-in is not waiting for a second factor; start a new sign-in.",
        )
        .into());
    }
    let user = match &row.user_id {
        Some(user_id) => users::find_row(conn, user_id).await?,
        None => None,
    };
    let user = user.ok_or(Error::NotFound("sign in"))?;
    Ok((row, user, second))
}

fn unsupported_second_factor(strategy: &str) -> Error {
    FieldError::value_invalid(
        "strategy",
        format!("The `{strategy}` strategy is not a second factor this server supports; use `totp`, `phone_code` or `backup_code`."),
    )
    .into()
}

/// `POST /v1/client/sign_ins/{id}/prepare_second_factor`: sends an SMS code (`phone_code`) to the
/// given number reserved for two-step verification, or the default one. `totp` and
/// `backup_code` need no preparation.
async fn prepare_second_factor(
    State(state): State<AppState>,
    client: CurrentClient,
    PathId(sign_in_id): PathId,
    Form(form): Form,
) -> Result<Json<Envelope<SignIn>>> {
    form.allow_only(&["strategy", "phone_number_id", "proof_token", "email_address_id", "redirect_url"])?;
    // The new-device check (`needs_client_trust`) takes its code here too.
    let (strategy, email_id, phone_id) =
        (form.required("strategy")?, form.one("email_address_id")?, form.one("phone_number_id")?);
    let trust = domain::sign_in_factors::prepare_client_trust(
        &state,
        &client.id,
        &sign_in_id,
        strategy,
        email_id,
        phone_id,
    );
    if let Some(envelope) = trust.await? {
        return Ok(Json(envelope));
    }
    match form.required("strategy")? {
        "phone_code" => {}
        "totp" | "backup_code" => {
            return Err(FieldError::value_invalid(
                "strategy",
                "`totp` and `backup_code` need no preparation: attempt the second factor with the code.",
            )
            .into())
        }
        other => return Err(unsupported_second_factor(other)),
    }
    for name in ["proof_token", "email_address_id", "redirect_url"] {
        if form.one(name)?.is_some_and(|value| !value.is_empty()) {
            return Err(FieldError::not_used_with(name, "phone_code").into());
        }
    }
    let wanted = form.one("phone_number_id")?.filter(|id| !id.is_empty());

    let now = now_ms();
    let mut tx = state.db.write().await?;
    let (row, user, second) = waiting_sign_in(&mut tx, &client.id, &sign_in_id).await?;
    let phones = domain::second_factor::phones(&mut tx, &user.id).await?;
    let phone = match wanted {
        Some(id) => phones.iter().find(|phone| phone.id == id).ok_or_else(|| {
            FieldError::value_invalid(
                "phone_number_id",
                "`phone_number_id` must name a verified phone number of this account reserved for two-step verification.",
            )
        })?,
        None => phones
            .iter()
            .find(|phone| phone.default_second_factor)
            .or_else(|| phones.first())
            .ok_or_else(|| FieldError::value_invalid("strategy", "This account has no phone number for two-step verification."))?,
    };
    outbox::ensure_deliverable(state.mode, OutboxChannel::Sms)?;
    if let Some(sent_at) = second.as_ref().and_then(|second| second.sent_at) {
        domain::verification::ensure_cooldown_passed(&state, sent_at, now)?;
    }
    let code = one_time_code::generate();
    let lifetime = state.verification.code_lifetime;
    second_factors::prepare_phone(
        &mut tx,
        &row.id,
        &phone.id,
        &one_time_code::hash(&code),
        now.saturating_add(millis(lifetime)),
    )
    .await?;
    outbox::send(&mut tx, state.mode, Outgoing::sms_code(&phone.value, &code, lifetime)).await?;
    let envelope = render::sign_in::envelope(&mut tx, &state.base_url, &client.id, &row.id).await?;
    tx.commit().await?;
    Ok(Json(envelope))
}

/// `POST /v1/client/sign_ins/{id}/attempt_second_factor`: completes the sign-in with an
/// authenticator code, an SMS code or a backup code; the session starts then.
async fn attempt_second_factor(
    State(state): State<AppState>,
    client: CurrentClient,
    RequestActivity(activity): RequestActivity,
    PathId(sign_in_id): PathId,
    Form(form): Form,
) -> Result<Json<Envelope<SignIn>>> {
    form.allow_only(&["strategy", "code"])?;
    let strategy = form.required("strategy")?;
    // The new-device check (`needs_client_trust`) is answered here too.
    let code = form.required("code")?;
    let trust = domain::sign_in_factors::attempt_client_trust(
        &state,
        &client.id,
        &activity,
        &sign_in_id,
        strategy,
        code,
    );
    if let Some(envelope) = trust.await? {
        return Ok(Json(envelope));
    }
    if !matches!(strategy, "totp" | "phone_code" | "backup_code") {
        return Err(unsupported_second_factor(strategy));
    }
    let code = form.required("code")?;
    let code = match strategy {
        "backup_code" => normalize_backup_code(code)?,
        _ => validate::code(code)?.to_owned(),
    };

    let now = now_ms();
    let mut tx = state.db.write().await?;
    let (row, user, second) = waiting_sign_in(&mut tx, &client.id, &sign_in_id).await?;
    state.sign_in_limits.check(row.identifier.as_deref().unwrap_or(&user.id), &client.id)?;
    // Counted per user, not per sign-in: a new sign-in gives no new guesses (`domain::lockout`).
    domain::lockout::ensure_unlocked(&mut tx, &state.lockout, &user).await?;
    let verified = match strategy {
        "totp" => second_factor::check_app_code(&mut tx, &state, &user.id, &code).await?,
        "phone_code" => {
            let sent =
                second.as_ref().and_then(|second| Some((second.code_hash.as_deref()?, second.expire_at)));
            let Some((stored, expire_at)) = sent else {
                return Err(Error::VerificationMissing);
            };
            if expire_at.is_some_and(|at| at <= now) {
                return Err(Error::VerificationExpired);
            }
            one_time_code::matches(&code, stored)
        }
        _ => second_factor::use_backup_code(&mut tx, &state, &user.id, &code).await?,
    };

    if !verified {
        let locked = domain::lockout::count_failure(&mut tx, &state.lockout, &user.id).await?;
        let attempts = second.as_ref().map_or(0, |second| second.attempts).saturating_add(1);
        let attempts = u32::try_from(attempts).unwrap_or(u32::MAX);
        let refusal = if attempts >= MAX_ATTEMPTS {
            second_factors::record_attempt(&mut tx, &row.id, strategy, "failed").await?;
            second_factors::set_sign_in_status(&mut tx, &row.id, "abandoned", None).await?;
            Error::VerificationFailed
        } else {
            second_factors::record_attempt(&mut tx, &row.id, strategy, "unverified").await?;
            Error::CodeIncorrect { attempts_left: MAX_ATTEMPTS - attempts }
        };
        // The attempt counts even though the answer is an error.
        tx.commit().await?;
        return Err(locked.unwrap_or(refusal));
    }

    domain::sessions::ensure_room(&mut tx, state.sign_in.session_mode, &client.id).await?;
    second_factors::record_attempt(&mut tx, &row.id, strategy, "verified").await?;
    let identifier = row.identifier.clone().unwrap_or_default();
    let session =
        domain::sessions::start(&mut tx, &client.id, &user.id, &identifier, "password", &activity).await?;
    sessions::record_second_factor(&mut tx, &session.id, session.created_at).await?;
    domain::lockout::clear(&mut tx, &user.id).await?;
    second_factors::set_sign_in_status(&mut tx, &row.id, "complete", Some(&session.id)).await?;
    let envelope = render::sign_in::envelope(&mut tx, &state.base_url, &client.id, &row.id).await?;
    tx.commit().await?;
    tracing::info!(user = %user.id, session = %session.id, factor = strategy, "signed in with a second factor");
    Ok(Json(envelope))
}

/// The account name an authenticator app shows: the primary email address, else the username,
/// else the user id.
async fn account_label(conn: &mut SqliteConnection, user_id: &str) -> Result<String> {
    let account = users::find(conn, user_id).await?.ok_or(Error::SignedOut)?;
    let primary = account.user.primary_email_address_id.as_deref();
    let email =
        account.identifications.iter().find(|i| Some(i.id.as_str()) == primary).map(|i| i.value.clone());
    Ok(email.or(account.user.username).unwrap_or(account.user.id))
}

fn totp_model(
    row: &TotpRow,
    secret: Option<String>,
    uri: Option<String>,
    backup_codes: Option<Vec<String>>,
) -> Totp {
    Totp {
        object: "totp".into(),
        id: row.id.clone(),
        secret,
        uri,
        verified: row.verified,
        backup_codes,
        created_at: row.created_at,
        updated_at: row.updated_at,
    }
}

/// `POST /v1/me/totp`: starts setting up an authenticator app.
async fn create_totp(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Form(form): Form,
) -> Result<Json<Envelope<Totp>>> {
    form.allow_only(&[])?;
    domain::reverification::require(&state, &signed_in, Level::MultiFactor).await?;
    let user_id = &signed_in.session.user_id;
    let mut tx = state.db.write().await?;
    if totp_store::find(&mut tx, user_id).await?.is_some_and(|app| app.verified) {
        return Err(Error::TotpAlreadyEnabled);
    }
    let secret = totp::encode_secret(&totp::generate_secret());
    let sealed = state.security.at_rest.seal(user_id, secret.as_bytes())?;
    let row = totp_store::start(&mut tx, user_id, &sealed).await?;
    let uri = totp::uri(&secret, TOTP_ISSUER, &account_label(&mut tx, user_id).await?);
    users::touch(&mut tx, user_id).await?;
    let envelope = identifications::envelope(
        &mut tx,
        &state.base_url,
        &signed_in.client_id,
        totp_model(&row, Some(secret), Some(uri), None),
    )
    .await?;
    tx.commit().await?;
    Ok(Json(envelope))
}

/// A new set of backup codes for the user, replacing any; the codes, shown once.
async fn new_backup_codes(
    conn: &mut SqliteConnection,
    state: &AppState,
    user_id: &str,
) -> Result<(Vec<String>, i64)> {
    let codes: Vec<String> = {
        let mut rng = rand::rng();
        (0..BACKUP_CODE_COUNT)
            .map(|_| {
                (0..BACKUP_CODE_LENGTH)
                    .map(|_| {
                        char::from(BACKUP_CODE_ALPHABET[rng.random_range(0..BACKUP_CODE_ALPHABET.len())])
                    })
                    .collect()
            })
            .collect()
    };
    let hashes: Vec<String> = codes.iter().map(|code| backup_code_hash(state, user_id, code)).collect();
    let at = backup_codes::replace(conn, user_id, &hashes).await?;
    Ok((codes, at))
}

/// `POST /v1/me/totp/attempt_verification`: the first code from the app verifies it.
async fn attempt_totp(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Form(form): Form,
) -> Result<Json<Envelope<Totp>>> {
    form.allow_only(&["code"])?;
    let code = validate::code(form.required("code")?)?;
    let user_id = &signed_in.session.user_id;
    let mut tx = state.db.write().await?;
    let row = totp_store::find(&mut tx, user_id).await?.ok_or(Error::NotFound("authenticator app"))?;
    if row.verified {
        return Err(Error::VerificationAlreadyVerified);
    }
    let secret = totp_secret(&state, &row)?;
    let accepted =
        match totp::matching_step(&secret, code, state.security.clock.now_secs(), row.last_used_step) {
            Some(step) => totp_store::accept_step(&mut tx, &row.id, step, true).await?,
            None => false,
        };
    if !accepted {
        return Err(FieldError::new(
            "form_code_incorrect",
            "code",
            "is incorrect",
            "Incorrect code. Enter the code your authenticator app shows now, and check that the device's clock is right.".into(),
        )
        .into());
    }
    if domain::second_factor::phones(&mut tx, user_id).await?.is_empty() {
        users::record_mfa(&mut tx, user_id, true).await?;
    }
    // A right code from the app is a second factor verified now (reverification reads it).
    sessions::record_second_factor(&mut tx, &signed_in.session.id, state.security.clock.now_ms()).await?;
    let codes = if totp_store::second_factors(&mut tx, user_id).await?.backup_codes {
        None
    } else {
        Some(new_backup_codes(&mut tx, &state, user_id).await?.0)
    };
    users::touch(&mut tx, user_id).await?;
    let row = totp_store::find(&mut tx, user_id).await?.ok_or(Error::NotFound("authenticator app"))?;
    let envelope = identifications::envelope(
        &mut tx,
        &state.base_url,
        &signed_in.client_id,
        totp_model(&row, None, None, codes),
    )
    .await?;
    tx.commit().await?;
    tracing::info!(user = %user_id, "authenticator app set up");
    Ok(Json(envelope))
}

/// `DELETE /v1/me/totp`: removes the authenticator app (set up or not). Without another second
/// factor, two-step verification is off and the backup codes go too.
async fn delete_totp(
    State(state): State<AppState>,
    signed_in: SignedIn,
) -> Result<Json<Envelope<DeletedObject>>> {
    domain::reverification::require(&state, &signed_in, Level::MultiFactor).await?;
    let user_id = &signed_in.session.user_id;
    let mut tx = state.db.write().await?;
    let row = totp_store::find(&mut tx, user_id).await?.ok_or(Error::NotFound("authenticator app"))?;
    totp_store::delete(&mut tx, user_id).await?;
    if domain::second_factor::phones(&mut tx, user_id).await?.is_empty() {
        backup_codes::delete_all(&mut tx, user_id).await?;
        if row.verified {
            users::record_mfa(&mut tx, user_id, false).await?;
        }
    }
    users::touch(&mut tx, user_id).await?;
    let deleted = DeletedObject { object: "totp".into(), id: Some(row.id), slug: None, deleted: true };
    let envelope = identifications::envelope(&mut tx, &state.base_url, &signed_in.client_id, deleted).await?;
    tx.commit().await?;
    Ok(Json(envelope))
}

/// `POST /v1/me/backup_codes`: a new set of backup codes, replacing the old.
async fn create_backup_codes(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Form(form): Form,
) -> Result<Json<Envelope<BackupCodes>>> {
    form.allow_only(&[])?;
    domain::reverification::require(&state, &signed_in, Level::MultiFactor).await?;
    let user_id = &signed_in.session.user_id;
    let mut tx = state.db.write().await?;
    if !domain::second_factor::required(&mut tx, user_id).await? {
        return Err(Error::BackupCodesUnavailable);
    }
    let (codes, at) = new_backup_codes(&mut tx, &state, user_id).await?;
    users::touch(&mut tx, user_id).await?;
    let codes = BackupCodes {
        object: "backup_code".into(),
        id: new_id("bcode"),
        codes,
        created_at: at,
        updated_at: at,
    };
    let envelope = identifications::envelope(&mut tx, &state.base_url, &signed_in.client_id, codes).await?;
    tx.commit().await?;
    Ok(Json(envelope))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backup_codes_are_read_forgivingly() {
        assert_eq!(normalize_backup_code(" ABCD-2345 ").expect("ok"), "abcd2345");
        assert!(normalize_backup_code("abcd234").is_err(), "too short");
        assert!(normalize_backup_code("abcd2340").is_err(), "0 is not in the alphabet");
        assert!(normalize_backup_code("abcd23456").is_err(), "too long");
    }
}
