//! How every way of signing in (or up) starts a session.

use sqlx::SqliteConnection;

use crate::error::{Error, Result};
use crate::ids::now_ms;
use crate::store::sessions::{self, Activity, SessionRow};
use crate::store::{clients, users};

/// How many people one client may hold signed in (Clerk's `single_session_mode`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SessionMode {
    /// One session per client: a second sign-in is refused until the first signs out.
    #[default]
    Single,
    /// A session per person on one client; the client's `last_active_session_id` is the one in
    /// use, chosen by `touch`, and `/v1/me` requests name theirs with `_clerk_session_id`.
    Multi,
}

/// Signs `user_id` in on the client: a new active session, recorded with where it came from,
/// becomes the client's active one, and the user's sign-in is recorded. Every way of signing in
/// (or up) ends here. A person already signed in on the client is refused
/// ([`Error::AlreadySignedIn`]): one client holds one session per person.
pub async fn start(
    conn: &mut SqliteConnection,
    client_id: &str,
    user_id: &str,
    identifier: &str,
    strategy: &str,
    activity: &Activity,
) -> Result<SessionRow> {
    ensure_not_signed_in(conn, client_id, user_id).await?;
    let session =
        sessions::create(conn, client_id, user_id, identifier, activity.user_agent.as_deref()).await?;
    sessions::record_activity(conn, &session.id, activity, session.created_at).await?;
    clients::signed_in(conn, client_id, &session.id, strategy).await?;
    users::record_sign_in(conn, user_id, session.created_at).await?;
    Ok(session)
}

/// Refuses a second session on a client in single-session mode; in multi-session mode there is
/// always room (for another person: [`ensure_not_signed_in`]).
pub async fn ensure_room(conn: &mut SqliteConnection, mode: SessionMode, client_id: &str) -> Result<()> {
    if mode == SessionMode::Multi {
        return Ok(());
    }
    let now = now_ms();
    let live = sessions::live_for_client(conn, client_id).await?;
    if live.iter().any(|session| session.is_active_at(now)) {
        return Err(Error::SessionExists);
    }
    Ok(())
}

/// Refuses signing `user_id` in where they already are on this client (multi-session mode, where
/// Clerk answers `identifier_already_signed_in` naming the session to use instead).
pub async fn ensure_not_signed_in(conn: &mut SqliteConnection, client_id: &str, user_id: &str) -> Result<()> {
    let now = now_ms();
    let live = sessions::live_for_client(conn, client_id).await?;
    match live.into_iter().find(|session| session.user_id == user_id && session.is_active_at(now)) {
        Some(session) => Err(Error::AlreadySignedIn { session_id: session.id }),
        None => Ok(()),
    }
}
