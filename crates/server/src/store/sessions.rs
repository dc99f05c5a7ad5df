//! Sessions: a user signed in on a client.

use sqlx::SqliteConnection;

use crate::error::Result;
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

    /// `true` when the session can act for its user at `now`.
    pub fn is_active_at(&self, now: i64) -> bool {
        self.status_at(now) == "active"
    }
}

const COLUMNS: &str =
    "id, client_id, user_id, status, identifier, last_active_at, expire_at, abandon_at, created_at, updated_at";

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
