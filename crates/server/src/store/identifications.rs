//! A user's email addresses and phone numbers one at a time, with the secrets of their
//! verifications (code hashes, link token hashes), which never leave this module's callers.

use sqlx::SqliteConnection;

use super::error::{Result, ResultExt, StoreError};
use super::users::{IdentificationRow, IDENTIFICATION_SELECT, IDENTIFICATION_TAKEN};
use crate::ids::{new_id, now_ms};

/// An identification's verification with its secrets.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct VerificationRow {
    pub id: String,
    pub status: String,
    pub strategy: String,
    pub attempts: Option<i64>,
    pub code_hash: Option<String>,
    pub expire_at: Option<i64>,
    pub sent_at: Option<i64>,
}

/// The identification an email link's token belongs to, with its verification.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct LinkTarget {
    pub identification_id: String,
    pub user_id: String,
    pub kind: String,
    pub value: String,
    pub verification_id: String,
    pub status: String,
    pub expire_at: Option<i64>,
    pub redirect_url: Option<String>,
}

/// What a prepared verification starts with.
#[derive(Debug, Clone)]
pub struct Prepared<'a> {
    pub strategy: &'a str,
    pub code_hash: Option<&'a str>,
    pub link_token_hash: Option<&'a str>,
    pub redirect_url: Option<&'a str>,
    pub expire_at: i64,
}

/// The user's identification `id` of `kind`; `None` for anyone else's, or another kind.
pub async fn find_for_user(
    conn: &mut SqliteConnection,
    user_id: &str,
    kind: &str,
    id: &str,
) -> Result<Option<IdentificationRow>> {
    let sql = format!("{IDENTIFICATION_SELECT} WHERE i.user_id = ? AND i.kind = ? AND i.id = ?");
    Ok(sqlx::query_as::<_, IdentificationRow>(&sql)
        .bind(user_id)
        .bind(kind)
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?)
}

/// The user's identifications of `kind`, oldest first.
pub async fn list_for_user(
    conn: &mut SqliteConnection,
    user_id: &str,
    kind: &str,
) -> Result<Vec<IdentificationRow>> {
    let sql =
        format!("{IDENTIFICATION_SELECT} WHERE i.user_id = ? AND i.kind = ? ORDER BY i.created_at, i.rowid");
    Ok(sqlx::query_as::<_, IdentificationRow>(&sql).bind(user_id).bind(kind).fetch_all(&mut *conn).await?)
}

/// Adds an unverified identification. A value someone verified, or that this user already has,
/// is a field error named `param`; another user's unverified copy is no obstacle (whoever
/// verifies first keeps the value, and the other copies go: migration 0008).
pub async fn insert(
    conn: &mut SqliteConnection,
    user_id: &str,
    kind: &str,
    value: &str,
    param: &str,
) -> Result<String> {
    let held: bool = sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM identifications
                        WHERE kind = ? AND value = ? AND (verified = 1 OR user_id = ?))",
    )
    .bind(kind)
    .bind(value)
    .bind(user_id)
    .fetch_one(&mut *conn)
    .await?;
    if held {
        return Err(StoreError::Taken(param.to_owned()));
    }
    let now = now_ms();
    let id = new_id("idn");
    sqlx::query(
        "INSERT INTO identifications (id, user_id, kind, value, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?)",
    )
    .bind(&id)
    .bind(user_id)
    .bind(kind)
    .bind(value)
    .bind(now)
    .bind(now)
    .execute(&mut *conn)
    .await
    .on_unique(IDENTIFICATION_TAKEN, || StoreError::Taken(param.to_owned()))?;
    sqlx::query("UPDATE users SET updated_at = ? WHERE id = ?")
        .bind(now)
        .bind(user_id)
        .execute(&mut *conn)
        .await?;
    Ok(id)
}

/// How many of the user's identifications are not verified.
pub async fn count_unverified(conn: &mut SqliteConnection, user_id: &str) -> Result<i64> {
    Ok(sqlx::query_scalar(
        "SELECT COUNT(*) FROM identifications i LEFT JOIN verifications v ON v.identification_id = i.id
         WHERE i.user_id = ? AND (v.status IS NULL OR v.status <> 'verified')",
    )
    .bind(user_id)
    .fetch_one(&mut *conn)
    .await?)
}

/// The verification of an identification, with its secrets.
pub async fn verification(
    conn: &mut SqliteConnection,
    identification_id: &str,
) -> Result<Option<VerificationRow>> {
    Ok(sqlx::query_as::<_, VerificationRow>(
        "SELECT id, status, strategy, attempts, code_hash, expire_at, sent_at
         FROM verifications WHERE identification_id = ?",
    )
    .bind(identification_id)
    .fetch_optional(&mut *conn)
    .await?)
}

/// Starts (or restarts) the identification's verification: a new code or link replaces the
/// previous one, and the attempts start again from zero.
pub async fn prepare(
    conn: &mut SqliteConnection,
    identification_id: &str,
    prepared: &Prepared<'_>,
) -> Result<()> {
    let now = now_ms();
    sqlx::query(
        "INSERT INTO verifications (id, identification_id, status, strategy, attempts, code_hash,
            link_token_hash, redirect_url, expire_at, sent_at, created_at, updated_at)
         VALUES (?, ?, 'unverified', ?, 0, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (identification_id) DO UPDATE SET
            status = 'unverified', strategy = excluded.strategy, attempts = 0,
            code_hash = excluded.code_hash, link_token_hash = excluded.link_token_hash,
            redirect_url = excluded.redirect_url, expire_at = excluded.expire_at,
            sent_at = excluded.sent_at, error = NULL, updated_at = excluded.updated_at",
    )
    .bind(new_id("ver"))
    .bind(identification_id)
    .bind(prepared.strategy)
    .bind(prepared.code_hash)
    .bind(prepared.link_token_hash)
    .bind(prepared.redirect_url)
    .bind(prepared.expire_at)
    .bind(now)
    .bind(now)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    touch(conn, identification_id, now).await
}

/// Records one attempt at a code: `status` is what the verification becomes (`verified`,
/// `failed` or still `unverified`). A verified or failed verification forgets its code. Becoming
/// verified claims the value (other users' unverified copies go); a value another user verified
/// in the meantime is a field error named after `kind`.
pub async fn record_attempt(
    conn: &mut SqliteConnection,
    identification_id: &str,
    kind: &str,
    verification_id: &str,
    status: &str,
) -> Result<()> {
    let now = now_ms();
    sqlx::query(
        "UPDATE verifications SET attempts = COALESCE(attempts, 0) + 1, status = ?1,
            code_hash = CASE WHEN ?1 = 'unverified' THEN code_hash ELSE NULL END, updated_at = ?2
         WHERE id = ?3",
    )
    .bind(status)
    .bind(now)
    .bind(verification_id)
    .execute(&mut *conn)
    .await
    .on_unique(IDENTIFICATION_TAKEN, || StoreError::Taken(kind.to_owned()))?;
    touch(conn, identification_id, now).await
}

/// Marks a verification done by its email link (claiming the address, as [`record_attempt`]).
/// The token hash stays, so that a second visit is told the link was already used.
pub async fn mark_link_verified(
    conn: &mut SqliteConnection,
    identification_id: &str,
    verification_id: &str,
) -> Result<()> {
    let now = now_ms();
    sqlx::query(
        "UPDATE verifications SET status = 'verified', attempts = COALESCE(attempts, 0) + 1,
            updated_at = ? WHERE id = ?",
    )
    .bind(now)
    .bind(verification_id)
    .execute(&mut *conn)
    .await
    .on_unique(IDENTIFICATION_TAKEN, || StoreError::Taken("email_address".to_owned()))?;
    touch(conn, identification_id, now).await
}

/// The identification whose email link has this token hash.
pub async fn find_by_link_token(conn: &mut SqliteConnection, token_hash: &str) -> Result<Option<LinkTarget>> {
    Ok(sqlx::query_as::<_, LinkTarget>(
        "SELECT i.id AS identification_id, i.user_id, i.kind, i.value, v.id AS verification_id, v.status,
                v.expire_at, v.redirect_url
         FROM verifications v JOIN identifications i ON i.id = v.identification_id
         WHERE v.link_token_hash = ? AND v.strategy = 'email_link'",
    )
    .bind(token_hash)
    .fetch_optional(&mut *conn)
    .await?)
}

/// Removes an identification (its verification goes with it; a primary that named it becomes
/// NULL through the foreign key).
pub async fn delete(conn: &mut SqliteConnection, id: &str) -> Result<()> {
    sqlx::query("DELETE FROM identifications WHERE id = ?").bind(id).execute(&mut *conn).await?;
    Ok(())
}

/// The most recently added verified identification of `kind` other than `except`: the one that
/// becomes primary when the primary is removed (as Clerk chooses).
pub async fn newest_verified_other(
    conn: &mut SqliteConnection,
    user_id: &str,
    kind: &str,
    except: &str,
) -> Result<Option<String>> {
    Ok(sqlx::query_scalar(
        "SELECT i.id FROM identifications i JOIN verifications v ON v.identification_id = i.id
         WHERE i.user_id = ? AND i.kind = ? AND i.id <> ? AND v.status = 'verified'
         ORDER BY i.created_at DESC, i.rowid DESC LIMIT 1",
    )
    .bind(user_id)
    .bind(kind)
    .bind(except)
    .fetch_optional(&mut *conn)
    .await?)
}

/// Sets a phone number's second-factor flags.
pub async fn set_second_factor(
    conn: &mut SqliteConnection,
    id: &str,
    reserved: bool,
    default: bool,
) -> Result<()> {
    let now = now_ms();
    sqlx::query(
        "UPDATE identifications SET reserved_for_second_factor = ?, default_second_factor = ?,
            updated_at = ? WHERE id = ?",
    )
    .bind(reserved)
    .bind(default)
    .bind(now)
    .bind(id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Makes `id` the user's only default second factor (`None`: none is).
pub async fn set_default_second_factor(
    conn: &mut SqliteConnection,
    user_id: &str,
    id: Option<&str>,
) -> Result<()> {
    let now = now_ms();
    sqlx::query(
        "UPDATE identifications SET default_second_factor = (id IS ?1), updated_at = ?2
         WHERE user_id = ?3 AND (default_second_factor = 1 OR id IS ?1)",
    )
    .bind(id)
    .bind(now)
    .bind(user_id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// The user's oldest phone number reserved for second factor other than `except`.
pub async fn oldest_second_factor_other(
    conn: &mut SqliteConnection,
    user_id: &str,
    except: &str,
) -> Result<Option<String>> {
    Ok(sqlx::query_scalar(
        "SELECT id FROM identifications
         WHERE user_id = ? AND id <> ? AND reserved_for_second_factor = 1
         ORDER BY created_at, rowid LIMIT 1",
    )
    .bind(user_id)
    .bind(except)
    .fetch_optional(&mut *conn)
    .await?)
}

/// How many of the user's identifications are reserved for second factor.
pub async fn count_second_factors(conn: &mut SqliteConnection, user_id: &str) -> Result<i64> {
    Ok(sqlx::query_scalar(
        "SELECT COUNT(*) FROM identifications WHERE user_id = ? AND reserved_for_second_factor = 1",
    )
    .bind(user_id)
    .fetch_one(&mut *conn)
    .await?)
}

async fn touch(conn: &mut SqliteConnection, identification_id: &str, now: i64) -> Result<()> {
    let result = sqlx::query("UPDATE identifications SET updated_at = ? WHERE id = ?")
        .bind(now)
        .bind(identification_id)
        .execute(&mut *conn)
        .await?;
    if result.rows_affected() == 0 {
        return Err(StoreError::Internal(format!("identification {identification_id} vanished")));
    }
    Ok(())
}
