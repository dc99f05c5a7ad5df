//! Clients: one per device (native app install), known by the hash of its token.

use sqlx::SqliteConnection;

use super::error::Result;
use crate::ids::{new_id, now_ms};

/// A `clients` row.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ClientRow {
    pub id: String,
    pub sign_in_id: Option<String>,
    pub last_active_session_id: Option<String>,
    pub last_authentication_strategy: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
    /// When a request last presented its token, on the server's clock (moved at most once a
    /// minute, so reads stay reads).
    pub last_used_at: i64,
}

const COLUMNS: &str =
    "id, sign_in_id, last_active_session_id, last_authentication_strategy, created_at, updated_at, last_used_at";

/// Creates a client known by `token_hash`, used at `used_at` (the server's clock).
pub async fn create(conn: &mut SqliteConnection, token_hash: &str, used_at: i64) -> Result<ClientRow> {
    let now = now_ms();
    let id = new_id("client");
    sqlx::query(
        "INSERT INTO clients (id, token_hash, created_at, updated_at, last_used_at) VALUES (?, ?, ?, ?, ?)",
    )
    .bind(&id)
    .bind(token_hash)
    .bind(now)
    .bind(now)
    .bind(used_at)
    .execute(&mut *conn)
    .await?;
    Ok(ClientRow {
        id,
        sign_in_id: None,
        last_active_session_id: None,
        last_authentication_strategy: None,
        created_at: now,
        updated_at: now,
        last_used_at: used_at,
    })
}

/// Records that the client was used at `at`.
pub async fn mark_used(conn: &mut SqliteConnection, id: &str, at: i64) -> Result<()> {
    sqlx::query("UPDATE clients SET last_used_at = ? WHERE id = ? AND last_used_at < ?")
        .bind(at)
        .bind(id)
        .bind(at)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Deletes the clients unused since `unused_since` that hold nothing: no session in any state
/// (ended ones are the account's history, which deleting the client would cascade away), and no
/// sign-in, sign-up or OAuth round trip still under way at `now`. What they did hold (abandoned
/// sign-ins and sign-ups, spent round trips and nonces) goes with them by `ON DELETE CASCADE`.
/// At most `limit` at a time; returns how many were deleted.
pub async fn delete_unused(
    conn: &mut SqliteConnection,
    unused_since: i64,
    now: i64,
    limit: i64,
) -> Result<u64> {
    let result = sqlx::query(
        "DELETE FROM clients WHERE id IN (SELECT id FROM clients WHERE last_used_at < ?1
            AND NOT EXISTS (SELECT 1 FROM sessions s WHERE s.client_id = clients.id)
            AND NOT EXISTS (SELECT 1 FROM sign_ins i WHERE i.client_id = clients.id
                AND i.status NOT IN ('complete', 'abandoned') AND i.abandon_at > ?2)
            AND NOT EXISTS (SELECT 1 FROM sign_ups u WHERE u.client_id = clients.id
                AND u.status = 'missing_requirements' AND u.abandon_at > ?2)
            AND NOT EXISTS (SELECT 1 FROM oauth_states o WHERE o.client_id = clients.id
                AND o.used_at IS NULL AND o.expire_at > ?2)
            LIMIT ?3)",
    )
    .bind(unused_since)
    .bind(now)
    .bind(limit)
    .execute(&mut *conn)
    .await?;
    Ok(result.rows_affected())
}

/// The client whose token hashes to `token_hash`.
pub async fn find_by_token_hash(conn: &mut SqliteConnection, token_hash: &str) -> Result<Option<ClientRow>> {
    let sql = format!("SELECT {COLUMNS} FROM clients WHERE token_hash = ?");
    Ok(sqlx::query_as::<_, ClientRow>(&sql).bind(token_hash).fetch_optional(&mut *conn).await?)
}

/// The client with this id.
pub async fn find(conn: &mut SqliteConnection, id: &str) -> Result<Option<ClientRow>> {
    let sql = format!("SELECT {COLUMNS} FROM clients WHERE id = ?");
    Ok(sqlx::query_as::<_, ClientRow>(&sql).bind(id).fetch_optional(&mut *conn).await?)
}

/// Sets the sign-in under way (or none).
pub async fn set_sign_in(conn: &mut SqliteConnection, id: &str, sign_in_id: Option<&str>) -> Result<()> {
    sqlx::query("UPDATE clients SET sign_in_id = ?, updated_at = ? WHERE id = ?")
        .bind(sign_in_id)
        .bind(now_ms())
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Records a completed sign-in: its session becomes the active one, the sign-in is no longer
/// under way.
pub async fn signed_in(
    conn: &mut SqliteConnection,
    id: &str,
    session_id: &str,
    strategy: &str,
) -> Result<()> {
    sqlx::query(
        "UPDATE clients SET sign_in_id = NULL, last_active_session_id = ?,
            last_authentication_strategy = ?, updated_at = ? WHERE id = ?",
    )
    .bind(session_id)
    .bind(strategy)
    .bind(now_ms())
    .bind(id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Sets the active session (or none).
pub async fn set_last_active_session(
    conn: &mut SqliteConnection,
    id: &str,
    session_id: Option<&str>,
) -> Result<()> {
    sqlx::query("UPDATE clients SET last_active_session_id = ?, updated_at = ? WHERE id = ?")
        .bind(session_id)
        .bind(now_ms())
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}
