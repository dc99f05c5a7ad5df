//! Passkeys: registering them for the signed-in user, and signing in with them (`strategy=passkey`,
//! with an identifier or without one). webauthn-rs checks every credential; here is what is kept
//! and when.
//!
//! The rules (README, "Passkeys"):
//! - A registration (`POST /v1/me/passkeys`) is an unverified passkey holding the ceremony's state
//!   for [`crate::passkeys::CEREMONY_LIFETIME`]; its `attempt_verification` uses it once. A
//!   credential already registered (to anyone) is refused.
//! - A sign-in's ceremony is kept per sign-in and taken by the attempt that answers it, right or
//!   wrong: a replayed assertion finds none (422 on `strategy`).
//! - An assertion must come from a passkey of the sign-in's user (any user's when discoverable,
//!   its user handle then naming the same user), for an allowed origin, with a signature counter
//!   that moved forward (webauthn-rs refuses one that did not: a cloned authenticator).
//! - A right passkey completes the first factor; with `satisfies_second_factor` (the default) it
//!   stands for the second factor too, else a user with two-step verification is asked for it.

use sqlx::SqliteConnection;
use userdesk_fapi::models::{Envelope, SignIn};
use webauthn_rs::prelude::{
    AuthenticationResult, DiscoverableAuthentication, Passkey, PasskeyAuthentication, PasskeyRegistration,
    PublicKeyCredential, RegisterPublicKeyCredential, Uuid,
};

use crate::domain;
use crate::error::{Error, FieldError, Result};
use crate::keys::base64url;
use crate::passkeys::{self as relying_party, CEREMONY_LIFETIME};
use crate::render;
use crate::state::{millis, AppState};
use crate::store::passkeys::{self, CeremonyRow, PasskeyRow};
use crate::store::sessions::{self, Activity};
use crate::store::users::{self, UserRow};
use crate::store::{second_factors, sign_ins};

/// The strategy's name.
pub const STRATEGY: &str = "passkey";
/// The name a new passkey gets until the person renames it.
const DEFAULT_NAME: &str = "Passkey";

/// 422 on `strategy` when the instance has passkeys off.
fn ensure_enabled(state: &AppState) -> Result<()> {
    if state.passkeys.enabled {
        Ok(())
    } else {
        Err(domain::sign_in_factors::strategy_invalid(STRATEGY))
    }
}

/// `sign_ins.first_factors` as a new sign-in keeps them: the instance's, and `passkey` when on.
pub fn stored_first_factors(state: &AppState) -> String {
    let stored = state.sign_in.first_factors.stored();
    if state.passkeys.enabled {
        format!("{stored} {STRATEGY}").trim_start().to_owned()
    } else {
        stored
    }
}

/// `true` when a sign-in that started with `stored` first factors offers passkeys.
pub fn offered(stored: Option<&str>) -> bool {
    stored.is_some_and(|stored| stored.split(' ').any(|s| s == STRATEGY))
}

/// The names the authenticator shows beside the passkey: the primary email address (else the
/// username, else the id), and the full name where there is one.
async fn account_names(conn: &mut SqliteConnection, user_id: &str) -> Result<(String, String)> {
    let account = users::find(conn, user_id).await?.ok_or(Error::SignedOut)?;
    let primary = account.user.primary_email_address_id.as_deref();
    let email =
        account.identifications.iter().find(|i| Some(i.id.as_str()) == primary).map(|i| i.value.clone());
    let name = email.or(account.user.username.clone()).unwrap_or(account.user.id.clone());
    let full: Vec<&str> = [account.user.first_name.as_deref(), account.user.last_name.as_deref()]
        .into_iter()
        .flatten()
        .collect();
    let display = if full.is_empty() { name.clone() } else { full.join(" ") };
    Ok((name, display))
}

/// The user's WebAuthn user handle (made the first time).
async fn user_handle(conn: &mut SqliteConnection, user_id: &str) -> Result<Uuid> {
    let handle = passkeys::user_handle(conn, user_id, &Uuid::new_v4().to_string()).await?;
    Uuid::parse_str(&handle).map_err(|e| Error::Internal(format!("stored user handle: {e}")))
}

/// A verified passkey's credential as webauthn-rs keeps it.
fn credential(row: &PasskeyRow) -> Result<Passkey> {
    let text = row
        .credential
        .as_deref()
        .ok_or_else(|| Error::Internal("a verified passkey without credential".into()))?;
    relying_party::stored(text, "passkey credential")
}

/// Starts registering a passkey for the user: the unverified passkey and the creation options
/// (its `verification.nonce`).
pub async fn start_registration(
    conn: &mut SqliteConnection,
    state: &AppState,
    user_id: &str,
) -> Result<(PasskeyRow, String)> {
    ensure_enabled(state)?;
    let handle = user_handle(conn, user_id).await?;
    let (name, display) = account_names(conn, user_id).await?;
    let existing = passkeys::list_verified(conn, user_id)
        .await?
        .iter()
        .map(|row| credential(row).map(|passkey| passkey.cred_id().clone()))
        .collect::<Result<Vec<_>>>()?;
    let (challenge, registration) = state
        .passkeys
        .webauthn
        .start_passkey_registration(handle, &name, &display, Some(existing))
        .map_err(|e| Error::Internal(format!("starting a passkey registration: {e}")))?;
    let expire_at = state.security.clock.now_ms().saturating_add(millis(CEREMONY_LIFETIME));
    let row =
        passkeys::start(conn, user_id, DEFAULT_NAME, &relying_party::json(&registration)?, expire_at).await?;
    Ok((row, relying_party::creation_nonce(challenge)?))
}

/// Completes the registration of the user's passkey `passkey_id` with the authenticator's
/// credential (`public_key_credential`, already parsed).
pub async fn finish_registration(
    conn: &mut SqliteConnection,
    state: &AppState,
    user_id: &str,
    passkey_id: &str,
    answer: &RegisterPublicKeyCredential,
) -> Result<PasskeyRow> {
    ensure_enabled(state)?;
    let row = passkeys::find_for_user(conn, user_id, passkey_id).await?.ok_or(Error::NotFound("passkey"))?;
    if row.verified {
        return Err(Error::VerificationAlreadyVerified);
    }
    if row.registration_expire_at <= state.security.clock.now_ms() {
        return Err(Error::VerificationExpired);
    }
    let registration: PasskeyRegistration = match row.registration.as_deref() {
        Some(text) => relying_party::stored(text, "passkey registration")?,
        None => return Err(Error::Internal("an unverified passkey without its registration".into())),
    };
    let passkey = state
        .passkeys
        .webauthn
        .finish_passkey_registration(answer, &registration)
        .map_err(|e| relying_party::refused(&e))?;
    let credential_id = base64url(passkey.cred_id().as_ref());
    if !passkeys::verify(conn, &row.id, &credential_id, &relying_party::json(&passkey)?).await? {
        return Err(FieldError::new(
            "form_identifier_exists",
            relying_party::CREDENTIAL_PARAM,
            "is taken",
            "This passkey is already registered. Use another authenticator, or remove it where it is registered.".into(),
        )
        .into());
    }
    passkeys::find_for_user(conn, user_id, &row.id).await?.ok_or(Error::NotFound("passkey"))
}

/// `POST /v1/client/sign_ins` with `strategy=passkey` and no identifier: a sign-in that any
/// user's discoverable passkey can answer, its request options in the first factor's `nonce`.
pub async fn start_discoverable(state: &AppState, client_id: &str) -> Result<Envelope<SignIn>> {
    ensure_enabled(state)?;
    let (challenge, ceremony) = state
        .passkeys
        .webauthn
        .start_discoverable_authentication()
        .map_err(|e| Error::Internal(format!("starting a passkey sign-in: {e}")))?;
    let mut tx = state.db.write().await?;
    domain::sessions::ensure_room(&mut tx, state.sign_in.session_mode, client_id).await?;
    let sign_in_id = sign_ins::create_unidentified(&mut tx, client_id, &stored_first_factors(state)).await?;
    begin(&mut tx, state, &sign_in_id, None, &relying_party::json(&ceremony)?, &challenge).await?;
    let envelope = render::sign_in::envelope(&mut tx, &state.base_url, client_id, &sign_in_id).await?;
    tx.commit().await?;
    Ok(envelope)
}

async fn begin(
    conn: &mut SqliteConnection,
    state: &AppState,
    sign_in_id: &str,
    user_id: Option<&str>,
    ceremony: &str,
    challenge: &webauthn_rs::prelude::RequestChallengeResponse,
) -> Result<()> {
    let row = CeremonyRow {
        sign_in_id: sign_in_id.to_owned(),
        user_id: user_id.map(str::to_owned),
        state: ceremony.to_owned(),
        options: relying_party::request_nonce(challenge)?,
        expire_at: state.security.clock.now_ms().saturating_add(millis(CEREMONY_LIFETIME)),
    };
    passkeys::begin_ceremony(conn, &row).await?;
    Ok(())
}

/// A sign-in of this client that waits for its first factor.
async fn waiting(
    conn: &mut SqliteConnection,
    client_id: &str,
    sign_in_id: &str,
) -> Result<(sign_ins::SignInRow, Option<UserRow>)> {
    let row =
        sign_ins::find_for_client(conn, client_id, sign_in_id).await?.ok_or(Error::NotFound("sign in"))?;
    if row.status != "needs_first_factor" || row.abandon_at <= crate::ids::now_ms() {
        return Err(FieldError::value_invalid(
            "strategy",
            "This sign-in is not waiting for a first factor; start a new sign-in.",
        )
        .into());
    }
    let user = match &row.user_id {
        Some(user_id) => Some(users::find_row(conn, user_id).await?.ok_or(Error::NotFound("sign in"))?),
        None => None,
    };
    Ok((row, user))
}

/// `POST …/prepare_first_factor` with `strategy=passkey`, for a sign-in started with an
/// identifier: request options naming that user's passkeys, or only `passkey_id` when given
/// (422 on `passkey_id` when it is not one of the user's verified passkeys).
pub async fn prepare(
    state: &AppState,
    client_id: &str,
    sign_in_id: &str,
    passkey_id: Option<&str>,
) -> Result<Envelope<SignIn>> {
    ensure_enabled(state)?;
    let mut tx = state.db.write().await?;
    let (row, user) = waiting(&mut tx, client_id, sign_in_id).await?;
    let Some(user) = user else {
        // A discoverable sign-in got its options when it started.
        return Err(domain::sign_in_factors::strategy_invalid(STRATEGY));
    };
    let mut rows = passkeys::list_verified(&mut tx, &user.id).await?;
    if !offered(row.first_factors.as_deref()) || rows.is_empty() {
        return Err(domain::sign_in_factors::strategy_invalid(STRATEGY));
    }
    if let Some(passkey_id) = passkey_id {
        rows.retain(|row| row.id == passkey_id);
        if rows.is_empty() {
            return Err(FieldError::value_invalid(
                "passkey_id",
                "`passkey_id` must name one of this account's passkeys.",
            )
            .into());
        }
    }
    let credentials = rows.iter().map(credential).collect::<Result<Vec<_>>>()?;
    domain::lockout::ensure_unlocked(&mut tx, &state.lockout, &user).await?;
    let (challenge, ceremony) = state
        .passkeys
        .webauthn
        .start_passkey_authentication(&credentials)
        .map_err(|e| Error::Internal(format!("starting a passkey sign-in: {e}")))?;
    begin(&mut tx, state, &row.id, Some(&user.id), &relying_party::json(&ceremony)?, &challenge).await?;
    let envelope = render::sign_in::envelope(&mut tx, &state.base_url, client_id, &row.id).await?;
    tx.commit().await?;
    Ok(envelope)
}

/// `POST …/attempt_first_factor` with `strategy=passkey`: the assertion, checked against the
/// sign-in's ceremony (taken, so it answers once), signs the passkey's user in.
pub async fn attempt(
    state: &AppState,
    client_id: &str,
    activity: &Activity,
    sign_in_id: &str,
    public_key_credential: &str,
) -> Result<Envelope<SignIn>> {
    ensure_enabled(state)?;
    let answer: PublicKeyCredential = relying_party::credential(public_key_credential)?;
    let now = state.security.clock.now_ms();
    let mut tx = state.db.write().await?;
    let (row, user) = waiting(&mut tx, client_id, sign_in_id).await?;
    let Some(ceremony) = passkeys::take_ceremony(&mut tx, &row.id).await? else {
        return Err(FieldError::value_invalid(
            "strategy",
            "No passkey challenge is waiting on this sign-in (each is answered once): prepare the `passkey` first factor again, or start a new sign-in.",
        )
        .into());
    };
    // From here the ceremony is used up, whatever the answer: the refusal is committed too.
    let checked = check(&mut tx, state, &ceremony, user.as_ref(), &answer, now).await;
    let (passkey_row, user) = match checked {
        Ok(found) => found,
        Err(error) => {
            sign_ins::record_first_factor(&mut tx, &row.id, STRATEGY, false, None).await?;
            passkeys::set_first_factor_expiry(&mut tx, &row.id, ceremony.expire_at).await?;
            tx.commit().await?;
            return Err(error);
        }
    };
    domain::lockout::ensure_unlocked(&mut tx, &state.lockout, &user).await?;
    domain::sessions::ensure_room(&mut tx, state.sign_in.session_mode, client_id).await?;
    if row.user_id.is_none() {
        sign_ins::set_user(&mut tx, &row.id, &user.id).await?;
    }
    let second_factor_needed =
        !state.passkeys.satisfies_second_factor && domain::second_factor::required(&mut tx, &user.id).await?;
    if second_factor_needed {
        sign_ins::record_first_factor(&mut tx, &row.id, STRATEGY, true, None).await?;
        second_factors::set_sign_in_status(&mut tx, &row.id, "needs_second_factor", None).await?;
    } else {
        let identifier = row.identifier.clone().unwrap_or_default();
        let session =
            domain::sessions::start(&mut tx, client_id, &user.id, &identifier, STRATEGY, activity).await?;
        if state.passkeys.satisfies_second_factor {
            // A user-verified passkey is something held and something known or been: both factors.
            sessions::record_second_factor(&mut tx, &session.id, session.created_at).await?;
        }
        domain::lockout::clear(&mut tx, &user.id).await?;
        sign_ins::record_first_factor(&mut tx, &row.id, STRATEGY, true, Some(&session.id)).await?;
        tracing::info!(user = %user.id, session = %session.id, passkey = %passkey_row.id, "signed in with a passkey");
    }
    passkeys::set_first_factor_expiry(&mut tx, &row.id, ceremony.expire_at).await?;
    let envelope = render::sign_in::envelope(&mut tx, &state.base_url, client_id, &row.id).await?;
    tx.commit().await?;
    Ok(envelope)
}

/// Checks an assertion against a sign-in's ceremony; on success the passkey's new counter and
/// use are recorded. Returns the passkey and its user.
async fn check(
    conn: &mut SqliteConnection,
    state: &AppState,
    ceremony: &CeremonyRow,
    user: Option<&UserRow>,
    answer: &PublicKeyCredential,
    now: i64,
) -> Result<(PasskeyRow, UserRow)> {
    if ceremony.expire_at <= now {
        return Err(Error::VerificationExpired);
    }
    let row = named_passkey(conn, answer).await?;
    // With an identifier, only that user's passkeys; without, the user handle must name the
    // passkey's own user.
    match (&ceremony.user_id, user) {
        (Some(expected), _) if *expected != row.user_id => return Err(not_found()),
        (None, _) => {
            if let Some(handle) = answer.get_user_unique_id() {
                let handle =
                    Uuid::from_slice(handle).map(|uuid| uuid.to_string()).map_err(|_| not_found())?;
                if passkeys::user_of_handle(conn, &handle).await?.as_deref() != Some(row.user_id.as_str()) {
                    return Err(not_found());
                }
            }
        }
        _ => {}
    }
    let passkey = credential(&row)?;
    let result = match ceremony.user_id {
        Some(_) => {
            let ceremony: PasskeyAuthentication = relying_party::stored(&ceremony.state, "passkey sign-in")?;
            state.passkeys.webauthn.finish_passkey_authentication(answer, &ceremony)
        }
        None => {
            let ceremony: DiscoverableAuthentication =
                relying_party::stored(&ceremony.state, "passkey sign-in")?;
            state.passkeys.webauthn.finish_discoverable_authentication_v2(answer, ceremony, &passkey)
        }
    }
    .map_err(|e| relying_party::refused(&e))?;
    record_use(conn, &row, passkey, &result, now).await?;
    let user = users::find_row(conn, &row.user_id).await?.ok_or(Error::NotFound("sign in"))?;
    Ok((row, user))
}

/// An assertion from a credential this ceremony cannot use.
fn not_found() -> Error {
    relying_party::refused(&webauthn_rs::prelude::WebauthnError::CredentialNotFound)
}

/// The verified passkey an assertion names (whoever's it is).
async fn named_passkey(conn: &mut SqliteConnection, answer: &PublicKeyCredential) -> Result<PasskeyRow> {
    passkeys::find_by_credential_id(conn, &base64url(answer.get_credential_id())).await?.ok_or_else(not_found)
}

/// After webauthn-rs accepted an assertion of `row`: its credential's new signature counter, and
/// the use.
async fn record_use(
    conn: &mut SqliteConnection,
    row: &PasskeyRow,
    mut passkey: Passkey,
    result: &AuthenticationResult,
    now: i64,
) -> Result<()> {
    passkey.update_credential(result);
    passkeys::record_use(conn, &row.id, &relying_party::json(&passkey)?, now).await?;
    Ok(())
}

/// Starts the passkey ceremony of a session reverification's first factor: webauthn-rs's state
/// (the caller keeps it) and the request options (the verification's `nonce`), naming the
/// user's passkeys. 422 on `strategy` when passkeys are off or the user has none.
pub async fn start_reverification(
    conn: &mut SqliteConnection,
    state: &AppState,
    user_id: &str,
) -> Result<(String, String)> {
    ensure_enabled(state)?;
    let credentials = user_credentials(conn, user_id).await?;
    if credentials.is_empty() {
        return Err(FieldError::value_invalid(
            "strategy",
            "This account has no passkey; verify with your password or a code.",
        )
        .into());
    }
    let (challenge, ceremony) = state
        .passkeys
        .webauthn
        .start_passkey_authentication(&credentials)
        .map_err(|e| Error::Internal(format!("starting a passkey reverification: {e}")))?;
    Ok((relying_party::json(&ceremony)?, relying_party::request_nonce(&challenge)?))
}

/// Checks a reverification's assertion against its ceremony (`ceremony`, webauthn-rs's state):
/// it must come from one of `user_id`'s passkeys, for an allowed origin, its counter moved
/// forward. On success the passkey's counter and use are recorded; a refusal records nothing.
pub async fn finish_reverification(
    conn: &mut SqliteConnection,
    state: &AppState,
    user_id: &str,
    ceremony: &str,
    answer: &PublicKeyCredential,
    now: i64,
) -> Result<PasskeyRow> {
    ensure_enabled(state)?;
    let row = named_passkey(conn, answer).await?;
    if row.user_id != user_id {
        return Err(not_found());
    }
    let passkey = credential(&row)?;
    let ceremony: PasskeyAuthentication = relying_party::stored(ceremony, "passkey reverification")?;
    let result = state
        .passkeys
        .webauthn
        .finish_passkey_authentication(answer, &ceremony)
        .map_err(|e| relying_party::refused(&e))?;
    record_use(conn, &row, passkey, &result, now).await?;
    Ok(row)
}

/// The user's verified passkeys as webauthn-rs keeps them.
async fn user_credentials(conn: &mut SqliteConnection, user_id: &str) -> Result<Vec<Passkey>> {
    passkeys::list_verified(conn, user_id).await?.iter().map(credential).collect()
}
