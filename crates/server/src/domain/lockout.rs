//! Counting failed sign-in verifications per user (Clerk's account lockout).
//!
//! Wrong passwords (at sign-in) and wrong second-factor codes (`totp`, `phone_code`,
//! `backup_code`) count, whichever sign-in or client they come from, so starting new sign-ins
//! gives no new guesses. The failure that reaches [`LockoutPolicy::max_attempts`] locks the user
//! for [`LockoutPolicy::duration`]: that attempt and every later one (starting a sign-in, a
//! password, a code, right or wrong) is 403 `user_locked` with `meta.lockout_expires_in_seconds`,
//! and nothing is verified meanwhile. The lock lifts by itself once its time has passed (on the
//! server's clock), and counting starts over; a completed sign-in clears the count. Malformed
//! codes are refused before they reach here and do not count.

use sqlx::SqliteConnection;

use crate::error::{Error, Result};
use crate::lockout::LockoutPolicy;
use crate::store::lockouts;
use crate::store::users::UserRow;

/// `user_locked` while the user is locked, else `Ok`.
pub async fn ensure_unlocked(
    conn: &mut SqliteConnection,
    policy: &LockoutPolicy,
    user: &UserRow,
) -> Result<()> {
    let row = lockouts::find(conn, &user.id).await?;
    let view = policy.view(row.as_ref(), user.locked);
    if view.locked {
        return Err(Error::UserLocked { expires_in_secs: view.expires_in_seconds });
    }
    Ok(())
}

/// Counts a failed verification of the user's. Returns `user_locked` when this failure locked
/// them (the caller answers with it instead of the wrong-password or wrong-code error), `None`
/// otherwise. The caller commits either way.
pub async fn count_failure(
    conn: &mut SqliteConnection,
    policy: &LockoutPolicy,
    user_id: &str,
) -> Result<Option<Error>> {
    let now = policy.now_ms();
    let row = lockouts::count_failure(conn, user_id, now).await?;
    if row.failed_attempts < i64::from(policy.max_attempts) {
        return Ok(None);
    }
    let until = match row.locked_until {
        // Failures racing past the limit keep the first lock's end.
        Some(until) => until,
        None => {
            let until = now.saturating_add(policy.duration_ms());
            lockouts::lock(conn, user_id, until, now).await?;
            tracing::warn!(user = %user_id, failures = row.failed_attempts, "user locked after failed sign-in attempts");
            until
        }
    };
    let expires_in_secs = (until - now + 999) / 1000;
    Ok(Some(Error::UserLocked { expires_in_secs: Some(expires_in_secs) }))
}

/// A completed sign-in: the user's failures are forgotten.
pub async fn clear(conn: &mut SqliteConnection, user_id: &str) -> Result<()> {
    Ok(lockouts::clear(conn, user_id).await?)
}
