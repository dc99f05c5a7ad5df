//! `POST /v1/client/sign_ins/{id}/prepare_first_factor` (a code by email or SMS, for signing in
//! or for a forgotten password, or a sign-in link by email) and `POST …/reset_password` (the new password after a reset
//! code). Attempts are `attempt_first_factor` (`api::sign_ins`); the rules are
//! `domain::sign_in_factors`'.
//!
//! Forgot password: prepare `reset_password_email_code` (or `_phone_code`), attempt it with the
//! code (the sign-in becomes `needs_new_password`), then `reset_password` with `password` and
//! optionally `sign_out_of_other_sessions=true`.
//!
//! Email link: prepare `email_link` (optionally with `redirect_url`, validated as an email
//! address's link is); the link is opened in a browser (`api::verify`) and the client polls
//! `GET /v1/client/sign_ins/{id}` until it is `complete`. `attempt_first_factor` does not take it. The password policy applies
//! (`password::check_new`: 422 naming `password`, the old password untouched); then the sign-in
//! completes, or asks the second factor of a user with two-step verification.

use axum::extract::State;
use axum::routing::post;
use axum::{Json, Router};
use userdesk_fapi::models::{Envelope, SignIn};

use crate::domain;
use crate::domain::sign_in_factors::{sign_in_and_user, strategy_invalid};
use crate::error::{FieldError, Result};
use crate::http::activity::RequestActivity;
use crate::http::form::{Form, Params, PathId};
use crate::http::native_client::CurrentClient;
use crate::http::validate;
use crate::ids::now_ms;
use crate::password;
use crate::render;
use crate::sign_in_policy::{FirstFactor, FirstFactors};
use crate::state::AppState;
use crate::store::sign_in_factors::Factor;
use crate::store::{sessions, users};

/// The params of `prepare_first_factor` in the spec.
const PREPARE_PARAMS: &[&str] = &[
    "strategy",
    "email_address_id",
    "phone_number_id",
    "proof_token",
    "web3_wallet_id",
    "passkey_id",
    "trusted_device_id",
    "redirect_url",
    "action_complete_redirect_url",
    "oidc_login_hint",
    "oidc_prompt",
];

/// The routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/client/sign_ins/{sign_in_id}/prepare_first_factor", post(prepare_first_factor))
        .route("/v1/client/sign_ins/{sign_in_id}/reset_password", post(reset_password))
}

/// `true`/`false` (absent or empty: `false`).
fn boolean(form: &Params, name: &str) -> Result<bool> {
    match form.one(name)? {
        None | Some("" | "false") => Ok(false),
        Some("true") => Ok(true),
        Some(_) => Err(FieldError::must_be(name, "true or false").into()),
    }
}

/// `POST …/prepare_first_factor`: sends a code (`email_code`, `phone_code`,
/// `reset_password_email_code`, `reset_password_phone_code`) or a link (`email_link`) to a
/// verified email address or phone number of the user's: the one named, else the one the sign-in was identified by, else the
/// primary.
async fn prepare_first_factor(
    State(state): State<AppState>,
    client: CurrentClient,
    PathId(sign_in_id): PathId,
    Form(form): Form,
) -> Result<Json<Envelope<SignIn>>> {
    form.allow_only(PREPARE_PARAMS)?;
    let strategy = form.required("strategy")?;
    if strategy == domain::passkeys::STRATEGY {
        // The options name all of the user's passkeys, or the one `passkey_id` names.
        for &name in PREPARE_PARAMS.iter().filter(|&&name| !matches!(name, "strategy" | "passkey_id")) {
            if form.one(name)?.is_some_and(|value| !value.is_empty()) {
                return Err(FieldError::not_used_with(name, strategy).into());
            }
        }
        let passkey_id = form.one("passkey_id")?.filter(|id| !id.is_empty());
        return Ok(Json(domain::passkeys::prepare(&state, &client.id, &sign_in_id, passkey_id).await?));
    }
    let factor = match FirstFactor::parse(strategy) {
        Some(FirstFactor::Password) => {
            return Err(FieldError::value_invalid(
                "strategy",
                "`password` needs no preparation: attempt the first factor with the password.",
            )
            .into())
        }
        None => return Err(strategy_invalid(strategy)),
        Some(factor) => factor,
    };
    let link = factor == FirstFactor::EmailLink;
    let id_param = if factor.uses_email() { "email_address_id" } else { "phone_number_id" };
    let own = |name: &str| name == "strategy" || name == id_param || (link && name == "redirect_url");
    // Every other param of the spec belongs to another strategy: refused, not ignored.
    for &name in PREPARE_PARAMS.iter().filter(|&&name| !own(name)) {
        if form.one(name)?.is_some_and(|value| !value.is_empty()) {
            return Err(FieldError::not_used_with(name, strategy).into());
        }
    }
    let wanted = form.one(id_param)?.filter(|id| !id.is_empty());
    let redirect_url = match form.one("redirect_url")?.filter(|url| !url.is_empty()) {
        Some(url) => Some(validate::redirect_url("redirect_url", url, &state.verification.redirect_schemes)?),
        None => None,
    };

    let mut tx = state.db.write().await?;
    let (row, user) = sign_in_and_user(&mut tx, &client.id, &sign_in_id).await?;
    if row.status != "needs_first_factor" || row.abandon_at <= now_ms() {
        return Err(FieldError::value_invalid(
            "strategy",
            "This sign-in is not waiting for a first factor; start a new sign-in.",
        )
        .into());
    }
    if !FirstFactors::from_stored(row.first_factors.as_deref()).allows(factor) {
        return Err(strategy_invalid(strategy));
    }
    // A locked user gets no codes: they could not use them.
    domain::lockout::ensure_unlocked(&mut tx, &state.lockout, &user).await?;
    let to = domain::sign_in_factors::target(
        &mut tx,
        &user,
        factor.uses_email(),
        wanted,
        id_param,
        row.identification_id.as_deref(),
        strategy,
    )
    .await?;
    if link {
        domain::sign_in_factors::send_link(&mut tx, &state, &row.id, &to, redirect_url.as_deref()).await?;
    } else {
        domain::sign_in_factors::send_code(&mut tx, &state, &row.id, Factor::First, strategy, &to).await?;
    }
    let envelope = render::sign_in::envelope(&mut tx, &state.base_url, &client.id, &row.id).await?;
    tx.commit().await?;
    Ok(Json(envelope))
}

/// `POST …/reset_password`: the new password of a sign-in whose reset code was verified.
async fn reset_password(
    State(state): State<AppState>,
    client: CurrentClient,
    RequestActivity(activity): RequestActivity,
    PathId(sign_in_id): PathId,
    Form(form): Form,
) -> Result<Json<Envelope<SignIn>>> {
    form.allow_only(&["password", "sign_out_of_other_sessions"])?;
    let new_password = form.required("password")?;
    let sign_out_others = boolean(&form, "sign_out_of_other_sessions")?;
    {
        let mut conn = state.db.pool().acquire().await?;
        let (row, _) = sign_in_and_user(&mut conn, &client.id, &sign_in_id).await?;
        if row.status != "needs_new_password" || row.abandon_at <= now_ms() {
            return Err(FieldError::value_invalid(
                "password",
                "This sign-in is not waiting for a new password; verify a reset code first.",
            )
            .into());
        }
    }
    password::check_new("password", new_password)?;
    let hash = password::hash(new_password.to_owned()).await?;

    let mut tx = state.db.write().await?;
    // Read again under the write lock: one reset per verified code, however many requests race.
    let (row, user) = sign_in_and_user(&mut tx, &client.id, &sign_in_id).await?;
    if row.status != "needs_new_password" {
        return Err(FieldError::value_invalid(
            "password",
            "This sign-in is not waiting for a new password; verify a reset code first.",
        )
        .into());
    }
    users::set_password(&mut tx, &user.id, Some(&hash)).await?;
    if sign_out_others {
        // This client has no session of theirs yet (single-session, signing in): every session
        // of the user's is another.
        sessions::revoke_all_but(&mut tx, &user.id, "").await?;
    }
    let strategy = row.first_factor_strategy.clone().unwrap_or_else(|| "reset_password_email_code".into());
    domain::sign_in_factors::finish(
        &mut tx,
        state.sign_in.session_mode,
        &client.id,
        &row,
        &user,
        &strategy,
        &activity,
    )
    .await?;
    let envelope = render::sign_in::envelope(&mut tx, &state.base_url, &client.id, &row.id).await?;
    tx.commit().await?;
    tracing::info!(user = %user.id, "password reset at sign-in");
    Ok(Json(envelope))
}
