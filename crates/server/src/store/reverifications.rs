//! A session's reverification under way (`session_reverifications`, migrations 0009 and 0013):
//! one per session, its level and status, each factor's verification, and the first factor's
//! passkey ceremony while one is under way. The rules are the caller's
//! (`crate::domain::reverification`, `crate::api::reverification`).

use sqlx::SqliteConnection;

use super::error::Result;

/// Which factor of a reverification.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Factor {
    First,
    Second,
}

impl Factor {
    /// The columns' prefix (a constant, never input).
    fn prefix(self) -> &'static str {
        match self {
            Factor::First => "first",
            Factor::Second => "second",
        }
    }
}

/// One factor's verification.
#[derive(Debug, Clone, Default)]
pub struct FactorRow {
    pub strategy: Option<String>,
    pub status: Option<String>,
    pub attempts: i64,
    pub code_hash: Option<String>,
    pub expire_at: Option<i64>,
    pub sent_at: Option<i64>,
}

/// A `session_reverifications` row.
#[derive(Debug, Clone)]
pub struct ReverificationRow {
    pub level: String,
    pub status: String,
    pub first: FactorRow,
    pub second: FactorRow,
    /// The request options of the first factor's passkey ceremony, while it is under way.
    pub first_nonce: Option<String>,
}

fn factor_columns(prefix: &str) -> String {
    ["strategy", "status", "attempts", "code_hash", "expire_at", "sent_at"]
        .iter()
        .map(|column| format!("{prefix}_{column}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The session's reverification, if one was started.
pub async fn find(conn: &mut SqliteConnection, session_id: &str) -> Result<Option<ReverificationRow>> {
    let sql = format!(
        "SELECT level, status, {}, {}, first_nonce FROM session_reverifications WHERE session_id = ?",
        factor_columns("first"),
        factor_columns("second"),
    );
    let row = sqlx::query(&sql).bind(session_id).fetch_optional(&mut *conn).await?;
    let Some(row) = row else { return Ok(None) };
    use sqlx::Row;
    let factor = |at: usize| -> std::result::Result<FactorRow, sqlx::Error> {
        Ok(FactorRow {
            strategy: row.try_get(at)?,
            status: row.try_get(at + 1)?,
            attempts: row.try_get(at + 2)?,
            code_hash: row.try_get(at + 3)?,
            expire_at: row.try_get(at + 4)?,
            sent_at: row.try_get(at + 5)?,
        })
    };
    Ok(Some(ReverificationRow {
        level: row.try_get(0)?,
        status: row.try_get(1)?,
        first: factor(2)?,
        second: factor(8)?,
        first_nonce: row.try_get(14)?,
    }))
}

/// Starts the session's reverification at `level`, replacing any earlier one.
pub async fn start(
    conn: &mut SqliteConnection,
    session_id: &str,
    level: &str,
    status: &str,
    now: i64,
) -> Result<()> {
    sqlx::query(
        "INSERT OR REPLACE INTO session_reverifications (session_id, level, status, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?)",
    )
    .bind(session_id)
    .bind(level)
    .bind(status)
    .bind(now)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// A new code for a factor (replacing any): attempts start again.
#[allow(clippy::too_many_arguments)]
pub async fn prepare_code(
    conn: &mut SqliteConnection,
    session_id: &str,
    factor: Factor,
    strategy: &str,
    code_hash: &str,
    target_id: &str,
    expire_at: i64,
    now: i64,
) -> Result<()> {
    let p = factor.prefix();
    // A code replaces a passkey ceremony under way.
    let passkey =
        if factor == Factor::First { ", first_passkey_state = NULL, first_nonce = NULL" } else { "" };
    let sql = format!(
        "UPDATE session_reverifications SET {p}_strategy = ?, {p}_status = 'unverified', {p}_attempts = 0,
             {p}_code_hash = ?, {p}_target_id = ?, {p}_expire_at = ?, {p}_sent_at = ?, updated_at = ?{passkey}
         WHERE session_id = ?"
    );
    sqlx::query(&sql)
        .bind(strategy)
        .bind(code_hash)
        .bind(target_id)
        .bind(expire_at)
        .bind(now)
        .bind(now)
        .bind(session_id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// A new passkey ceremony for the first factor (replacing any code or ceremony): webauthn-rs's
/// `state` and the request options sent (`nonce`), until `expire_at`. Attempts start again; the
/// code's resend cooldown is left as it was.
pub async fn prepare_passkey(
    conn: &mut SqliteConnection,
    session_id: &str,
    state: &str,
    nonce: &str,
    expire_at: i64,
    now: i64,
) -> Result<()> {
    sqlx::query(
        "UPDATE session_reverifications SET first_strategy = 'passkey', first_status = 'unverified',
             first_attempts = 0, first_code_hash = NULL, first_target_id = NULL, first_expire_at = ?,
             first_passkey_state = ?, first_nonce = ?, updated_at = ?
         WHERE session_id = ?",
    )
    .bind(expire_at)
    .bind(state)
    .bind(nonce)
    .bind(now)
    .bind(session_id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Takes the first factor's passkey ceremony state: gone once read, so an assertion answers it
/// once.
pub async fn take_passkey_state(conn: &mut SqliteConnection, session_id: &str) -> Result<Option<String>> {
    let state: Option<Option<String>> =
        sqlx::query_scalar("SELECT first_passkey_state FROM session_reverifications WHERE session_id = ?")
            .bind(session_id)
            .fetch_optional(&mut *conn)
            .await?;
    let Some(state) = state.flatten() else { return Ok(None) };
    sqlx::query(
        "UPDATE session_reverifications SET first_passkey_state = NULL, first_nonce = NULL WHERE session_id = ?",
    )
    .bind(session_id)
    .execute(&mut *conn)
    .await?;
    Ok(Some(state))
}

/// Records an attempt at a factor with `strategy`: its status after it, one more attempt when
/// `counted`.
pub async fn record_attempt(
    conn: &mut SqliteConnection,
    session_id: &str,
    factor: Factor,
    strategy: &str,
    status: &str,
    counted: bool,
    now: i64,
) -> Result<()> {
    let p = factor.prefix();
    let sql = format!(
        "UPDATE session_reverifications SET {p}_strategy = ?, {p}_status = ?,
             {p}_attempts = {p}_attempts + ?, updated_at = ?
         WHERE session_id = ?"
    );
    sqlx::query(&sql)
        .bind(strategy)
        .bind(status)
        .bind(i64::from(counted))
        .bind(now)
        .bind(session_id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Moves the reverification to `status`.
pub async fn set_status(conn: &mut SqliteConnection, session_id: &str, status: &str, now: i64) -> Result<()> {
    sqlx::query("UPDATE session_reverifications SET status = ?, updated_at = ? WHERE session_id = ?")
        .bind(status)
        .bind(now)
        .bind(session_id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}
