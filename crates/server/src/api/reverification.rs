//! Reverification (step-up): `POST /v1/client/sessions/{id}/verify` and its factor steps
//! (`…/verify/prepare_first_factor`, `…/attempt_first_factor`, `…/prepare_second_factor`,
//! `…/attempt_second_factor`), answering `{response: SessionReverification, client}`.
//!
//! The rules (the guard that asks for it: `domain::reverification`):
//! - Only the client's own active session: another's or an unknown id is 404, an ended one 401
//!   `signed_out`. A new `verify` replaces the one under way.
//! - It starts `needs_first_factor`: the password (the sign-in's argon2 path, its rate limits and
//!   the per-user lockout), a code to one of the user's verified email addresses, or one of the
//!   user's passkeys (`prepare_first_factor` gives the request options in the verification's
//!   `nonce`, as at sign-in; each ceremony answers one attempt; with
//!   `passkey_satisfies_second_factor` it completes the reverification whatever its level). Then, for
//!   `second_factor` and `multi_factor` when the user has a second factor, `needs_second_factor`:
//!   `totp`, `phone_code` (an SMS to a number reserved for it) or `backup_code`, as at sign-in.
//!   Then `complete`. A user without a second factor completes with the first (the spec's rule).
//! - Each verified factor moves the session's time for it (`first_factor_verified_at`,
//!   `second_factor_verified_at`, on the server's clock), which is what the guard reads.
//! - Codes as everywhere: 6 digits, `code_lifetime`, the resend cooldown (429), three wrong ones
//!   (422 `form_code_incorrect` with `meta.attempts_remaining`, then 400 `verification_failed`:
//!   start again). Wrong passwords and second-factor codes count against the user's lockout too.
//! - A step the reverification is not waiting for: 422 `form_param_value_invalid` (`strategy`).

use axum::extract::State;
use axum::routing::post;
use axum::{Json, Router};
use sqlx::SqliteConnection;
use userdesk_fapi::models::{Envelope, SessionReverification};
use webauthn_rs::prelude::PublicKeyCredential;

use crate::domain;
use crate::domain::reverification::Level;
use crate::error::{Error, FieldError, Result};
use crate::http::form::{Form, PathId};
use crate::http::native_client::CurrentClient;
use crate::http::validate;
use crate::ids::now_ms;
use crate::one_time_code::{self, MAX_ATTEMPTS};
use crate::outbox::{self, OutboxChannel, Outgoing};
use crate::passkeys::{credential as passkey_credential, CEREMONY_LIFETIME, CREDENTIAL_PARAM};
use crate::password;
use crate::render;
use crate::state::{millis, AppState};
use crate::store::reverifications::{self, Factor, ReverificationRow};
use crate::store::sessions::{self, SessionRow};
use crate::store::users;

/// The routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/client/sessions/{session_id}/verify", post(start))
        .route("/v1/client/sessions/{session_id}/verify/prepare_first_factor", post(prepare_first_factor))
        .route("/v1/client/sessions/{session_id}/verify/attempt_first_factor", post(attempt_first_factor))
        .route("/v1/client/sessions/{session_id}/verify/prepare_second_factor", post(prepare_second_factor))
        .route("/v1/client/sessions/{session_id}/verify/attempt_second_factor", post(attempt_second_factor))
}

/// The client's active session `session_id`.
async fn own_session(conn: &mut SqliteConnection, client_id: &str, session_id: &str) -> Result<SessionRow> {
    let session =
        sessions::find_for_client(conn, client_id, session_id).await?.ok_or(Error::NotFound("session"))?;
    if !session.is_active_at(now_ms()) {
        return Err(Error::SignedOut);
    }
    Ok(session)
}

/// The session's reverification, waiting for `status`.
async fn waiting(conn: &mut SqliteConnection, session_id: &str, status: &str) -> Result<ReverificationRow> {
    let row = reverifications::find(conn, session_id).await?;
    match row {
        Some(row) if row.status == status => Ok(row),
        _ => Err(FieldError::value_invalid(
            "strategy",
            format!("This session's reverification is not waiting for this step ({status}); start one with POST /v1/client/sessions/{{id}}/verify."),
        )
        .into()),
    }
}

async fn respond(
    conn: &mut SqliteConnection,
    state: &AppState,
    client_id: &str,
    session_id: &str,
) -> Result<Json<Envelope<SessionReverification>>> {
    let session = own_session(conn, client_id, session_id).await?;
    let row =
        reverifications::find(conn, session_id).await?.ok_or(Error::NotFound("session reverification"))?;
    let passkeys_on = state.passkeys.enabled;
    Ok(Json(
        render::reverification::envelope(conn, &state.base_url, passkeys_on, client_id, &session, &row)
            .await?,
    ))
}

/// `POST /v1/client/sessions/{id}/verify`: starts a reverification at `level`.
async fn start(
    State(state): State<AppState>,
    client: CurrentClient,
    PathId(session_id): PathId,
    Form(form): Form,
) -> Result<Json<Envelope<SessionReverification>>> {
    form.allow_only(&["level"])?;
    let level = form.required("level")?;
    let level = Level::parse(level).ok_or_else(|| {
        FieldError::value_invalid(
            "level",
            "`level` must be `first_factor`, `second_factor` or `multi_factor`.",
        )
    })?;
    let mut tx = state.db.write().await?;
    let session = own_session(&mut tx, &client.id, &session_id).await?;
    reverifications::start(&mut tx, &session.id, level.as_str(), "needs_first_factor", now_ms()).await?;
    let answer = respond(&mut tx, &state, &client.id, &session.id).await?;
    tx.commit().await?;
    Ok(answer)
}

/// `…/verify/prepare_first_factor`: sends a code to a verified email address of the user
/// (`email_code`, `email_address_id`), or starts a passkey ceremony (`passkey`: the request
/// options in `first_factor_verification.nonce`).
async fn prepare_first_factor(
    State(state): State<AppState>,
    client: CurrentClient,
    PathId(session_id): PathId,
    Form(form): Form,
) -> Result<Json<Envelope<SessionReverification>>> {
    form.allow_only(&["strategy", "email_address_id", "phone_number_id", "proof_token"])?;
    let strategy = form.required("strategy")?;
    if strategy == domain::passkeys::STRATEGY {
        for name in ["email_address_id", "phone_number_id"] {
            if form.one(name)?.is_some_and(|value| !value.is_empty()) {
                return Err(FieldError::not_used_with(name, strategy).into());
            }
        }
        return prepare_passkey(&state, &client.id, &session_id).await;
    }
    if strategy != "email_code" {
        return Err(FieldError::value_invalid(
            "strategy",
            format!(
                "`{strategy}` cannot be prepared here; use `email_code` or `passkey` (a password needs no preparation)."
            ),
        )
        .into());
    }
    let email_address_id = form.required("email_address_id")?;
    let now = now_ms();
    let mut tx = state.db.write().await?;
    let session = own_session(&mut tx, &client.id, &session_id).await?;
    let row = waiting(&mut tx, &session.id, "needs_first_factor").await?;
    let email = crate::store::identifications::find_for_user(
        &mut tx,
        &session.user_id,
        "email_address",
        email_address_id,
    )
    .await?
    .filter(|email| email.is_verified())
    .ok_or_else(|| {
        FieldError::value_invalid(
            "email_address_id",
            "`email_address_id` must name a verified email address of this account.",
        )
    })?;
    let to = CodeTarget { channel: OutboxChannel::Email, id: &email.id, address: &email.value };
    send_code(&mut tx, &state, &session.id, Factor::First, &to, row.first.sent_at, now).await?;
    let answer = respond(&mut tx, &state, &client.id, &session.id).await?;
    tx.commit().await?;
    Ok(answer)
}

/// Starts the first factor's passkey ceremony (replacing a code or ceremony under way).
async fn prepare_passkey(
    state: &AppState,
    client_id: &str,
    session_id: &str,
) -> Result<Json<Envelope<SessionReverification>>> {
    let mut tx = state.db.write().await?;
    let session = own_session(&mut tx, client_id, session_id).await?;
    waiting(&mut tx, &session.id, "needs_first_factor").await?;
    let user = users::find_row(&mut tx, &session.user_id).await?.ok_or(Error::SignedOut)?;
    domain::lockout::ensure_unlocked(&mut tx, &state.lockout, &user).await?;
    let (ceremony, nonce) = domain::passkeys::start_reverification(&mut tx, state, &user.id).await?;
    let expire_at = state.security.clock.now_ms().saturating_add(millis(CEREMONY_LIFETIME));
    reverifications::prepare_passkey(&mut tx, &session.id, &ceremony, &nonce, expire_at, now_ms()).await?;
    let answer = respond(&mut tx, state, client_id, &session.id).await?;
    tx.commit().await?;
    Ok(answer)
}

/// Where a factor's code goes: a verified email address or a reserved phone number.
struct CodeTarget<'a> {
    channel: OutboxChannel,
    /// The identification's id.
    id: &'a str,
    /// The address or number itself.
    address: &'a str,
}

/// Sends a new code for `factor` to `to`, replacing any earlier one: the channel must deliver
/// on this instance, and the resend cooldown since `last_sent` must have passed.
async fn send_code(
    conn: &mut SqliteConnection,
    state: &AppState,
    session_id: &str,
    factor: Factor,
    to: &CodeTarget<'_>,
    last_sent: Option<i64>,
    now: i64,
) -> Result<()> {
    outbox::ensure_deliverable(state.mode, to.channel)?;
    if let Some(sent_at) = last_sent {
        domain::verification::ensure_cooldown_passed(state, sent_at, now)?;
    }
    let code = one_time_code::generate();
    let lifetime = state.verification.code_lifetime;
    let (strategy, message) = match to.channel {
        OutboxChannel::Email => ("email_code", Outgoing::email_code(to.address, &code, lifetime)),
        OutboxChannel::Sms => ("phone_code", Outgoing::sms_code(to.address, &code, lifetime)),
    };
    let expire_at = now.saturating_add(millis(lifetime));
    let hash = one_time_code::hash(&code);
    reverifications::prepare_code(conn, session_id, factor, strategy, &hash, to.id, expire_at, now).await?;
    outbox::send(conn, state.mode, message).await
}

/// How a code sent for one factor compares with the one given; the attempt is recorded.
async fn check_sent_code(
    conn: &mut SqliteConnection,
    session_id: &str,
    factor: Factor,
    sent: &reverifications::FactorRow,
    strategy: &str,
    code: &str,
) -> Result<std::result::Result<(), Error>> {
    let now = now_ms();
    let (Some(stored), Some(sent_strategy)) = (sent.code_hash.as_deref(), sent.strategy.as_deref()) else {
        return Ok(Err(Error::VerificationMissing));
    };
    if sent_strategy != strategy {
        return Ok(Err(Error::VerificationMissing));
    }
    match render::status_at(sent.status.as_deref().unwrap_or("unverified"), sent.expire_at, now) {
        "failed" => return Ok(Err(Error::VerificationFailed)),
        "expired" => return Ok(Err(Error::VerificationExpired)),
        _ => {}
    }
    if one_time_code::matches(code, stored) {
        return Ok(Ok(()));
    }
    let attempts = u32::try_from(sent.attempts.saturating_add(1)).unwrap_or(u32::MAX);
    if attempts >= MAX_ATTEMPTS {
        reverifications::record_attempt(conn, session_id, factor, strategy, "failed", true, now).await?;
        return Ok(Err(Error::VerificationFailed));
    }
    reverifications::record_attempt(conn, session_id, factor, strategy, "unverified", true, now).await?;
    Ok(Err(Error::CodeIncorrect { attempts_left: MAX_ATTEMPTS - attempts }))
}

/// `…/verify/attempt_first_factor`: `password` with `password`, or `email_code` with `code`.
async fn attempt_first_factor(
    State(state): State<AppState>,
    client: CurrentClient,
    PathId(session_id): PathId,
    Form(form): Form,
) -> Result<Json<Envelope<SessionReverification>>> {
    form.allow_only(&["strategy", "code", "password", "public_key_credential"])?;
    let strategy = form.required("strategy")?;
    let secret = match strategy {
        "password" => form.required("password")?,
        "email_code" => validate::code(form.required("code")?)?,
        domain::passkeys::STRATEGY => {
            let credential = form.required(CREDENTIAL_PARAM)?;
            return attempt_passkey(&state, &client.id, &session_id, credential).await;
        }
        other => {
            return Err(FieldError::value_invalid(
                "strategy",
                format!(
                    "`{other}` is not a first factor this server verifies; use `password`, `email_code` or `passkey`."
                ),
            )
            .into())
        }
    };
    let (session, user) = {
        let mut conn = state.db.pool().acquire().await?;
        let session = own_session(&mut conn, &client.id, &session_id).await?;
        waiting(&mut conn, &session.id, "needs_first_factor").await?;
        let user = users::find_row(&mut conn, &session.user_id).await?.ok_or(Error::SignedOut)?;
        (session, user)
    };

    let by_password = strategy == "password";
    if by_password {
        let Some(stored) = user.password_hash.clone() else {
            return Err(FieldError::value_invalid(
                "strategy",
                "This account has no password; use `email_code`.",
            )
            .into());
        };
        state.sign_in_limits.check(&session.identifier, &client.id)?;
        {
            let mut conn = state.db.pool().acquire().await?;
            domain::lockout::ensure_unlocked(&mut conn, &state.lockout, &user).await?;
        }
        // The sign-in's argon2 path (outside the write transaction: it is slow).
        let matches = secret.chars().count() <= password::PASSWORD_MAX_LENGTH
            && password::verify(secret.to_owned(), stored).await?;
        if !matches {
            let mut tx = state.db.write().await?;
            reverifications::record_attempt(
                &mut tx,
                &session.id,
                Factor::First,
                "password",
                "unverified",
                true,
                now_ms(),
            )
            .await?;
            let locked = domain::lockout::count_failure(&mut tx, &state.lockout, &user.id).await?;
            tx.commit().await?;
            return Err(locked.unwrap_or_else(|| FieldError::password_incorrect().into()));
        }
    }

    let mut tx = state.db.write().await?;
    let row = waiting(&mut tx, &session.id, "needs_first_factor").await?;
    if !by_password {
        if let Err(refused) =
            check_sent_code(&mut tx, &session.id, Factor::First, &row.first, strategy, secret).await?
        {
            // A wrong code counts even though the answer is an error.
            tx.commit().await?;
            return Err(refused);
        }
    } else {
        domain::lockout::ensure_unlocked(&mut tx, &state.lockout, &user).await?;
    }
    let now = now_ms();
    reverifications::record_attempt(&mut tx, &session.id, Factor::First, strategy, "verified", true, now)
        .await?;
    sessions::record_first_factor(&mut tx, &session.id, state.security.clock.now_ms()).await?;
    let level = Level::parse(&row.level).unwrap_or(Level::MultiFactor);
    let next = if level.wants_second_factor() && domain::second_factor::required(&mut tx, &user.id).await? {
        "needs_second_factor"
    } else {
        "complete"
    };
    reverifications::set_status(&mut tx, &session.id, next, now).await?;
    let answer = respond(&mut tx, &state, &client.id, &session.id).await?;
    tx.commit().await?;
    tracing::info!(user = %user.id, session = %session.id, factor = strategy, "session reverified (first factor)");
    Ok(answer)
}

/// `…/verify/attempt_first_factor` with `passkey`: the assertion answers the ceremony
/// `prepare_first_factor` started (used up by this attempt, right or wrong). With
/// `passkey_satisfies_second_factor` (as at sign-in) a user-verified passkey stands for the
/// second factor too, so the reverification completes whatever its level.
async fn attempt_passkey(
    state: &AppState,
    client_id: &str,
    session_id: &str,
    credential: &str,
) -> Result<Json<Envelope<SessionReverification>>> {
    let answer: PublicKeyCredential = passkey_credential(credential)?;
    let now = state.security.clock.now_ms();
    let mut tx = state.db.write().await?;
    let session = own_session(&mut tx, client_id, session_id).await?;
    let row = waiting(&mut tx, &session.id, "needs_first_factor").await?;
    let user = users::find_row(&mut tx, &session.user_id).await?.ok_or(Error::SignedOut)?;
    let ceremony = match reverifications::take_passkey_state(&mut tx, &session.id).await? {
        Some(ceremony) if row.first.strategy.as_deref() == Some(domain::passkeys::STRATEGY) => ceremony,
        _ => {
            return Err(FieldError::value_invalid(
                "strategy",
                "No passkey challenge is waiting on this reverification (each is answered once): prepare the `passkey` first factor again.",
            )
            .into())
        }
    };
    let checked = if row.first.expire_at.is_some_and(|end| end <= now) {
        Err(Error::VerificationExpired)
    } else {
        domain::lockout::ensure_unlocked(&mut tx, &state.lockout, &user).await?;
        domain::passkeys::finish_reverification(&mut tx, state, &user.id, &ceremony, &answer, now).await
    };
    // The attempt counts either way, and the ceremony is used up: a refusal is committed too.
    let status = if checked.is_ok() { "verified" } else { "unverified" };
    reverifications::record_attempt(
        &mut tx,
        &session.id,
        Factor::First,
        domain::passkeys::STRATEGY,
        status,
        true,
        now_ms(),
    )
    .await?;
    let passkey = match checked {
        Ok(passkey) => passkey,
        Err(error) => {
            tx.commit().await?;
            return Err(error);
        }
    };
    sessions::record_first_factor(&mut tx, &session.id, now).await?;
    let level = Level::parse(&row.level).unwrap_or(Level::MultiFactor);
    let next = if state.passkeys.satisfies_second_factor {
        sessions::record_second_factor(&mut tx, &session.id, now).await?;
        "complete"
    } else if level.wants_second_factor() && domain::second_factor::required(&mut tx, &user.id).await? {
        "needs_second_factor"
    } else {
        "complete"
    };
    reverifications::set_status(&mut tx, &session.id, next, now_ms()).await?;
    let answer = respond(&mut tx, state, client_id, &session.id).await?;
    tx.commit().await?;
    tracing::info!(user = %user.id, session = %session.id, passkey = %passkey.id, "session reverified with a passkey");
    Ok(answer)
}

/// `…/verify/prepare_second_factor`: sends an SMS code to a number reserved for two-step
/// verification (`phone_number_id`, else the default one).
async fn prepare_second_factor(
    State(state): State<AppState>,
    client: CurrentClient,
    PathId(session_id): PathId,
    Form(form): Form,
) -> Result<Json<Envelope<SessionReverification>>> {
    form.allow_only(&["strategy", "phone_number_id", "proof_token"])?;
    match form.one("strategy")?.filter(|s| !s.is_empty()) {
        None | Some("phone_code") => {}
        Some(other) => {
            return Err(FieldError::value_invalid(
                "strategy",
                format!("`{other}` needs no preparation; only `phone_code` sends a code."),
            )
            .into())
        }
    }
    let wanted = form.one("phone_number_id")?.filter(|id| !id.is_empty());
    let now = now_ms();
    let mut tx = state.db.write().await?;
    let session = own_session(&mut tx, &client.id, &session_id).await?;
    let row = waiting(&mut tx, &session.id, "needs_second_factor").await?;
    let phones = domain::second_factor::phones(&mut tx, &session.user_id).await?;
    let phone = match wanted {
        Some(id) => phones.iter().find(|phone| phone.id == id),
        None => phones.iter().find(|phone| phone.default_second_factor).or_else(|| phones.first()),
    }
    .ok_or_else(|| {
        FieldError::value_invalid(
            "phone_number_id",
            "`phone_number_id` must name a verified phone number of this account reserved for two-step verification.",
        )
    })?;
    let to = CodeTarget { channel: OutboxChannel::Sms, id: &phone.id, address: &phone.value };
    send_code(&mut tx, &state, &session.id, Factor::Second, &to, row.second.sent_at, now).await?;
    let answer = respond(&mut tx, &state, &client.id, &session.id).await?;
    tx.commit().await?;
    Ok(answer)
}

/// `…/verify/attempt_second_factor`: `totp`, `phone_code` or `backup_code` with `code`.
async fn attempt_second_factor(
    State(state): State<AppState>,
    client: CurrentClient,
    PathId(session_id): PathId,
    Form(form): Form,
) -> Result<Json<Envelope<SessionReverification>>> {
    form.allow_only(&["strategy", "code"])?;
    let strategy = form.required("strategy")?;
    let code = form.required("code")?;
    let code = match strategy {
        "backup_code" => domain::second_factor::normalize_backup_code(code)?,
        "totp" | "phone_code" => validate::code(code)?.to_owned(),
        other => {
            return Err(FieldError::value_invalid(
                "strategy",
                format!("`{other}` is not a second factor this server supports; use `totp`, `phone_code` or `backup_code`."),
            )
            .into())
        }
    };
    let now = now_ms();
    let mut tx = state.db.write().await?;
    let session = own_session(&mut tx, &client.id, &session_id).await?;
    let row = waiting(&mut tx, &session.id, "needs_second_factor").await?;
    if row.second.status.as_deref() == Some("failed") {
        return Err(Error::VerificationFailed);
    }
    let user = users::find_row(&mut tx, &session.user_id).await?.ok_or(Error::SignedOut)?;
    state.sign_in_limits.check(&session.identifier, &client.id)?;
    domain::lockout::ensure_unlocked(&mut tx, &state.lockout, &user).await?;
    let verified = match strategy {
        "totp" => domain::second_factor::check_app_code(&mut tx, &state, &user.id, &code).await?,
        "phone_code" => {
            let Some(stored) = row
                .second
                .code_hash
                .as_deref()
                .filter(|_| row.second.strategy.as_deref() == Some("phone_code"))
            else {
                return Err(Error::VerificationMissing);
            };
            if row.second.expire_at.is_some_and(|at| at <= now) {
                return Err(Error::VerificationExpired);
            }
            one_time_code::matches(&code, stored)
        }
        _ => domain::second_factor::use_backup_code(&mut tx, &state, &user.id, &code).await?,
    };
    if !verified {
        let locked = domain::lockout::count_failure(&mut tx, &state.lockout, &user.id).await?;
        let attempts = u32::try_from(row.second.attempts.saturating_add(1)).unwrap_or(u32::MAX);
        let refusal = if attempts >= MAX_ATTEMPTS {
            reverifications::record_attempt(
                &mut tx,
                &session.id,
                Factor::Second,
                strategy,
                "failed",
                true,
                now,
            )
            .await?;
            Error::VerificationFailed
        } else {
            reverifications::record_attempt(
                &mut tx,
                &session.id,
                Factor::Second,
                strategy,
                "unverified",
                true,
                now,
            )
            .await?;
            Error::CodeIncorrect { attempts_left: MAX_ATTEMPTS - attempts }
        };
        // The attempt counts even though the answer is an error.
        tx.commit().await?;
        return Err(locked.unwrap_or(refusal));
    }
    reverifications::record_attempt(&mut tx, &session.id, Factor::Second, strategy, "verified", true, now)
        .await?;
    sessions::record_second_factor(&mut tx, &session.id, state.security.clock.now_ms()).await?;
    reverifications::set_status(&mut tx, &session.id, "complete", now).await?;
    let answer = respond(&mut tx, &state, &client.id, &session.id).await?;
    tx.commit().await?;
    tracing::info!(user = %user.id, session = %session.id, factor = strategy, "session reverified (second factor)");
    Ok(answer)
}
