//! Signing in through a provider.
//!
//! `POST /v1/client/sign_ins` with `strategy=oauth_*` ([`start`]) opens a sign-in with no user
//! yet, whose first factor is the provider's verification (`unverified`, with
//! `external_verification_redirect_url`). The round trip ends at the callback
//! ([`super::oauth_callback`]): an identity linked to a user's account completes the sign-in (a
//! session for that user on the client that started it); an identity no user has makes the
//! verification `transferable`, and `POST /v1/client/sign_ups` with `transfer=true`
//! ([`transfer`]) then creates the user: their name from the provider, the provider's email
//! address (verified `from_oauth_*` when the provider verified it), the account linked, and a
//! session. An email address already taken is refused there (422 `form_identifier_exists`):
//! identities are never linked to an existing user by email alone, since a provider's word on an
//! address is not proof enough to hand over an account; that person signs in as before and
//! connects the provider.

use axum::http::header::USER_AGENT;
use axum::http::HeaderMap;
use serde_json::Value;
use userdesk_fapi::models::{
    Envelope, SignIn, SignUp, SignUpStatus, SignUpVerifications, Verification, VerificationStatus,
};

use crate::domain;
use crate::error::{Error, FieldError, Result};
use crate::http::form::Params;
use crate::http::native_client::CurrentClient;
use crate::http::validate;
use crate::ids::{new_id, now_ms};
use crate::oauth::round_trip::{self, RoundTrip};
use crate::render;
use crate::state::AppState;
use crate::store::oauth_flows::{self, Purpose};
use crate::store::sessions::Activity;
use crate::store::users::{self, NewUser};
use crate::store::{clients, external_accounts, sign_ins};

/// Sign-in params that belong to other strategies.
const NOT_WITH_OAUTH: &[&str] =
    &["identifier", "password", "ticket", "transfer", "code", "token", "trusted_device_id", "proof_token"];

/// The sign-up params of the spec other than `transfer` and `unsafe_metadata`: none goes with a
/// transfer (the provider gave what the account needs).
const NOT_WITH_TRANSFER: &[&str] = &[
    "password",
    "first_name",
    "last_name",
    "username",
    "email_address",
    "phone_number",
    "email_address_or_phone_number",
    "strategy",
    "action_complete_redirect_url",
    "redirect_url",
    "ticket",
    "web3_wallet",
    "token",
    "code",
    "captcha_token",
    "captcha_error",
    "captcha_widget_type",
    "legal_accepted",
    "oidc_login_hint",
    "oidc_prompt",
    "proof_token",
];

fn user_agent(headers: &HeaderMap) -> Option<String> {
    headers
        .get(USER_AGENT)
        .and_then(|value| value.to_str().ok())
        .map(|agent| agent.chars().take(512).collect())
}

/// `POST /v1/client/sign_ins` with an `oauth_*` strategy (`form` already checked against the
/// operation's params).
pub async fn start(
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
        domain::sessions::ensure_signed_out(&mut conn, &client.id).await?;
    }
    let endpoints = round_trip::endpoints(state, &provider).await?;

    let expire_at = now_ms() + crate::state::millis(state.oauth.state_lifetime);
    let agent = user_agent(headers);
    let mut tx = state.db.write().await?;
    // Again under the write lock: a sign-in completed meanwhile wins.
    domain::sessions::ensure_signed_out(&mut tx, &client.id).await?;
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

/// `POST /v1/client/sign_ups` with `transfer=true`: the identity the client's OAuth sign-in
/// found becomes a new user, signed in. The response is the completed sign-up (as JSON: its
/// email verification carries the sign-up-only `next_action` and `supported_strategies`).
pub async fn transfer(
    state: &AppState,
    client: &CurrentClient,
    headers: &HeaderMap,
    form: &Params,
) -> Result<Envelope<Value>> {
    for name in NOT_WITH_TRANSFER {
        if form.contains(name) {
            return Err(FieldError::value_invalid(
                name,
                format!("`{name}` cannot be given with `transfer`: the account is made from what the provider shared."),
            )
            .into());
        }
    }
    let unsafe_metadata = match form.one("unsafe_metadata")? {
        Some(text) => validate::metadata_text("unsafe_metadata", text)?,
        None => serde_json::Map::new(),
    };

    let mut tx = state.db.write().await?;
    domain::sessions::ensure_signed_out(&mut tx, &client.id).await?;
    let sign_in_id = clients::find(&mut tx, &client.id)
        .await?
        .and_then(|row| row.sign_in_id)
        .ok_or(Error::TransferUnavailable)?;
    let verification = oauth_flows::sign_in_verification(&mut tx, &sign_in_id).await?;
    if verification.map(|v| v.status).as_deref() != Some("transferable") {
        return Err(Error::TransferUnavailable);
    }
    let taken = oauth_flows::take_transfer(&mut tx, &sign_in_id).await?.ok_or(Error::TransferUnavailable)?;
    let identity = &taken.identity;
    let user_id = users::insert(
        &mut tx,
        NewUser {
            first_name: identity.first_name.clone(),
            last_name: identity.last_name.clone(),
            email_addresses: identity.email_address.iter().cloned().collect(),
            unsafe_metadata: unsafe_metadata.clone(),
            // As the instance's environment says (`actions.delete_self`).
            delete_self_enabled: true,
            ..NewUser::default()
        },
    )
    .await?;
    let email = users::find(&mut tx, &user_id)
        .await?
        .and_then(|account| account.identifications.into_iter().find(|i| i.kind == "email_address"));
    if let Some(email) = &email {
        oauth_flows::mark_email_from_oauth(
            &mut tx,
            &user_id,
            &email.id,
            &taken.provider,
            identity.email_verified,
        )
        .await?;
    }
    if external_accounts::insert_verified(
        &mut tx,
        &user_id,
        &taken.provider,
        identity,
        &taken.approved_scopes,
    )
    .await?
    .is_err()
    {
        // Linked by a sign-up that raced this one.
        return Err(Error::TransferUnavailable);
    }
    let identifier = identity
        .email_address
        .clone()
        .or_else(|| identity.username.clone())
        .unwrap_or_else(|| identity.provider_user_id.clone());
    let activity = Activity { user_agent: user_agent(headers), ip_address: None };
    let session =
        domain::sessions::start(&mut tx, &client.id, &user_id, &identifier, &taken.provider, &activity)
            .await?;

    let now = now_ms();
    let from_oauth = format!("from_{}", taken.provider);
    let sign_up = SignUp {
        object: "sign_up_attempt".into(),
        id: new_id("sua"),
        status: SignUpStatus::Complete,
        required_fields: Vec::new(),
        optional_fields: ["email_address", "username", "first_name", "last_name", "password", "phone_number"]
            .iter()
            .map(|s| (*s).to_owned())
            .collect(),
        missing_fields: Vec::new(),
        unverified_fields: match (&email, identity.email_verified) {
            (Some(_), false) => vec!["email_address".to_owned()],
            _ => Vec::new(),
        },
        verifications: SignUpVerifications {
            email_address: email.as_ref().map(|_| Verification {
                object: Some("verification_from_oauth".into()),
                status: if identity.email_verified {
                    VerificationStatus::Verified
                } else {
                    VerificationStatus::Unverified
                },
                strategy: from_oauth.clone(),
                attempts: None,
                expire_at: None,
                external_verification_redirect_url: None,
                error: None,
            }),
            phone_number: None,
            web3_wallet: None,
            external_account: Some(Verification {
                object: Some("verification_oauth".into()),
                status: VerificationStatus::Verified,
                strategy: taken.provider.clone(),
                attempts: None,
                expire_at: Some(now),
                external_verification_redirect_url: None,
                error: None,
            }),
        },
        username: None,
        email_address: identity.email_address.clone(),
        phone_number: None,
        web3_wallet: None,
        password_enabled: false,
        first_name: identity.first_name.clone(),
        last_name: identity.last_name.clone(),
        unsafe_metadata,
        public_metadata: serde_json::Map::new(),
        custom_action: false,
        external_id: None,
        created_session_id: Some(session.id.clone()),
        created_user_id: Some(user_id.clone()),
        abandon_at: now + sign_ins::ABANDON_AFTER_MS,
        legal_accepted_at: None,
    };
    let mut response =
        serde_json::to_value(&sign_up).map_err(|e| Error::Internal(format!("serialising a sign-up: {e}")))?;
    // A sign-up's identification verifications say what comes next (nothing: the provider
    // verified it, or no code can be sent for it here).
    if let Some(email_verification) =
        response.pointer_mut("/verifications/email_address").filter(|v| v.is_object())
    {
        email_verification["next_action"] = Value::String(String::new());
        email_verification["supported_strategies"] = Value::Array(Vec::new());
    }
    let client = render::client(&mut tx, &state.base_url, &client.id).await?;
    tx.commit().await?;
    tracing::info!(user = %user_id, session = %session.id, strategy = %taken.provider, "signed up through a provider");
    Ok(Envelope { response, client: Some(client) })
}
