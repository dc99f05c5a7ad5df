//! `/v1/client/sessions/{id}`: one session of this client.

use axum::extract::State;
use axum::routing::{get, post};
use axum::{Json, Router};
use userdesk_fapi::models::{Envelope, Session};

use crate::error::{Error, FieldError, Result};
use crate::http::activity::RequestActivity;
use crate::http::form::{Form, PathId};
use crate::http::native_client::CurrentClient;
use crate::ids::now_ms;
use crate::render;
use crate::state::AppState;
use crate::store::{clients, sessions, users};

/// The routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/client/sessions/{session_id}", get(get_session))
        .route("/v1/client/sessions/{session_id}/end", post(end_session))
        .route("/v1/client/sessions/{session_id}/remove", post(remove_session))
        .route("/v1/client/sessions/{session_id}/touch", post(touch_session))
}

/// Makes an active session of this client the one in use and records where it is used from.
/// This server has no organizations, so `active_organization_id` may only be empty.
async fn touch_session(
    State(state): State<AppState>,
    client: CurrentClient,
    RequestActivity(activity): RequestActivity,
    PathId(session_id): PathId,
    Form(form): Form,
) -> Result<Json<Envelope<Session>>> {
    form.allow_only(&["active_organization_id", "intent"])?;
    if form.one("active_organization_id")?.is_some_and(|id| !id.is_empty()) {
        return Err(FieldError::value_invalid(
            "active_organization_id",
            "This server has no organizations; leave `active_organization_id` empty.",
        )
        .into());
    }
    match form.one("intent")? {
        None | Some("" | "focus" | "select_session" | "select_org") => {}
        Some(_) => {
            return Err(FieldError::value_invalid(
                "intent",
                "`intent` must be `focus`, `select_session` or `select_org`.",
            )
            .into())
        }
    }
    let now = now_ms();
    let mut tx = state.db.write().await?;
    let row = sessions::find_for_client(&mut tx, &client.id, &session_id)
        .await?
        .ok_or(Error::NotFound("session"))?;
    if !row.is_active_at(now) {
        return Err(Error::SignedOut);
    }
    sessions::record_activity(&mut tx, &row.id, &activity, now).await?;
    clients::set_last_active_session(&mut tx, &client.id, Some(&row.id)).await?;
    users::record_activity(&mut tx, &row.user_id, now).await?;
    let row = sessions::find_for_client(&mut tx, &client.id, &session_id)
        .await?
        .ok_or(Error::NotFound("session"))?;
    let account = users::find(&mut tx, &row.user_id).await?.ok_or(Error::NotFound("session"))?;
    let session = render::session(&row, &account, &state.base_url)?;
    let client = render::client(&mut tx, &state.base_url, &client.id).await?;
    tx.commit().await?;
    Ok(Json(Envelope { response: session, client: Some(client) }))
}

async fn get_session(
    State(state): State<AppState>,
    client: CurrentClient,
    PathId(session_id): PathId,
) -> Result<Json<Envelope<Session>>> {
    let mut conn = state.db.pool().acquire().await?;
    let row = sessions::find_for_client(&mut conn, &client.id, &session_id)
        .await?
        .ok_or(Error::NotFound("session"))?;
    let account = users::find(&mut conn, &row.user_id).await?.ok_or(Error::NotFound("session"))?;
    let session = render::session(&row, &account, &state.base_url)?;
    let client = render::client(&mut conn, &state.base_url, &client.id).await?;
    Ok(Json(Envelope { response: session, client: Some(client) }))
}

async fn end_session(
    state: State<AppState>,
    client: CurrentClient,
    path: PathId,
) -> Result<Json<Envelope<Session>>> {
    set_status(state, client, path, "ended").await
}

async fn remove_session(
    state: State<AppState>,
    client: CurrentClient,
    path: PathId,
) -> Result<Json<Envelope<Session>>> {
    set_status(state, client, path, "removed").await
}

/// Ends or removes a session of this client; if it was the active one, the client has no active
/// session afterwards. A session already ended keeps its status when ended again.
async fn set_status(
    State(state): State<AppState>,
    client: CurrentClient,
    PathId(session_id): PathId,
    status: &str,
) -> Result<Json<Envelope<Session>>> {
    let mut tx = state.db.write().await?;
    let row = sessions::find_for_client(&mut tx, &client.id, &session_id)
        .await?
        .ok_or(Error::NotFound("session"))?;
    if matches!(row.status.as_str(), "active" | "pending") || status == "removed" {
        sessions::set_status(&mut tx, &row.id, status).await?;
    }
    let client_row = clients::find(&mut tx, &client.id).await?;
    if client_row.and_then(|c| c.last_active_session_id).as_deref() == Some(row.id.as_str()) {
        clients::set_last_active_session(&mut tx, &client.id, None).await?;
    }
    let row = sessions::find_for_client(&mut tx, &client.id, &session_id)
        .await?
        .ok_or(Error::NotFound("session"))?;
    let account = users::find(&mut tx, &row.user_id).await?.ok_or(Error::NotFound("session"))?;
    let session = render::session(&row, &account, &state.base_url)?;
    let client = render::client(&mut tx, &state.base_url, &client.id).await?;
    tx.commit().await?;
    Ok(Json(Envelope { response: session, client: Some(client) }))
}
