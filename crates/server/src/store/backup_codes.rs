//! Backup codes, kept as keyed hashes, each usable once.

use sqlx::SqliteConnection;

use super::error::Result;
use crate::ids::{new_id, now_ms};

/// Replaces the user's backup codes with `hashes`; returns when.
pub async fn replace(conn: &mut SqliteConnection, user_id: &str, hashes: &[String]) -> Result<i64> {
    let now = now_ms();
    delete_all(conn, user_id).await?;
    for hash in hashes {
        sqlx::query("INSERT INTO backup_codes (id, user_id, code_hash, created_at) VALUES (?, ?, ?, ?)")
            .bind(new_id("bcode"))
            .bind(user_id)
            .bind(hash)
            .bind(now)
            .execute(&mut *conn)
            .await?;
    }
    Ok(now)
}

/// Uses the unused code whose hash is `hash`. Returns `false` when there is none (wrong, or used
/// already).
pub async fn use_code(conn: &mut SqliteConnection, user_id: &str, hash: &str) -> Result<bool> {
    let result = sqlx::query(
        "UPDATE backup_codes SET used_at = ? WHERE user_id = ? AND code_hash = ? AND used_at IS NULL",
    )
    .bind(now_ms())
    .bind(user_id)
    .bind(hash)
    .execute(&mut *conn)
    .await?;
    Ok(result.rows_affected() == 1)
}

/// Removes all of the user's backup codes.
pub async fn delete_all(conn: &mut SqliteConnection, user_id: &str) -> Result<()> {
    sqlx::query("DELETE FROM backup_codes WHERE user_id = ?").bind(user_id).execute(&mut *conn).await?;
    Ok(())
}
