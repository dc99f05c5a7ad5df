//! The time that authenticator (TOTP) codes are checked against and that issued tokens carry
//! (`iat`, `nbf`, `exp`). The system's clock by default; tests and demos set a manual one, so a
//! code of the next time step or a token past its expiry can be had without waiting.

use std::fmt;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use crate::ids::now_ms;

/// A source of the current time, in Unix milliseconds. Clones share one time.
#[derive(Clone, Default)]
pub struct Clock {
    /// `None`: the system's clock; `Some`: a manual time, moved only by [`Clock::set_ms`] and
    /// [`Clock::advance`].
    manual: Option<Arc<AtomicI64>>,
}

impl Clock {
    /// The system's clock (the default).
    pub fn system() -> Self {
        Self { manual: None }
    }

    /// A clock that stands at `unix_ms` until it is set or advanced.
    pub fn manual(unix_ms: i64) -> Self {
        Self { manual: Some(Arc::new(AtomicI64::new(unix_ms))) }
    }

    /// Now, in Unix milliseconds.
    pub fn now_ms(&self) -> i64 {
        match &self.manual {
            Some(time) => time.load(Ordering::SeqCst),
            None => now_ms(),
        }
    }

    /// Now, in Unix seconds (rounded down), as JWT claims and TOTP count.
    pub fn now_secs(&self) -> i64 {
        self.now_ms().div_euclid(1000)
    }

    /// Sets a manual clock to `unix_ms`; the system's clock cannot be set and ignores this.
    pub fn set_ms(&self, unix_ms: i64) {
        if let Some(time) = &self.manual {
            time.store(unix_ms, Ordering::SeqCst);
        }
    }

    /// Moves a manual clock forward by `by`; the system's clock ignores this.
    pub fn advance(&self, by: Duration) {
        if let Some(time) = &self.manual {
            let by = i64::try_from(by.as_millis()).unwrap_or(i64::MAX);
            time.fetch_add(by, Ordering::SeqCst);
        }
    }

    /// `true` for a manual clock.
    pub fn is_manual(&self) -> bool {
        self.manual.is_some()
    }
}

impl fmt::Debug for Clock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.manual {
            Some(time) => write!(f, "Clock::manual({})", time.load(Ordering::SeqCst)),
            None => f.write_str("Clock::system()"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_manual_clock_moves_only_when_told_and_clones_share_it() {
        let clock = Clock::manual(1_000);
        let other = clock.clone();
        assert_eq!(clock.now_ms(), 1_000);
        clock.advance(Duration::from_secs(30));
        assert_eq!(other.now_ms(), 31_000);
        other.set_ms(59_999);
        assert_eq!(clock.now_secs(), 59);
        assert!(clock.is_manual());
    }

    #[test]
    fn the_system_clock_is_now_and_cannot_be_set() {
        let clock = Clock::system();
        clock.set_ms(0);
        assert!((clock.now_ms() - now_ms()).abs() < 5_000);
        assert!(!clock.is_manual());
    }
}
