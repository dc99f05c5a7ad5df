//! The second factor of sign-ins whose user has two-step verification.

use sqlx::SqliteConnection;

use super::error::Result;
use crate::ids::now_ms;

/// A `sign_in_second_factors` row, with the code's hash for `phone_code`.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SecondFactorRow {
    pub strategy: String,
    pub status: String,
    pub attempts: i64,
    pub code_hash: Option<String>,
    pub expire_at: Option<i64>,
    pub sent_at: Option<i64>,
}

/// The sign-in's second factor, once one was prepared or attempted.
pub async fn find(conn: &mut SqliteConnection, sign_in_id: &str) -> Result<Option<SecondFactorRow>> {
    Ok(sqlx::query_as::<_, SecondFactorRow>(
        "SELECT strategy, status, attempts, code_hash, expire_at, sent_at
         FROM sign_in_second_factors WHERE sign_in_id = ?",
    )
    .bind(sign_in_id)
    .fetch_optional(&mut *conn)
    .await?)
}

/// Records an SMS code sent to `phone_number_id`; it replaces any earlier code. The attempts
/// stay: they count for the whole sign-in.
pub async fn prepare_phone(
    conn: &mut SqliteConnection,
    sign_in_id: &str,
    phone_number_id: &str,
    code_hash: &str,
    expire_at: i64,
) -> Result<()> {
    let now = now_ms();
    sqlx::query(
        "INSERT INTO sign_in_second_factors (sign_in_id, strategy, status, attempts, phone_number_id,
            code_hash, expire_at, sent_at, created_at, updated_at)
         VALUES (?1, 'phone_code', 'unverified', 0, ?2, ?3, ?4, ?5, ?5, ?5)
         ON CONFLICT (sign_in_id) DO UPDATE SET strategy = 'phone_code', phone_number_id = ?2,
            code_hash = ?3, expire_at = ?4, sent_at = ?5, updated_at = ?5",
    )
    .bind(sign_in_id)
    .bind(phone_number_id)
    .bind(code_hash)
    .bind(expire_at)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Records one attempt with `strategy`, after which the second factor is `status` (`verified`,
/// `failed`, or still `unverified`). A verified or failed one forgets its code.
pub async fn record_attempt(
    conn: &mut SqliteConnection,
    sign_in_id: &str,
    strategy: &str,
    status: &str,
) -> Result<()> {
    let now = now_ms();
    sqlx::query(
        "INSERT INTO sign_in_second_factors (sign_in_id, strategy, status, attempts, created_at, updated_at)
         VALUES (?1, ?2, ?3, 1, ?4, ?4)
         ON CONFLICT (sign_in_id) DO UPDATE SET strategy = ?2, status = ?3, attempts = attempts + 1,
            code_hash = CASE WHEN ?3 = 'unverified' THEN code_hash ELSE NULL END, updated_at = ?4",
    )
    .bind(sign_in_id)
    .bind(strategy)
    .bind(status)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Moves a sign-in to `status`, with the session it created, if any.
pub async fn set_sign_in_status(
    conn: &mut SqliteConnection,
    sign_in_id: &str,
    status: &str,
    created_session_id: Option<&str>,
) -> Result<()> {
    sqlx::query(
        "UPDATE sign_ins SET status = ?, created_session_id = COALESCE(?, created_session_id), updated_at = ?
         WHERE id = ?",
    )
    .bind(status)
    .bind(created_session_id)
    .bind(now_ms())
    .bind(sign_in_id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}
