//! `/v1/me/email_addresses`: the signed-in user's email addresses, verified by a code or a link
//! (the link opens `GET /v1/verify`, in [`super::verify`]). The shared rules are in
//! [`super::identifications`].

use axum::extract::State;
use axum::routing::{get, post};
use axum::{Json, Router};
use userdesk_fapi::models::{DeletedObject, EmailAddress, Envelope};

use crate::domain;
use crate::domain::identifications::{self as shared, Kind};
use crate::domain::reverification::Level;
use crate::error::{FieldError, Result};
use crate::http::form::{Form, PathId};
use crate::http::signed_in::SignedIn;
use crate::http::validate;
use crate::ids::{new_client_token, now_ms, token_hash};
use crate::outbox::{self, Outgoing};
use crate::render;
use crate::state::millis;
use crate::state::AppState;
use crate::store::identifications::{self, Prepared};

/// The routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/me/email_addresses", get(list).post(create))
        .route("/v1/me/email_addresses/{email_id}", get(read).delete(destroy))
        .route("/v1/me/email_addresses/{email_id}/prepare_verification", post(prepare))
        .route("/v1/me/email_addresses/{email_id}/attempt_verification", post(attempt))
}

/// A plain array, as the spec answers this list.
async fn list(State(state): State<AppState>, signed_in: SignedIn) -> Result<Json<Vec<EmailAddress>>> {
    Ok(Json(shared::list(&state, &signed_in, Kind::Email, render::email_address).await?))
}

async fn create(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Form(form): Form,
) -> Result<Json<Envelope<EmailAddress>>> {
    form.allow_only(&["email_address"])?;
    domain::reverification::require(&state, &signed_in, Level::FirstFactor).await?;
    let address = validate::email_address("email_address", form.required("email_address")?.trim())?;
    let user_id = &signed_in.session.user_id;
    let mut tx = state.db.write().await?;
    shared::ensure_room_for_unverified(&mut tx, user_id).await?;
    let id =
        identifications::insert(&mut tx, user_id, Kind::Email.stored(), &address, "email_address").await?;
    Ok(Json(shared::respond(tx, &state, &signed_in, Kind::Email, &id, render::email_address).await?))
}

async fn read(
    State(state): State<AppState>,
    signed_in: SignedIn,
    PathId(id): PathId,
) -> Result<Json<Envelope<EmailAddress>>> {
    Ok(Json(shared::read(&state, &signed_in, Kind::Email, &id, render::email_address).await?))
}

async fn prepare(
    State(state): State<AppState>,
    signed_in: SignedIn,
    PathId(id): PathId,
    Form(form): Form,
) -> Result<Json<Envelope<EmailAddress>>> {
    form.allow_only(&["strategy", "redirect_url", "action_complete_redirect_url"])?;
    let strategy = form.required("strategy")?;
    if !matches!(strategy, "email_code" | "email_link") {
        return Err(FieldError::value_invalid(
            "strategy",
            format!("`strategy` must be `email_code` or `email_link`; `{strategy}` is not supported here."),
        )
        .into());
    }
    if form.one("action_complete_redirect_url")?.is_some() {
        return Err(FieldError::value_invalid(
            "action_complete_redirect_url",
            "`action_complete_redirect_url` belongs to OAuth and SAML verifications, not to email addresses.",
        )
        .into());
    }
    let redirect_url = match form.one("redirect_url")?.filter(|url| !url.is_empty()) {
        Some(_) if strategy != "email_link" => {
            return Err(FieldError::value_invalid(
                "redirect_url",
                "`redirect_url` is used with the `email_link` strategy only.",
            )
            .into())
        }
        Some(url) => Some(validate::redirect_url("redirect_url", url, &state.verification.redirect_schemes)?),
        None => None,
    };

    let user_id = &signed_in.session.user_id;
    let mut tx = state.db.write().await?;
    let row = shared::own(&mut tx, user_id, Kind::Email, &id).await?;
    if strategy == "email_code" {
        shared::prepare_code(&mut tx, &state, Kind::Email, &row).await?;
    } else {
        let now = now_ms();
        let current = identifications::verification(&mut tx, &row.id).await?;
        shared::ensure_can_send(&state, Kind::Email, &row, current.as_ref(), now)?;
        // A long random token (as client tokens are); only its hash is kept.
        let token = new_client_token();
        let lifetime = state.verification.link_lifetime;
        identifications::prepare(
            &mut tx,
            &row.id,
            &Prepared {
                strategy: "email_link",
                code_hash: None,
                link_token_hash: Some(&token_hash(&token)),
                redirect_url: redirect_url.as_deref(),
                expire_at: now.saturating_add(millis(lifetime)),
            },
        )
        .await?;
        let link = format!("{}/v1/verify?token={token}", state.base_url);
        // In desktop mode the browser that opens it needs a capability, made for this link.
        let link = crate::desktop::link(&state, link, &token_hash(&token), lifetime);
        outbox::send(&mut tx, state.mode, Outgoing::email_link(&row.value, &link, lifetime)).await?;
    }
    Ok(Json(shared::respond(tx, &state, &signed_in, Kind::Email, &id, render::email_address).await?))
}

async fn attempt(
    State(state): State<AppState>,
    signed_in: SignedIn,
    PathId(id): PathId,
    Form(form): Form,
) -> Result<Json<Envelope<EmailAddress>>> {
    Ok(Json(shared::attempt(&state, &signed_in, Kind::Email, &id, &form, render::email_address).await?))
}

async fn destroy(
    State(state): State<AppState>,
    signed_in: SignedIn,
    PathId(id): PathId,
) -> Result<Json<Envelope<DeletedObject>>> {
    Ok(Json(shared::destroy(&state, &signed_in, Kind::Email, &id).await?))
}
