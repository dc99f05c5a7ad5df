//! The lockout policy (Clerk's "user lockout" attack protection): how many failed sign-in
//! verifications lock a user, for how long, and the clock both are measured on; and what a user's
//! stored failures mean now ([`LockoutPolicy::view`]), which the User object shows
//! (`locked`, `lockout_expires_in_seconds`, `verification_attempts_remaining`).
//!
//! The counting itself is `crate::domain::lockout`. The presenters reach the policy through
//! [`current`]: the router runs every request inside [`scope`], so that a user rendered anywhere
//! (in `/v1/me`, in a client's sessions, through the Backend API) shows the same state without
//! every presenter's caller passing the policy along.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;

use crate::clock::Clock;
use crate::store::lockouts::LockoutRow;

/// How failures lock a user.
#[derive(Debug, Clone)]
pub struct LockoutPolicy {
    /// Failures that lock the user (at least 1).
    pub max_attempts: u32,
    /// How long a lock lasts.
    pub duration: Duration,
    /// The time locks are measured on.
    pub clock: Clock,
}

/// A user's lockout state at one moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LockoutView {
    /// Locked now.
    pub locked: bool,
    /// Whole seconds (rounded up) until the lock lifts; `None` when not locked, or locked with no
    /// end (the explicit `users.locked`).
    pub expires_in_seconds: Option<i64>,
    /// Failures left before a lock (0 while locked).
    pub attempts_remaining: i64,
}

impl LockoutPolicy {
    /// Now, on the policy's clock (milliseconds).
    pub fn now_ms(&self) -> i64 {
        self.clock.now_ms()
    }

    /// The lock's length in milliseconds.
    pub fn duration_ms(&self) -> i64 {
        i64::try_from(self.duration.as_millis()).unwrap_or(i64::MAX)
    }

    /// What `row` (the user's stored failures) and `explicitly_locked` (`users.locked`) mean now.
    /// A lock that has passed counts as no failures: counting starts over after it.
    pub fn view(&self, row: Option<&LockoutRow>, explicitly_locked: bool) -> LockoutView {
        let max = i64::from(self.max_attempts);
        let now = self.now_ms();
        let row = row.copied().unwrap_or_default();
        let lock_ends = row.locked_until.filter(|until| *until > now);
        let failed = match row.locked_until {
            Some(until) if until <= now => 0,
            _ => row.failed_attempts,
        };
        let expires_in_seconds = lock_ends.map(|until| (until - now + 999) / 1000);
        let locked = explicitly_locked || lock_ends.is_some();
        LockoutView {
            locked,
            expires_in_seconds: if explicitly_locked { None } else { expires_in_seconds },
            attempts_remaining: if locked { 0 } else { (max - failed).max(0) },
        }
    }
}

tokio::task_local! {
    static POLICY: Arc<LockoutPolicy>;
}

/// Runs `request` with `policy` as the [`current`] one.
pub async fn scope<F: Future>(policy: Arc<LockoutPolicy>, request: F) -> F::Output {
    POLICY.scope(policy, request).await
}

/// The router's layer: serves the request inside [`scope`].
pub async fn in_scope(State(policy): State<Arc<LockoutPolicy>>, request: Request, next: Next) -> Response {
    scope(policy, next.run(request)).await
}

/// The policy of the request being served; `None` outside one (nothing renders users there).
pub fn current() -> Option<Arc<LockoutPolicy>> {
    POLICY.try_with(Arc::clone).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy() -> LockoutPolicy {
        LockoutPolicy {
            max_attempts: 100,
            duration: Duration::from_secs(3600),
            clock: Clock::manual(1_000_000),
        }
    }

    #[test]
    fn failures_count_down_and_a_lock_counts_up_to_its_end() {
        let policy = policy();
        let fresh = policy.view(None, false);
        assert_eq!(fresh, LockoutView { locked: false, expires_in_seconds: None, attempts_remaining: 100 });
        let some = LockoutRow { failed_attempts: 7, locked_until: None };
        assert_eq!(policy.view(Some(&some), false).attempts_remaining, 93);

        let locked = LockoutRow { failed_attempts: 100, locked_until: Some(1_000_000 + 3_600_000) };
        assert_eq!(
            policy.view(Some(&locked), false),
            LockoutView { locked: true, expires_in_seconds: Some(3600), attempts_remaining: 0 }
        );
        policy.clock.advance(Duration::from_millis(3_599_001));
        assert_eq!(policy.view(Some(&locked), false).expires_in_seconds, Some(1), "rounded up");
        policy.clock.advance(Duration::from_millis(999));
        assert_eq!(policy.view(Some(&locked), false), fresh, "lifted: counting starts over");
    }

    #[test]
    fn an_explicit_lock_has_no_end() {
        let view = policy().view(None, true);
        assert_eq!(view, LockoutView { locked: true, expires_in_seconds: None, attempts_remaining: 0 });
    }

    #[tokio::test]
    async fn the_policy_is_current_inside_its_scope_only() {
        assert!(current().is_none());
        let seen = scope(Arc::new(policy()), async { current().map(|p| p.max_attempts) }).await;
        assert_eq!(seen, Some(100));
    }
}
