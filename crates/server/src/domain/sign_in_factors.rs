//! Signing in by code or link: the first factors `email_code`, `phone_code`, `email_link` and
//! forgot-password (`reset_password_email_code`, `reset_password_phone_code`, then a new
//! password), and the client-trust check (`needs_client_trust`: a code to the user's email or phone after a right
//! password from a client they never signed in on).
//!
//! The rules:
//! - A factor the instance does not enable ([`crate::Config::first_factors`]), or that the user
//!   cannot use (no verified email address or phone number for it, no password): 422
//!   `strategy_for_user_invalid` naming `strategy`. Only verified identifications receive codes.
//! - Codes are [`crate::one_time_code`]'s: six digits, hashed, [`MAX_ATTEMPTS`] wrong tries (422
//!   `form_code_incorrect` with `meta.attempts_remaining`, the last one 400
//!   `verification_failed`), [`crate::Config::code_lifetime`] (`verification_expired`), a new
//!   prepare replaces the code within the resend cooldown's limit (429). A malformed code is 422
//!   `form_param_format_invalid` and not counted; a code never sent, or sent for another
//!   strategy, is 400 `verification_missing`; a code already used, 400
//!   `verification_already_verified`.
//! - Wrong codes count toward the user's lockout (`domain::lockout`) as wrong passwords do, and
//!   every attempt takes from the sign-in rate limits.
//! - A right first factor completes the sign-in, or asks the user's second factor when they have
//!   two-step verification on; a right reset code moves it to `needs_new_password`.
//! - An email link ([`send_link`]) is opened in any browser (`GET /v1/verify`, no client: the
//!   environment's `email_link.require_same_client` is `false`); it works once, until
//!   [`crate::Config::link_lifetime`], and signs in the client that started the sign-in, which
//!   learns of it by polling the sign-in ([`open_link`]).

use sqlx::SqliteConnection;
use userdesk_fapi::models::{Envelope, SignIn};

use crate::domain;
use crate::domain::sessions::SessionMode;
use crate::error::{Error, FieldError, Result};
use crate::ids::{new_client_token, now_ms, token_hash};
use crate::one_time_code::{self, MAX_ATTEMPTS};
use crate::outbox::{self, OutboxChannel, Outgoing};
use crate::render;
use crate::sign_in_policy::FirstFactor;
use crate::state::{millis, AppState};
use crate::store::identifications::list_for_user;
use crate::store::second_factors;
use crate::store::sessions::Activity;
use crate::store::sign_in_factors::{self, Factor, LinkRow};
use crate::store::sign_ins::{self, SignInRow};
use crate::store::users::{self, IdentificationRow, UserRow};

/// 422 `strategy_for_user_invalid` (Clerk's): the instance or the user has no such factor.
pub fn strategy_invalid(strategy: &str) -> Error {
    FieldError::new(
        "strategy_for_user_invalid",
        "strategy",
        "is invalid",
        format!("The `{strategy}` strategy cannot be used to sign in to this account."),
    )
    .into()
}

/// The client's sign-in and its user (404 for another client's or one with no user yet).
pub async fn sign_in_and_user(
    conn: &mut SqliteConnection,
    client_id: &str,
    sign_in_id: &str,
) -> Result<(SignInRow, UserRow)> {
    let row =
        sign_ins::find_for_client(conn, client_id, sign_in_id).await?.ok_or(Error::NotFound("sign in"))?;
    let user = match &row.user_id {
        Some(user_id) => users::find_row(conn, user_id).await?,
        None => None,
    };
    let user = user.ok_or(Error::NotFound("sign in"))?;
    Ok((row, user))
}

/// The verified email address (`email`) or phone number the code goes to: `wanted` (named by
/// `param`), else the one the sign-in was identified by, else the primary, else the oldest.
pub async fn target(
    conn: &mut SqliteConnection,
    user: &UserRow,
    email: bool,
    wanted: Option<&str>,
    param: &str,
    identified_by: Option<&str>,
    strategy: &str,
) -> Result<IdentificationRow> {
    let kind = if email { "email_address" } else { "phone_number" };
    let verified: Vec<IdentificationRow> =
        list_for_user(conn, &user.id, kind).await?.into_iter().filter(|i| i.is_verified()).collect();
    if let Some(wanted) = wanted {
        return verified.into_iter().find(|i| i.id == wanted).ok_or_else(|| {
            FieldError::value_invalid(
                param,
                format!("`{param}` must name a verified {} of this account.", kind.replace('_', " ")),
            )
            .into()
        });
    }
    let primary = if email { &user.primary_email_address_id } else { &user.primary_phone_number_id };
    let pick = verified
        .iter()
        .position(|i| Some(i.id.as_str()) == identified_by)
        .or_else(|| verified.iter().position(|i| Some(&i.id) == primary.as_ref()))
        .or(if verified.is_empty() { None } else { Some(0) });
    match pick {
        Some(at) => Ok(verified.into_iter().nth(at).ok_or_else(|| strategy_invalid(strategy))?),
        None => Err(strategy_invalid(strategy)),
    }
}

/// The message a sign-in code goes out in.
fn message(strategy: &str, to: &IdentificationRow, code: &str, state: &AppState) -> Outgoing {
    let lifetime = state.verification.code_lifetime;
    let mut message = if to.kind == "email_address" {
        Outgoing::email_code(&to.value, code, lifetime)
    } else {
        Outgoing::sms_code(&to.value, code, lifetime)
    };
    let (purpose, subject) = if strategy.starts_with("reset_password_") {
        ("reset your password", format!("{code} is your Userdesk password reset code"))
    } else {
        ("sign in", format!("{code} is your Userdesk sign-in code"))
    };
    if to.kind == "email_address" {
        message.subject = subject;
        message.body = format!(
            "Enter this code to {purpose}:\n\n{code}\n\nIt works once and expires soon. If you did not \
             ask for it, ignore this email: nobody can sign in without it."
        );
    } else {
        message.body = format!("{code} is your Userdesk code to {purpose}. Do not share it.");
    }
    message
}

/// Sends a new code for `strategy` of the sign-in's `factor` to `to`, replacing any earlier one
/// (refused within the resend cooldown, or where nothing can be delivered).
pub async fn send_code(
    conn: &mut SqliteConnection,
    state: &AppState,
    sign_in_id: &str,
    factor: Factor,
    strategy: &str,
    to: &IdentificationRow,
) -> Result<()> {
    let now = now_ms();
    let channel = if to.kind == "email_address" { OutboxChannel::Email } else { OutboxChannel::Sms };
    outbox::ensure_deliverable(state.mode, channel)?;
    if let Some(sent_at) = sign_in_factors::find(conn, sign_in_id, factor).await?.and_then(|row| row.sent_at)
    {
        domain::verification::ensure_cooldown_passed(state, sent_at, now)?;
    }
    let code = one_time_code::generate();
    let expire_at = now.saturating_add(millis(state.verification.code_lifetime));
    sign_in_factors::prepare_code(
        conn,
        sign_in_id,
        factor,
        strategy,
        &to.id,
        &one_time_code::hash(&code),
        expire_at,
    )
    .await?;
    outbox::send(conn, state.mode, message(strategy, to, &code, state)).await
}

/// Sends a sign-in link (`email_link`) to the verified address `to`, replacing any earlier code
/// or link of the first factor (refused within the resend cooldown). The browser that opens it
/// comes back with `redirect_url` (already validated), or sees a page.
pub async fn send_link(
    conn: &mut SqliteConnection,
    state: &AppState,
    sign_in_id: &str,
    to: &IdentificationRow,
    redirect_url: Option<&str>,
) -> Result<()> {
    let now = now_ms();
    outbox::ensure_deliverable(state.mode, OutboxChannel::Email)?;
    if let Some(sent_at) =
        sign_in_factors::find(conn, sign_in_id, Factor::First).await?.and_then(|row| row.sent_at)
    {
        domain::verification::ensure_cooldown_passed(state, sent_at, now)?;
    }
    // A long random token (as client tokens are); only its hash is kept.
    let token = new_client_token();
    let lifetime = state.verification.link_lifetime;
    let expire_at = now.saturating_add(millis(lifetime));
    sign_in_factors::prepare_link(conn, sign_in_id, &to.id, &token_hash(&token), redirect_url, expire_at)
        .await?;
    let link = format!("{}/v1/verify?token={token}", state.base_url);
    // In desktop mode the browser that opens it needs a capability, made for this link.
    let link = crate::desktop::link(state, link, &token_hash(&token), lifetime);
    outbox::send(conn, state.mode, Outgoing::sign_in_link(&to.value, &link, lifetime)).await
}

/// A sign-in link that was opened.
pub struct LinkOpened {
    /// Where the browser goes on, if the sign-in named a place.
    pub redirect_url: Option<String>,
}

/// `GET /v1/verify` with a token: when it is a sign-in's link, verifies the first factor and
/// signs in the client that started the sign-in (or asks it the user's second factor). `None`
/// when the token is no sign-in's. A used link is `verification_already_verified`, a late one
/// `verification_expired`, one replaced by a newer code or link (or whose sign-in went on
/// without it) `link_invalid`; nothing changes then.
pub async fn open_link(state: &AppState, hash: &str) -> Result<Option<LinkOpened>> {
    let mut tx = state.db.write().await?;
    let Some(link) = sign_in_factors::find_by_link_token(&mut tx, hash).await? else {
        return Ok(None);
    };
    let LinkRow { sign_in_id, client_id, status, expire_at, redirect_url } = link;
    let now = now_ms();
    match render::status_at(&status, expire_at, now) {
        "unverified" => {}
        "verified" => return Err(Error::VerificationAlreadyVerified),
        "expired" => return Err(Error::VerificationExpired),
        _ => return Err(Error::LinkInvalid),
    }
    let (row, user) = sign_in_and_user(&mut tx, &client_id, &sign_in_id).await?;
    if row.status != "needs_first_factor" || row.abandon_at <= now {
        return Err(Error::LinkInvalid);
    }
    domain::lockout::ensure_unlocked(&mut tx, &state.lockout, &user).await?;
    sign_in_factors::mark_link_verified(&mut tx, &row.id).await?;
    // The session is the client's that started the sign-in; its own requests tell its activity.
    finish(
        &mut tx,
        state.sign_in.session_mode,
        &client_id,
        &row,
        &user,
        FirstFactor::EmailLink.as_str(),
        &Activity::default(),
    )
    .await?;
    tx.commit().await?;
    tracing::info!(user = %user.id, sign_in = %row.id, "sign-in link opened");
    Ok(Some(LinkOpened { redirect_url }))
}

/// How a code attempt ended, once recorded.
pub enum CodeCheck {
    /// The code was right; the verification is `verified` and the code forgotten.
    Verified,
    /// Refused; the attempt (if it counted) is recorded and must be committed before answering.
    Refused(Error),
}

/// Checks `code` (already well-formed) against the sign-in's `factor` code for `strategy`, and
/// records the attempt; a wrong one counts toward the user's lockout. The caller commits either
/// way.
pub async fn check_code(
    conn: &mut SqliteConnection,
    state: &AppState,
    sign_in_id: &str,
    factor: Factor,
    strategy: &str,
    user_id: &str,
    code: &str,
) -> Result<CodeCheck> {
    let Some(row) = sign_in_factors::find(conn, sign_in_id, factor).await? else {
        return Ok(CodeCheck::Refused(Error::VerificationMissing));
    };
    if row.strategy != strategy {
        return Ok(CodeCheck::Refused(Error::VerificationMissing));
    }
    match render::status_at(&row.status, row.expire_at, now_ms()) {
        "verified" => return Ok(CodeCheck::Refused(Error::VerificationAlreadyVerified)),
        "failed" => return Ok(CodeCheck::Refused(Error::VerificationFailed)),
        "expired" => return Ok(CodeCheck::Refused(Error::VerificationExpired)),
        _ => {}
    }
    let Some(stored) = row.code_hash.as_deref() else {
        return Ok(CodeCheck::Refused(Error::VerificationMissing));
    };
    if one_time_code::matches(code, stored) {
        sign_in_factors::record_attempt(conn, sign_in_id, factor, "verified").await?;
        return Ok(CodeCheck::Verified);
    }
    let locked = domain::lockout::count_failure(conn, &state.lockout, user_id).await?;
    let attempts = u32::try_from(row.attempts.unwrap_or(0)).unwrap_or(u32::MAX).saturating_add(1);
    let refusal = if attempts >= MAX_ATTEMPTS {
        sign_in_factors::record_attempt(conn, sign_in_id, factor, "failed").await?;
        Error::VerificationFailed
    } else {
        sign_in_factors::record_attempt(conn, sign_in_id, factor, "unverified").await?;
        Error::CodeIncorrect { attempts_left: MAX_ATTEMPTS - attempts }
    };
    Ok(CodeCheck::Refused(locked.unwrap_or(refusal)))
}

/// After a right first factor (or a new password): asks the user's second factor when they have
/// one, else starts the session and completes the sign-in.
pub async fn finish(
    conn: &mut SqliteConnection,
    mode: SessionMode,
    client_id: &str,
    row: &SignInRow,
    user: &UserRow,
    strategy: &str,
    activity: &Activity,
) -> Result<()> {
    domain::sessions::ensure_room(conn, mode, client_id).await?;
    if domain::second_factor::required(conn, &user.id).await? {
        second_factors::set_sign_in_status(conn, &row.id, "needs_second_factor", None).await?;
        return Ok(());
    }
    let identifier = row.identifier.clone().unwrap_or_default();
    let session = domain::sessions::start(conn, client_id, &user.id, &identifier, strategy, activity).await?;
    domain::lockout::clear(conn, &user.id).await?;
    second_factors::set_sign_in_status(conn, &row.id, "complete", Some(&session.id)).await?;
    tracing::info!(user = %user.id, session = %session.id, factor = strategy, "signed in");
    Ok(())
}

/// What follows a right password, decided under the write lock: the client must still be signed
/// out and the user unlocked (failures racing this attempt may have locked them), then the
/// sign-in needs the second factor, the new-device check, or (`None`) nothing more.
pub async fn after_right_password(
    conn: &mut SqliteConnection,
    state: &AppState,
    client_id: &str,
    user: &UserRow,
) -> Result<Option<&'static str>> {
    domain::sessions::ensure_room(conn, state.sign_in.session_mode, client_id).await?;
    domain::lockout::ensure_unlocked(conn, &state.lockout, user).await?;
    Ok(if domain::second_factor::required(conn, &user.id).await? {
        Some("needs_second_factor")
    } else if needs_client_trust(conn, state, client_id, &user.id).await? {
        Some("needs_client_trust")
    } else {
        None
    })
}

/// `true` when a right password from this client must still pass the client-trust check: the
/// instance asks for it and the user never completed a sign-in here. Users with two-step
/// verification are asked their second factor instead, as Clerk does.
pub async fn needs_client_trust(
    conn: &mut SqliteConnection,
    state: &AppState,
    client_id: &str,
    user_id: &str,
) -> Result<bool> {
    if !state.sign_in.client_trust || domain::second_factor::required(conn, user_id).await? {
        return Ok(false);
    }
    Ok(!sign_in_factors::client_known(conn, client_id, user_id).await?)
}

/// `POST …/attempt_first_factor` with a code strategy (`email_code`, `phone_code`,
/// `reset_password_*`): checks the code and moves the sign-in on (see the module's rules).
pub async fn attempt_first_factor_code(
    state: &AppState,
    client_id: &str,
    activity: &Activity,
    sign_in_id: &str,
    factor: FirstFactor,
    code: &str,
) -> Result<Envelope<SignIn>> {
    let strategy = factor.as_str();
    let code = crate::http::validate::code(code)?;
    let (row, user) = {
        let mut conn = state.db.pool().acquire().await?;
        sign_in_and_user(&mut conn, client_id, sign_in_id).await?
    };
    if row.status != "needs_first_factor" || row.abandon_at <= now_ms() {
        if row.first_factor_strategy.as_deref() == Some(strategy)
            && row.first_factor_status.as_deref() == Some("verified")
        {
            return Err(Error::VerificationAlreadyVerified);
        }
        return Err(FieldError::value_invalid(
            "strategy",
            "This sign-in is not waiting for a first factor; start a new sign-in.",
        )
        .into());
    }
    if !crate::sign_in_policy::FirstFactors::from_stored(row.first_factors.as_deref()).allows(factor) {
        return Err(strategy_invalid(strategy));
    }
    state.sign_in_limits.check(row.identifier.as_deref().unwrap_or(&user.id), client_id)?;
    let mut tx = state.db.write().await?;
    domain::lockout::ensure_unlocked(&mut tx, &state.lockout, &user).await?;
    match check_code(&mut tx, state, &row.id, Factor::First, strategy, &user.id, code).await? {
        CodeCheck::Refused(error) => {
            // A wrong code counts even though the answer is an error.
            tx.commit().await?;
            return Err(error);
        }
        CodeCheck::Verified => {}
    }
    if factor.is_reset() {
        second_factors::set_sign_in_status(&mut tx, &row.id, "needs_new_password", None).await?;
    } else {
        finish(&mut tx, state.sign_in.session_mode, client_id, &row, &user, strategy, activity).await?;
    }
    let envelope = render::sign_in::envelope(&mut tx, &state.base_url, client_id, &row.id).await?;
    tx.commit().await?;
    Ok(envelope)
}

/// The client's sign-in when it waits for the client-trust check, else `None` (the two-step
/// second factor's handlers go on as before).
async fn trust_sign_in(
    conn: &mut SqliteConnection,
    client_id: &str,
    sign_in_id: &str,
) -> Result<Option<(SignInRow, UserRow)>> {
    let (row, user) = sign_in_and_user(conn, client_id, sign_in_id).await?;
    if row.status != "needs_client_trust" {
        return Ok(None);
    }
    if row.abandon_at <= now_ms() {
        return Err(
            FieldError::value_invalid("strategy", "This sign-in has lapsed; start a new sign-in.").into()
        );
    }
    Ok(Some((row, user)))
}

/// The strategy of a client-trust second factor: `email_code`, or `phone_code` where the
/// instance sends SMS codes; anything else is `strategy_for_user_invalid`.
fn trust_strategy(row: &SignInRow, strategy: &str) -> Result<bool> {
    let phones = crate::sign_in_policy::FirstFactors::from_stored(row.first_factors.as_deref()).phone_code;
    match strategy {
        "email_code" => Ok(true),
        "phone_code" if phones => Ok(false),
        other => Err(strategy_invalid(other)),
    }
}

/// `POST …/prepare_second_factor` on a sign-in that waits for the client-trust check: sends a
/// code to the named (else identifying, else primary) verified email address or phone number.
/// `None` when the sign-in does not wait for it.
pub async fn prepare_client_trust(
    state: &AppState,
    client_id: &str,
    sign_in_id: &str,
    strategy: &str,
    email_address_id: Option<&str>,
    phone_number_id: Option<&str>,
) -> Result<Option<Envelope<SignIn>>> {
    let mut tx = state.db.write().await?;
    let Some((row, user)) = trust_sign_in(&mut tx, client_id, sign_in_id).await? else {
        return Ok(None);
    };
    let email = trust_strategy(&row, strategy)?;
    let (wanted, param) =
        if email { (email_address_id, "email_address_id") } else { (phone_number_id, "phone_number_id") };
    domain::lockout::ensure_unlocked(&mut tx, &state.lockout, &user).await?;
    let to = target(&mut tx, &user, email, wanted, param, row.identification_id.as_deref(), strategy).await?;
    send_code(&mut tx, state, &row.id, Factor::Second, strategy, &to).await?;
    let envelope = render::sign_in::envelope(&mut tx, &state.base_url, client_id, &row.id).await?;
    tx.commit().await?;
    Ok(Some(envelope))
}

/// `POST …/attempt_second_factor` on a sign-in that waits for the client-trust check: a right
/// code completes it (the client is then known for the user). `None` when the sign-in does not
/// wait for it.
pub async fn attempt_client_trust(
    state: &AppState,
    client_id: &str,
    activity: &Activity,
    sign_in_id: &str,
    strategy: &str,
    code: &str,
) -> Result<Option<Envelope<SignIn>>> {
    let (row, user) = {
        let mut conn = state.db.pool().acquire().await?;
        match trust_sign_in(&mut conn, client_id, sign_in_id).await? {
            Some(found) => found,
            None => return Ok(None),
        }
    };
    trust_strategy(&row, strategy)?;
    let code = crate::http::validate::code(code)?;
    state.sign_in_limits.check(row.identifier.as_deref().unwrap_or(&user.id), client_id)?;
    let mut tx = state.db.write().await?;
    domain::lockout::ensure_unlocked(&mut tx, &state.lockout, &user).await?;
    if let CodeCheck::Refused(error) =
        check_code(&mut tx, state, &row.id, Factor::Second, strategy, &user.id, code).await?
    {
        // A wrong code counts even though the answer is an error.
        tx.commit().await?;
        return Err(error);
    }
    finish(&mut tx, state.sign_in.session_mode, client_id, &row, &user, "password", activity).await?;
    let envelope = render::sign_in::envelope(&mut tx, &state.base_url, client_id, &row.id).await?;
    tx.commit().await?;
    Ok(Some(envelope))
}
