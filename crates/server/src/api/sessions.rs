//! `/v1/client/sessions/{id}`: one session of this client.

use axum::extract::State;
use axum::routing::{get, post};
use axum::{Json, Router};
use userdesk_fapi::models::{Envelope, Session};

use super::form::PathId;
use super::native_client::CurrentClient;
use super::{render, AppState};
use crate::error::{Error, Result};
use crate::store::{clients, sessions, users};

/// The routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/client/sessions/{session_id}", get(get_session))
        .route("/v1/client/sessions/{session_id}/end", post(end_session))
        .route("/v1/client/sessions/{session_id}/remove", post(remove_session))
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
    let session = render::session(&row, &account)?;
    let client = render::client(&mut conn, &client.id).await?;
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
    let session = render::session(&row, &account)?;
    let client = render::client(&mut tx, &client.id).await?;
    tx.commit().await?;
    Ok(Json(Envelope { response: session, client: Some(client) }))
}
