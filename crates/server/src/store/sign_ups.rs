//! Sign-ups: what a person gave so far, and the verifications of its email address and phone
//! number.

use sqlx::{QueryBuilder, Sqlite, SqliteConnection};

use super::error::{Result, ResultExt, StoreError};
use super::users::IDENTIFICATION_TAKEN;
use crate::ids::{new_id, now_ms};

/// How long an unfinished sign-up stays usable (24 hours, as a sign-in).
pub const ABANDON_AFTER_MS: i64 = 24 * 60 * 60 * 1000;

/// A `sign_ups` row (what the API shows of it).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SignUpRow {
    pub id: String,
    pub client_id: String,
    pub status: String,
    pub email_address: Option<String>,
    pub phone_number: Option<String>,
    pub username: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub password_hash: Option<String>,
    pub unsafe_metadata: String,
    pub legal_accepted_at: Option<i64>,
    pub created_user_id: Option<String>,
    pub created_session_id: Option<String>,
    pub abandon_at: i64,
}

/// The verification of a sign-up's email address or phone number (`field`), with the hashes.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct VerificationRow {
    pub sign_up_id: String,
    pub field: String,
    pub strategy: String,
    pub status: String,
    pub attempts: i64,
    pub code_hash: Option<String>,
    pub redirect_url: Option<String>,
    pub expire_at: i64,
    pub sent_at: i64,
}

/// A code or link just sent for a field.
#[derive(Debug, Clone, Copy)]
pub struct Sent<'a> {
    pub field: &'a str,
    pub strategy: &'a str,
    pub code_hash: Option<&'a str>,
    pub link_token_hash: Option<&'a str>,
    pub redirect_url: Option<&'a str>,
    pub expire_at: i64,
}

/// Fields of a sign-up; on an update `None` leaves a field alone and `Some(None)` clears it.
/// Values are validated (and the password hashed, metadata serialised) by the caller.
#[derive(Debug, Clone, Default)]
pub struct SignUpFields {
    pub email_address: Option<Option<String>>,
    pub phone_number: Option<Option<String>>,
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

/// Applies `fields`. A new email address or phone number forgets the old one's verification.
pub async fn update(conn: &mut SqliteConnection, id: &str, fields: &SignUpFields) -> Result<()> {
    let mut query: QueryBuilder<Sqlite> = QueryBuilder::new("UPDATE sign_ups SET updated_at = ");
    query.push_bind(now_ms());
    for (column, value) in [
        ("email_address", &fields.email_address),
        ("phone_number", &fields.phone_number),
        ("username", &fields.username),
        ("first_name", &fields.first_name),
        ("last_name", &fields.last_name),
    ] {
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
    for (field, value) in [("email_address", &fields.email_address), ("phone_number", &fields.phone_number)] {
        if value.is_some() {
            sqlx::query("DELETE FROM sign_up_verifications WHERE sign_up_id = ? AND field = ?")
                .bind(id)
                .bind(field)
                .execute(&mut *conn)
                .await?;
        }
    }
    Ok(())
}

/// The sign-up's verifications (at most one per field).
pub async fn verifications(conn: &mut SqliteConnection, id: &str) -> Result<Vec<VerificationRow>> {
    Ok(sqlx::query_as::<_, VerificationRow>("SELECT * FROM sign_up_verifications WHERE sign_up_id = ?")
        .bind(id)
        .fetch_all(&mut *conn)
        .await?)
}

/// The unverified verification whose link has this token hash.
pub async fn find_by_link_token(
    conn: &mut SqliteConnection,
    token_hash: &str,
) -> Result<Option<VerificationRow>> {
    Ok(sqlx::query_as::<_, VerificationRow>("SELECT * FROM sign_up_verifications WHERE link_token_hash = ?")
        .bind(token_hash)
        .fetch_optional(&mut *conn)
        .await?)
}

/// The sign-up with this id, whichever client it is on (for a link opened in a browser).
pub async fn find(conn: &mut SqliteConnection, id: &str) -> Result<Option<SignUpRow>> {
    Ok(sqlx::query_as::<_, SignUpRow>("SELECT * FROM sign_ups WHERE id = ?")
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?)
}

/// Records a code or link sent for a field; it replaces any earlier one and starts the attempts
/// again.
pub async fn prepare(conn: &mut SqliteConnection, id: &str, sent: Sent<'_>) -> Result<()> {
    sqlx::query(
        "INSERT OR REPLACE INTO sign_up_verifications
            (sign_up_id, field, strategy, status, attempts, code_hash, link_token_hash, redirect_url, expire_at, sent_at)
         VALUES (?, ?, ?, 'unverified', 0, ?, ?, ?, ?, ?)",
    )
    .bind(id)
    .bind(sent.field)
    .bind(sent.strategy)
    .bind(sent.code_hash)
    .bind(sent.link_token_hash)
    .bind(sent.redirect_url)
    .bind(sent.expire_at)
    .bind(now_ms())
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Records one attempt at a field's code, after which its verification is `status`; a verified
/// or failed one forgets its code and link.
pub async fn record_attempt(conn: &mut SqliteConnection, id: &str, field: &str, status: &str) -> Result<()> {
    sqlx::query(
        "UPDATE sign_up_verifications SET attempts = attempts + 1, status = ?1,
            code_hash = CASE WHEN ?1 = 'unverified' THEN code_hash ELSE NULL END,
            link_token_hash = CASE WHEN ?1 = 'unverified' THEN link_token_hash ELSE NULL END
         WHERE sign_up_id = ?2 AND field = ?3",
    )
    .bind(status)
    .bind(id)
    .bind(field)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Marks a field verified by its link (no attempt counted). The token hash stays, so that a
/// second visit is told the link was already used.
pub async fn mark_link_verified(conn: &mut SqliteConnection, id: &str, field: &str) -> Result<()> {
    sqlx::query(
        "UPDATE sign_up_verifications SET status = 'verified', code_hash = NULL
         WHERE sign_up_id = ? AND field = ?",
    )
    .bind(id)
    .bind(field)
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

/// What the new user gets that `users::insert` does not set: the email address's verification
/// by the sign-up's strategy (not `admin`), the phone number (verified by its code, primary),
/// and when the person accepted the legal terms. A phone number some user verified meanwhile is
/// [`StoreError::Taken`].
pub async fn finish_user(
    conn: &mut SqliteConnection,
    user_id: &str,
    sign_up: &SignUpRow,
    verifications: &[VerificationRow],
) -> Result<()> {
    let now = now_ms();
    let of = |field: &str| verifications.iter().find(|v| v.field == field);
    if let (Some(email), Some(verification)) = (&sign_up.email_address, of("email_address")) {
        sqlx::query(
            "UPDATE verifications SET strategy = ?, attempts = ?, expire_at = ?
             WHERE identification_id = (SELECT id FROM identifications
                                         WHERE user_id = ? AND kind = 'email_address' AND value = ?)",
        )
        .bind(&verification.strategy)
        .bind(verification.attempts)
        .bind(verification.expire_at)
        .bind(user_id)
        .bind(email)
        .execute(&mut *conn)
        .await?;
    }
    if let (Some(phone), Some(verification)) = (&sign_up.phone_number, of("phone_number")) {
        let id = new_id("idn");
        sqlx::query(
            "INSERT INTO identifications (id, user_id, kind, value, created_at, updated_at)
             VALUES (?, ?, 'phone_number', ?, ?, ?)",
        )
        .bind(&id)
        .bind(user_id)
        .bind(phone)
        .bind(now)
        .bind(now)
        .execute(&mut *conn)
        .await
        .on_unique(IDENTIFICATION_TAKEN, || StoreError::Taken("phone_number".to_owned()))?;
        sqlx::query(
            "INSERT INTO verifications (id, identification_id, status, strategy, attempts, expire_at, created_at, updated_at)
             VALUES (?, ?, 'verified', 'phone_code', ?, ?, ?, ?)",
        )
        .bind(new_id("ver"))
        .bind(&id)
        .bind(verification.attempts)
        .bind(verification.expire_at)
        .bind(now)
        .bind(now)
        .execute(&mut *conn)
        .await
        .on_unique(IDENTIFICATION_TAKEN, || StoreError::Taken("phone_number".to_owned()))?;
        sqlx::query("UPDATE users SET primary_phone_number_id = ? WHERE id = ?")
            .bind(&id)
            .bind(user_id)
            .execute(&mut *conn)
            .await?;
    }
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
        "UPDATE sign_ups SET status = 'abandoned', password_hash = NULL, updated_at = ?
         WHERE client_id = ? AND status = 'missing_requirements'",
    )
    .bind(now_ms())
    .bind(client_id)
    .execute(&mut *conn)
    .await?;
    // Their codes and links stop working.
    sqlx::query(
        "DELETE FROM sign_up_verifications WHERE sign_up_id IN
            (SELECT id FROM sign_ups WHERE client_id = ? AND status = 'abandoned')",
    )
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

/// `true` when a user has verified this (E.164) phone number.
pub async fn phone_taken(conn: &mut SqliteConnection, phone: &str) -> Result<bool> {
    Ok(sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM identifications
                        WHERE kind = 'phone_number' AND value = ? AND verified = 1)",
    )
    .bind(phone)
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
