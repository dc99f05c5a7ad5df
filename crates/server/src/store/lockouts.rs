//! Failed sign-in verifications per user (`user_lockouts`). Times are the server clock's
//! milliseconds, given by the caller; when to lock is the caller's rule (`crate::domain::lockout`).

use sqlx::SqliteConnection;

use super::error::Result;

/// A user's failures since their last successful sign-in, and their lock.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, sqlx::FromRow)]
pub struct LockoutRow {
    /// Failed password and second-factor attempts counted so far.
    pub failed_attempts: i64,
    /// Until when the user is locked (clock milliseconds), if they were.
    pub locked_until: Option<i64>,
}

/// The user's row; `None` when they have no failures.
pub async fn find(conn: &mut SqliteConnection, user_id: &str) -> Result<Option<LockoutRow>> {
    Ok(sqlx::query_as::<_, LockoutRow>(
        "SELECT failed_attempts, locked_until FROM user_lockouts WHERE user_id = ?",
    )
    .bind(user_id)
    .fetch_optional(&mut *conn)
    .await?)
}

/// Counts one more failure at `now` and returns the row as it is then. A lock that has passed
/// by `now` is lifted first, so counting starts over after it.
pub async fn count_failure(conn: &mut SqliteConnection, user_id: &str, now: i64) -> Result<LockoutRow> {
    Ok(sqlx::query_as::<_, LockoutRow>(
        "INSERT INTO user_lockouts (user_id, failed_attempts, locked_until, updated_at)
         VALUES (?1, 1, NULL, ?2)
         ON CONFLICT (user_id) DO UPDATE SET
             failed_attempts = CASE WHEN locked_until IS NOT NULL AND locked_until <= ?2
                                    THEN 1 ELSE failed_attempts + 1 END,
             locked_until = CASE WHEN locked_until IS NOT NULL AND locked_until <= ?2
                                 THEN NULL ELSE locked_until END,
             updated_at = ?2
         RETURNING failed_attempts, locked_until",
    )
    .bind(user_id)
    .bind(now)
    .fetch_one(&mut *conn)
    .await?)
}

/// Locks the user until `until`.
pub async fn lock(conn: &mut SqliteConnection, user_id: &str, until: i64, now: i64) -> Result<()> {
    sqlx::query("UPDATE user_lockouts SET locked_until = ?, updated_at = ? WHERE user_id = ?")
        .bind(until)
        .bind(now)
        .bind(user_id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Forgets the user's failures (a successful sign-in).
pub async fn clear(conn: &mut SqliteConnection, user_id: &str) -> Result<()> {
    sqlx::query("DELETE FROM user_lockouts WHERE user_id = ?").bind(user_id).execute(&mut *conn).await?;
    Ok(())
}
