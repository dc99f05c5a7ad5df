//! What email addresses and phone numbers share: ownership, verification by code (prepare,
//! attempt), removal, and the rules that keep an account usable.
//!
//! The rules, each decided by Clerk's behaviour where it has one:
//! - An identification of another user is answered like one that does not exist (404
//!   `resource_not_found`), so ids reveal nothing.
//! - A code is six digits, lives [`crate::Config::code_lifetime`], and takes
//!   [`one_time_code::MAX_ATTEMPTS`] wrong tries: the wrong ones before the last answer 422
//!   `form_code_incorrect` with the attempts left (`meta.attempts_remaining`); the last one fails
//!   the verification, and it and any later attempt answer 400 `verification_failed`
//!   (`meta.reason: too_many_attempts`). A late code answers 400 `verification_expired`.
//! - A new prepare replaces the code or link and starts the attempts again; it is refused with
//!   429 `too_many_requests` (`meta.retry_after_seconds`, and `Retry-After`) within
//!   [`crate::Config::resend_cooldown`] of the last send.
//! - A user has at most [`MAX_UNVERIFIED`] unverified identifications (Clerk's limit).
//! - Removing an identification is refused (400 `identification_deletion_failed`) when it is the
//!   account's only identification, or the last one the person can sign in with (this instance
//!   signs in by verified email address or username). Removing the primary email address or
//!   phone number is allowed otherwise, and the most recently added other verified one becomes
//!   primary (none if there is none), as Clerk does.

use sqlx::SqliteConnection;
use userdesk_fapi::models::{DeletedObject, Envelope};

use crate::domain;
use crate::error::{Error, Result};
use crate::http::form::Params;
use crate::http::signed_in::SignedIn;
use crate::http::validate;
use crate::ids::now_ms;
use crate::one_time_code::{self, MAX_ATTEMPTS};
use crate::outbox::{self, OutboxChannel, Outgoing};
use crate::render;
use crate::state::millis;
use crate::state::AppState;
use crate::store::identifications::{self, Prepared, VerificationRow};
use crate::store::users::{self, IdentificationRow, UserRow};

/// Unverified identifications a user may hold at once.
pub const MAX_UNVERIFIED: i64 = 5;

/// Email address or phone number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Email,
    Phone,
}

impl Kind {
    /// As stored, and as the form field and `object` are named.
    pub fn stored(self) -> &'static str {
        match self {
            Kind::Email => "email_address",
            Kind::Phone => "phone_number",
        }
    }

    /// In a sentence.
    pub fn what(self) -> &'static str {
        match self {
            Kind::Email => "email address",
            Kind::Phone => "phone number",
        }
    }

    fn channel(self) -> OutboxChannel {
        match self {
            Kind::Email => OutboxChannel::Email,
            Kind::Phone => OutboxChannel::Sms,
        }
    }

    fn code_strategy(self) -> &'static str {
        match self {
            Kind::Email => "email_code",
            Kind::Phone => "phone_code",
        }
    }
}

/// The user's identification `id` of `kind`, or 404.
pub async fn own(
    conn: &mut SqliteConnection,
    user_id: &str,
    kind: Kind,
    id: &str,
) -> Result<IdentificationRow> {
    identifications::find_for_user(conn, user_id, kind.stored(), id)
        .await?
        .ok_or(Error::NotFound(kind.what()))
}

/// Wraps a resource with the client, as every `/v1/me/…` answer is.
pub async fn envelope<T>(
    conn: &mut SqliteConnection,
    base_url: &str,
    client_id: &str,
    response: T,
) -> Result<Envelope<T>> {
    let client = render::client(conn, base_url, client_id).await?;
    Ok(Envelope { response, client: Some(client) })
}

/// How an identification of one kind is shown (`render::email_address`, `render::phone_number`).
pub type Render<T> = fn(&IdentificationRow) -> Result<T>;

/// `GET /v1/me/{kind}s`: the user's identifications of `kind`, oldest first.
pub async fn list<T>(
    state: &AppState,
    signed_in: &SignedIn,
    kind: Kind,
    render: Render<T>,
) -> Result<Vec<T>> {
    let mut conn = state.db.pool().acquire().await?;
    let rows = identifications::list_for_user(&mut conn, &signed_in.session.user_id, kind.stored()).await?;
    rows.iter().map(render).collect()
}

/// `GET /v1/me/{kind}s/{id}`.
pub async fn read<T>(
    state: &AppState,
    signed_in: &SignedIn,
    kind: Kind,
    id: &str,
    render: Render<T>,
) -> Result<Envelope<T>> {
    let mut conn = state.db.pool().acquire().await?;
    let row = own(&mut conn, &signed_in.session.user_id, kind, id).await?;
    envelope(&mut conn, &state.base_url, &signed_in.client_id, render(&row)?).await
}

/// `POST /v1/me/{kind}s/{id}/attempt_verification`: the code, checked and counted.
pub async fn attempt<T>(
    state: &AppState,
    signed_in: &SignedIn,
    kind: Kind,
    id: &str,
    form: &Params,
    render: Render<T>,
) -> Result<Envelope<T>> {
    form.allow_only(&["code"])?;
    let code = validate::code(form.required("code")?)?;
    let user_id = &signed_in.session.user_id;
    let mut tx = state.db.write().await?;
    let row = own(&mut tx, user_id, kind, id).await?;
    match attempt_code(&mut tx, user_id, kind, &row, code).await? {
        Attempt::Verified => {
            let row = own(&mut tx, user_id, kind, id).await?;
            let envelope = envelope(&mut tx, &state.base_url, &signed_in.client_id, render(&row)?).await?;
            tx.commit().await?;
            Ok(envelope)
        }
        Attempt::Refused(error) => {
            // A wrong code counts even though the answer is an error.
            tx.commit().await?;
            Err(error)
        }
    }
}

/// `DELETE /v1/me/{kind}s/{id}`.
pub async fn destroy(
    state: &AppState,
    signed_in: &SignedIn,
    kind: Kind,
    id: &str,
) -> Result<Envelope<DeletedObject>> {
    domain::reverification::require(state, signed_in, domain::reverification::Level::FirstFactor).await?;
    let mut tx = state.db.write().await?;
    let deleted = remove(&mut tx, &signed_in.session.user_id, kind, id).await?;
    let envelope = envelope(&mut tx, &state.base_url, &signed_in.client_id, deleted).await?;
    tx.commit().await?;
    Ok(envelope)
}

/// The identification `id` after a change, with the client, committed.
pub async fn respond<T>(
    mut tx: crate::store::Write,
    state: &AppState,
    signed_in: &SignedIn,
    kind: Kind,
    id: &str,
    render: Render<T>,
) -> Result<Envelope<T>> {
    let row = own(&mut tx, &signed_in.session.user_id, kind, id).await?;
    let envelope = envelope(&mut tx, &state.base_url, &signed_in.client_id, render(&row)?).await?;
    tx.commit().await?;
    Ok(envelope)
}

/// Refuses a new unverified identification past [`MAX_UNVERIFIED`].
pub async fn ensure_room_for_unverified(conn: &mut SqliteConnection, user_id: &str) -> Result<()> {
    if identifications::count_unverified(conn, user_id).await? >= MAX_UNVERIFIED {
        return Err(Error::TooManyUnverifiedIdentifications);
    }
    Ok(())
}

/// What must hold before a new code or link goes out: the identification is not verified yet,
/// this instance can deliver, and the last send is older than the cooldown.
pub fn ensure_can_send(
    state: &AppState,
    kind: Kind,
    row: &IdentificationRow,
    current: Option<&VerificationRow>,
    now: i64,
) -> Result<()> {
    if row.is_verified() {
        return Err(Error::VerificationAlreadyVerified);
    }
    outbox::ensure_deliverable(state.mode, kind.channel())?;
    if let Some(sent_at) = current.and_then(|v| v.sent_at) {
        domain::verification::ensure_cooldown_passed(state, sent_at, now)?;
    }
    Ok(())
}

/// Sends a new code to the identification (email or SMS), replacing any earlier code or link.
pub async fn prepare_code(
    conn: &mut SqliteConnection,
    state: &AppState,
    kind: Kind,
    row: &IdentificationRow,
) -> Result<()> {
    let now = now_ms();
    let current = identifications::verification(conn, &row.id).await?;
    ensure_can_send(state, kind, row, current.as_ref(), now)?;
    let code = one_time_code::generate();
    let hash = one_time_code::hash(&code);
    let lifetime = state.verification.code_lifetime;
    identifications::prepare(
        conn,
        &row.id,
        &Prepared {
            strategy: kind.code_strategy(),
            code_hash: Some(&hash),
            link_token_hash: None,
            redirect_url: None,
            expire_at: now.saturating_add(millis(lifetime)),
        },
    )
    .await?;
    let message = match kind {
        Kind::Email => Outgoing::email_code(&row.value, &code, lifetime),
        Kind::Phone => Outgoing::sms_code(&row.value, &code, lifetime),
    };
    outbox::send(conn, state.mode, message).await
}

/// How an attempt at a code ended, once recorded.
enum Attempt {
    /// The identification is verified now.
    Verified,
    /// Refused; the attempt (if it counted) is recorded and must be committed before answering.
    Refused(Error),
}

/// Checks `code` against the identification's verification and records the attempt. The caller
/// commits in both outcomes: a wrong code must count even though the answer is an error.
async fn attempt_code(
    conn: &mut SqliteConnection,
    user_id: &str,
    kind: Kind,
    row: &IdentificationRow,
    code: &str,
) -> Result<Attempt> {
    let Some(verification) = identifications::verification(conn, &row.id).await? else {
        return Ok(Attempt::Refused(Error::VerificationMissing));
    };
    match render::status_at(&verification.status, verification.expire_at, now_ms()) {
        "verified" => return Ok(Attempt::Refused(Error::VerificationAlreadyVerified)),
        "failed" => return Ok(Attempt::Refused(Error::VerificationFailed)),
        "expired" => return Ok(Attempt::Refused(Error::VerificationExpired)),
        _ => {}
    }
    if verification.strategy != kind.code_strategy() {
        return Ok(Attempt::Refused(Error::VerificationStrategyInvalid));
    }
    let Some(stored) = verification.code_hash.as_deref() else {
        return Ok(Attempt::Refused(Error::VerificationMissing));
    };
    let attempts = u32::try_from(verification.attempts.unwrap_or(0)).unwrap_or(u32::MAX).saturating_add(1);
    if one_time_code::matches(code, stored) {
        identifications::record_attempt(conn, &row.id, kind.stored(), &verification.id, "verified").await?;
        after_verified(conn, user_id, kind, &row.id).await?;
        tracing::info!(user = %user_id, identification = %row.id, "{} verified", kind.what());
        return Ok(Attempt::Verified);
    }
    if attempts >= MAX_ATTEMPTS {
        identifications::record_attempt(conn, &row.id, kind.stored(), &verification.id, "failed").await?;
        return Ok(Attempt::Refused(Error::VerificationFailed));
    }
    identifications::record_attempt(conn, &row.id, kind.stored(), &verification.id, "unverified").await?;
    Ok(Attempt::Refused(Error::CodeIncorrect { attempts_left: MAX_ATTEMPTS - attempts }))
}

/// What follows a verification: the first verified identification of its kind becomes primary
/// (as Clerk does), so a person who had none gets one without another step.
pub async fn after_verified(conn: &mut SqliteConnection, user_id: &str, kind: Kind, id: &str) -> Result<()> {
    let user = users::find_row(conn, user_id).await?.ok_or(Error::SignedOut)?;
    let primary = match kind {
        Kind::Email => &user.primary_email_address_id,
        Kind::Phone => &user.primary_phone_number_id,
    };
    if primary.is_none() {
        users::set_primary(conn, user_id, kind.stored(), Some(id)).await?;
    } else {
        users::touch(conn, user_id).await?;
    }
    Ok(())
}

/// The identifications (and username) this account can sign in with on this instance: its
/// username and its verified email addresses.
fn sign_in_identifiers(user: &UserRow, all: &[IdentificationRow]) -> usize {
    usize::from(user.username.is_some())
        + all.iter().filter(|i| i.kind == Kind::Email.stored() && i.is_verified()).count()
}

/// Refuses to clear the username when it is the only way left to sign in.
pub async fn ensure_username_removable(conn: &mut SqliteConnection, user_id: &str) -> Result<()> {
    let account = users::find(conn, user_id).await?.ok_or(Error::SignedOut)?;
    if account.user.username.is_some() && sign_in_identifiers(&account.user, &account.identifications) == 1 {
        return Err(Error::LastIdentification);
    }
    Ok(())
}

/// Removes an identification of the user, keeping the account usable (see the module's rules).
async fn remove(conn: &mut SqliteConnection, user_id: &str, kind: Kind, id: &str) -> Result<DeletedObject> {
    let account = users::find(conn, user_id).await?.ok_or(Error::SignedOut)?;
    let row = account
        .identifications
        .iter()
        .find(|i| i.id == id && i.kind == kind.stored())
        .ok_or(Error::NotFound(kind.what()))?;
    let all = account.identifications.len() + usize::from(account.user.username.is_some());
    if all == 1 {
        return Err(Error::LastIdentification);
    }
    let counts_for_sign_in = kind == Kind::Email && row.is_verified();
    if counts_for_sign_in && sign_in_identifiers(&account.user, &account.identifications) == 1 {
        return Err(Error::LastIdentification);
    }
    let primary = match kind {
        Kind::Email => account.user.primary_email_address_id.as_deref(),
        Kind::Phone => account.user.primary_phone_number_id.as_deref(),
    };
    if primary == Some(id) {
        let next = identifications::newest_verified_other(conn, user_id, kind.stored(), id).await?;
        users::set_primary(conn, user_id, kind.stored(), next.as_deref()).await?;
    }
    if row.reserved_for_second_factor {
        release_second_factor(conn, user_id, row).await?;
    }
    identifications::delete(conn, id).await?;
    users::touch(conn, user_id).await?;
    tracing::info!(user = %user_id, identification = %id, "{} removed", kind.what());
    Ok(DeletedObject { object: kind.stored().to_owned(), id: Some(id.to_owned()), slug: None, deleted: true })
}

/// Takes a phone number out of two-step verification: another number becomes the default if it
/// was the default, and two-step verification is recorded as off when it was the last.
pub async fn release_second_factor(
    conn: &mut SqliteConnection,
    user_id: &str,
    row: &IdentificationRow,
) -> Result<()> {
    identifications::set_second_factor(conn, &row.id, false, false).await?;
    let next = identifications::oldest_second_factor_other(conn, user_id, &row.id).await?;
    if row.default_second_factor {
        identifications::set_default_second_factor(conn, user_id, next.as_deref()).await?;
    }
    if next.is_none() {
        users::record_mfa(conn, user_id, false).await?;
    }
    Ok(())
}
