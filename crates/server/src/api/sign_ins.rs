//! `/v1/client/sign_ins`: signing in with an identifier (email address or username) and password.
//!
//! In one request (`identifier` + `password`) or two (`identifier`, then `attempt_first_factor`
//! with the password). In single-session mode (the default) a client with an active session must
//! sign out first (`session_exists`); in multi-session mode it signs another person in beside
//! them, and a person already signed in on the client is told so (`identifier_already_signed_in`). `oauth_*` strategies sign in through a provider
//! ([`start_oauth`]).
//!
//! Signing in through a provider:
//! `POST /v1/client/sign_ins` with `strategy=oauth_*` ([`start_oauth`]) opens a sign-in with no user
//! yet, whose first factor is the provider's verification (`unverified`, with
//! `external_verification_redirect_url`). The round trip ends at the callback
//! ([`super::oauth_callback`]): an identity linked to a user's account completes the sign-in (a
//! session for that user on the client that started it); an identity no user has makes the
//! verification `transferable`, and `POST /v1/client/sign_ups` with `transfer=true`
//! (`api::sign_ups`) then creates the user: their name from the provider, the provider's email
//! address (verified `from_oauth_*` when the provider verified it), the account linked, and a
//! session. An email address already taken is refused there (422 `form_identifier_exists`):
//! identities are never linked to an existing user by email alone, since a provider's word on an
//! address is not proof enough to hand over an account; that person signs in as before and
//! connects the provider.

use axum::extract::State;
use axum::http::HeaderMap;
use axum::routing::{get, post};
use axum::{Json, Router};
use userdesk_fapi::models::{Envelope, SignIn};

use crate::domain;
use crate::error::{Error, FieldError, Result};
use crate::http::activity::{self, RequestActivity};
use crate::http::form::{Form, Params, PathId};
use crate::http::native_client::{ClientOrNew, CurrentClient};
use crate::http::validate;
use crate::ids::now_ms;
use crate::oauth::round_trip::{self, RoundTrip};
use crate::password;
use crate::render;
use crate::sign_in_policy::{FirstFactor, FirstFactors};
use crate::state::AppState;
use crate::store::oauth_flows::{self, Purpose};
use crate::store::sign_ins::NewSignIn;
use crate::store::users::UserRow;
use crate::store::{clients, sign_in_factors, sign_ins, users};

/// The params of `POST /v1/client/sign_ins` in the spec.
const CREATE_PARAMS: &[&str] = &[
    "strategy",
    "identifier",
    "password",
    "ticket",
    "redirect_url",
    "action_complete_redirect_url",
    "transfer",
    "code",
    "token",
    "oidc_login_hint",
    "oidc_prompt",
    "proof_token",
    "trusted_device_id",
    // Sent by Clerk's JavaScript SDK wherever the platform tells it (`navigator.language`, the
    // time zone; React Native apps send `timezone`): hints this server does not keep.
    "locale",
    "timezone",
];

/// Params of the spec that only other strategies use: accepted as known, refused if given,
/// so nothing is silently ignored.
const OTHER_STRATEGY_PARAMS: &[&str] = &["ticket", "transfer", "code", "token", "trusted_device_id"];

/// The params of `attempt_first_factor` in the spec.
const ATTEMPT_PARAMS: &[&str] = &[
    "strategy",
    "code",
    "password",
    "signature",
    "token",
    "ticket",
    "public_key_credential",
    "trusted_device_id",
    "client_data",
    "algorithm",
];

/// Sign-in params that belong to other strategies.
const NOT_WITH_OAUTH: &[&str] =
    &["identifier", "password", "ticket", "transfer", "code", "token", "trusted_device_id", "proof_token"];

/// The routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/client/sign_ins", post(create_sign_in))
        .route("/v1/client/sign_ins/{sign_in_id}", get(get_sign_in))
        .route("/v1/client/sign_ins/{sign_in_id}/attempt_first_factor", post(attempt_first_factor))
}

fn unsupported_strategy(strategy: &str) -> Error {
    FieldError::value_invalid(
        "strategy",
        format!("The `{strategy}` strategy is not supported here; use one of the sign-in's `supported_first_factors`."),
    )
    .into()
}

/// `true` when `candidate` is the password of the user (if any). Unknown identifiers and users
/// without a password are verified against the dummy hash: the same argon2 work as a wrong
/// password, so the answer's time does not tell them apart.
async fn password_matches(user: Option<&UserRow>, candidate: &str) -> Result<bool> {
    // Longer than any password we accept: it cannot match, and is not worth hashing (for any
    // identifier alike).
    if candidate.chars().count() > password::PASSWORD_MAX_LENGTH {
        return Ok(false);
    }
    let stored = user.and_then(|user| user.password_hash.clone());
    password::verify_or_dummy(candidate.to_owned(), stored).await
}

/// Counts a wrong password against the user, and answers it: `user_locked` when this one locked
/// them, else `form_password_incorrect`.
async fn wrong_password(state: &AppState, user_id: &str) -> Error {
    let counted = async {
        let mut tx = state.db.write().await?;
        let locked = domain::lockout::count_failure(&mut tx, &state.lockout, user_id).await?;
        tx.commit().await?;
        Ok::<_, Error>(locked)
    };
    match counted.await {
        Ok(Some(locked)) => locked,
        Ok(None) => FieldError::password_incorrect().into(),
        Err(e) => e,
    }
}

/// `POST /v1/client/sign_ins` with an `oauth_*` strategy (`form` already checked against the
/// operation's params).
async fn start_oauth(
    state: &AppState,
    client: &CurrentClient,
    headers: &HeaderMap,
    form: &Params,
    strategy: &str,
) -> Result<Envelope<SignIn>> {
    round_trip::refuse_unsupported(form, NOT_WITH_OAUTH)?;
    let provider = round_trip::provider_for(state, strategy)?;
    let (redirect_url, complete_url) = round_trip::redirect_urls(state, form)?;
    let hints = round_trip::oidc_hints(form)?;
    {
        let mut conn = state.db.pool().acquire().await?;
        domain::sessions::ensure_room(&mut conn, state.sign_in.session_mode, &client.id).await?;
    }
    let endpoints = round_trip::endpoints(state, &provider).await?;

    let expire_at = now_ms() + crate::state::millis(state.oauth.state_lifetime);
    let agent = activity::user_agent(headers);
    let mut tx = state.db.write().await?;
    // Again under the write lock: a sign-in completed meanwhile wins.
    domain::sessions::ensure_room(&mut tx, state.sign_in.session_mode, &client.id).await?;
    let sign_in_id = oauth_flows::create_sign_in(&mut tx, &client.id, &provider.strategy, expire_at).await?;
    round_trip::begin(
        state,
        &mut tx,
        RoundTrip {
            client_id: &client.id,
            provider: &provider,
            endpoints: &endpoints,
            purpose: Purpose::SignIn,
            external_account_id: None,
            sign_in_id: Some(&sign_in_id),
            scopes: &provider.default_scopes,
            hints: &hints,
            redirect_url: &redirect_url,
            action_complete_redirect_url: complete_url.as_deref(),
            user_agent: agent.as_deref(),
            expire_at,
        },
    )
    .await?;
    clients::set_sign_in(&mut tx, &client.id, Some(&sign_in_id)).await?;
    let envelope = render::sign_in::envelope(&mut tx, &state.base_url, &client.id, &sign_in_id).await?;
    tx.commit().await?;
    Ok(envelope)
}

async fn create_sign_in(
    State(state): State<AppState>,
    ClientOrNew(client): ClientOrNew,
    headers: HeaderMap,
    RequestActivity(activity): RequestActivity,
    Form(form): Form,
) -> Result<Json<Envelope<SignIn>>> {
    form.allow_only(CREATE_PARAMS)?;
    let strategy = form.one("strategy")?.filter(|s| !s.is_empty());
    if let Some(oauth) = strategy.filter(|s| s.starts_with("oauth_")) {
        return Ok(Json(start_oauth(&state, &client, &headers, &form, oauth).await?));
    }
    if strategy == Some(domain::passkeys::STRATEGY) {
        // No identifier: any discoverable passkey answers (`domain::passkeys`).
        for &name in CREATE_PARAMS.iter().filter(|&&name| !matches!(name, "strategy" | "locale" | "timezone"))
        {
            if form.one(name)?.is_some_and(|value| !value.is_empty()) {
                return Err(FieldError::not_used_with(name, domain::passkeys::STRATEGY).into());
            }
        }
        return Ok(Json(domain::passkeys::start_discoverable(&state, &client.id).await?));
    }
    if let Some(other) = strategy.filter(|s| *s != "password") {
        return Err(unsupported_strategy(other));
    }
    for name in OTHER_STRATEGY_PARAMS {
        if form.one(name)?.is_some() {
            return Err(FieldError::value_invalid(
                name,
                format!("`{name}` belongs to a strategy this server does not support."),
            )
            .into());
        }
    }
    let identifier = form.one("identifier")?.map(str::trim).filter(|s| !s.is_empty());
    let password = form.one("password")?;
    let Some(identifier) = identifier else {
        return Err(FieldError::missing("identifier").into());
    };
    if identifier.chars().count() > validate::IDENTIFIER_MAX_LENGTH {
        return Err(FieldError::too_long("identifier", validate::IDENTIFIER_MAX_LENGTH, "characters").into());
    }
    if password.is_some() && !state.sign_in.first_factors.password {
        return Err(domain::sign_in_factors::strategy_invalid("password"));
    }
    if strategy == Some("password") && password.is_none() {
        return Err(FieldError::missing("password").into());
    }
    state.sign_in_limits.check(identifier, &client.id)?;

    let found = {
        let mut conn = state.db.pool().acquire().await?;
        domain::sessions::ensure_room(&mut conn, state.sign_in.session_mode, &client.id).await?;
        let mut found = users::find_by_identifier(&mut conn, identifier).await?;
        if found.is_none() && state.sign_in.first_factors.phone_code && !identifier.contains('@') {
            // A verified phone number identifies where the instance sends SMS codes.
            if let Ok(number) =
                validate::phone_number("identifier", identifier, state.verification.default_region)
            {
                if let Some((user_id, phone_id)) = sign_in_factors::find_by_phone(&mut conn, &number).await? {
                    found = users::find_row(&mut conn, &user_id).await?.map(|user| (user, Some(phone_id)));
                }
            }
        }
        if let Some((user, _)) = &found {
            // As Clerk: a locked user cannot even start a sign-in, nor one already signed in
            // on this client (multi-session mode) a second session.
            domain::lockout::ensure_unlocked(&mut conn, &state.lockout, user).await?;
            domain::sessions::ensure_not_signed_in(&mut conn, &client.id, &user.id).await?;
        }
        found
    };
    let Some((user, identification_id)) = found else {
        if let Some(password) = password {
            password_matches(None, password).await?;
        }
        return Err(FieldError::identifier_not_found("identifier").into());
    };

    let first_factors = domain::passkeys::stored_first_factors(&state);
    let Some(password) = password else {
        // Identified; the first factor comes next.
        let mut tx = state.db.write().await?;
        domain::sessions::ensure_room(&mut tx, state.sign_in.session_mode, &client.id).await?;
        let sign_in_id = sign_ins::create(
            &mut tx,
            NewSignIn {
                client_id: &client.id,
                status: "needs_first_factor",
                identifier,
                identification_id: identification_id.as_deref(),
                user_id: &user.id,
                created_session_id: None,
                verified_first_factor: None,
                first_factors: &first_factors,
            },
        )
        .await?;
        clients::set_sign_in(&mut tx, &client.id, Some(&sign_in_id)).await?;
        let envelope = render::sign_in::envelope(&mut tx, &state.base_url, &client.id, &sign_in_id).await?;
        tx.commit().await?;
        return Ok(Json(envelope));
    };

    if !password_matches(Some(&user), password).await? {
        return Err(wrong_password(&state, &user.id).await);
    }
    let mut tx = state.db.write().await?;
    // Under the write lock: two sign-ins racing cannot both open a session.
    let next = domain::sign_in_factors::after_right_password(&mut tx, &state, &client.id, &user).await?;
    if let Some(status) = next {
        // The password was right; a second factor (or the new-device check) comes next.
        let sign_in_id = sign_ins::create(
            &mut tx,
            NewSignIn {
                client_id: &client.id,
                status,
                identifier,
                identification_id: identification_id.as_deref(),
                user_id: &user.id,
                created_session_id: None,
                verified_first_factor: Some("password"),
                first_factors: &first_factors,
            },
        )
        .await?;
        clients::set_sign_in(&mut tx, &client.id, Some(&sign_in_id)).await?;
        let envelope = render::sign_in::envelope(&mut tx, &state.base_url, &client.id, &sign_in_id).await?;
        tx.commit().await?;
        return Ok(Json(envelope));
    }
    let session =
        domain::sessions::start(&mut tx, &client.id, &user.id, identifier, "password", &activity).await?;
    domain::lockout::clear(&mut tx, &user.id).await?;
    let sign_in_id = sign_ins::create(
        &mut tx,
        NewSignIn {
            client_id: &client.id,
            status: "complete",
            identifier,
            identification_id: identification_id.as_deref(),
            user_id: &user.id,
            created_session_id: Some(&session.id),
            verified_first_factor: Some("password"),
            first_factors: &first_factors,
        },
    )
    .await?;
    let envelope = render::sign_in::envelope(&mut tx, &state.base_url, &client.id, &sign_in_id).await?;
    tx.commit().await?;
    tracing::info!(user = %user.id, session = %session.id, "signed in");
    Ok(Json(envelope))
}

async fn get_sign_in(
    State(state): State<AppState>,
    client: CurrentClient,
    PathId(sign_in_id): PathId,
) -> Result<Json<Envelope<SignIn>>> {
    let mut conn = state.db.pool().acquire().await?;
    Ok(Json(render::sign_in::envelope(&mut conn, &state.base_url, &client.id, &sign_in_id).await?))
}

async fn attempt_first_factor(
    State(state): State<AppState>,
    client: CurrentClient,
    RequestActivity(activity): RequestActivity,
    PathId(sign_in_id): PathId,
    Form(form): Form,
) -> Result<Json<Envelope<SignIn>>> {
    form.allow_only(ATTEMPT_PARAMS)?;
    let strategy = form.required("strategy")?;
    if strategy == domain::passkeys::STRATEGY {
        for &name in
            ATTEMPT_PARAMS.iter().filter(|&&name| !matches!(name, "strategy" | "public_key_credential"))
        {
            if form.one(name)?.is_some_and(|value| !value.is_empty()) {
                return Err(FieldError::not_used_with(name, strategy).into());
            }
        }
        let credential = form.required("public_key_credential")?;
        let attempt = domain::passkeys::attempt(&state, &client.id, &activity, &sign_in_id, credential);
        return Ok(Json(attempt.await?));
    }
    match FirstFactor::parse(strategy) {
        Some(FirstFactor::Password) => {}
        // A link is not attempted: the person opens it, and the client reads the sign-in.
        Some(FirstFactor::EmailLink) => {
            return Err(FieldError::value_invalid(
                "strategy",
                "An `email_link` is verified by opening the emailed link, not by `attempt_first_factor`; read the sign-in to see it verified.",
            )
            .into())
        }
        None => return Err(unsupported_strategy(strategy)),
        Some(factor) => {
            let code = form.required("code")?;
            return Ok(Json(
                domain::sign_in_factors::attempt_first_factor_code(
                    &state,
                    &client.id,
                    &activity,
                    &sign_in_id,
                    factor,
                    code,
                )
                .await?,
            ));
        }
    }
    let password = form.required("password")?;

    let (row, user) = {
        let mut conn = state.db.pool().acquire().await?;
        let row = sign_ins::find_for_client(&mut conn, &client.id, &sign_in_id)
            .await?
            .ok_or(Error::NotFound("sign in"))?;
        let user = match &row.user_id {
            Some(user_id) => users::find_row(&mut conn, user_id).await?,
            None => None,
        };
        (row, user)
    };
    if row.status != "needs_first_factor" || row.abandon_at <= now_ms() {
        return Err(FieldError::value_invalid(
            "strategy",
            "This sign-in is not waiting for a first factor; start a new sign-in.",
        )
        .into());
    }
    let Some(user) = user else {
        return Err(Error::NotFound("sign in"));
    };
    if !FirstFactors::from_stored(row.first_factors.as_deref()).allows(FirstFactor::Password) {
        return Err(domain::sign_in_factors::strategy_invalid(strategy));
    }
    state.sign_in_limits.check(row.identifier.as_deref().unwrap_or(&user.id), &client.id)?;
    {
        let mut conn = state.db.pool().acquire().await?;
        domain::lockout::ensure_unlocked(&mut conn, &state.lockout, &user).await?;
    }
    let matches = password_matches(Some(&user), password).await?;

    let mut tx = state.db.write().await?;
    if !matches {
        sign_ins::record_first_factor(&mut tx, &row.id, "password", false, None).await?;
        let locked = domain::lockout::count_failure(&mut tx, &state.lockout, &user.id).await?;
        tx.commit().await?;
        return Err(locked.unwrap_or_else(|| FieldError::password_incorrect().into()));
    }
    let next = domain::sign_in_factors::after_right_password(&mut tx, &state, &client.id, &user).await?;
    if let Some(status) = next {
        // The password was right; a second factor (or the new-device check) comes next.
        sign_ins::record_first_factor(&mut tx, &row.id, "password", true, None).await?;
        crate::store::second_factors::set_sign_in_status(&mut tx, &row.id, status, None).await?;
        let envelope = render::sign_in::envelope(&mut tx, &state.base_url, &client.id, &row.id).await?;
        tx.commit().await?;
        return Ok(Json(envelope));
    }
    let identifier = row.identifier.clone().unwrap_or_default();
    let session =
        domain::sessions::start(&mut tx, &client.id, &user.id, &identifier, "password", &activity).await?;
    domain::lockout::clear(&mut tx, &user.id).await?;
    sign_ins::record_first_factor(&mut tx, &row.id, "password", true, Some(&session.id)).await?;
    let envelope = render::sign_in::envelope(&mut tx, &state.base_url, &client.id, &row.id).await?;
    tx.commit().await?;
    Ok(Json(envelope))
}
