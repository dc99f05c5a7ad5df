//! Authenticator apps (TOTP), one per user, and which second factors a user has.

use sqlx::SqliteConnection;

use super::error::Result;
use crate::ids::{new_id, now_ms};

/// A `totps` row. The secret is sealed (see [`crate::keys::AtRestKey`]).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct TotpRow {
    pub id: String,
    pub user_id: String,
    pub secret_sealed: String,
    pub verified: bool,
    pub last_used_step: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
}

/// The user's authenticator app, verified or still being set up.
pub async fn find(conn: &mut SqliteConnection, user_id: &str) -> Result<Option<TotpRow>> {
    Ok(sqlx::query_as::<_, TotpRow>("SELECT * FROM totps WHERE user_id = ?")
        .bind(user_id)
        .fetch_optional(&mut *conn)
        .await?)
}

/// Starts setting up an authenticator app with a new secret, replacing one not yet verified.
/// The caller has made sure there is no verified one.
pub async fn start(conn: &mut SqliteConnection, user_id: &str, secret_sealed: &str) -> Result<TotpRow> {
    let now = now_ms();
    sqlx::query("DELETE FROM totps WHERE user_id = ? AND verified = 0")
        .bind(user_id)
        .execute(&mut *conn)
        .await?;
    let row = TotpRow {
        id: new_id("totp"),
        user_id: user_id.to_owned(),
        secret_sealed: secret_sealed.to_owned(),
        verified: false,
        last_used_step: None,
        created_at: now,
        updated_at: now,
    };
    sqlx::query(
        "INSERT INTO totps (id, user_id, secret_sealed, verified, created_at, updated_at) VALUES (?, ?, ?, 0, ?, ?)",
    )
    .bind(&row.id)
    .bind(&row.user_id)
    .bind(&row.secret_sealed)
    .bind(now)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(row)
}

/// Records that a code of time step `step` was accepted (and, with `verify`, that the app is set
/// up). Only a step later than the last one counts: returns `false`, changing nothing, otherwise.
pub async fn accept_step(conn: &mut SqliteConnection, id: &str, step: i64, verify: bool) -> Result<bool> {
    let result = sqlx::query(
        "UPDATE totps SET last_used_step = ?1, verified = CASE WHEN ?2 THEN 1 ELSE verified END, updated_at = ?3
         WHERE id = ?4 AND (last_used_step IS NULL OR last_used_step < ?1)",
    )
    .bind(step)
    .bind(verify)
    .bind(now_ms())
    .bind(id)
    .execute(&mut *conn)
    .await?;
    Ok(result.rows_affected() == 1)
}

/// Removes the user's authenticator app. Returns `false` if there was none.
pub async fn delete(conn: &mut SqliteConnection, user_id: &str) -> Result<bool> {
    let result = sqlx::query("DELETE FROM totps WHERE user_id = ?").bind(user_id).execute(&mut *conn).await?;
    Ok(result.rows_affected() > 0)
}

/// The second factors a user has besides phone numbers.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, sqlx::FromRow)]
pub struct SecondFactors {
    /// A verified authenticator app.
    pub totp: bool,
    /// Backup codes not used yet.
    pub backup_codes: bool,
}

/// Which second factors the user has.
pub async fn second_factors(conn: &mut SqliteConnection, user_id: &str) -> Result<SecondFactors> {
    Ok(sqlx::query_as::<_, SecondFactors>(
        "SELECT EXISTS (SELECT 1 FROM totps WHERE user_id = ?1 AND verified = 1) AS totp,
                EXISTS (SELECT 1 FROM backup_codes WHERE user_id = ?1 AND used_at IS NULL) AS backup_codes",
    )
    .bind(user_id)
    .fetch_one(&mut *conn)
    .await?)
}
