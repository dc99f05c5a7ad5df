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

/// A sign-in's first factor by email link, found by the link's token hash.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct LinkRow {
    pub sign_in_id: String,
    pub client_id: String,
    pub status: String,
    pub expire_at: Option<i64>,
    pub redirect_url: Option<String>,
}

/// An email link (its token's hash) sent now to `target_id`: replaces whatever the first
/// factor's verification held (a code, an older link), with no attempts yet.
pub async fn prepare_link(
    conn: &mut SqliteConnection,
    sign_in_id: &str,
    target_id: &str,
    link_token_hash: &str,
    redirect_url: Option<&str>,
    expire_at: i64,
) -> Result<()> {
    let now = now_ms();
    sqlx::query(
        "INSERT INTO verifications (id, sign_in_id, sign_in_factor, status, strategy, attempts,
            link_token_hash, redirect_url, expire_at, sent_at, target_identification_id, created_at,
            updated_at)
         VALUES (?1, ?2, 'first', 'unverified', 'email_link', 0, ?3, ?4, ?5, ?6, ?7, ?6, ?6)
         ON CONFLICT (sign_in_id, sign_in_factor) DO UPDATE SET status = 'unverified',
            strategy = 'email_link', attempts = 0, code_hash = NULL, link_token_hash = ?3,
            redirect_url = ?4, expire_at = ?5, sent_at = ?6, target_identification_id = ?7,
            error = NULL, updated_at = ?6",
    )
    .bind(new_id("ver"))
    .bind(sign_in_id)
    .bind(link_token_hash)
    .bind(redirect_url)
    .bind(expire_at)
    .bind(now)
    .bind(target_id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// The sign-in whose first-factor email link has this token hash.
pub async fn find_by_link_token(conn: &mut SqliteConnection, token_hash: &str) -> Result<Option<LinkRow>> {
    Ok(sqlx::query_as::<_, LinkRow>(
        "SELECT s.id AS sign_in_id, s.client_id, v.status, v.expire_at, v.redirect_url
         FROM verifications v JOIN sign_ins s ON s.id = v.sign_in_id
         WHERE v.link_token_hash = ? AND v.strategy = 'email_link' AND v.sign_in_factor = 'first'",
    )
    .bind(token_hash)
    .fetch_optional(&mut *conn)
    .await?)
}

/// Marks the sign-in's email link used. The token hash stays, so that a second visit is told
/// the link was already used.
pub async fn mark_link_verified(conn: &mut SqliteConnection, sign_in_id: &str) -> Result<()> {
    sqlx::query(
        "UPDATE verifications SET status = 'verified', attempts = COALESCE(attempts, 0) + 1, updated_at = ?
         WHERE sign_in_id = ? AND sign_in_factor = 'first' AND strategy = 'email_link'",
    )
    .bind(now_ms())
    .bind(sign_in_id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}
