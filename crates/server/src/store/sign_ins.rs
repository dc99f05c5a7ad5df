//! Sign-in attempts and their factor verifications.

use sqlx::SqliteConnection;

use super::error::Result;
use crate::ids::{new_id, now_ms};

/// How long an unfinished sign-in stays usable (24 hours).
pub const ABANDON_AFTER_MS: i64 = 24 * 60 * 60 * 1000;

/// A `sign_ins` row with its first factor's verification, if any.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SignInRow {
    pub id: String,
    pub status: String,
    pub identifier: Option<String>,
    pub user_id: Option<String>,
    pub created_session_id: Option<String>,
    pub abandon_at: i64,
    pub first_factor_status: Option<String>,
    pub first_factor_strategy: Option<String>,
    pub first_factor_attempts: Option<i64>,
    pub first_factor_expire_at: Option<i64>,
    /// The email address or phone number the sign-in identified its user by, if any.
    pub identification_id: Option<String>,
    /// The first factors the instance enabled when it started (`FirstFactors::stored`).
    pub first_factors: Option<String>,
}

/// What a new sign-in starts with.
#[derive(Debug, Clone)]
pub struct NewSignIn<'a> {
    pub client_id: &'a str,
    pub status: &'a str,
    pub identifier: &'a str,
    pub identification_id: Option<&'a str>,
    pub user_id: &'a str,
    pub created_session_id: Option<&'a str>,
    /// The first factor already verified (strategy), for sign-ins completed in one request.
    pub verified_first_factor: Option<&'a str>,
    /// The instance's first factors (`FirstFactors::stored`).
    pub first_factors: &'a str,
}

/// Creates a sign-in; returns its id.
pub async fn create(conn: &mut SqliteConnection, new: NewSignIn<'_>) -> Result<String> {
    let now = now_ms();
    let id = new_id("sia");
    sqlx::query(
        "INSERT INTO sign_ins (id, client_id, status, identifier, identification_id, user_id,
            created_session_id, abandon_at, created_at, updated_at, first_factors)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(&id)
    .bind(new.client_id)
    .bind(new.status)
    .bind(new.identifier)
    .bind(new.identification_id)
    .bind(new.user_id)
    .bind(new.created_session_id)
    .bind(now + ABANDON_AFTER_MS)
    .bind(now)
    .bind(now)
    .bind(new.first_factors)
    .execute(&mut *conn)
    .await?;
    if let Some(strategy) = new.verified_first_factor {
        sqlx::query(
            "INSERT INTO verifications (id, sign_in_id, sign_in_factor, status, strategy, attempts,
                created_at, updated_at)
             VALUES (?, ?, 'first', 'verified', ?, 1, ?, ?)",
        )
        .bind(new_id("ver"))
        .bind(&id)
        .bind(strategy)
        .bind(now)
        .bind(now)
        .execute(&mut *conn)
        .await?;
    }
    Ok(id)
}

/// Creates a sign-in that names nobody yet, waiting for a first factor that will (a
/// discoverable passkey); [`set_user`] records who answered. Returns its id.
pub async fn create_unidentified(
    conn: &mut SqliteConnection,
    client_id: &str,
    first_factors: &str,
) -> Result<String> {
    let now = now_ms();
    let id = new_id("sia");
    sqlx::query(
        "INSERT INTO sign_ins (id, client_id, status, abandon_at, created_at, updated_at, first_factors)
         VALUES (?, ?, 'needs_first_factor', ?, ?, ?, ?)",
    )
    .bind(&id)
    .bind(client_id)
    .bind(now + ABANDON_AFTER_MS)
    .bind(now)
    .bind(now)
    .bind(first_factors)
    .execute(&mut *conn)
    .await?;
    Ok(id)
}

/// Records the user a sign-in turned out to be for.
pub async fn set_user(conn: &mut SqliteConnection, id: &str, user_id: &str) -> Result<()> {
    sqlx::query("UPDATE sign_ins SET user_id = ?, updated_at = ? WHERE id = ?")
        .bind(user_id)
        .bind(now_ms())
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// The client's sign-in with this id.
pub async fn find_for_client(
    conn: &mut SqliteConnection,
    client_id: &str,
    id: &str,
) -> Result<Option<SignInRow>> {
    Ok(sqlx::query_as::<_, SignInRow>(
        "SELECT s.id, s.status, s.identifier, s.user_id, s.created_session_id, s.abandon_at,
                v.status AS first_factor_status, v.strategy AS first_factor_strategy,
                v.attempts AS first_factor_attempts, v.expire_at AS first_factor_expire_at,
                s.identification_id, s.first_factors
         FROM sign_ins s
         LEFT JOIN verifications v ON v.sign_in_id = s.id AND v.sign_in_factor = 'first'
         WHERE s.client_id = ? AND s.id = ?",
    )
    .bind(client_id)
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?)
}

/// Records a first-factor attempt on a sign-in: `verified` completes it with `session_id`.
pub async fn record_first_factor(
    conn: &mut SqliteConnection,
    id: &str,
    strategy: &str,
    verified: bool,
    session_id: Option<&str>,
) -> Result<()> {
    let now = now_ms();
    let status = if verified { "verified" } else { "unverified" };
    sqlx::query(
        "INSERT INTO verifications (id, sign_in_id, sign_in_factor, status, strategy, attempts,
            created_at, updated_at)
         VALUES (?, ?, 'first', ?, ?, 1, ?, ?)
         ON CONFLICT (sign_in_id, sign_in_factor) DO UPDATE SET
            status = excluded.status, strategy = excluded.strategy,
            attempts = COALESCE(verifications.attempts, 0) + 1, updated_at = excluded.updated_at",
    )
    .bind(new_id("ver"))
    .bind(id)
    .bind(status)
    .bind(strategy)
    .bind(now)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    if verified {
        sqlx::query(
            "UPDATE sign_ins SET status = 'complete', created_session_id = ?, updated_at = ? WHERE id = ?",
        )
        .bind(session_id)
        .bind(now)
        .bind(id)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}
