//! Passkeys of the signed-in user (`/v1/me/passkeys`): registering one (creation options, then
//! the authenticator's credential), reading, renaming and removing it. Signing in with a passkey
//! goes through the sign-in routes (`strategy=passkey`, `domain::passkeys`).
//!
//! Creating and removing one ask for a fresh first factor where reverification is on (README's
//! level table); another user's passkey id is 404, as one that does not exist.

use axum::extract::State;
use axum::routing::{get, post};
use axum::{Json, Router};
use userdesk_fapi::models::{DeletedObject, Envelope, Passkey};
use webauthn_rs::prelude::RegisterPublicKeyCredential;

use crate::domain;
use crate::domain::identifications::envelope;
use crate::domain::reverification::Level;
use crate::error::{Error, FieldError, Result};
use crate::http::form::{Form, PathId};
use crate::http::signed_in::SignedIn;
use crate::http::validate;
use crate::passkeys::{credential, CREDENTIAL_PARAM};
use crate::render::passkey::passkey;
use crate::state::AppState;
use crate::store::passkeys as store;
use crate::store::users;

/// The routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/me/passkeys", post(create_passkey))
        .route("/v1/me/passkeys/{passkey_id}", get(read_passkey).patch(update_passkey).delete(delete_passkey))
        .route("/v1/me/passkeys/{passkey_id}/attempt_verification", post(attempt_verification))
}

/// `POST /v1/me/passkeys`: an unverified passkey whose `verification.nonce` holds the creation
/// options for the authenticator.
async fn create_passkey(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Form(form): Form,
) -> Result<Json<Envelope<Passkey>>> {
    form.allow_only(&[])?;
    domain::reverification::require(&state, &signed_in, Level::FirstFactor).await?;
    let user_id = &signed_in.session.user_id;
    let mut tx = state.db.write().await?;
    let (row, nonce) = domain::passkeys::start_registration(&mut tx, &state, user_id).await?;
    let envelope =
        envelope(&mut tx, &state.base_url, &signed_in.client_id, passkey(&row, Some(nonce))).await?;
    tx.commit().await?;
    Ok(Json(envelope))
}

/// `POST /v1/me/passkeys/{id}/attempt_verification`: the authenticator's credential completes
/// the registration; a malformed or refused one stores nothing.
async fn attempt_verification(
    State(state): State<AppState>,
    signed_in: SignedIn,
    PathId(passkey_id): PathId,
    Form(form): Form,
) -> Result<Json<Envelope<Passkey>>> {
    form.allow_only(&["strategy", CREDENTIAL_PARAM])?;
    if let Some(strategy) = form.one("strategy")?.filter(|s| *s != domain::passkeys::STRATEGY) {
        return Err(FieldError::value_invalid("strategy", format!("`{strategy}` is not `passkey`.")).into());
    }
    let answer: RegisterPublicKeyCredential = credential(form.required(CREDENTIAL_PARAM)?)?;
    let user_id = &signed_in.session.user_id;
    let mut tx = state.db.write().await?;
    let row = domain::passkeys::finish_registration(&mut tx, &state, user_id, &passkey_id, &answer).await?;
    users::touch(&mut tx, user_id).await?;
    let envelope = envelope(&mut tx, &state.base_url, &signed_in.client_id, passkey(&row, None)).await?;
    tx.commit().await?;
    tracing::info!(user = %user_id, passkey = %row.id, "passkey registered");
    Ok(Json(envelope))
}

/// `GET /v1/me/passkeys/{id}`.
async fn read_passkey(
    State(state): State<AppState>,
    signed_in: SignedIn,
    PathId(passkey_id): PathId,
) -> Result<Json<Envelope<Passkey>>> {
    let mut conn = state.db.pool().acquire().await?;
    let row = store::find_for_user(&mut conn, &signed_in.session.user_id, &passkey_id)
        .await?
        .ok_or(Error::NotFound("passkey"))?;
    Ok(Json(envelope(&mut conn, &state.base_url, &signed_in.client_id, passkey(&row, None)).await?))
}

/// `PATCH /v1/me/passkeys/{id}`: renames it.
async fn update_passkey(
    State(state): State<AppState>,
    signed_in: SignedIn,
    PathId(passkey_id): PathId,
    Form(form): Form,
) -> Result<Json<Envelope<Passkey>>> {
    form.allow_only(&["name"])?;
    let name = form.one("name")?.map(str::trim).filter(|name| !name.is_empty());
    let Some(name) = name else {
        return Err(FieldError::missing("name").into());
    };
    validate::name("name", name)?;
    let user_id = &signed_in.session.user_id;
    let mut tx = state.db.write().await?;
    let row = store::find_for_user(&mut tx, user_id, &passkey_id).await?.ok_or(Error::NotFound("passkey"))?;
    store::rename(&mut tx, &row.id, name).await?;
    users::touch(&mut tx, user_id).await?;
    let row = store::find_for_user(&mut tx, user_id, &row.id).await?.ok_or(Error::NotFound("passkey"))?;
    let envelope = envelope(&mut tx, &state.base_url, &signed_in.client_id, passkey(&row, None)).await?;
    tx.commit().await?;
    Ok(Json(envelope))
}

/// `DELETE /v1/me/passkeys/{id}`.
async fn delete_passkey(
    State(state): State<AppState>,
    signed_in: SignedIn,
    PathId(passkey_id): PathId,
) -> Result<Json<Envelope<DeletedObject>>> {
    let user_id = &signed_in.session.user_id;
    {
        // 404 before 403: reverification is asked only for a passkey that is there to remove.
        let mut conn = state.db.pool().acquire().await?;
        store::find_for_user(&mut conn, user_id, &passkey_id).await?.ok_or(Error::NotFound("passkey"))?;
    }
    domain::reverification::require(&state, &signed_in, Level::FirstFactor).await?;
    let mut tx = state.db.write().await?;
    let row = store::find_for_user(&mut tx, user_id, &passkey_id).await?.ok_or(Error::NotFound("passkey"))?;
    store::delete(&mut tx, &row.id).await?;
    users::touch(&mut tx, user_id).await?;
    let deleted = DeletedObject { object: "passkey".into(), id: Some(row.id), slug: None, deleted: true };
    let envelope = envelope(&mut tx, &state.base_url, &signed_in.client_id, deleted).await?;
    tx.commit().await?;
    Ok(Json(envelope))
}
