//! `/v1/client/sign_ups`: creating an account with an email address and a password.
//!
//! `POST` starts a sign-up (replacing the client's unfinished one), `PATCH` changes it, and the
//! email address is verified by code (`prepare_verification`, `attempt_verification`, strategy
//! `email_code`). Once the email is verified and a password given, the sign-up completes: the
//! user is created with that email verified and primary, the sign-up's `unsafe_metadata`
//! becomes theirs, and a session starts and becomes the client's active one. `transfer=true`
//! turns an OAuth sign-in's new identity into a user instead ([`transfer`]).
//!
//! Rules and codes (Clerk's where it has one):
//! - `email_address` and `password` are required, `username`, `first_name` and `last_name`
//!   optional; each is checked as elsewhere (the password by [`crate::password::check_new`]).
//!   An email address or username that a user has: 422 `form_identifier_exists`, at once and
//!   again (by the database's unique constraints) when the user is created.
//! - The code: as for identifications (six digits, three tries, [`crate::Config::code_lifetime`],
//!   the resend cooldown). A new email address forgets the old one's verification.
//! - A complete or abandoned sign-up cannot change: 403 `sign_up_cannot_be_updated`.
//! - A client with an active session cannot sign up (single-session mode): 400 `session_exists`.
//! - The captcha parameters Clerk's SDKs may send are ignored (this server has no captcha);
//!   parameters of other strategies are refused by name.

use axum::extract::State;
use axum::http::HeaderMap;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{json, Map, Value};
use sqlx::SqliteConnection;
use userdesk_fapi::models::{
    Envelope, SignUp, SignUpStatus, SignUpVerifications, Verification, VerificationStatus,
};

use crate::domain;
use crate::error::{Error, FieldError, Result};
use crate::http::activity::{self, RequestActivity};
use crate::http::form::{Form, Params, PathId};
use crate::http::native_client::{ClientOrNew, CurrentClient};
use crate::http::validate;
use crate::ids::{new_id, now_ms};
use crate::one_time_code::{self, MAX_ATTEMPTS};
use crate::outbox::{self, OutboxChannel, Outgoing};
use crate::password;
use crate::render;
use crate::state::millis;
use crate::state::AppState;
use crate::store::sessions::Activity;
use crate::store::sign_ups::{self, SignUpFields, SignUpRow};
use crate::store::users::{self, NewUser};
use crate::store::{clients, oauth_flows};

/// The params of `POST /v1/client/sign_ups` in the spec.
const CREATE_PARAMS: &[&str] = &[
    "transfer",
    "password",
    "first_name",
    "last_name",
    "username",
    "email_address",
    "phone_number",
    "email_address_or_phone_number",
    "unsafe_metadata",
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
    // Sent by Clerk's JavaScript SDK wherever the platform tells it (`navigator.language`, the
    // time zone; React Native apps send `timezone`): hints this server does not keep.
    "locale",
    "timezone",
];

/// The params of `PATCH /v1/client/sign_ups/{id}` in the spec.
const UPDATE_PARAMS: &[&str] = &[
    "password",
    "first_name",
    "last_name",
    "username",
    "email_address",
    "phone_number",
    "email_address_or_phone_number",
    "unsafe_metadata",
    "strategy",
    "redirect_url",
    "action_complete_redirect_url",
    "ticket",
    "web3_wallet",
    "token",
    "code",
    "legal_accepted",
    "oidc_login_hint",
    "oidc_prompt",
    "proof_token",
];

/// Params of other strategies and identifiers: refused if given, so nothing is silently ignored.
const UNSUPPORTED_PARAMS: &[&str] = &[
    "phone_number",
    "email_address_or_phone_number",
    "strategy",
    "redirect_url",
    "action_complete_redirect_url",
    "ticket",
    "web3_wallet",
    "token",
    "code",
    "oidc_login_hint",
    "oidc_prompt",
    "proof_token",
];

/// What this instance requires, and accepts besides.
const REQUIRED_FIELDS: [&str; 2] = ["email_address", "password"];
const OPTIONAL_FIELDS: [&str; 3] = ["first_name", "last_name", "username"];
/// The one verification strategy of a sign-up's email address here.
const EMAIL_STRATEGY: &str = "email_code";

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

/// The routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/client/sign_ups", post(create_sign_up))
        .route("/v1/client/sign_ups/{sign_up_id}", get(get_sign_up).patch(update_sign_up))
        .route("/v1/client/sign_ups/{sign_up_id}/prepare_verification", post(prepare_verification))
        .route("/v1/client/sign_ups/{sign_up_id}/attempt_verification", post(attempt_verification))
}

/// The email address's verification as a sign-up shows it.
fn email_verification(row: &SignUpRow, now: i64) -> Option<Verification> {
    let status = row.verification_status.as_deref()?;
    let status = match render::status_at(status, row.verification_expire_at, now) {
        "verified" => VerificationStatus::Verified,
        "failed" => VerificationStatus::Failed,
        "expired" => VerificationStatus::Expired,
        _ => VerificationStatus::Unverified,
    };
    Some(Verification {
        object: Some("verification_otp".into()),
        status,
        strategy: EMAIL_STRATEGY.into(),
        attempts: row.verification_attempts.and_then(|n| u32::try_from(n).ok()),
        expire_at: row.verification_expire_at,
        external_verification_redirect_url: None,
        error: None,
        nonce: None,
    })
}

/// The wire model of a sign-up.
pub fn model(row: &SignUpRow) -> Result<SignUp> {
    let now = now_ms();
    let complete = row.status == "complete";
    let email_verified = row.verification_status.as_deref() == Some("verified");
    let password_given = row.password_hash.is_some() || complete;
    let mut missing_fields = Vec::new();
    if row.email_address.is_none() {
        missing_fields.push("email_address".to_owned());
    }
    if !password_given {
        missing_fields.push("password".to_owned());
    }
    let unverified_fields = if row.email_address.is_some() && !email_verified {
        vec!["email_address".to_owned()]
    } else {
        Vec::new()
    };
    let status = match row.status.as_str() {
        "complete" => SignUpStatus::Complete,
        "abandoned" => SignUpStatus::Abandoned,
        _ if row.abandon_at <= now => SignUpStatus::Abandoned,
        _ => SignUpStatus::MissingRequirements,
    };
    Ok(SignUp {
        object: "sign_up_attempt".into(),
        id: row.id.clone(),
        status,
        required_fields: REQUIRED_FIELDS.iter().map(|s| (*s).to_owned()).collect(),
        optional_fields: OPTIONAL_FIELDS.iter().map(|s| (*s).to_owned()).collect(),
        missing_fields,
        unverified_fields,
        verifications: SignUpVerifications {
            email_address: email_verification(row, now),
            phone_number: None,
            web3_wallet: None,
            external_account: None,
        },
        username: row.username.clone(),
        email_address: row.email_address.clone(),
        phone_number: None,
        web3_wallet: None,
        password_enabled: password_given,
        first_name: row.first_name.clone(),
        last_name: row.last_name.clone(),
        unsafe_metadata: render::metadata(&row.unsafe_metadata)?,
        public_metadata: Map::new(),
        custom_action: false,
        external_id: None,
        created_session_id: row.created_session_id.clone(),
        created_user_id: row.created_user_id.clone(),
        abandon_at: row.abandon_at,
        legal_accepted_at: row.legal_accepted_at,
    })
}

/// A sign-up as JSON: the model, with what only a sign-up's email and phone verifications carry
/// (`next_action`: `needs_prepare`, `needs_attempt` or empty once verified;
/// `supported_strategies`).
pub fn wire(sign_up: &SignUp) -> Result<Value> {
    let mut value =
        serde_json::to_value(sign_up).map_err(|e| Error::Internal(format!("serialising a sign-up: {e}")))?;
    for (field, verification) in [
        ("email_address", &sign_up.verifications.email_address),
        ("phone_number", &sign_up.verifications.phone_number),
    ] {
        let (Some(verification), Some(Value::Object(shown))) =
            (verification, value.pointer_mut(&format!("/verifications/{field}")))
        else {
            continue;
        };
        let next_action = match verification.status {
            VerificationStatus::Verified => "",
            VerificationStatus::Unverified => "needs_attempt",
            _ => "needs_prepare",
        };
        shown.insert("next_action".into(), next_action.into());
        shown.insert("supported_strategies".into(), json!([verification.strategy]));
    }
    Ok(value)
}

/// The sign-up, with the client.
async fn respond(
    conn: &mut SqliteConnection,
    base_url: &str,
    client_id: &str,
    sign_up_id: &str,
) -> Result<Envelope<Value>> {
    let row =
        sign_ups::find_for_client(conn, client_id, sign_up_id).await?.ok_or(Error::NotFound("sign up"))?;
    let response = wire(&model(&row)?)?;
    let client = render::client(conn, base_url, client_id).await?;
    Ok(Envelope { response, client: Some(client) })
}

/// A text field: `None` when absent, `Some(None)` when empty.
fn clearable<'a>(form: &'a Params, name: &str) -> Result<Option<Option<&'a str>>> {
    Ok(form.one(name)?.map(|value| Some(value).filter(|v| !v.is_empty())))
}

/// What a sign-up form gives: the fields (password not yet hashed) and the password.
struct Given<'a> {
    fields: SignUpFields,
    password: Option<&'a str>,
}

/// Reads and checks the fields of a create or update form.
fn read_fields(form: &Params) -> Result<Given<'_>> {
    for name in UNSUPPORTED_PARAMS {
        if form.one(name)?.is_some_and(|value| !value.is_empty()) {
            return Err(FieldError::value_invalid(
                name,
                format!("`{name}` is not supported: sign up with an email address and a password."),
            )
            .into());
        }
    }
    let mut fields = SignUpFields::default();
    if let Some(email) = clearable(form, "email_address")? {
        fields.email_address = Some(match email {
            Some(email) => Some(validate::email_address("email_address", email.trim())?),
            None => None,
        });
    }
    if let Some(username) = clearable(form, "username")? {
        if let Some(username) = username {
            validate::username(username)?;
        }
        fields.username = Some(username.map(str::to_owned));
    }
    for (name, slot) in [("first_name", &mut fields.first_name), ("last_name", &mut fields.last_name)] {
        if let Some(value) = clearable(form, name)? {
            if let Some(value) = value {
                validate::name(name, value)?;
            }
            *slot = Some(value.map(str::to_owned));
        }
    }
    let password = form.one("password")?;
    if let Some(password) = password {
        password::check_new("password", password)?;
    }
    if let Some(text) = form.one("unsafe_metadata")? {
        let metadata = validate::metadata_text("unsafe_metadata", text)?;
        validate::metadata_size("unsafe_metadata", &metadata)?;
        fields.unsafe_metadata = Some(
            serde_json::to_string(&metadata)
                .map_err(|e| Error::Internal(format!("serialising metadata: {e}")))?,
        );
    }
    match form.one("legal_accepted")? {
        None | Some("" | "false") => {}
        Some("true") => fields.legal_accepted_at = Some(now_ms()),
        Some(_) => return Err(FieldError::must_be("legal_accepted", "true or false").into()),
    }
    Ok(Given { fields, password })
}

/// Refuses an email address or username some user already has (the unique constraints decide
/// again when the user is created).
async fn ensure_available(conn: &mut SqliteConnection, fields: &SignUpFields) -> Result<()> {
    if let Some(Some(email)) = &fields.email_address {
        if sign_ups::email_taken(conn, email).await? {
            return Err(FieldError::identifier_exists("email_address").into());
        }
    }
    if let Some(Some(username)) = &fields.username {
        if sign_ups::username_taken(conn, username).await? {
            return Err(FieldError::identifier_exists("username").into());
        }
    }
    Ok(())
}

/// Reads, checks and hashes what the form gives.
async fn prepared_fields(state: &AppState, form: &Params) -> Result<SignUpFields> {
    let Given { mut fields, password } = read_fields(form)?;
    {
        let mut conn = state.db.pool().acquire().await?;
        ensure_available(&mut conn, &fields).await?;
    }
    if let Some(password) = password {
        fields.password_hash = Some(password::hash(password.to_owned()).await?);
    }
    Ok(fields)
}

/// The client's sign-up, if it can still change.
async fn open_sign_up(conn: &mut SqliteConnection, client_id: &str, sign_up_id: &str) -> Result<SignUpRow> {
    let row =
        sign_ups::find_for_client(conn, client_id, sign_up_id).await?.ok_or(Error::NotFound("sign up"))?;
    if row.status != "missing_requirements" || row.abandon_at <= now_ms() {
        return Err(Error::SignUpCannotBeUpdated);
    }
    Ok(row)
}

/// Completes the sign-up if nothing is missing: creates the user (email verified and primary,
/// the sign-up's unsafe metadata), starts their session on the client.
async fn complete_if_ready(
    conn: &mut SqliteConnection,
    client_id: &str,
    sign_up_id: &str,
    activity: &Activity,
) -> Result<()> {
    let row = open_sign_up(conn, client_id, sign_up_id).await?;
    let (Some(email), Some(password_hash)) = (&row.email_address, &row.password_hash) else {
        return Ok(());
    };
    if row.verification_status.as_deref() != Some("verified") {
        return Ok(());
    }
    domain::sessions::ensure_signed_out(conn, client_id).await?;
    let user_id = users::insert(
        conn,
        NewUser {
            username: row.username.clone(),
            first_name: row.first_name.clone(),
            last_name: row.last_name.clone(),
            password_hash: Some(password_hash.clone()),
            email_addresses: vec![email.clone()],
            unsafe_metadata: render::metadata(&row.unsafe_metadata)?,
            // As the instance's environment says (`actions.delete_self`).
            delete_self_enabled: true,
            ..NewUser::default()
        },
    )
    .await?;
    let email_id = sign_ups::email_identification(conn, &user_id, email)
        .await?
        .ok_or_else(|| Error::Internal("the new user's email address vanished".into()))?;
    sign_ups::finish_user(conn, &user_id, &email_id, &row).await?;
    let session = domain::sessions::start(conn, client_id, &user_id, email, EMAIL_STRATEGY, activity).await?;
    sign_ups::complete(conn, &row.id, &user_id, &session.id).await?;
    tracing::info!(user = %user_id, session = %session.id, "signed up");
    Ok(())
}

/// `POST /v1/client/sign_ups`.
async fn create_sign_up(
    State(state): State<AppState>,
    ClientOrNew(client): ClientOrNew,
    headers: HeaderMap,
    Form(form): Form,
) -> Result<Json<Envelope<Value>>> {
    form.allow_only(CREATE_PARAMS)?;
    match form.one("transfer")? {
        // An OAuth sign-in's new identity becoming a user.
        Some("true") => Ok(Json(transfer(&state, &client, &headers, &form).await?)),
        None | Some("" | "false") => Ok(Json(create_regular(&state, &client, &form).await?)),
        Some(_) => Err(FieldError::must_be("transfer", "true or false").into()),
    }
}

/// A sign-up with an email address and a password.
async fn create_regular(state: &AppState, client: &CurrentClient, form: &Params) -> Result<Envelope<Value>> {
    {
        let mut conn = state.db.pool().acquire().await?;
        domain::sessions::ensure_signed_out(&mut conn, &client.id).await?;
    }
    let fields = prepared_fields(state, form).await?;
    let mut tx = state.db.write().await?;
    domain::sessions::ensure_signed_out(&mut tx, &client.id).await?;
    sign_ups::abandon_open(&mut tx, &client.id).await?;
    let id = sign_ups::create(&mut tx, &client.id, fields).await?;
    let envelope = respond(&mut tx, &state.base_url, &client.id, &id).await?;
    tx.commit().await?;
    Ok(envelope)
}

async fn get_sign_up(
    State(state): State<AppState>,
    client: CurrentClient,
    PathId(sign_up_id): PathId,
) -> Result<Json<Envelope<Value>>> {
    let mut conn = state.db.pool().acquire().await?;
    Ok(Json(respond(&mut conn, &state.base_url, &client.id, &sign_up_id).await?))
}

/// `PATCH /v1/client/sign_ups/{id}`: changes fields; completes the sign-up if that was all it
/// lacked.
async fn update_sign_up(
    State(state): State<AppState>,
    client: CurrentClient,
    RequestActivity(activity): RequestActivity,
    PathId(sign_up_id): PathId,
    Form(form): Form,
) -> Result<Json<Envelope<Value>>> {
    form.allow_only(UPDATE_PARAMS)?;
    {
        let mut conn = state.db.pool().acquire().await?;
        open_sign_up(&mut conn, &client.id, &sign_up_id).await?;
    }
    let mut fields = prepared_fields(&state, &form).await?;
    let mut tx = state.db.write().await?;
    let row = open_sign_up(&mut tx, &client.id, &sign_up_id).await?;
    if fields.email_address.as_ref().is_some_and(|email| *email == row.email_address) {
        // The same address again keeps its verification.
        fields.email_address = None;
    }
    sign_ups::update(&mut tx, &row.id, &fields).await?;
    complete_if_ready(&mut tx, &client.id, &row.id, &activity).await?;
    let envelope = respond(&mut tx, &state.base_url, &client.id, &row.id).await?;
    tx.commit().await?;
    Ok(Json(envelope))
}

/// Refuses anything but `email_code`.
fn email_code_only(form: &Params) -> Result<()> {
    match form.required("strategy")? {
        EMAIL_STRATEGY => Ok(()),
        other => Err(FieldError::value_invalid(
            "strategy",
            format!("The `{other}` strategy is not supported for sign-ups here; use `email_code`."),
        )
        .into()),
    }
}

/// `POST /v1/client/sign_ups/{id}/prepare_verification`: emails a code to the sign-up's address.
async fn prepare_verification(
    State(state): State<AppState>,
    client: CurrentClient,
    PathId(sign_up_id): PathId,
    Form(form): Form,
) -> Result<Json<Envelope<Value>>> {
    form.allow_only(&[
        "strategy",
        "redirect_url",
        "action_complete_redirect_url",
        "oidc_login_hint",
        "oidc_prompt",
        "proof_token",
    ])?;
    email_code_only(&form)?;
    for name in
        ["redirect_url", "action_complete_redirect_url", "oidc_login_hint", "oidc_prompt", "proof_token"]
    {
        if form.one(name)?.is_some_and(|value| !value.is_empty()) {
            return Err(FieldError::not_used_with(name, "email_code").into());
        }
    }
    let now = now_ms();
    let mut tx = state.db.write().await?;
    let row = open_sign_up(&mut tx, &client.id, &sign_up_id).await?;
    let email = row.email_address.clone().ok_or_else(|| FieldError::missing("email_address"))?;
    if row.verification_status.as_deref() == Some("verified") {
        return Err(Error::VerificationAlreadyVerified);
    }
    outbox::ensure_deliverable(state.mode, OutboxChannel::Email)?;
    if let Some(sent_at) = row.verification_sent_at {
        domain::verification::ensure_cooldown_passed(&state, sent_at, now)?;
    }
    let code = one_time_code::generate();
    let lifetime = state.verification.code_lifetime;
    sign_ups::prepare(&mut tx, &row.id, &one_time_code::hash(&code), now.saturating_add(millis(lifetime)))
        .await?;
    outbox::send(&mut tx, state.mode, Outgoing::email_code(&email, &code, lifetime)).await?;
    let envelope = respond(&mut tx, &state.base_url, &client.id, &row.id).await?;
    tx.commit().await?;
    Ok(Json(envelope))
}

/// `POST /v1/client/sign_ups/{id}/attempt_verification`: the emailed code; completes the
/// sign-up when nothing else is missing.
async fn attempt_verification(
    State(state): State<AppState>,
    client: CurrentClient,
    RequestActivity(activity): RequestActivity,
    PathId(sign_up_id): PathId,
    Form(form): Form,
) -> Result<Json<Envelope<Value>>> {
    form.allow_only(&["strategy", "code", "signature", "token"])?;
    email_code_only(&form)?;
    for name in ["signature", "token"] {
        if form.one(name)?.is_some_and(|value| !value.is_empty()) {
            return Err(FieldError::not_used_with(name, "email_code").into());
        }
    }
    let code = validate::code(form.required("code")?)?;
    let mut tx = state.db.write().await?;
    let row = open_sign_up(&mut tx, &client.id, &sign_up_id).await?;
    match row
        .verification_status
        .as_deref()
        .map(|status| render::status_at(status, row.verification_expire_at, now_ms()))
    {
        None => return Err(Error::VerificationMissing),
        Some("verified") => return Err(Error::VerificationAlreadyVerified),
        Some("failed") => return Err(Error::VerificationFailed),
        Some("expired") => return Err(Error::VerificationExpired),
        Some(_) => {}
    }
    let stored = row.verification_code_hash.as_deref().ok_or(Error::VerificationMissing)?;
    if !one_time_code::matches(code, stored) {
        let attempts =
            u32::try_from(row.verification_attempts.unwrap_or(0)).unwrap_or(u32::MAX).saturating_add(1);
        let refusal = if attempts >= MAX_ATTEMPTS {
            sign_ups::record_attempt(&mut tx, &row.id, "failed").await?;
            Error::VerificationFailed
        } else {
            sign_ups::record_attempt(&mut tx, &row.id, "unverified").await?;
            Error::CodeIncorrect { attempts_left: MAX_ATTEMPTS - attempts }
        };
        // The attempt counts even though the answer is an error.
        tx.commit().await?;
        return Err(refusal);
    }
    sign_ups::record_attempt(&mut tx, &row.id, "verified").await?;
    complete_if_ready(&mut tx, &client.id, &row.id, &activity).await?;
    let envelope = respond(&mut tx, &state.base_url, &client.id, &row.id).await?;
    tx.commit().await?;
    Ok(Json(envelope))
}

/// `POST /v1/client/sign_ups` with `transfer=true`: the identity the client's OAuth sign-in
/// found becomes a new user, signed in. The response is the completed sign-up (as JSON: its
/// email verification carries the sign-up-only `next_action` and `supported_strategies`).
async fn transfer(
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
    if crate::store::external_accounts::insert_verified(
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
    let activity = Activity { user_agent: activity::user_agent(headers), ip_address: None };
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
                nonce: None,
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
                nonce: None,
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
        abandon_at: now + crate::store::sign_ins::ABANDON_AFTER_MS,
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
