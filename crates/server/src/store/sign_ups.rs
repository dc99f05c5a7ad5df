//! Sign-ups: what a person gave so far, and the verification of its email address.

use sqlx::{QueryBuilder, Sqlite, SqliteConnection};

use super::error::Result;
use crate::ids::{new_id, now_ms};

/// How long an unfinished sign-up stays usable (24 hours, as a sign-in).
pub const ABANDON_AFTER_MS: i64 = 24 * 60 * 60 * 1000;

/// A `sign_ups` row (what the API shows of it), with the code's hash.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SignUpRow {
    pub id: String,
    pub status: String,
    pub email_address: Option<String>,
    pub username: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub password_hash: Option<String>,
    pub unsafe_metadata: String,
    pub legal_accepted_at: Option<i64>,
    pub verification_status: Option<String>,
    pub verification_attempts: Option<i64>,
    pub verification_code_hash: Option<String>,
    pub verification_expire_at: Option<i64>,
    pub verification_sent_at: Option<i64>,
    pub created_user_id: Option<String>,
    pub created_session_id: Option<String>,
    pub abandon_at: i64,
}

/// Fields of a sign-up; on an update `None` leaves a field alone and `Some(None)` clears it.
/// Values are validated (and the password hashed, metadata serialised) by the caller.
#[derive(Debug, Clone, Default)]
pub struct SignUpFields {
    pub email_address: Option<Option<String>>,
    pub username: Option<Option<String>>,
    pub first_name: Option<Option<String>>,
    pub last_name: Option<Option<String>>,
    pub password_hash: Option<String>,
    pub unsafe_metadata: Option<String>,
    pub legal_accepted_at: Option<i64>,
}

/// Starts a sign-up on the client; returns its id.
pub async fn create(conn: &mut SqliteConnection, client_id: &str, fields: SignUpFields) -> Result<String> {
    let now = now_ms();
    let id = new_id("sua");
    sqlx::query(
        "INSERT INTO sign_ups (id, client_id, status, abandon_at, created_at, updated_at)
         VALUES (?, ?, 'missing_requirements', ?, ?, ?)",
    )
    .bind(&id)
    .bind(client_id)
    .bind(now + ABANDON_AFTER_MS)
    .bind(now)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    update(conn, &id, &fields).await?;
    Ok(id)
}

/// The client's sign-up with this id.
pub async fn find_for_client(
    conn: &mut SqliteConnection,
    client_id: &str,
    id: &str,
) -> Result<Option<SignUpRow>> {
    Ok(sqlx::query_as::<_, SignUpRow>("SELECT * FROM sign_ups WHERE client_id = ? AND id = ?")
        .bind(client_id)
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?)
}

/// Applies `fields`. A new email address forgets the old one's verification.
pub async fn update(conn: &mut SqliteConnection, id: &str, fields: &SignUpFields) -> Result<()> {
    let mut query: QueryBuilder<Sqlite> = QueryBuilder::new("UPDATE sign_ups SET updated_at = ");
    query.push_bind(now_ms());
    if let Some(email) = &fields.email_address {
        query.push(", email_address = ").push_bind(email.clone());
        query.push(
            ", verification_status = NULL, verification_attempts = NULL, verification_code_hash = NULL,
               verification_expire_at = NULL, verification_sent_at = NULL",
        );
    }
    for (column, value) in
        [("username", &fields.username), ("first_name", &fields.first_name), ("last_name", &fields.last_name)]
    {
        if let Some(value) = value {
            query.push(format!(", {column} = ")).push_bind(value.clone());
        }
    }
    if let Some(hash) = &fields.password_hash {
        query.push(", password_hash = ").push_bind(hash.clone());
    }
    if let Some(metadata) = &fields.unsafe_metadata {
        query.push(", unsafe_metadata = ").push_bind(metadata.clone());
    }
    if let Some(at) = fields.legal_accepted_at {
        query.push(", legal_accepted_at = ").push_bind(at);
    }
    query.push(" WHERE id = ").push_bind(id.to_owned());
    query.build().execute(&mut *conn).await?;
    Ok(())
}

/// Records a code sent to the email address; it replaces any earlier one and starts the attempts
/// again.
pub async fn prepare(conn: &mut SqliteConnection, id: &str, code_hash: &str, expire_at: i64) -> Result<()> {
    let now = now_ms();
    sqlx::query(
        "UPDATE sign_ups SET verification_status = 'unverified', verification_attempts = 0,
            verification_code_hash = ?, verification_expire_at = ?, verification_sent_at = ?, updated_at = ?
         WHERE id = ?",
    )
    .bind(code_hash)
    .bind(expire_at)
    .bind(now)
    .bind(now)
    .bind(id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Records one attempt at the code, after which the verification is `status`; a verified or
/// failed one forgets its code.
pub async fn record_attempt(conn: &mut SqliteConnection, id: &str, status: &str) -> Result<()> {
    sqlx::query(
        "UPDATE sign_ups SET verification_attempts = COALESCE(verification_attempts, 0) + 1,
            verification_status = ?1,
            verification_code_hash = CASE WHEN ?1 = 'unverified' THEN verification_code_hash ELSE NULL END,
            updated_at = ?2
         WHERE id = ?3",
    )
    .bind(status)
    .bind(now_ms())
    .bind(id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Completes the sign-up: the user and the session it made. Its password hash is dropped (the
/// user has it now).
pub async fn complete(conn: &mut SqliteConnection, id: &str, user_id: &str, session_id: &str) -> Result<()> {
    sqlx::query(
        "UPDATE sign_ups SET status = 'complete', created_user_id = ?, created_session_id = ?,
            password_hash = NULL, updated_at = ? WHERE id = ?",
    )
    .bind(user_id)
    .bind(session_id)
    .bind(now_ms())
    .bind(id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// What the new user gets that `users::insert` does not set: the email's verification by the
/// sign-up's code (not `admin`), and when the person accepted the legal terms.
pub async fn finish_user(
    conn: &mut SqliteConnection,
    user_id: &str,
    email_identification_id: &str,
    sign_up: &SignUpRow,
) -> Result<()> {
    sqlx::query(
        "UPDATE verifications SET strategy = 'email_code', attempts = ?, expire_at = ? WHERE identification_id = ?",
    )
    .bind(sign_up.verification_attempts)
    .bind(sign_up.verification_expire_at)
    .bind(email_identification_id)
        .execute(&mut *conn)
        .await?;
    if let Some(at) = sign_up.legal_accepted_at {
        sqlx::query("UPDATE users SET legal_accepted_at = ? WHERE id = ?")
            .bind(at)
            .bind(user_id)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// Abandons the client's unfinished sign-ups (a new one replaces them).
pub async fn abandon_open(conn: &mut SqliteConnection, client_id: &str) -> Result<()> {
    sqlx::query(
        "UPDATE sign_ups SET status = 'abandoned', verification_code_hash = NULL, password_hash = NULL, updated_at = ?
         WHERE client_id = ? AND status = 'missing_requirements'",
    )
    .bind(now_ms())
    .bind(client_id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// `true` when a user has verified this (lower-cased) email address. Someone else's unverified
/// copy does not hold it: the sign-up's verification removes that copy.
pub async fn email_taken(conn: &mut SqliteConnection, email: &str) -> Result<bool> {
    Ok(sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM identifications
                        WHERE kind = 'email_address' AND value = ? AND verified = 1)",
    )
    .bind(email)
    .fetch_one(&mut *conn)
    .await?)
}

/// `true` when a user already has this username (compared case-insensitively).
pub async fn username_taken(conn: &mut SqliteConnection, username: &str) -> Result<bool> {
    Ok(sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM users WHERE username = ?)")
        .bind(username)
        .fetch_one(&mut *conn)
        .await?)
}

/// The id of the user's email address `email`.
pub async fn email_identification(
    conn: &mut SqliteConnection,
    user_id: &str,
    email: &str,
) -> Result<Option<String>> {
    Ok(sqlx::query_scalar(
        "SELECT id FROM identifications WHERE user_id = ? AND kind = 'email_address' AND value = ?",
    )
    .bind(user_id)
    .bind(email)
    .fetch_optional(&mut *conn)
    .await?)
}
