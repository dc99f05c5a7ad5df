//! Connected (OAuth) accounts and their verification.

use sqlx::SqliteConnection;

use super::error::Result;
use crate::ids::{new_id, now_ms};

/// An identity at a provider.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Identity {
    /// The provider's id for the person (`sub`, GitHub's `id`).
    pub provider_user_id: String,
    /// Their email address, lower-cased, when the provider gave a well-formed one.
    pub email_address: Option<String>,
    /// `true` when the provider says it verified the address.
    pub email_verified: bool,
    /// First name.
    pub first_name: Option<String>,
    /// Last name.
    pub last_name: Option<String>,
    /// Username at the provider.
    pub username: Option<String>,
    /// An `http(s)` URL of their picture.
    pub avatar_url: Option<String>,
}

/// An `external_accounts` row.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ExternalAccountRow {
    pub id: String,
    pub user_id: String,
    pub identification_id: String,
    pub provider: String,
    pub provider_user_id: Option<String>,
    pub email_address: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub username: Option<String>,
    pub avatar_url: Option<String>,
    pub approved_scopes: String,
    pub verification_status: String,
    pub verification_redirect_url: Option<String>,
    pub verification_expire_at: i64,
    pub verification_error: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
}

impl ExternalAccountRow {
    /// `true` once a round trip proved the identity: the account is linked to its user, and
    /// signs them in, whatever a later reauthorization's state.
    pub fn is_linked(&self) -> bool {
        self.provider_user_id.is_some()
    }
}

/// The identity at a provider belongs to one user: the unique constraint says so.
const IDENTITY_TAKEN: &str = "external_accounts.provider, external_accounts.provider_user_id";

/// The identity is already another account's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IdentityTaken;

/// Whether `error` is the violation of [`IDENTITY_TAKEN`]: the database decides, so two round
/// trips racing for one identity cannot both link it.
fn taken<T>(result: std::result::Result<T, sqlx::Error>) -> Result<std::result::Result<(), IdentityTaken>> {
    match result {
        Ok(_) => Ok(Ok(())),
        Err(sqlx::Error::Database(db))
            if db.is_unique_violation() && db.message().ends_with(IDENTITY_TAKEN) =>
        {
            Ok(Err(IdentityTaken))
        }
        Err(other) => Err(other.into()),
    }
}

/// The user's accounts, oldest first.
pub async fn list_for_user(conn: &mut SqliteConnection, user_id: &str) -> Result<Vec<ExternalAccountRow>> {
    Ok(sqlx::query_as::<_, ExternalAccountRow>(
        "SELECT * FROM external_accounts WHERE user_id = ? ORDER BY created_at, rowid",
    )
    .bind(user_id)
    .fetch_all(&mut *conn)
    .await?)
}

/// The user's account `id`; `None` for anyone else's.
pub async fn find_for_user(
    conn: &mut SqliteConnection,
    user_id: &str,
    id: &str,
) -> Result<Option<ExternalAccountRow>> {
    Ok(sqlx::query_as::<_, ExternalAccountRow>(
        "SELECT * FROM external_accounts WHERE user_id = ? AND id = ?",
    )
    .bind(user_id)
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?)
}

/// The account `id`, whoever has it.
pub async fn find(conn: &mut SqliteConnection, id: &str) -> Result<Option<ExternalAccountRow>> {
    Ok(sqlx::query_as::<_, ExternalAccountRow>("SELECT * FROM external_accounts WHERE id = ?")
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?)
}

/// The linked account of an identity at a provider.
pub async fn find_linked(
    conn: &mut SqliteConnection,
    provider: &str,
    provider_user_id: &str,
) -> Result<Option<ExternalAccountRow>> {
    Ok(sqlx::query_as::<_, ExternalAccountRow>(
        "SELECT * FROM external_accounts WHERE provider = ? AND provider_user_id = ?",
    )
    .bind(provider)
    .bind(provider_user_id)
    .fetch_optional(&mut *conn)
    .await?)
}

/// Starts an account that no round trip has verified yet; returns its id.
pub async fn insert_unverified(
    conn: &mut SqliteConnection,
    user_id: &str,
    provider: &str,
    expire_at: i64,
) -> Result<String> {
    let now = now_ms();
    let id = new_id("eac");
    sqlx::query(
        "INSERT INTO external_accounts (id, user_id, identification_id, provider, verification_status,
            verification_expire_at, created_at, updated_at)
         VALUES (?, ?, ?, ?, 'unverified', ?, ?, ?)",
    )
    .bind(&id)
    .bind(user_id)
    .bind(new_id("idn"))
    .bind(provider)
    .bind(expire_at)
    .bind(now)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    touch_user(conn, user_id, now).await?;
    Ok(id)
}

/// Creates an account already verified by a round trip (a sign-up from an OAuth sign-in).
pub async fn insert_verified(
    conn: &mut SqliteConnection,
    user_id: &str,
    provider: &str,
    identity: &Identity,
    approved_scopes: &str,
) -> Result<std::result::Result<String, IdentityTaken>> {
    let now = now_ms();
    let id = new_id("eac");
    let inserted = sqlx::query(
        "INSERT INTO external_accounts (id, user_id, identification_id, provider, provider_user_id,
            email_address, email_address_verified, first_name, last_name, username, avatar_url,
            approved_scopes, verification_status, verification_expire_at, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'verified', ?, ?, ?)",
    )
    .bind(&id)
    .bind(user_id)
    .bind(new_id("idn"))
    .bind(provider)
    .bind(&identity.provider_user_id)
    .bind(&identity.email_address)
    .bind(identity.email_address.as_ref().map(|_| identity.email_verified))
    .bind(&identity.first_name)
    .bind(&identity.last_name)
    .bind(&identity.username)
    .bind(&identity.avatar_url)
    .bind(approved_scopes)
    .bind(now)
    .bind(now)
    .bind(now)
    .execute(&mut *conn)
    .await;
    Ok(taken(inserted)?.map(|()| id))
}

/// Starts a new round trip on the account: unverified again, with the provider's URL to go to
/// and its expiry; the error of an earlier try is cleared. A linked account keeps its identity.
pub async fn restart_verification(
    conn: &mut SqliteConnection,
    id: &str,
    redirect_url: &str,
    expire_at: i64,
) -> Result<()> {
    let now = now_ms();
    sqlx::query(
        "UPDATE external_accounts SET verification_status = 'unverified', verification_redirect_url = ?,
            verification_expire_at = ?, verification_error = NULL, updated_at = ? WHERE id = ?",
    )
    .bind(redirect_url)
    .bind(expire_at)
    .bind(now)
    .bind(id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Records the identity a round trip proved: the account is verified, with the person's details
/// and the scopes granted. `Err(IdentityTaken)` (and nothing written) when another account
/// already has that identity.
pub async fn verify(
    conn: &mut SqliteConnection,
    id: &str,
    identity: &Identity,
    approved_scopes: &str,
) -> Result<std::result::Result<(), IdentityTaken>> {
    let now = now_ms();
    let updated = sqlx::query(
        "UPDATE external_accounts SET provider_user_id = ?, email_address = ?, email_address_verified = ?,
            first_name = ?, last_name = ?, username = ?, avatar_url = ?, approved_scopes = ?,
            verification_status = 'verified', verification_redirect_url = NULL, verification_error = NULL,
            updated_at = ?
         WHERE id = ?",
    )
    .bind(&identity.provider_user_id)
    .bind(&identity.email_address)
    .bind(identity.email_address.as_ref().map(|_| identity.email_verified))
    .bind(&identity.first_name)
    .bind(&identity.last_name)
    .bind(&identity.username)
    .bind(&identity.avatar_url)
    .bind(approved_scopes)
    .bind(now)
    .bind(id)
    .execute(&mut *conn)
    .await;
    taken(updated)
}

/// Refreshes a linked account's details from a sign-in through it (the scopes stay).
pub async fn refresh(conn: &mut SqliteConnection, id: &str, identity: &Identity) -> Result<()> {
    sqlx::query(
        "UPDATE external_accounts SET email_address = ?, email_address_verified = ?, first_name = ?,
            last_name = ?, username = ?, avatar_url = ?, updated_at = ? WHERE id = ?",
    )
    .bind(&identity.email_address)
    .bind(identity.email_address.as_ref().map(|_| identity.email_verified))
    .bind(&identity.first_name)
    .bind(&identity.last_name)
    .bind(&identity.username)
    .bind(&identity.avatar_url)
    .bind(now_ms())
    .bind(id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Ends the round trip under way in failure: `status` is `failed` or `expired`, `error` the
/// ClerkError (JSON) to show. Nothing else changes: an account never linked stays unlinked, a
/// linked one keeps its identity and scopes.
pub async fn fail(conn: &mut SqliteConnection, id: &str, status: &str, error: &str) -> Result<()> {
    sqlx::query(
        "UPDATE external_accounts SET verification_status = ?, verification_error = ?,
            verification_redirect_url = NULL, updated_at = ? WHERE id = ?",
    )
    .bind(status)
    .bind(error)
    .bind(now_ms())
    .bind(id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Removes an account (its round trips under way go with it).
pub async fn delete(conn: &mut SqliteConnection, id: &str) -> Result<()> {
    sqlx::query("DELETE FROM external_accounts WHERE id = ?").bind(id).execute(&mut *conn).await?;
    Ok(())
}

/// Removes the user's accounts of `provider` that never verified (an earlier try that failed
/// or was left), so that connecting again leaves one account, not a trail of failed ones.
pub async fn delete_unlinked(conn: &mut SqliteConnection, user_id: &str, provider: &str) -> Result<()> {
    sqlx::query(
        "DELETE FROM external_accounts WHERE user_id = ? AND provider = ? AND provider_user_id IS NULL",
    )
    .bind(user_id)
    .bind(provider)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// How many of the user's accounts are linked.
pub async fn count_linked(conn: &mut SqliteConnection, user_id: &str) -> Result<i64> {
    Ok(sqlx::query_scalar(
        "SELECT COUNT(*) FROM external_accounts WHERE user_id = ? AND provider_user_id IS NOT NULL",
    )
    .bind(user_id)
    .fetch_one(&mut *conn)
    .await?)
}

async fn touch_user(conn: &mut SqliteConnection, user_id: &str, now: i64) -> Result<()> {
    sqlx::query("UPDATE users SET updated_at = ? WHERE id = ?")
        .bind(now)
        .bind(user_id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}
