//! OAuth round trips: their `state`, the nonces that report their end to the app, the sign-ins
//! made through a provider, and the identities such a sign-in found for a sign-up to take.

use sqlx::SqliteConnection;

use super::error::Result;
use super::external_accounts::Identity;
use crate::ids::{new_id, now_ms, random_base62, token_hash};
use crate::store::sign_ins::ABANDON_AFTER_MS;

/// What a round trip is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// Connecting a new account.
    Connect,
    /// More scopes for (or a retry of) an existing account.
    Reauthorize,
    /// Signing in.
    SignIn,
}

impl Purpose {
    fn stored(self) -> &'static str {
        match self {
            Purpose::Connect => "connect",
            Purpose::Reauthorize => "reauthorize",
            Purpose::SignIn => "sign_in",
        }
    }
}

/// An `oauth_states` row.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct StateRow {
    pub client_id: String,
    pub strategy: String,
    pub purpose: String,
    pub external_account_id: Option<String>,
    pub sign_in_id: Option<String>,
    pub pkce_verifier: String,
    pub scopes: String,
    pub redirect_url: String,
    pub action_complete_redirect_url: Option<String>,
    pub user_agent: Option<String>,
    pub expire_at: i64,
    pub used_at: Option<i64>,
}

impl StateRow {
    /// What the round trip is for.
    pub fn purpose(&self) -> Purpose {
        match self.purpose.as_str() {
            "connect" => Purpose::Connect,
            "reauthorize" => Purpose::Reauthorize,
            _ => Purpose::SignIn,
        }
    }
}

/// A new round trip.
#[derive(Debug, Clone)]
pub struct NewState<'a> {
    pub state: &'a str,
    pub client_id: &'a str,
    pub strategy: &'a str,
    pub purpose: Purpose,
    pub external_account_id: Option<&'a str>,
    pub sign_in_id: Option<&'a str>,
    pub pkce_verifier: &'a str,
    pub scopes: &'a str,
    pub authorize_url: &'a str,
    pub redirect_url: &'a str,
    pub action_complete_redirect_url: Option<&'a str>,
    pub user_agent: Option<&'a str>,
    pub expire_at: i64,
}

/// Records a round trip. Earlier unused round trips of the same account or sign-in are dropped:
/// only the newest one can complete it.
pub async fn insert_state(conn: &mut SqliteConnection, new: &NewState<'_>) -> Result<()> {
    sqlx::query(
        "DELETE FROM oauth_states WHERE used_at IS NULL
            AND (external_account_id = ?1 OR sign_in_id = ?2)",
    )
    .bind(new.external_account_id)
    .bind(new.sign_in_id)
    .execute(&mut *conn)
    .await?;
    // Long gone round trips are of no use to anyone.
    sqlx::query("DELETE FROM oauth_states WHERE expire_at < ?")
        .bind(now_ms() - ABANDON_AFTER_MS)
        .execute(&mut *conn)
        .await?;
    sqlx::query(
        "INSERT INTO oauth_states (state_hash, client_id, strategy, purpose, external_account_id, sign_in_id,
            pkce_verifier, scopes, authorize_url, redirect_url, action_complete_redirect_url, user_agent,
            expire_at, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(token_hash(new.state))
    .bind(new.client_id)
    .bind(new.strategy)
    .bind(new.purpose.stored())
    .bind(new.external_account_id)
    .bind(new.sign_in_id)
    .bind(new.pkce_verifier)
    .bind(new.scopes)
    .bind(new.authorize_url)
    .bind(new.redirect_url)
    .bind(new.action_complete_redirect_url)
    .bind(new.user_agent)
    .bind(new.expire_at)
    .bind(now_ms())
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// The round trip `state` names, as it was, marking it used if it was not: a second callback
/// with the same state sees `used_at` set.
pub async fn take_state(conn: &mut SqliteConnection, state: &str) -> Result<Option<StateRow>> {
    let hash = token_hash(state);
    let row = sqlx::query_as::<_, StateRow>(
        "SELECT client_id, strategy, purpose, external_account_id, sign_in_id, pkce_verifier, scopes,
                redirect_url, action_complete_redirect_url, user_agent, expire_at, used_at
         FROM oauth_states WHERE state_hash = ?",
    )
    .bind(&hash)
    .fetch_optional(&mut *conn)
    .await?;
    if row.as_ref().is_some_and(|row| row.used_at.is_none()) {
        sqlx::query("UPDATE oauth_states SET used_at = ? WHERE state_hash = ?")
            .bind(now_ms())
            .bind(&hash)
            .execute(&mut *conn)
            .await?;
    }
    Ok(row)
}

/// The authorization URL of the sign-in's newest round trip.
pub async fn sign_in_authorize_url(conn: &mut SqliteConnection, sign_in_id: &str) -> Result<Option<String>> {
    Ok(sqlx::query_scalar(
        "SELECT authorize_url FROM oauth_states WHERE sign_in_id = ? ORDER BY created_at DESC, rowid DESC LIMIT 1",
    )
    .bind(sign_in_id)
    .fetch_optional(&mut *conn)
    .await?)
}

/// A new `rotating_token_nonce` for the client, good until `expire_at`.
pub async fn insert_nonce(conn: &mut SqliteConnection, client_id: &str, expire_at: i64) -> Result<String> {
    let nonce = random_base62(40);
    let now = now_ms();
    sqlx::query("DELETE FROM oauth_nonces WHERE expire_at < ?").bind(now).execute(&mut *conn).await?;
    sqlx::query(
        "INSERT INTO oauth_nonces (nonce_hash, client_id, expire_at, created_at) VALUES (?, ?, ?, ?)",
    )
    .bind(token_hash(&nonce))
    .bind(client_id)
    .bind(expire_at)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(nonce)
}

/// Uses up the client's nonce: `false` if it is unknown, another client's, used or expired.
pub async fn redeem_nonce(conn: &mut SqliteConnection, client_id: &str, nonce: &str) -> Result<bool> {
    let now = now_ms();
    let result = sqlx::query(
        "UPDATE oauth_nonces SET used_at = ?1
         WHERE nonce_hash = ?2 AND client_id = ?3 AND used_at IS NULL AND expire_at > ?1",
    )
    .bind(now)
    .bind(token_hash(nonce))
    .bind(client_id)
    .execute(&mut *conn)
    .await?;
    Ok(result.rows_affected() == 1)
}

/// Starts a sign-in through a provider: no user yet, its first factor the provider's
/// verification (unverified until the round trip ends, by `expire_at`). Returns its id.
pub async fn create_sign_in(
    conn: &mut SqliteConnection,
    client_id: &str,
    strategy: &str,
    expire_at: i64,
) -> Result<String> {
    let now = now_ms();
    let id = new_id("sia");
    sqlx::query(
        "INSERT INTO sign_ins (id, client_id, status, abandon_at, created_at, updated_at)
         VALUES (?, ?, 'needs_first_factor', ?, ?, ?)",
    )
    .bind(&id)
    .bind(client_id)
    .bind(now + ABANDON_AFTER_MS)
    .bind(now)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    sqlx::query(
        "INSERT INTO verifications (id, sign_in_id, sign_in_factor, status, strategy, expire_at, created_at, updated_at)
         VALUES (?, ?, 'first', 'unverified', ?, ?, ?, ?)",
    )
    .bind(new_id("ver"))
    .bind(&id)
    .bind(strategy)
    .bind(expire_at)
    .bind(now)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(id)
}

/// A sign-in's first-factor verification, as an OAuth sign-in shows it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SignInVerification {
    pub status: String,
    pub expire_at: Option<i64>,
    pub error: Option<String>,
}

/// The sign-in's first-factor verification.
pub async fn sign_in_verification(
    conn: &mut SqliteConnection,
    sign_in_id: &str,
) -> Result<Option<SignInVerification>> {
    Ok(sqlx::query_as::<_, SignInVerification>(
        "SELECT status, expire_at, error FROM verifications WHERE sign_in_id = ? AND sign_in_factor = 'first'",
    )
    .bind(sign_in_id)
    .fetch_optional(&mut *conn)
    .await?)
}

/// Sets the sign-in's first-factor verification: `transferable`, `failed` or `expired` (with the
/// ClerkError JSON to show).
pub async fn set_sign_in_verification(
    conn: &mut SqliteConnection,
    sign_in_id: &str,
    status: &str,
    error: Option<&str>,
) -> Result<()> {
    let now = now_ms();
    sqlx::query(
        "UPDATE verifications SET status = ?, error = ?, attempts = COALESCE(attempts, 0) + 1, updated_at = ?
         WHERE sign_in_id = ? AND sign_in_factor = 'first'",
    )
    .bind(status)
    .bind(error)
    .bind(now)
    .bind(sign_in_id)
    .execute(&mut *conn)
    .await?;
    sqlx::query("UPDATE sign_ins SET updated_at = ? WHERE id = ?")
        .bind(now)
        .bind(sign_in_id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// The provider verified the sign-in's first factor as `user_id`: the sign-in goes on to
/// `status` (`complete`, with the session it opened, or `needs_second_factor`).
pub async fn identify_sign_in(
    conn: &mut SqliteConnection,
    sign_in_id: &str,
    user_id: &str,
    identifier: &str,
    status: &str,
    session_id: Option<&str>,
) -> Result<()> {
    set_sign_in_verification(conn, sign_in_id, "verified", None).await?;
    sqlx::query(
        "UPDATE sign_ins SET status = ?, user_id = ?, identifier = ?, created_session_id = ?, updated_at = ?
         WHERE id = ?",
    )
    .bind(status)
    .bind(user_id)
    .bind(identifier)
    .bind(session_id)
    .bind(now_ms())
    .bind(sign_in_id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Keeps the identity a sign-in found for no user, for the sign-up to take.
pub async fn insert_transfer(
    conn: &mut SqliteConnection,
    sign_in_id: &str,
    provider: &str,
    identity: &Identity,
    approved_scopes: &str,
) -> Result<()> {
    sqlx::query(
        "INSERT OR REPLACE INTO oauth_transfers (sign_in_id, provider, provider_user_id, email_address,
            email_address_verified, first_name, last_name, username, avatar_url, approved_scopes, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(sign_in_id)
    .bind(provider)
    .bind(&identity.provider_user_id)
    .bind(&identity.email_address)
    .bind(identity.email_verified)
    .bind(&identity.first_name)
    .bind(&identity.last_name)
    .bind(&identity.username)
    .bind(&identity.avatar_url)
    .bind(approved_scopes)
    .bind(now_ms())
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// An identity kept for a sign-up.
#[derive(Debug, Clone)]
pub struct Transfer {
    pub provider: String,
    pub identity: Identity,
    pub approved_scopes: String,
}

#[derive(sqlx::FromRow)]
struct TransferRow {
    provider: String,
    provider_user_id: String,
    email_address: Option<String>,
    email_address_verified: bool,
    first_name: Option<String>,
    last_name: Option<String>,
    username: Option<String>,
    avatar_url: Option<String>,
    approved_scopes: String,
}

/// Takes (and forgets) the identity the sign-in found, if it has one.
pub async fn take_transfer(conn: &mut SqliteConnection, sign_in_id: &str) -> Result<Option<Transfer>> {
    let row = sqlx::query_as::<_, TransferRow>(
        "SELECT provider, provider_user_id, email_address, email_address_verified, first_name, last_name,
                username, avatar_url, approved_scopes
         FROM oauth_transfers WHERE sign_in_id = ?",
    )
    .bind(sign_in_id)
    .fetch_optional(&mut *conn)
    .await?;
    sqlx::query("DELETE FROM oauth_transfers WHERE sign_in_id = ?")
        .bind(sign_in_id)
        .execute(&mut *conn)
        .await?;
    Ok(row.map(|row| Transfer {
        provider: row.provider,
        identity: Identity {
            provider_user_id: row.provider_user_id,
            email_address: row.email_address,
            email_verified: row.email_address_verified,
            first_name: row.first_name,
            last_name: row.last_name,
            username: row.username,
            avatar_url: row.avatar_url,
        },
        approved_scopes: row.approved_scopes,
    }))
}

/// Marks the new user's email address `identification_id` as coming from the provider
/// (`from_oauth_…`) rather than from the administrator: verified when the provider verified it,
/// otherwise unverified (and then not primary).
pub async fn mark_email_from_oauth(
    conn: &mut SqliteConnection,
    user_id: &str,
    identification_id: &str,
    provider: &str,
    verified: bool,
) -> Result<()> {
    let now = now_ms();
    sqlx::query(
        "UPDATE verifications SET strategy = ?, status = ?, updated_at = ? WHERE identification_id = ?",
    )
    .bind(format!("from_{provider}"))
    .bind(if verified { "verified" } else { "unverified" })
    .bind(now)
    .bind(identification_id)
    .execute(&mut *conn)
    .await?;
    if !verified {
        sqlx::query(
            "UPDATE users SET primary_email_address_id = NULL WHERE id = ? AND primary_email_address_id = ?",
        )
        .bind(user_id)
        .bind(identification_id)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}
