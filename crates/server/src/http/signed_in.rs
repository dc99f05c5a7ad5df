//! The session a `/v1/me` request acts on: the one named by `_clerk_session_id`, or the client's
//! last active session. Without an active one, the request is answered `signed_out`.

use std::sync::Arc;

use axum::extract::{FromRequestParts, OptionalFromRequestParts};
use axum::http::request::Parts;

use super::form::Query;
use super::native_client::CurrentClient;
use crate::error::{Error, Result};
use crate::ids::now_ms;
use crate::state::AppState;
use crate::store::clients::ClientRow;
use crate::store::sessions;
use crate::store::sessions::SessionRow;
use crate::store::uses::USE_RECORD_INTERVAL_MS;

/// The client and its selected, active session.
#[derive(Debug, Clone)]
pub struct SignedIn {
    /// The client.
    pub client_id: String,
    /// The client's row as the request found it (shared with the kept reads: not copied per
    /// request).
    pub client: Arc<ClientRow>,
    /// The session, likewise.
    pub session: Arc<SessionRow>,
}

impl FromRequestParts<AppState> for SignedIn {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self> {
        // No client, no session: signed out, as Clerk answers (and no client is made for it).
        let client = <CurrentClient as OptionalFromRequestParts<AppState>>::from_request_parts(parts, state)
            .await?
            .ok_or(Error::SignedOut)?;
        let Query(query) = Query::from_request_parts(parts, state).await?;
        let selected = query.one("_clerk_session_id")?.filter(|id| !id.is_empty());
        // The row is kept until the next commit (an ended or revoked session is one); whether it
        // is still active is asked of the clock every time.
        let key = (client.id.clone(), selected.map(str::to_owned));
        let generation = state.db.generation();
        let found = match state.kept.selected_sessions.get(&key, generation) {
            Some(found) => found,
            None => {
                let mut conn = state.db.pool().acquire().await?;
                let found = sessions::find_selected(&mut conn, &client.id, selected).await?.map(Arc::new);
                state.kept.selected_sessions.insert(key, generation, found.clone());
                found
            }
        };
        let now = now_ms();
        let session = found.filter(|session| session.is_active_at(now)).ok_or(Error::SignedOut)?;
        // Bookkeeping, not a condition: noted for the writer, at most once a minute, so that a
        // read stays a read (the status above is what revocation changes, read every time).
        if now - session.last_active_at >= USE_RECORD_INTERVAL_MS {
            state.db.uses().session(&session.id, &session.user_id, now);
        }
        Ok(SignedIn { client_id: client.id, client: client.row, session })
    }
}
