//! How every way of signing in (or up) starts a session.

use sqlx::SqliteConnection;

use crate::error::{Error, Result};
use crate::ids::now_ms;
use crate::store::sessions::{self, Activity, SessionRow};
use crate::store::{clients, users};

/// Signs `user_id` in on the client: a new active session, recorded with where it came from,
/// becomes the client's active one, and the user's sign-in is recorded. Every way of signing in
/// (or up) ends here.
pub async fn start(
    conn: &mut SqliteConnection,
    client_id: &str,
    user_id: &str,
    identifier: &str,
    strategy: &str,
    activity: &Activity,
) -> Result<SessionRow> {
    let session =
        sessions::create(conn, client_id, user_id, identifier, activity.user_agent.as_deref()).await?;
    sessions::record_activity(conn, &session.id, activity, session.created_at).await?;
    clients::signed_in(conn, client_id, &session.id, strategy).await?;
    users::record_sign_in(conn, user_id, session.created_at).await?;
    Ok(session)
}

/// Refuses a second session on a client (single-session mode).
pub async fn ensure_signed_out(conn: &mut SqliteConnection, client_id: &str) -> Result<()> {
    let now = now_ms();
    let live = sessions::live_for_client(conn, client_id).await?;
    if live.iter().any(|session| session.is_active_at(now)) {
        return Err(Error::SessionExists);
    }
    Ok(())
}
