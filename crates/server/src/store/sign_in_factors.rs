//! A sign-in's code verifications: its first factor by code (`email_code`, `phone_code`,
//! `reset_password_*`) and the client-trust second factor, kept in `verifications` with
//! `sign_in_factor` `first` or `second` and the email address or phone number the code went to.

use sqlx::SqliteConnection;

use super::error::Result;
use crate::ids::{new_id, now_ms};

/// Which of a sign-in's verifications.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Factor {
    /// The first factor.
    First,
    /// The second factor of a client-trust check (two-step second factors have their own table).
    Second,
}

impl Factor {
    fn stored(self) -> &'static str {
        match self {
            Factor::First => "first",
            Factor::Second => "second",
        }
    }
}

/// A sign-in's verification, with its secret.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CodeRow {
    pub status: String,
    pub strategy: String,
    pub attempts: Option<i64>,
    pub code_hash: Option<String>,
    pub expire_at: Option<i64>,
    pub sent_at: Option<i64>,
}

/// The sign-in's verification of `factor`, if one was prepared or attempted.
pub async fn find(conn: &mut SqliteConnection, sign_in_id: &str, factor: Factor) -> Result<Option<CodeRow>> {
    Ok(sqlx::query_as::<_, CodeRow>(
        "SELECT status, strategy, attempts, code_hash, expire_at, sent_at
         FROM verifications WHERE sign_in_id = ? AND sign_in_factor = ?",
    )
    .bind(sign_in_id)
    .bind(factor.stored())
    .fetch_optional(&mut *conn)
    .await?)
}

/// A code (its hash) sent now to `target_id` for `strategy`: replaces whatever the factor's
/// verification held (another strategy, an older code), with no attempts yet.
pub async fn prepare_code(
    conn: &mut SqliteConnection,
    sign_in_id: &str,
    factor: Factor,
    strategy: &str,
    target_id: &str,
    code_hash: &str,
    expire_at: i64,
) -> Result<()> {
    let now = now_ms();
    sqlx::query(
        "INSERT INTO verifications (id, sign_in_id, sign_in_factor, status, strategy, attempts, code_hash,
            expire_at, sent_at, target_identification_id, created_at, updated_at)
         VALUES (?1, ?2, ?3, 'unverified', ?4, 0, ?5, ?6, ?7, ?8, ?7, ?7)
         ON CONFLICT (sign_in_id, sign_in_factor) DO UPDATE SET status = 'unverified', strategy = ?4,
            attempts = 0, code_hash = ?5, expire_at = ?6, sent_at = ?7, target_identification_id = ?8,
            link_token_hash = NULL, redirect_url = NULL, error = NULL, updated_at = ?7",
    )
    .bind(new_id("ver"))
    .bind(sign_in_id)
    .bind(factor.stored())
    .bind(strategy)
    .bind(code_hash)
    .bind(expire_at)
    .bind(now)
    .bind(target_id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Records one attempt at the factor's code, after which it is `status` (`verified`, `failed`
/// or still `unverified`). A verified or failed code is forgotten, so it never works again.
pub async fn record_attempt(
    conn: &mut SqliteConnection,
    sign_in_id: &str,
    factor: Factor,
    status: &str,
) -> Result<()> {
    sqlx::query(
        "UPDATE verifications SET status = ?1, attempts = COALESCE(attempts, 0) + 1,
            code_hash = CASE WHEN ?1 = 'unverified' THEN code_hash ELSE NULL END, updated_at = ?2
         WHERE sign_in_id = ?3 AND sign_in_factor = ?4",
    )
    .bind(status)
    .bind(now_ms())
    .bind(sign_in_id)
    .bind(factor.stored())
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// `true` when the user ever completed a sign-in (or sign-up) on this client: a session of
/// theirs here, in any state, as sessions are kept for the account's history.
pub async fn client_known(conn: &mut SqliteConnection, client_id: &str, user_id: &str) -> Result<bool> {
    let known: Option<i64> =
        sqlx::query_scalar("SELECT 1 FROM sessions WHERE client_id = ? AND user_id = ? LIMIT 1")
            .bind(client_id)
            .bind(user_id)
            .fetch_optional(&mut *conn)
            .await?;
    Ok(known.is_some())
}

/// The user with this verified phone number (E.164), and the number's id.
pub async fn find_by_phone(conn: &mut SqliteConnection, number: &str) -> Result<Option<(String, String)>> {
    Ok(sqlx::query_as(
        "SELECT user_id, id FROM identifications WHERE kind = 'phone_number' AND value = ? AND verified = 1",
    )
    .bind(number)
    .fetch_optional(&mut *conn)
    .await?)
}

/// The sign-in's stored first factors (`FirstFactors::stored`) and the identification it was
/// identified by.
pub async fn settings_of(
    conn: &mut SqliteConnection,
    sign_in_id: &str,
) -> Result<(Option<String>, Option<String>)> {
    let found: Option<(Option<String>, Option<String>)> =
        sqlx::query_as("SELECT first_factors, identification_id FROM sign_ins WHERE id = ?")
            .bind(sign_in_id)
            .fetch_optional(&mut *conn)
            .await?;
    Ok(found.unwrap_or((None, None)))
}
