//! Sign-in attempts per identifier and per client: token buckets (governor's GCRA), one bucket
//! per key, on the server's clock (so tests move time instead of sleeping).
//!
//! Every sign-in request that names an identifier or tries a secret takes one token from the
//! identifier's bucket and one from the client's: creating a password sign-in, its first factor,
//! its second factor. An empty bucket is 429 `too_many_requests` with `Retry-After`, before any
//! password is hashed or code checked, so a burst costs no argon2 work. Per identifier stops a
//! guesser who opens a new client per request; per client stops one client trying many
//! identifiers.

use std::num::NonZeroU32;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use governor::clock::Clock as GovernorClock;
use governor::middleware::NoOpMiddleware;
use governor::nanos::Nanos;
use governor::state::keyed::DefaultKeyedStateStore;
use governor::{Quota, RateLimiter};

use crate::clock::Clock;
use crate::error::{Error, Result};

/// A token bucket: `burst` attempts at once, refilled at `burst` per `period`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimit {
    /// Attempts allowed at once (at least 1).
    pub burst: u32,
    /// The time in which a whole burst is refilled (one token every `period / burst`).
    pub period: Duration,
}

impl RateLimit {
    /// `burst` attempts per `period`.
    pub const fn new(burst: u32, period: Duration) -> Self {
        Self { burst, period }
    }

    /// The governor quota, or why there is none.
    fn quota(self, name: &str) -> Result<Quota> {
        let burst = NonZeroU32::new(self.burst)
            .ok_or_else(|| Error::InvalidConfig(format!("{name}: the burst must be at least 1")))?;
        let every = self.period / self.burst;
        Quota::with_period(every)
            .map(|quota| quota.allow_burst(burst))
            .ok_or_else(|| Error::InvalidConfig(format!("{name}: the period must be longer than zero")))
    }
}

/// The server's clock as governor reads it: nanoseconds since the Unix epoch.
#[derive(Debug, Clone)]
struct ServerClock(Clock);

impl GovernorClock for ServerClock {
    type Instant = Nanos;

    fn now(&self) -> Nanos {
        let ms = u64::try_from(self.0.now_ms()).unwrap_or(0);
        Nanos::from(ms.saturating_mul(1_000_000))
    }
}

type Keyed = RateLimiter<String, DefaultKeyedStateStore<String>, ServerClock, NoOpMiddleware<Nanos>>;

/// Keys not seen for a while are dropped every this many checks, so that a stream of new
/// identifiers cannot grow the buckets' memory without bound.
const SWEEP_EVERY: u64 = 1024;

/// The sign-in buckets of one server.
#[derive(Debug)]
pub struct SignInLimits {
    per_identifier: Keyed,
    per_client: Keyed,
    clock: ServerClock,
    checks: AtomicU64,
}

impl SignInLimits {
    /// Buckets with these limits, on `clock`; an unusable limit is `Error::InvalidConfig`.
    pub fn new(per_identifier: RateLimit, per_client: RateLimit, clock: Clock) -> Result<Self> {
        let clock = ServerClock(clock);
        let keyed = |limit: RateLimit, name: &str| -> Result<Keyed> {
            Ok(RateLimiter::new(limit.quota(name)?, DefaultKeyedStateStore::default(), clock.clone()))
        };
        Ok(Self {
            per_identifier: keyed(per_identifier, "sign_in_rate_limit_per_identifier")?,
            per_client: keyed(per_client, "sign_in_rate_limit_per_client")?,
            clock,
            checks: AtomicU64::new(0),
        })
    }

    /// Takes one attempt from `identifier`'s bucket (compared case-insensitively, as sign-in
    /// finds users) and one from `client_id`'s; 429 `too_many_requests` when either is empty.
    pub fn check(&self, identifier: &str, client_id: &str) -> Result<()> {
        if self.checks.fetch_add(1, Ordering::Relaxed) % SWEEP_EVERY == SWEEP_EVERY - 1 {
            self.per_identifier.retain_recent();
            self.per_client.retain_recent();
        }
        let identifier = identifier.trim().to_lowercase();
        // Both buckets are charged even when the first refuses: a refused attempt is still one.
        let by_identifier = self.per_identifier.check_key(&identifier);
        let by_client = self.per_client.check_key(&client_id.to_owned());
        let now = self.clock.now();
        let wait = [by_identifier.err(), by_client.err()]
            .into_iter()
            .flatten()
            .map(|not_until| not_until.wait_time_from(now))
            .max();
        match wait {
            None => Ok(()),
            Some(wait) => {
                let retry_after_secs = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
                Err(Error::SignInRateLimited { retry_after_secs: retry_after_secs.max(1) })
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn retry_after(result: Result<()>) -> u64 {
        match result {
            Err(Error::SignInRateLimited { retry_after_secs }) => retry_after_secs,
            other => panic!("expected a 429, got {other:?}"),
        }
    }

    #[test]
    fn a_bucket_empties_and_refills_on_the_server_clock() {
        let clock = Clock::manual(1_700_000_000_000);
        let five_per_ten = RateLimit::new(5, Duration::from_secs(10));
        let limits =
            SignInLimits::new(five_per_ten, RateLimit::new(100, Duration::from_secs(10)), clock.clone())
                .expect("limits");
        for attempt in 0..5 {
            limits.check("Someone@example.com", &format!("client_{attempt}")).expect("within the burst");
        }
        assert_eq!(retry_after(limits.check("someone@example.com ", "client_x")), 2, "one token per 2 s");
        limits.check("other@example.com", "client_x").expect("another identifier has its own bucket");
        clock.advance(Duration::from_secs(2));
        limits.check("someone@example.com", "client_y").expect("refilled");
    }

    #[test]
    fn a_client_has_its_own_bucket() {
        let limits = SignInLimits::new(
            RateLimit::new(100, Duration::from_secs(10)),
            RateLimit::new(2, Duration::from_secs(10)),
            Clock::manual(0),
        )
        .expect("limits");
        limits.check("a", "client_1").expect("first");
        limits.check("b", "client_1").expect("second");
        assert_eq!(retry_after(limits.check("c", "client_1")), 5);
        limits.check("c", "client_2").expect("another client");
    }

    #[test]
    fn unusable_limits_are_refused() {
        let zero = RateLimit::new(0, Duration::from_secs(1));
        assert!(matches!(SignInLimits::new(zero, zero, Clock::system()), Err(Error::InvalidConfig(_))));
        let instant = RateLimit::new(1, Duration::ZERO);
        assert!(matches!(SignInLimits::new(instant, instant, Clock::system()), Err(Error::InvalidConfig(_))));
    }
}
