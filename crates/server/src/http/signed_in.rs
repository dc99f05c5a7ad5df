//! The session a `/v1/me` request acts on: the one named by `_clerk_session_id`, or the client's
//! last active session. Without an active one, the request is answered `signed_out`.

use axum::extract::{FromRequestParts, OptionalFromRequestParts};
use axum::http::request::Parts;

use super::form::Query;
use super::native_client::CurrentClient;
use crate::error::{Error, Result};
use crate::ids::now_ms;
use crate::state::AppState;
use crate::store::sessions::SessionRow;
use crate::store::{clients, sessions, users};

/// The client and its selected, active session.
#[derive(Debug, Clone)]
pub struct SignedIn {
    /// The client.
    pub client_id: String,
    /// The session.
    pub session: SessionRow,
}

impl FromRequestParts<AppState> for SignedIn {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self> {
        // No client, no session: signed out, as Clerk answers (and no client is made for it).
        let client = <CurrentClient as OptionalFromRequestParts<AppState>>::from_request_parts(parts, state)
            .await?
            .ok_or(Error::SignedOut)?;
        let Query(query) = Query::from_request_parts(parts, state).await?;
        let mut conn = state.db.pool().acquire().await?;
        let session_id = match query.one("_clerk_session_id")?.filter(|id| !id.is_empty()) {
            Some(id) => id.to_owned(),
            None => clients::find(&mut conn, &client.id)
                .await?
                .and_then(|row| row.last_active_session_id)
                .ok_or(Error::SignedOut)?,
        };
        let now = now_ms();
        let session = sessions::find_for_client(&mut conn, &client.id, &session_id)
            .await?
            .filter(|session| session.is_active_at(now))
            .ok_or(Error::SignedOut)?;
        sessions::touch(&mut conn, &session.id, now).await?;
        users::record_activity(&mut conn, &session.user_id, now).await?;
        Ok(SignedIn { client_id: client.id, session })
    }
}
