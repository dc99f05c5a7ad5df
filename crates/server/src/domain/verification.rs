//! What codes and links share: the resend cooldown.

use crate::error::{Error, Result};
use crate::state::{millis, AppState};

/// Refuses a new code within the resend cooldown of the last one sent at `sent_at` (429
/// `too_many_requests`, with the seconds to wait rounded up: "retry in 1 s" must never be too
/// early). One rule for identifications, sign-ups and second factors.
pub fn ensure_cooldown_passed(state: &AppState, sent_at: i64, now: i64) -> Result<()> {
    let wait = sent_at.saturating_add(millis(state.verification.resend_cooldown)) - now;
    if wait > 0 {
        let retry_after_secs = u64::try_from((wait + 999) / 1000).unwrap_or(1).max(1);
        return Err(Error::TooManyRequests { retry_after_secs });
    }
    Ok(())
}
