//! Users, their identifications (emails, phones) and those identifications' verifications.

use serde_json::{Map, Value};
use sqlx::{QueryBuilder, Sqlite, SqliteConnection};

use super::error::{Result, ResultExt, StoreError};
use crate::ids::{new_id, now_ms};

/// A `users` row.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct UserRow {
    pub id: String,
    pub external_id: Option<String>,
    pub username: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub password_hash: Option<String>,
    pub password_updated_at: Option<i64>,
    pub primary_email_address_id: Option<String>,
    pub primary_phone_number_id: Option<String>,
    pub public_metadata: String,
    pub private_metadata: String,
    pub unsafe_metadata: String,
    pub delete_self_enabled: bool,
    pub create_organization_enabled: bool,
    pub banned: bool,
    pub locked: bool,
    pub last_sign_in_at: Option<i64>,
    pub last_active_at: Option<i64>,
    pub legal_accepted_at: Option<i64>,
    pub mfa_enabled_at: Option<i64>,
    pub mfa_disabled_at: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
    /// The profile image's id (its file's name), when the user uploaded one; the image's type
    /// and name are read where it is served.
    pub image_id: Option<String>,
}

/// An identification with its verification (if it has one).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct IdentificationRow {
    pub id: String,
    /// `email_address` or `phone_number`.
    pub kind: String,
    pub value: String,
    pub reserved: bool,
    pub reserved_for_second_factor: bool,
    pub default_second_factor: bool,
    pub created_at: i64,
    pub updated_at: i64,
    pub verification_status: Option<String>,
    pub verification_strategy: Option<String>,
    pub verification_attempts: Option<i64>,
    pub verification_expire_at: Option<i64>,
    pub verification_error: Option<String>,
}

impl IdentificationRow {
    /// `true` once its verification succeeded.
    pub fn is_verified(&self) -> bool {
        self.verification_status.as_deref() == Some("verified")
    }
}

/// Selects [`IdentificationRow`]s (`i`: the identification, `v`: its verification).
pub(crate) const IDENTIFICATION_SELECT: &str =
    "SELECT i.id, i.kind, i.value, i.reserved, i.reserved_for_second_factor,
            i.default_second_factor, i.created_at, i.updated_at,
            v.status AS verification_status, v.strategy AS verification_strategy,
            v.attempts AS verification_attempts, v.expire_at AS verification_expire_at,
            v.error AS verification_error
     FROM identifications i LEFT JOIN verifications v ON v.identification_id = i.id";

/// A user and everything shown with them.
#[derive(Debug, Clone)]
pub struct Account {
    pub user: UserRow,
    pub identifications: Vec<IdentificationRow>,
    /// Authenticator app and backup codes.
    pub second_factors: super::totp::SecondFactors,
    /// Failed sign-in verifications and the lock they led to (`None`: no failures).
    pub lockout: Option<super::lockouts::LockoutRow>,
}

/// Which metadata document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MetadataKind {
    Public,
    Private,
    Unsafe,
}

impl MetadataKind {
    fn column(self) -> &'static str {
        match self {
            MetadataKind::Public => "public_metadata",
            MetadataKind::Private => "private_metadata",
            MetadataKind::Unsafe => "unsafe_metadata",
        }
    }

    /// The row's current document of this kind.
    pub fn of(self, user: &UserRow) -> &str {
        match self {
            MetadataKind::Public => &user.public_metadata,
            MetadataKind::Private => &user.private_metadata,
            MetadataKind::Unsafe => &user.unsafe_metadata,
        }
    }
}

/// What creating a user takes. Values are validated by the caller.
#[derive(Debug, Clone, Default)]
pub struct NewUser {
    pub external_id: Option<String>,
    pub username: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub password_hash: Option<String>,
    /// Lower-cased addresses; the first becomes primary. All are verified (`admin` strategy),
    /// as the Backend API does by default.
    pub email_addresses: Vec<String>,
    pub public_metadata: Map<String, Value>,
    pub private_metadata: Map<String, Value>,
    pub unsafe_metadata: Map<String, Value>,
    pub delete_self_enabled: bool,
    pub create_organization_enabled: bool,
}

/// A change of profile fields: `None` leaves a field alone, `Some(None)` clears it.
#[derive(Debug, Clone, Default)]
pub struct ProfileChange {
    pub username: Option<Option<String>>,
    pub first_name: Option<Option<String>>,
    pub last_name: Option<Option<String>>,
    pub primary_email_address_id: Option<String>,
    pub primary_phone_number_id: Option<String>,
}

impl ProfileChange {
    /// `true` when nothing would change.
    pub fn is_empty(&self) -> bool {
        self.username.is_none()
            && self.first_name.is_none()
            && self.last_name.is_none()
            && self.primary_email_address_id.is_none()
            && self.primary_phone_number_id.is_none()
    }
}

const USERNAME_TAKEN: &str = "users.username";
const EXTERNAL_ID_TAKEN: &str = "users.external_id";
pub(crate) const IDENTIFICATION_TAKEN: &str = "identifications.kind, identifications.value";

fn to_json(map: &Map<String, Value>) -> Result<String> {
    serde_json::to_string(map).map_err(|e| StoreError::Internal(format!("serialising metadata: {e}")))
}

/// Creates a user with their email addresses; returns the new id. A taken username, email or
/// external id is reported by the database's unique constraints as a field error.
pub async fn insert(conn: &mut SqliteConnection, new: NewUser) -> Result<String> {
    let now = now_ms();
    let user_id = new_id("user");
    let email_ids: Vec<String> = new.email_addresses.iter().map(|_| new_id("idn")).collect();
    sqlx::query(
        "INSERT INTO users (id, external_id, username, first_name, last_name, password_hash,
            password_updated_at, primary_email_address_id, public_metadata, private_metadata,
            unsafe_metadata, delete_self_enabled, create_organization_enabled, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(&user_id)
    .bind(&new.external_id)
    .bind(&new.username)
    .bind(&new.first_name)
    .bind(&new.last_name)
    .bind(&new.password_hash)
    .bind(new.password_hash.as_ref().map(|_| now))
    .bind(email_ids.first())
    .bind(to_json(&new.public_metadata)?)
    .bind(to_json(&new.private_metadata)?)
    .bind(to_json(&new.unsafe_metadata)?)
    .bind(new.delete_self_enabled)
    .bind(new.create_organization_enabled)
    .bind(now)
    .bind(now)
    .execute(&mut *conn)
    .await
    .on_unique(USERNAME_TAKEN, || StoreError::Taken("username".to_owned()))
    .on_unique(EXTERNAL_ID_TAKEN, || StoreError::Taken("external_id".to_owned()))?;

    for (id, address) in email_ids.iter().zip(&new.email_addresses) {
        sqlx::query(
            "INSERT INTO identifications (id, user_id, kind, value, created_at, updated_at)
             VALUES (?, ?, 'email_address', ?, ?, ?)",
        )
        .bind(id)
        .bind(&user_id)
        .bind(address)
        .bind(now)
        .bind(now)
        .execute(&mut *conn)
        .await
        .on_unique(IDENTIFICATION_TAKEN, || StoreError::Taken("email_address".to_owned()))?;
        // Verified, this copy claims the address: the database removes other users' unverified
        // copies and refuses a second verified one (migration 0008).
        sqlx::query(
            "INSERT INTO verifications (id, identification_id, status, strategy, created_at, updated_at)
             VALUES (?, ?, 'verified', 'admin', ?, ?)",
        )
        .bind(new_id("ver"))
        .bind(id)
        .bind(now)
        .bind(now)
        .execute(&mut *conn)
        .await
        .on_unique(IDENTIFICATION_TAKEN, || StoreError::Taken("email_address".to_owned()))?;
    }
    Ok(user_id)
}

/// The user with this id.
pub async fn find_row(conn: &mut SqliteConnection, id: &str) -> Result<Option<UserRow>> {
    Ok(sqlx::query_as::<_, UserRow>("SELECT * FROM users WHERE id = ?")
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?)
}

/// A user row with its second factors and lockout, as [`find`] reads them in one statement.
#[derive(Debug, sqlx::FromRow)]
struct AccountHead {
    #[sqlx(flatten)]
    user: UserRow,
    totp: bool,
    backup_codes: bool,
    lockout_failed_attempts: Option<i64>,
    lockout_locked_until: Option<i64>,
}

/// The user with this id and everything shown with them, in two statements: every statement is
/// a round trip to the connection's thread, which is most of what a read costs here (see the
/// README's performance section).
pub async fn find(conn: &mut SqliteConnection, id: &str) -> Result<Option<Account>> {
    let head = sqlx::query_as::<_, AccountHead>(
        "SELECT u.*,
                EXISTS (SELECT 1 FROM totps WHERE user_id = u.id AND verified = 1) AS totp,
                EXISTS (SELECT 1 FROM backup_codes WHERE user_id = u.id AND used_at IS NULL) AS backup_codes,
                l.failed_attempts AS lockout_failed_attempts, l.locked_until AS lockout_locked_until
         FROM users u LEFT JOIN user_lockouts l ON l.user_id = u.id WHERE u.id = ?",
    )
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?;
    let Some(head) = head else {
        return Ok(None);
    };
    let sql = format!("{IDENTIFICATION_SELECT} WHERE i.user_id = ? ORDER BY i.created_at, i.rowid");
    let identifications = sqlx::query_as::<_, IdentificationRow>(&sql).bind(id).fetch_all(&mut *conn).await?;
    let second_factors = super::totp::SecondFactors { totp: head.totp, backup_codes: head.backup_codes };
    let lockout = head.lockout_failed_attempts.map(|failed_attempts| super::lockouts::LockoutRow {
        failed_attempts,
        locked_until: head.lockout_locked_until,
    });
    Ok(Some(Account { user: head.user, identifications, second_factors, lockout }))
}

/// The user an identifier names: an email address (containing `@`) or a username, compared
/// case-insensitively. Returns the user and the identification matched (none for usernames).
pub async fn find_by_identifier(
    conn: &mut SqliteConnection,
    identifier: &str,
) -> Result<Option<(UserRow, Option<String>)>> {
    if identifier.contains('@') {
        let found: Option<(String, String)> = sqlx::query_as(
            "SELECT user_id, id FROM identifications WHERE kind = 'email_address' AND value = ? AND verified = 1",
        )
        .bind(identifier.to_lowercase())
        .fetch_optional(&mut *conn)
        .await?;
        let Some((user_id, identification_id)) = found else {
            return Ok(None);
        };
        Ok(find_row(conn, &user_id).await?.map(|user| (user, Some(identification_id))))
    } else {
        let user = sqlx::query_as::<_, UserRow>("SELECT * FROM users WHERE username = ?")
            .bind(identifier)
            .fetch_optional(&mut *conn)
            .await?;
        Ok(user.map(|user| (user, None)))
    }
}

/// Applies a profile change. A taken username is a field error (from the unique constraint).
pub async fn update_profile(conn: &mut SqliteConnection, id: &str, change: &ProfileChange) -> Result<()> {
    let mut query: QueryBuilder<Sqlite> = QueryBuilder::new("UPDATE users SET updated_at = ");
    query.push_bind(now_ms());
    if let Some(username) = &change.username {
        query.push(", username = ").push_bind(username.clone());
    }
    if let Some(first_name) = &change.first_name {
        query.push(", first_name = ").push_bind(first_name.clone());
    }
    if let Some(last_name) = &change.last_name {
        query.push(", last_name = ").push_bind(last_name.clone());
    }
    if let Some(email_id) = &change.primary_email_address_id {
        query.push(", primary_email_address_id = ").push_bind(email_id.clone());
    }
    if let Some(phone_id) = &change.primary_phone_number_id {
        query.push(", primary_phone_number_id = ").push_bind(phone_id.clone());
    }
    query.push(" WHERE id = ").push_bind(id.to_owned());
    query
        .build()
        .execute(&mut *conn)
        .await
        .on_unique(USERNAME_TAKEN, || StoreError::Taken("username".to_owned()))?;
    Ok(())
}

/// Replaces one metadata document.
pub async fn set_metadata(
    conn: &mut SqliteConnection,
    id: &str,
    kind: MetadataKind,
    document: &Map<String, Value>,
) -> Result<()> {
    let sql = format!("UPDATE users SET {} = ?, updated_at = ? WHERE id = ?", kind.column());
    sqlx::query(&sql).bind(to_json(document)?).bind(now_ms()).bind(id).execute(&mut *conn).await?;
    Ok(())
}

/// Sets (or clears) the primary email address or phone number (`kind` as stored).
pub async fn set_primary(
    conn: &mut SqliteConnection,
    id: &str,
    kind: &str,
    identification_id: Option<&str>,
) -> Result<()> {
    let column = match kind {
        "email_address" => "primary_email_address_id",
        "phone_number" => "primary_phone_number_id",
        other => return Err(StoreError::Internal(format!("no primary {other}"))),
    };
    let sql = format!("UPDATE users SET {column} = ?, updated_at = ? WHERE id = ?");
    sqlx::query(&sql).bind(identification_id).bind(now_ms()).bind(id).execute(&mut *conn).await?;
    Ok(())
}

/// Sets (or, with `None`, removes) the password hash.
pub async fn set_password(conn: &mut SqliteConnection, id: &str, password_hash: Option<&str>) -> Result<()> {
    let now = now_ms();
    sqlx::query("UPDATE users SET password_hash = ?, password_updated_at = ?, updated_at = ? WHERE id = ?")
        .bind(password_hash)
        .bind(password_hash.map(|_| now))
        .bind(now)
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Records that two-factor authentication was turned on (`enabled`) or off, now.
pub async fn record_mfa(conn: &mut SqliteConnection, id: &str, enabled: bool) -> Result<()> {
    let column = if enabled { "mfa_enabled_at" } else { "mfa_disabled_at" };
    let now = now_ms();
    let sql = format!("UPDATE users SET {column} = ?, updated_at = ? WHERE id = ?");
    sqlx::query(&sql).bind(now).bind(now).bind(id).execute(&mut *conn).await?;
    Ok(())
}

/// Marks the user changed.
pub async fn touch(conn: &mut SqliteConnection, id: &str) -> Result<()> {
    sqlx::query("UPDATE users SET updated_at = ? WHERE id = ?")
        .bind(now_ms())
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Records a completed sign-in.
pub async fn record_sign_in(conn: &mut SqliteConnection, id: &str, at: i64) -> Result<()> {
    sqlx::query("UPDATE users SET last_sign_in_at = ?, last_active_at = ? WHERE id = ?")
        .bind(at)
        .bind(at)
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Records activity (at most once a minute, to spare writes).
pub async fn record_activity(conn: &mut SqliteConnection, id: &str, at: i64) -> Result<()> {
    sqlx::query(
        "UPDATE users SET last_active_at = ? WHERE id = ? AND (last_active_at IS NULL OR last_active_at < ?)",
    )
    .bind(at)
    .bind(id)
    .bind(at - 60_000)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Deletes a user; their identifications, verifications, sessions and sign-ins go with them
/// (`ON DELETE CASCADE`). Returns `false` if there was no such user.
pub async fn delete(conn: &mut SqliteConnection, id: &str) -> Result<bool> {
    let result = sqlx::query("DELETE FROM users WHERE id = ?").bind(id).execute(&mut *conn).await?;
    Ok(result.rows_affected() > 0)
}

/// A stored profile image, as its row describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProfileImage {
    pub id: String,
    pub content_type: String,
    pub file_name: Option<String>,
}

/// Makes `image` the user's profile image; returns the id of the one it replaces, whose file the
/// caller removes once this is committed.
pub async fn set_image(
    conn: &mut SqliteConnection,
    id: &str,
    image: &ProfileImage,
) -> Result<Option<String>> {
    let previous: Option<Option<String>> = sqlx::query_scalar("SELECT image_id FROM users WHERE id = ?")
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?;
    let Some(previous) = previous else {
        return Err(StoreError::UserGone);
    };
    sqlx::query(
        "UPDATE users SET image_id = ?, image_content_type = ?, image_file_name = ?, updated_at = ?
         WHERE id = ?",
    )
    .bind(&image.id)
    .bind(&image.content_type)
    .bind(&image.file_name)
    .bind(now_ms())
    .bind(id)
    .execute(&mut *conn)
    .await?;
    Ok(previous)
}

/// Removes the user's profile image from their row; returns its id (`None`: they had none). The
/// caller removes the file once this is committed.
pub async fn clear_image(conn: &mut SqliteConnection, id: &str) -> Result<Option<String>> {
    let current: Option<String> = sqlx::query_scalar("SELECT image_id FROM users WHERE id = ?")
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?
        .flatten();
    if current.is_some() {
        sqlx::query(
            "UPDATE users SET image_id = NULL, image_content_type = NULL, image_file_name = NULL,
                updated_at = ?
             WHERE id = ?",
        )
        .bind(now_ms())
        .bind(id)
        .execute(&mut *conn)
        .await?;
    }
    Ok(current)
}

/// The media type of the profile image with this id, if some user has it.
pub async fn image_content_type(conn: &mut SqliteConnection, image_id: &str) -> Result<Option<String>> {
    Ok(sqlx::query_scalar("SELECT image_content_type FROM users WHERE image_id = ?")
        .bind(image_id)
        .fetch_optional(&mut *conn)
        .await?
        .flatten())
}

/// The ids of every profile image in use.
pub async fn image_ids(conn: &mut SqliteConnection) -> Result<Vec<String>> {
    Ok(sqlx::query_scalar("SELECT image_id FROM users WHERE image_id IS NOT NULL")
        .fetch_all(&mut *conn)
        .await?)
}

/// How many users exist.
pub async fn count(conn: &mut SqliteConnection) -> Result<i64> {
    Ok(sqlx::query_scalar("SELECT COUNT(*) FROM users").fetch_one(&mut *conn).await?)
}
