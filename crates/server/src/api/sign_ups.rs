//! `/v1/client/sign_ups`: creating an account with what the instance asks
//! ([`crate::Config::sign_up`]).
//!
//! `POST` starts a sign-up (replacing the client's unfinished one) and `PATCH` adds to it; each
//! takes any part of the fields and answers `missing_requirements` with `missing_fields` (required
//! fields not given, `legal_accepted` when consent is asked) and `unverified_fields` (a given email
//! address or phone number not verified yet) until nothing is lacking. The email address is
//! verified by code (`email_code`) or link (`email_link`, opened in a browser, which completes the
//! sign-up there: the client reads the sign-up again to learn of it), the phone number by SMS code
//! (`phone_code`), through `prepare_verification` and `attempt_verification`. Once nothing is
//! lacking the sign-up completes (`domain::sign_ups`): the user is created with those verified
//! and primary, the sign-up's `unsafe_metadata` and legal acceptance become theirs, and a session
//! starts and becomes the client's active one. `transfer=true` turns an OAuth sign-in's new
//! identity into a user instead ([`transfer`]).
//!
//! Rules and codes (Clerk's where it has one):
//! - Each field is checked as elsewhere (the password by [`crate::password::check_new`]); a field
//!   the instance does not take is refused by name. An email address, phone number or username
//!   that a user has: 422 `form_identifier_exists`, at once and again (by the database's unique
//!   constraints) when the user is created.
//! - Codes: as for identifications (six digits, three tries, [`crate::Config::code_lifetime`],
//!   the resend cooldown); a link holds [`crate::Config::link_lifetime`]. A new email address or
//!   phone number forgets the old one's verification.
//! - A complete or abandoned sign-up cannot change: 403 `sign_up_cannot_be_updated`.
//! - A client with an active session cannot sign up in single-session mode (400 `session_exists`);
//!   in multi-session mode the new user's session joins the client's others.
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
use crate::ids::{new_client_token, new_id, now_ms, token_hash};
use crate::one_time_code::{self, MAX_ATTEMPTS};
use crate::outbox::{self, OutboxChannel, Outgoing};
use crate::password;
use crate::render;
use crate::sign_up_policy::{SignUpSettings, FIELDS};
use crate::state::millis;
use crate::state::AppState;
use crate::store::sessions::Activity;
use crate::store::sign_ups::{self, Sent, SignUpFields, SignUpRow, VerificationRow};
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

/// A field's verification as a sign-up shows it.
fn verification(row: Option<&VerificationRow>, now: i64) -> Option<Verification> {
    let row = row?;
    let status = match render::status_at(&row.status, Some(row.expire_at), now) {
        "verified" => VerificationStatus::Verified,
        "failed" => VerificationStatus::Failed,
        "expired" => VerificationStatus::Expired,
        _ => VerificationStatus::Unverified,
    };
    Some(Verification {
        object: Some(
            if row.strategy == "email_link" { "verification_email_link" } else { "verification_otp" }.into(),
        ),
        status,
        strategy: row.strategy.clone(),
        attempts: u32::try_from(row.attempts).ok(),
        expire_at: Some(row.expire_at),
        external_verification_redirect_url: None,
        error: None,
        nonce: None,
    })
}

/// The wire model of a sign-up.
pub fn model(
    settings: &SignUpSettings,
    row: &SignUpRow,
    verifications: &[VerificationRow],
) -> Result<SignUp> {
    let now = now_ms();
    let lacking = domain::sign_ups::lacking(settings, row, verifications);
    let of = |field: &str| verifications.iter().find(|v| v.field == field);
    let status = match row.status.as_str() {
        "complete" => SignUpStatus::Complete,
        "abandoned" => SignUpStatus::Abandoned,
        _ if row.abandon_at <= now => SignUpStatus::Abandoned,
        _ => SignUpStatus::MissingRequirements,
    };
    let owned = |fields: Vec<&str>| fields.into_iter().map(str::to_owned).collect();
    Ok(SignUp {
        object: "sign_up_attempt".into(),
        id: row.id.clone(),
        status,
        required_fields: owned(settings.required_fields()),
        optional_fields: owned(settings.optional_fields()),
        missing_fields: owned(lacking.missing),
        unverified_fields: owned(lacking.unverified),
        verifications: SignUpVerifications {
            email_address: verification(of("email_address"), now),
            phone_number: verification(of("phone_number"), now),
            web3_wallet: None,
            external_account: None,
        },
        username: row.username.clone(),
        email_address: row.email_address.clone(),
        phone_number: row.phone_number.clone(),
        web3_wallet: None,
        password_enabled: row.password_hash.is_some()
            || (row.status == "complete" && settings.password.enabled()),
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
/// `supported_strategies`: what the instance offers for the field).
pub fn wire(settings: &SignUpSettings, sign_up: &SignUp) -> Result<Value> {
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
        let strategies =
            if field == "email_address" { settings.email_strategies() } else { vec!["phone_code"] };
        shown.insert("supported_strategies".into(), json!(strategies));
    }
    Ok(value)
}

/// The sign-up, with the client.
async fn respond(
    conn: &mut SqliteConnection,
    state: &AppState,
    client_id: &str,
    sign_up_id: &str,
) -> Result<Envelope<Value>> {
    let row =
        sign_ups::find_for_client(conn, client_id, sign_up_id).await?.ok_or(Error::NotFound("sign up"))?;
    let verifications = sign_ups::verifications(conn, &row.id).await?;
    let response = wire(&state.sign_up, &model(&state.sign_up, &row, &verifications)?)?;
    let client = render::client(conn, &state.base_url, client_id).await?;
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

/// Reads and checks the fields of a create or update form; a field the instance does not take is
/// refused by name.
fn read_fields<'a>(state: &AppState, form: &'a Params) -> Result<Given<'a>> {
    for name in UNSUPPORTED_PARAMS {
        if form.one(name)?.is_some_and(|value| !value.is_empty()) {
            return Err(FieldError::value_invalid(name, format!("`{name}` is not supported here.")).into());
        }
    }
    let settings = &state.sign_up;
    for field in FIELDS {
        if !settings.requirement(field).enabled() && form.one(field)?.is_some_and(|value| !value.is_empty()) {
            return Err(FieldError::value_invalid(
                field,
                format!("`{field}` is not part of signing up on this instance."),
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
    if let Some(phone) = clearable(form, "phone_number")? {
        fields.phone_number = Some(match phone {
            Some(phone) => {
                Some(validate::phone_number("phone_number", phone, state.verification.default_region)?)
            }
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
    let password = form.one("password")?.filter(|password| !password.is_empty());
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

/// Refuses an email address, phone number or username some user already has (the unique
/// constraints decide again when the user is created).
async fn ensure_available(conn: &mut SqliteConnection, fields: &SignUpFields) -> Result<()> {
    if let Some(Some(email)) = &fields.email_address {
        if sign_ups::email_taken(conn, email).await? {
            return Err(FieldError::identifier_exists("email_address").into());
        }
    }
    if let Some(Some(phone)) = &fields.phone_number {
        if sign_ups::phone_taken(conn, phone).await? {
            return Err(FieldError::identifier_exists("phone_number").into());
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
    let Given { mut fields, password } = read_fields(state, form)?;
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

/// `POST /v1/client/sign_ups`.
async fn create_sign_up(
    State(state): State<AppState>,
    ClientOrNew(client): ClientOrNew,
    RequestActivity(activity): RequestActivity,
    headers: HeaderMap,
    Form(form): Form,
) -> Result<Json<Envelope<Value>>> {
    form.allow_only(CREATE_PARAMS)?;
    match form.one("transfer")? {
        // An OAuth sign-in's new identity becoming a user.
        Some("true") => Ok(Json(transfer(&state, &client, &headers, &form).await?)),
        None | Some("" | "false") => Ok(Json(create_regular(&state, &client, &activity, &form).await?)),
        Some(_) => Err(FieldError::must_be("transfer", "true or false").into()),
    }
}

/// A sign-up with an email address and a password.
async fn create_regular(
    state: &AppState,
    client: &CurrentClient,
    activity: &Activity,
    form: &Params,
) -> Result<Envelope<Value>> {
    {
        let mut conn = state.db.pool().acquire().await?;
        domain::sessions::ensure_room(&mut conn, state.sign_in.session_mode, &client.id).await?;
    }
    let fields = prepared_fields(state, form).await?;
    let mut tx = state.db.write().await?;
    domain::sessions::ensure_room(&mut tx, state.sign_in.session_mode, &client.id).await?;
    sign_ups::abandon_open(&mut tx, &client.id).await?;
    let id = sign_ups::create(&mut tx, &client.id, fields).await?;
    let row = open_sign_up(&mut tx, &client.id, &id).await?;
    // An instance that verifies nothing it asks for completes at once.
    domain::sign_ups::complete_if_ready(&mut tx, &state.sign_up, state.sign_in.session_mode, &row, activity)
        .await?;
    let envelope = respond(&mut tx, state, &client.id, &id).await?;
    tx.commit().await?;
    Ok(envelope)
}

async fn get_sign_up(
    State(state): State<AppState>,
    client: CurrentClient,
    PathId(sign_up_id): PathId,
) -> Result<Json<Envelope<Value>>> {
    let mut conn = state.db.pool().acquire().await?;
    Ok(Json(respond(&mut conn, &state, &client.id, &sign_up_id).await?))
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
    // The same address or number again keeps its verification.
    if fields.email_address.as_ref().is_some_and(|email| *email == row.email_address) {
        fields.email_address = None;
    }
    if fields.phone_number.as_ref().is_some_and(|phone| *phone == row.phone_number) {
        fields.phone_number = None;
    }
    sign_ups::update(&mut tx, &row.id, &fields).await?;
    let row = open_sign_up(&mut tx, &client.id, &row.id).await?;
    domain::sign_ups::complete_if_ready(&mut tx, &state.sign_up, state.sign_in.session_mode, &row, &activity)
        .await?;
    let envelope = respond(&mut tx, &state, &client.id, &row.id).await?;
    tx.commit().await?;
    Ok(Json(envelope))
}

/// The field a verification strategy verifies, if the instance offers it for sign-ups.
fn field_of(settings: &SignUpSettings, strategy: &str) -> Result<&'static str> {
    let field = match strategy {
        "email_code" | "email_link" if settings.email_strategies().contains(&strategy) => "email_address",
        "phone_code" if settings.phone_number.enabled() => "phone_number",
        _ => {
            let offered = settings
                .email_strategies()
                .into_iter()
                .chain(settings.phone_number.enabled().then_some("phone_code"))
                .map(|s| format!("`{s}`"))
                .collect::<Vec<_>>()
                .join(", ");
            return Err(FieldError::value_invalid(
                "strategy",
                format!("The `{strategy}` strategy is not offered for sign-ups here; use one of {offered}."),
            )
            .into());
        }
    };
    Ok(field)
}

/// `POST /v1/client/sign_ups/{id}/prepare_verification`: emails a code or a link to the sign-up's
/// address, or texts a code to its phone number.
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
    let strategy = form.required("strategy")?;
    let field = field_of(&state.sign_up, strategy)?;
    for name in ["action_complete_redirect_url", "oidc_login_hint", "oidc_prompt", "proof_token"] {
        if form.one(name)?.is_some_and(|value| !value.is_empty()) {
            return Err(FieldError::not_used_with(name, strategy).into());
        }
    }
    let redirect_url = match form.one("redirect_url")?.filter(|url| !url.is_empty()) {
        Some(_) if strategy != "email_link" => {
            return Err(FieldError::not_used_with("redirect_url", strategy).into())
        }
        Some(url) => Some(validate::redirect_url("redirect_url", url, &state.verification.redirect_schemes)?),
        None => None,
    };
    let now = now_ms();
    let mut tx = state.db.write().await?;
    let row = open_sign_up(&mut tx, &client.id, &sign_up_id).await?;
    let (to, channel) = match field {
        "email_address" => (row.email_address.clone(), OutboxChannel::Email),
        _ => (row.phone_number.clone(), OutboxChannel::Sms),
    };
    let to = to.ok_or_else(|| FieldError::missing(field))?;
    let current = sign_ups::verifications(&mut tx, &row.id).await?.into_iter().find(|v| v.field == field);
    if current.as_ref().is_some_and(|v| v.status == "verified") {
        return Err(Error::VerificationAlreadyVerified);
    }
    outbox::ensure_deliverable(state.mode, channel)?;
    if let Some(current) = &current {
        domain::verification::ensure_cooldown_passed(&state, current.sent_at, now)?;
    }
    if strategy == "email_link" {
        // A long random token (as client tokens are); only its hash is kept.
        let token = new_client_token();
        let hash = token_hash(&token);
        let lifetime = state.verification.link_lifetime;
        let sent = Sent {
            field,
            strategy,
            code_hash: None,
            link_token_hash: Some(&hash),
            redirect_url: redirect_url.as_deref(),
            expire_at: now.saturating_add(millis(lifetime)),
        };
        sign_ups::prepare(&mut tx, &row.id, sent).await?;
        let link = format!("{}/v1/verify?token={token}", state.base_url);
        // In desktop mode the browser that opens it needs a capability, made for this link.
        let link = crate::desktop::link(&state, link, &hash, lifetime);
        outbox::send(&mut tx, state.mode, Outgoing::email_link(&to, &link, lifetime)).await?;
    } else {
        let code = one_time_code::generate();
        let hash = one_time_code::hash(&code);
        let lifetime = state.verification.code_lifetime;
        let sent = Sent {
            field,
            strategy,
            code_hash: Some(&hash),
            link_token_hash: None,
            redirect_url: None,
            expire_at: now.saturating_add(millis(lifetime)),
        };
        sign_ups::prepare(&mut tx, &row.id, sent).await?;
        let message = match channel {
            OutboxChannel::Email => Outgoing::email_code(&to, &code, lifetime),
            OutboxChannel::Sms => Outgoing::sms_code(&to, &code, lifetime),
        };
        outbox::send(&mut tx, state.mode, message).await?;
    }
    let envelope = respond(&mut tx, &state, &client.id, &row.id).await?;
    tx.commit().await?;
    Ok(Json(envelope))
}

/// `POST /v1/client/sign_ups/{id}/attempt_verification`: the emailed or texted code; completes
/// the sign-up when nothing else is lacking.
async fn attempt_verification(
    State(state): State<AppState>,
    client: CurrentClient,
    RequestActivity(activity): RequestActivity,
    PathId(sign_up_id): PathId,
    Form(form): Form,
) -> Result<Json<Envelope<Value>>> {
    form.allow_only(&["strategy", "code", "signature", "token"])?;
    let strategy = form.required("strategy")?;
    let field = field_of(&state.sign_up, strategy)?;
    if strategy == "email_link" {
        return Err(FieldError::value_invalid(
            "strategy",
            "An email link is verified by opening it; read the sign-up again to see it verified.",
        )
        .into());
    }
    for name in ["signature", "token"] {
        if form.one(name)?.is_some_and(|value| !value.is_empty()) {
            return Err(FieldError::not_used_with(name, strategy).into());
        }
    }
    let code = validate::code(form.required("code")?)?;
    let mut tx = state.db.write().await?;
    let row = open_sign_up(&mut tx, &client.id, &sign_up_id).await?;
    let current = sign_ups::verifications(&mut tx, &row.id)
        .await?
        .into_iter()
        .find(|v| v.field == field)
        .ok_or(Error::VerificationMissing)?;
    match render::status_at(&current.status, Some(current.expire_at), now_ms()) {
        "verified" => return Err(Error::VerificationAlreadyVerified),
        "failed" => return Err(Error::VerificationFailed),
        "expired" => return Err(Error::VerificationExpired),
        _ => {}
    }
    // A link was sent, or another strategy's code: this code is not the one awaited.
    let stored = current.code_hash.as_deref().filter(|_| current.strategy == strategy);
    let stored = stored.ok_or(Error::VerificationMissing)?;
    if !one_time_code::matches(code, stored) {
        let attempts = u32::try_from(current.attempts).unwrap_or(u32::MAX).saturating_add(1);
        let refusal = if attempts >= MAX_ATTEMPTS {
            sign_ups::record_attempt(&mut tx, &row.id, field, "failed").await?;
            Error::VerificationFailed
        } else {
            sign_ups::record_attempt(&mut tx, &row.id, field, "unverified").await?;
            Error::CodeIncorrect { attempts_left: MAX_ATTEMPTS - attempts }
        };
        // The attempt counts even though the answer is an error.
        tx.commit().await?;
        return Err(refusal);
    }
    sign_ups::record_attempt(&mut tx, &row.id, field, "verified").await?;
    domain::sign_ups::complete_if_ready(&mut tx, &state.sign_up, state.sign_in.session_mode, &row, &activity)
        .await?;
    let envelope = respond(&mut tx, &state, &client.id, &row.id).await?;
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
    domain::sessions::ensure_room(&mut tx, state.sign_in.session_mode, &client.id).await?;
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
