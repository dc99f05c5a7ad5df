//! `/v1/me/sessions`: the signed-in user's sessions on every device, and signing one out.
//!
//! Each session shows its latest activity: the app or browser and the device, read from the
//! `User-Agent` of its sign-in or latest touch ([`super::user_agent`]), and the address it came
//! from. City and country would need a geolocation database, which this server does not ship:
//! they are never set (and a loopback address has none anyway).

use axum::extract::State;
use axum::routing::{get, post};
use axum::{Json, Router};
use userdesk_fapi::models::{Envelope, Session, SessionActivity, SessionStatus, SessionWithActivities};

use crate::error::{Error, Result};
use crate::http::form::PathId;
use crate::http::signed_in::SignedIn;
use crate::ids::now_ms;
use crate::render;
use crate::render::user_agent;
use crate::state::AppState;
use crate::store::sessions::{self, ActiveSessionRow};
use crate::store::users;

/// The routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/me/sessions/active", get(list_active))
        .route("/v1/me/sessions/{session_id}/revoke", post(revoke))
}

/// A session's activity. There is one per session (its latest), so its id is the session's with
/// another prefix.
fn activity(row: &ActiveSessionRow) -> SessionActivity {
    let device = row.user_agent.as_deref().map(user_agent::parse).unwrap_or_default();
    let suffix = row.session.id.strip_prefix("sess_").unwrap_or(&row.session.id);
    SessionActivity {
        object: "session_activity".into(),
        id: format!("sess_activity_{suffix}"),
        device_type: device.device_type,
        is_mobile: device.is_mobile,
        browser_name: device.browser_name,
        browser_version: device.browser_version,
        ip_address: row.ip_address.clone(),
        city: None,
        country: None,
    }
}

/// `GET /v1/me/sessions/active`: the user's active sessions on every client, most recently used
/// first (a plain array, as Clerk answers).
async fn list_active(
    State(state): State<AppState>,
    signed_in: SignedIn,
) -> Result<Json<Vec<SessionWithActivities>>> {
    let mut conn = state.db.pool().acquire().await?;
    let rows = sessions::active_for_user(&mut conn, &signed_in.session.user_id, now_ms()).await?;
    let sessions = rows
        .iter()
        .map(|row| SessionWithActivities {
            id: row.session.id.clone(),
            object: "session".into(),
            status: SessionStatus::Active,
            expire_at: row.session.expire_at,
            abandon_at: row.session.abandon_at,
            last_active_at: row.session.last_active_at,
            last_active_token: None,
            latest_activity: Some(activity(row)),
        })
        .collect();
    Ok(Json(sessions))
}

/// `POST /v1/me/sessions/{id}/revoke`: signs one of the user's sessions out, wherever it is; from
/// then on it answers `signed_out` and gets no token. Another user's session is answered like one
/// that does not exist. A session already signed out keeps its status.
async fn revoke(
    State(state): State<AppState>,
    signed_in: SignedIn,
    PathId(session_id): PathId,
) -> Result<Json<Envelope<Session>>> {
    let user_id = &signed_in.session.user_id;
    let mut tx = state.db.write().await?;
    sessions::find_for_user(&mut tx, user_id, &session_id).await?.ok_or(Error::NotFound("session"))?;
    if sessions::revoke(&mut tx, user_id, &session_id).await? > 0 {
        tracing::info!(user = %user_id, session = %session_id, "session revoked");
    }
    let row =
        sessions::find_for_user(&mut tx, user_id, &session_id).await?.ok_or(Error::NotFound("session"))?;
    let account = users::find(&mut tx, user_id).await?.ok_or(Error::SignedOut)?;
    let session = render::session(&row, &account, &state.base_url)?;
    let client = render::client(&mut tx, &state.base_url, &signed_in.client_id).await?;
    tx.commit().await?;
    Ok(Json(Envelope { response: session, client: Some(client) }))
}
