//! Passkeys (migration 0012): users' WebAuthn credentials, their WebAuthn user handles, and the
//! passkey ceremonies of sign-ins under way. What the JSON columns hold is webauthn-rs's to say.

use sqlx::SqliteConnection;

use super::error::Result;
use crate::ids::{new_id, now_ms};

/// A `passkeys` row.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PasskeyRow {
    pub id: String,
    pub user_id: String,
    pub name: String,
    pub verified: bool,
    /// The registration's state while it is under way.
    pub registration: Option<String>,
    pub registration_expire_at: i64,
    /// The verified credential (webauthn-rs's `Passkey`).
    pub credential: Option<String>,
    pub last_used_at: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
}

/// A `passkey_sign_ins` row: a sign-in's passkey ceremony.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CeremonyRow {
    pub sign_in_id: String,
    /// `None`: discoverable, any user's passkey.
    pub user_id: Option<String>,
    pub state: String,
    pub options: String,
    pub expire_at: i64,
}

/// The user's WebAuthn user handle, made (from `new_handle`) the first time it is asked for.
pub async fn user_handle(conn: &mut SqliteConnection, user_id: &str, new_handle: &str) -> Result<String> {
    sqlx::query(
        "INSERT INTO passkey_user_handles (user_id, handle) VALUES (?, ?) ON CONFLICT (user_id) DO NOTHING",
    )
    .bind(user_id)
    .bind(new_handle)
    .execute(&mut *conn)
    .await?;
    Ok(sqlx::query_scalar("SELECT handle FROM passkey_user_handles WHERE user_id = ?")
        .bind(user_id)
        .fetch_one(&mut *conn)
        .await?)
}

/// The user a WebAuthn user handle names.
pub async fn user_of_handle(conn: &mut SqliteConnection, handle: &str) -> Result<Option<String>> {
    Ok(sqlx::query_scalar("SELECT user_id FROM passkey_user_handles WHERE handle = ?")
        .bind(handle)
        .fetch_optional(&mut *conn)
        .await?)
}

/// Starts registering a passkey: an unverified row holding the ceremony's state. The user's
/// registrations that ran out of time go.
pub async fn start(
    conn: &mut SqliteConnection,
    user_id: &str,
    name: &str,
    registration: &str,
    expire_at: i64,
) -> Result<PasskeyRow> {
    let now = now_ms();
    sqlx::query("DELETE FROM passkeys WHERE user_id = ? AND verified = 0 AND registration_expire_at <= ?")
        .bind(user_id)
        .bind(now)
        .execute(&mut *conn)
        .await?;
    let row = PasskeyRow {
        id: new_id("pk"),
        user_id: user_id.to_owned(),
        name: name.to_owned(),
        verified: false,
        registration: Some(registration.to_owned()),
        registration_expire_at: expire_at,
        credential: None,
        last_used_at: None,
        created_at: now,
        updated_at: now,
    };
    sqlx::query(
        "INSERT INTO passkeys (id, user_id, name, verified, registration, registration_expire_at, created_at, updated_at)
         VALUES (?, ?, ?, 0, ?, ?, ?, ?)",
    )
    .bind(&row.id)
    .bind(user_id)
    .bind(name)
    .bind(registration)
    .bind(expire_at)
    .bind(now)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(row)
}

/// The user's passkey with this id, verified or not.
pub async fn find_for_user(
    conn: &mut SqliteConnection,
    user_id: &str,
    id: &str,
) -> Result<Option<PasskeyRow>> {
    Ok(sqlx::query_as::<_, PasskeyRow>("SELECT * FROM passkeys WHERE user_id = ? AND id = ?")
        .bind(user_id)
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?)
}

/// The verified passkey with this credential id (base64url), whoever's it is.
pub async fn find_by_credential_id(
    conn: &mut SqliteConnection,
    credential_id: &str,
) -> Result<Option<PasskeyRow>> {
    Ok(sqlx::query_as::<_, PasskeyRow>("SELECT * FROM passkeys WHERE credential_id = ? AND verified = 1")
        .bind(credential_id)
        .fetch_optional(&mut *conn)
        .await?)
}

/// The user's verified passkeys, oldest first.
pub async fn list_verified(conn: &mut SqliteConnection, user_id: &str) -> Result<Vec<PasskeyRow>> {
    Ok(sqlx::query_as::<_, PasskeyRow>(
        "SELECT * FROM passkeys WHERE user_id = ? AND verified = 1 ORDER BY created_at, rowid",
    )
    .bind(user_id)
    .fetch_all(&mut *conn)
    .await?)
}

/// Completes a registration: the credential is kept and the ceremony's state goes (used once).
/// `false` when the credential id is already registered (to anyone), changing nothing.
pub async fn verify(
    conn: &mut SqliteConnection,
    id: &str,
    credential_id: &str,
    credential: &str,
) -> Result<bool> {
    let taken: Option<String> = sqlx::query_scalar("SELECT id FROM passkeys WHERE credential_id = ?")
        .bind(credential_id)
        .fetch_optional(&mut *conn)
        .await?;
    if taken.is_some() {
        return Ok(false);
    }
    sqlx::query(
        "UPDATE passkeys SET verified = 1, registration = NULL, credential_id = ?, credential = ?, updated_at = ?
         WHERE id = ?",
    )
    .bind(credential_id)
    .bind(credential)
    .bind(now_ms())
    .bind(id)
    .execute(&mut *conn)
    .await?;
    Ok(true)
}

/// After a passkey signed in: its credential as updated (the signature counter) and when.
pub async fn record_use(conn: &mut SqliteConnection, id: &str, credential: &str, at: i64) -> Result<()> {
    sqlx::query("UPDATE passkeys SET credential = ?, last_used_at = ?, updated_at = ? WHERE id = ?")
        .bind(credential)
        .bind(at)
        .bind(at)
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Renames a passkey.
pub async fn rename(conn: &mut SqliteConnection, id: &str, name: &str) -> Result<()> {
    sqlx::query("UPDATE passkeys SET name = ?, updated_at = ? WHERE id = ?")
        .bind(name)
        .bind(now_ms())
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Removes a passkey.
pub async fn delete(conn: &mut SqliteConnection, id: &str) -> Result<()> {
    sqlx::query("DELETE FROM passkeys WHERE id = ?").bind(id).execute(&mut *conn).await?;
    Ok(())
}

/// `true` when the user has a verified passkey.
pub async fn has_verified(conn: &mut SqliteConnection, user_id: &str) -> Result<bool> {
    Ok(sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM passkeys WHERE user_id = ? AND verified = 1)")
        .bind(user_id)
        .fetch_one(&mut *conn)
        .await?)
}

/// Starts (or starts again) a sign-in's passkey ceremony.
pub async fn begin_ceremony(conn: &mut SqliteConnection, ceremony: &CeremonyRow) -> Result<()> {
    sqlx::query(
        "INSERT INTO passkey_sign_ins (sign_in_id, user_id, state, options, expire_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (sign_in_id) DO UPDATE SET
            user_id = excluded.user_id, state = excluded.state, options = excluded.options,
            expire_at = excluded.expire_at",
    )
    .bind(&ceremony.sign_in_id)
    .bind(&ceremony.user_id)
    .bind(&ceremony.state)
    .bind(&ceremony.options)
    .bind(ceremony.expire_at)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// The sign-in's passkey ceremony under way, if any.
pub async fn ceremony(conn: &mut SqliteConnection, sign_in_id: &str) -> Result<Option<CeremonyRow>> {
    Ok(sqlx::query_as::<_, CeremonyRow>("SELECT * FROM passkey_sign_ins WHERE sign_in_id = ?")
        .bind(sign_in_id)
        .fetch_optional(&mut *conn)
        .await?)
}

/// Takes the sign-in's passkey ceremony: it is gone once read, so an assertion answers it once.
pub async fn take_ceremony(conn: &mut SqliteConnection, sign_in_id: &str) -> Result<Option<CeremonyRow>> {
    Ok(sqlx::query_as::<_, CeremonyRow>("DELETE FROM passkey_sign_ins WHERE sign_in_id = ? RETURNING *")
        .bind(sign_in_id)
        .fetch_optional(&mut *conn)
        .await?)
}

/// Gives a sign-in's passkey verification its ceremony's end (`expire_at`, which the spec's
/// passkey verification always has), once an attempt recorded it.
pub async fn set_first_factor_expiry(
    conn: &mut SqliteConnection,
    sign_in_id: &str,
    expire_at: i64,
) -> Result<()> {
    sqlx::query(
        "UPDATE verifications SET expire_at = ? WHERE sign_in_id = ? AND sign_in_factor = 'first' AND strategy = 'passkey'",
    )
    .bind(expire_at)
    .bind(sign_in_id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}
