//! Reverification (step-up, Clerk's `session_reverification_required`): a sensitive action
//! asks that the session proved who uses it recently, not only at its sign-in.
//!
//! The rules:
//! - Only when [`crate::Config::reverification`] is on; then every sensitive action calls
//!   [`require`] before it changes anything, so a refused action leaves nothing half done.
//! - A session's first factor counts from its sign-in, or from its last reverification
//!   (`sessions.first_factor_verified_at`); its second factor from the sign-in's second factor or
//!   the last reverification's (`second_factor_verified_at`). Fresh: less than
//!   [`crate::Config::reverification_window`] ago, on [`crate::Config::clock`].
//! - Levels, as Clerk's: `first_factor` wants a fresh first factor; `second_factor` a fresh
//!   second factor, or a fresh first factor for a user without one; `multi_factor` both (the
//!   second only where the user has one).
//! - Refused: 403 `session_reverification_required`, `meta.level` and `meta.after_minutes`.

use std::fmt;

use crate::domain;
use crate::error::{Error, Result};
use crate::http::signed_in::SignedIn;
use crate::state::{millis, AppState};
use crate::store::sessions::SessionRow;

/// How much an action asks of the session (named as Clerk names the levels).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[allow(clippy::enum_variant_names)]
pub enum Level {
    /// A fresh first factor.
    FirstFactor,
    /// A fresh second factor where the user has one, else a fresh first factor.
    SecondFactor,
    /// A fresh first factor and, where the user has one, a fresh second factor.
    MultiFactor,
}

impl Level {
    /// As Clerk names it (`level`).
    pub fn as_str(self) -> &'static str {
        match self {
            Level::FirstFactor => "first_factor",
            Level::SecondFactor => "second_factor",
            Level::MultiFactor => "multi_factor",
        }
    }

    /// Read from a form or the store; `None` for anything else.
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "first_factor" => Some(Level::FirstFactor),
            "second_factor" => Some(Level::SecondFactor),
            "multi_factor" => Some(Level::MultiFactor),
            _ => None,
        }
    }

    /// `true` when, for a user with a second factor, the level asks for it.
    pub fn wants_second_factor(self) -> bool {
        self != Level::FirstFactor
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// `true` when the session's factors are fresh enough for `level` at `now`.
fn satisfied(session: &SessionRow, level: Level, has_second_factor: bool, now: i64, window_ms: i64) -> bool {
    // A time ahead of `now` (a manual clock set back) counts as fresh.
    let fresh = |at: i64| now - at < window_ms;
    let first = fresh(session.first_factor_at());
    let second = session.second_factor_verified_at.is_some_and(fresh);
    match level {
        Level::FirstFactor => first,
        Level::SecondFactor if has_second_factor => second,
        Level::SecondFactor => first,
        Level::MultiFactor => first && (!has_second_factor || second),
    }
}

/// The guard every sensitive action calls before changing anything: `Ok` when reverification
/// is off or the session is fresh enough for `level`, else 403
/// `session_reverification_required`.
pub async fn require(state: &AppState, signed_in: &SignedIn, level: Level) -> Result<()> {
    let policy = state.reverification;
    if !policy.enabled {
        return Ok(());
    }
    let session = &signed_in.session;
    let has_second_factor = if level.wants_second_factor() {
        let mut conn = state.db.pool().acquire().await?;
        domain::second_factor::required(&mut conn, &session.user_id).await?
    } else {
        false
    };
    let now = state.security.clock.now_ms();
    if satisfied(session, level, has_second_factor, now, millis(policy.window)) {
        return Ok(());
    }
    Err(Error::ReverificationRequired {
        level: level.as_str(),
        after_minutes: policy.window.as_secs().div_ceil(60),
    })
}

/// `true` when reverification is on: then the password change asks for no current password
/// (Clerk's rule; the reverification has proved who is there).
pub fn enabled(state: &AppState) -> bool {
    state.reverification.enabled
}

#[cfg(test)]
mod tests {
    use super::*;

    fn session(created_at: i64, second: Option<i64>, first: Option<i64>) -> SessionRow {
        SessionRow {
            id: "sess_1".into(),
            client_id: "client_1".into(),
            user_id: "user_1".into(),
            status: "active".into(),
            identifier: "a@example.com".into(),
            last_active_at: created_at,
            expire_at: i64::MAX,
            abandon_at: i64::MAX,
            created_at,
            updated_at: created_at,
            second_factor_verified_at: second,
            first_factor_verified_at: first,
        }
    }

    #[test]
    fn levels_ask_for_the_factors_they_name() {
        let window = 600_000;
        let old = session(0, Some(0), None);
        let now = window + 1;
        for level in [Level::FirstFactor, Level::SecondFactor, Level::MultiFactor] {
            assert!(!satisfied(&old, level, true, now, window), "{level} after the window");
            assert!(satisfied(&old, level, true, window - 1, window), "{level} within the window");
        }
        let first_again = session(0, Some(0), Some(now));
        assert!(satisfied(&first_again, Level::FirstFactor, true, now, window));
        assert!(!satisfied(&first_again, Level::SecondFactor, true, now, window), "the second is old");
        assert!(!satisfied(&first_again, Level::MultiFactor, true, now, window));
        assert!(satisfied(&first_again, Level::SecondFactor, false, now, window), "none to ask");
        assert!(satisfied(&first_again, Level::MultiFactor, false, now, window));
        let both = session(0, Some(now), Some(now));
        assert!(satisfied(&both, Level::MultiFactor, true, now, window));
    }
}
