//! Sessions: a user signed in on a client.

use sqlx::SqliteConnection;

use super::error::Result;
use crate::ids::{new_id, now_ms};

/// How long a session lasts however active it is (30 days).
pub const LIFETIME_MS: i64 = 30 * 24 * 60 * 60 * 1000;

/// A `sessions` row.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SessionRow {
    pub id: String,
    pub client_id: String,
    pub user_id: String,
    pub status: String,
    pub identifier: String,
    pub last_active_at: i64,
    pub expire_at: i64,
    pub abandon_at: i64,
    pub created_at: i64,
    pub updated_at: i64,
    /// When the second factor was verified (none asked: `None`).
    pub second_factor_verified_at: Option<i64>,
    /// When the first factor was last verified by a reverification (`None`: only at sign-in,
    /// `created_at`); see [`SessionRow::first_factor_at`].
    pub first_factor_verified_at: Option<i64>,
}

impl SessionRow {
    /// The status as of `now`: an active session past its end has expired even before anything
    /// wrote that down.
    pub fn status_at(&self, now: i64) -> &str {
        if self.status == "active" && self.expire_at <= now {
            "expired"
        } else {
            &self.status
        }
    }

    /// When the session's first factor was last verified: its sign-in, or a later
    /// reverification.
    pub fn first_factor_at(&self) -> i64 {
        self.first_factor_verified_at.unwrap_or(self.created_at)
    }

    /// `true` when the session can act for its user at `now`.
    pub fn is_active_at(&self, now: i64) -> bool {
        self.status_at(now) == "active"
    }
}

const COLUMNS: &str =
    "id, client_id, user_id, status, identifier, last_active_at, expire_at, abandon_at, created_at,
     updated_at, second_factor_verified_at, first_factor_verified_at";

/// Starts an active session for `user_id` on `client_id`.
pub async fn create(
    conn: &mut SqliteConnection,
    client_id: &str,
    user_id: &str,
    identifier: &str,
    user_agent: Option<&str>,
) -> Result<SessionRow> {
    let now = now_ms();
    let row = SessionRow {
        id: new_id("sess"),
        client_id: client_id.to_owned(),
        user_id: user_id.to_owned(),
        status: "active".to_owned(),
        identifier: identifier.to_owned(),
        last_active_at: now,
        expire_at: now + LIFETIME_MS,
        abandon_at: now + LIFETIME_MS,
        created_at: now,
        updated_at: now,
        second_factor_verified_at: None,
        first_factor_verified_at: None,
    };
    sqlx::query(
        "INSERT INTO sessions (id, client_id, user_id, status, identifier, user_agent,
            last_active_at, expire_at, abandon_at, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(&row.id)
    .bind(&row.client_id)
    .bind(&row.user_id)
    .bind(&row.status)
    .bind(&row.identifier)
    .bind(user_agent)
    .bind(row.last_active_at)
    .bind(row.expire_at)
    .bind(row.abandon_at)
    .bind(row.created_at)
    .bind(row.updated_at)
    .execute(&mut *conn)
    .await?;
    Ok(row)
}

/// The client's sessions that are still in use (active or pending, not past their end), oldest
/// first.
pub async fn live_for_client(conn: &mut SqliteConnection, client_id: &str) -> Result<Vec<SessionRow>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM sessions
         WHERE client_id = ? AND status IN ('active', 'pending') AND expire_at > ?
         ORDER BY created_at, rowid"
    );
    Ok(sqlx::query_as::<_, SessionRow>(&sql).bind(client_id).bind(now_ms()).fetch_all(&mut *conn).await?)
}

/// One of the client's sessions, whatever its status.
pub async fn find_for_client(
    conn: &mut SqliteConnection,
    client_id: &str,
    session_id: &str,
) -> Result<Option<SessionRow>> {
    let sql = format!("SELECT {COLUMNS} FROM sessions WHERE client_id = ? AND id = ?");
    Ok(sqlx::query_as::<_, SessionRow>(&sql)
        .bind(client_id)
        .bind(session_id)
        .fetch_optional(&mut *conn)
        .await?)
}

/// The client's session `session_id`, or without one the client's last active session, whatever
/// its status: what a signed-in request acts on, in one query.
pub async fn find_selected(
    conn: &mut SqliteConnection,
    client_id: &str,
    session_id: Option<&str>,
) -> Result<Option<SessionRow>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM sessions WHERE client_id = ?1
         AND id = COALESCE(?2, (SELECT last_active_session_id FROM clients WHERE id = ?1))"
    );
    Ok(sqlx::query_as::<_, SessionRow>(&sql)
        .bind(client_id)
        .bind(session_id)
        .fetch_optional(&mut *conn)
        .await?)
}

/// Sets a session's status (`ended`, `removed`, …).
pub async fn set_status(conn: &mut SqliteConnection, id: &str, status: &str) -> Result<()> {
    sqlx::query("UPDATE sessions SET status = ?, updated_at = ? WHERE id = ?")
        .bind(status)
        .bind(now_ms())
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Ends every live session of the client.
pub async fn end_all_for_client(conn: &mut SqliteConnection, client_id: &str) -> Result<()> {
    sqlx::query(
        "UPDATE sessions SET status = 'ended', updated_at = ?
         WHERE client_id = ? AND status IN ('active', 'pending')",
    )
    .bind(now_ms())
    .bind(client_id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Records use of the session (at most once a minute, to spare writes).
pub async fn touch(conn: &mut SqliteConnection, id: &str, at: i64) -> Result<()> {
    sqlx::query("UPDATE sessions SET last_active_at = ? WHERE id = ? AND last_active_at < ?")
        .bind(at)
        .bind(id)
        .bind(at - 60_000)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Where a session was last used from: its `User-Agent` and address.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Activity {
    pub user_agent: Option<String>,
    pub ip_address: Option<String>,
}

/// Records the session's latest activity (and use).
pub async fn record_activity(
    conn: &mut SqliteConnection,
    id: &str,
    activity: &Activity,
    at: i64,
) -> Result<()> {
    sqlx::query(
        "UPDATE sessions SET user_agent = ?, ip_address = ?, last_active_at = MAX(last_active_at, ?)
         WHERE id = ?",
    )
    .bind(&activity.user_agent)
    .bind(&activity.ip_address)
    .bind(at)
    .bind(id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Records that the session's second factor was verified at `at`.
pub async fn record_second_factor(conn: &mut SqliteConnection, id: &str, at: i64) -> Result<()> {
    sqlx::query("UPDATE sessions SET second_factor_verified_at = ?, updated_at = ? WHERE id = ?")
        .bind(at)
        .bind(at)
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Records that the session's first factor was verified again at `at` (a reverification).
pub async fn record_first_factor(conn: &mut SqliteConnection, id: &str, at: i64) -> Result<()> {
    sqlx::query("UPDATE sessions SET first_factor_verified_at = ?, updated_at = ? WHERE id = ?")
        .bind(at)
        .bind(at)
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// A session with its latest activity.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ActiveSessionRow {
    #[sqlx(flatten)]
    pub session: SessionRow,
    pub user_agent: Option<String>,
    pub ip_address: Option<String>,
}

/// The user's sessions that can act at `now`, on every client, most recently used first.
pub async fn active_for_user(
    conn: &mut SqliteConnection,
    user_id: &str,
    now: i64,
) -> Result<Vec<ActiveSessionRow>> {
    let sql = format!(
        "SELECT {COLUMNS}, user_agent, ip_address FROM sessions
         WHERE user_id = ? AND status = 'active' AND expire_at > ?
         ORDER BY last_active_at DESC, created_at DESC, rowid DESC"
    );
    Ok(sqlx::query_as::<_, ActiveSessionRow>(&sql).bind(user_id).bind(now).fetch_all(&mut *conn).await?)
}

/// One of the user's sessions on any client, whatever its status.
pub async fn find_for_user(
    conn: &mut SqliteConnection,
    user_id: &str,
    session_id: &str,
) -> Result<Option<SessionRow>> {
    let sql = format!("SELECT {COLUMNS} FROM sessions WHERE user_id = ? AND id = ?");
    Ok(sqlx::query_as::<_, SessionRow>(&sql)
        .bind(user_id)
        .bind(session_id)
        .fetch_optional(&mut *conn)
        .await?)
}

/// Revokes the sessions `filter` selects among the user's active or pending ones, and takes them
/// off their clients, so they stop working at once wherever they are. Returns how many.
async fn revoke_where(conn: &mut SqliteConnection, user_id: &str, filter: &str, bind: &str) -> Result<u64> {
    let now = now_ms();
    let sql = format!(
        "UPDATE sessions SET status = 'revoked', updated_at = ?
         WHERE user_id = ? AND status IN ('active', 'pending') AND {filter}"
    );
    let revoked =
        sqlx::query(&sql).bind(now).bind(user_id).bind(bind).execute(&mut *conn).await?.rows_affected();
    sqlx::query(
        "UPDATE clients SET last_active_session_id = NULL, updated_at = ?
         WHERE last_active_session_id IN (SELECT id FROM sessions WHERE user_id = ? AND status = 'revoked')",
    )
    .bind(now)
    .bind(user_id)
    .execute(&mut *conn)
    .await?;
    Ok(revoked)
}

/// Revokes one of the user's sessions (if it is still active or pending).
pub async fn revoke(conn: &mut SqliteConnection, user_id: &str, session_id: &str) -> Result<u64> {
    revoke_where(conn, user_id, "id = ?", session_id).await
}

/// Revokes every session of the user but `keep`.
pub async fn revoke_all_but(conn: &mut SqliteConnection, user_id: &str, keep: &str) -> Result<u64> {
    revoke_where(conn, user_id, "id <> ?", keep).await
}
