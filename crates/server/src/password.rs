//! Passwords: the one policy a new password meets (at sign-up, on change, through the Backend
//! API), and hashing with argon2 (the crate's default parameters), off the async runtime.
//!
//! Argon2 is deliberately expensive (19 MiB and two passes per hash with the defaults), so every
//! hash and verification waits for one of as many slots as the machine has cores and runs on a
//! blocking thread: a burst of requests queues instead of taking 19 MiB each at once. Sign-in
//! verifies unknown identifiers and users without a password against a dummy hash of the same
//! parameters ([`verify_or_dummy`]), so the time of an answer does not tell whether the account
//! exists.
//!
//! The policy: at least [`PASSWORD_MIN_LENGTH`] characters (422 `form_password_length_too_short`)
//! and at most [`PASSWORD_MAX_LENGTH`], and not one of the 10 000 passwords most found in
//! breaches, compared case-insensitively (422 `form_password_pwned`). The list ships with the
//! server (`data/common-passwords.txt`, the head of Django's list, itself Royce Williams' list of
//! breached passwords by frequency): nothing is looked up online.

use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, LazyLock, Mutex};

use argon2::password_hash::{Output, ParamsString, PasswordHash, SaltString};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use rand::RngCore;
use tokio::sync::{OnceCell, Semaphore};

use crate::error::{Error, FieldError, Result};

/// Shortest password accepted (Clerk's default).
pub const PASSWORD_MIN_LENGTH: usize = 8;
/// Longest password accepted (argon2 has no limit; this bounds the work per request).
pub const PASSWORD_MAX_LENGTH: usize = 256;

/// The most common passwords, lower-cased, one a line.
static COMMON_PASSWORDS: LazyLock<HashSet<&'static str>> =
    LazyLock::new(|| include_str!("../data/common-passwords.txt").lines().collect());

/// Checks a new password against the rules; errors name `param`.
pub fn check_new(param: &str, value: &str) -> Result<()> {
    let length = value.chars().count();
    if length < PASSWORD_MIN_LENGTH {
        return Err(FieldError::new(
            "form_password_length_too_short",
            param,
            "is too short",
            format!("Passwords must be {} characters or more.", PASSWORD_MIN_LENGTH),
        )
        .into());
    }
    if length > PASSWORD_MAX_LENGTH {
        return Err(FieldError::too_long(param, PASSWORD_MAX_LENGTH, "characters").into());
    }
    if COMMON_PASSWORDS.contains(value.to_lowercase().as_str()) {
        return Err(FieldError::new(
            "form_password_pwned",
            param,
            "has been found in a data breach",
            "This password is one of the most common ones and has been found in data breaches. For your account's safety, choose a different password.".into(),
        )
        .into());
    }
    Ok(())
}

/// Argon2 runs at once: one per core, at most [`MAX_ARGON2_SLOTS`]. Process-wide, as the cores are.
static ARGON2_SLOTS: LazyLock<Arc<Semaphore>> = LazyLock::new(|| {
    let cores = std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get);
    Arc::new(Semaphore::new(cores.min(MAX_ARGON2_SLOTS)))
});

/// Each slot keeps a 19 MiB work area for good: on a 16-core desktop one per core would hold
/// 300 MiB for an app whose sign-ins come one at a time. Four still hash a burst on a server.
const MAX_ARGON2_SLOTS: usize = 4;

/// Argon2's work areas (19 MiB each with the default parameters), at most one per slot, made on
/// first use and reused. Letting argon2 allocate its own would not bound memory: each blocking
/// thread frees into its own allocator arena, which keeps the 19 MiB, and tokio's blocking pool
/// grows threads freely, so a burst measured 630 MiB resident with two slots.
static WORK_AREAS: Mutex<Vec<Vec<Block>>> = Mutex::new(Vec::new());

/// Whether the work areas are kept between uses. A server inside the desktop app hashes at its
/// first start and at each sign-in, minutes or days apart: there 19 MiB per slot held for good
/// is most of what the app holds beyond a bare window, so each area goes back after use.
static KEEP_WORK_AREAS: AtomicBool = AtomicBool::new(true);

/// Keeps argon2's work areas between uses (the default: a server's sign-ins come in bursts), or
/// gives each back as soon as its hash is done (a server inside the desktop app).
pub(crate) fn keep_work_areas(keep: bool) {
    KEEP_WORK_AREAS.store(keep, Ordering::Relaxed);
    if !keep {
        WORK_AREAS.lock().unwrap_or_else(std::sync::PoisonError::into_inner).clear();
    }
}

/// Verifications run so far (real and dummy), for the tests that check sign-in does the same
/// work for every identifier.
static VERIFICATIONS: AtomicU64 = AtomicU64::new(0);

/// The dummy hash unknown identifiers are verified against: made once, by [`hash`], so with the
/// same parameters as every stored hash; of 32 random bytes nobody knows.
static DUMMY_HASH: OnceCell<String> = OnceCell::const_new();

/// Argon2 verifications this process has run (real and dummy). Only for tests: a test binary
/// that reads it must run nothing else concurrently that verifies passwords.
#[doc(hidden)]
pub fn argon2_verifications() -> u64 {
    VERIFICATIONS.load(Ordering::SeqCst)
}

/// Runs `work` with a work area on a blocking thread once a slot is free. The permit moves into
/// the thread, so a request dropped meanwhile (its client gone) keeps its slot until argon2 ends.
async fn run_argon2<T: Send + 'static>(
    what: &'static str,
    work: impl FnOnce(&mut Vec<Block>) -> Result<T> + Send + 'static,
) -> Result<T> {
    let permit = ARGON2_SLOTS
        .clone()
        .acquire_owned()
        .await
        .map_err(|e| Error::Internal(format!("the argon2 slots closed: {e}")))?;
    tokio::task::spawn_blocking(move || {
        let lock = || WORK_AREAS.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let mut area = lock().pop().unwrap_or_default();
        let result = work(&mut area);
        if KEEP_WORK_AREAS.load(Ordering::Relaxed) {
            lock().push(area);
        }
        drop(permit);
        result
    })
    .await
    .map_err(|e| Error::Internal(format!("{what} task: {e}")))?
}

/// Argon2 of `password` and `salt` into `out`, in `area` (resized to the parameters' blocks).
fn argon2_into(
    argon2: &Argon2<'_>,
    params: &Params,
    password: &[u8],
    salt: &[u8],
    out: &mut [u8],
    area: &mut Vec<Block>,
) -> Result<()> {
    area.resize(params.block_count(), Block::default());
    argon2
        .hash_password_into_with_memory(password, salt, out, area.as_mut_slice())
        .map_err(|e| Error::Internal(format!("argon2: {e}")))
}

/// Hashes `password` into a PHC string (argon2id, the crate's default parameters, a random
/// 16-byte salt), on a blocking thread (argon2 is deliberately slow).
pub async fn hash(password: String) -> Result<String> {
    run_argon2("password hashing", move |area| {
        let mut salt = [0u8; 16];
        rand::rng().fill_bytes(&mut salt);
        let salt_string = SaltString::encode_b64(&salt).map_err(|e| Error::Internal(format!("salt: {e}")))?;
        let params = Params::default();
        let argon2 = Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone());
        let mut out = [0u8; Params::DEFAULT_OUTPUT_LEN];
        argon2_into(&argon2, &params, password.as_bytes(), &salt, &mut out, area)?;
        let phc = PasswordHash {
            algorithm: Algorithm::Argon2id.ident(),
            version: Some(Version::V0x13.into()),
            params: ParamsString::try_from(&params).map_err(|e| Error::Internal(format!("params: {e}")))?,
            salt: Some(salt_string.as_salt()),
            hash: Some(Output::new(&out).map_err(|e| Error::Internal(format!("output: {e}")))?),
        };
        Ok(phc.to_string())
    })
    .await
}

/// `true` when `password` matches the stored PHC string (whatever argon2 parameters it has).
pub async fn verify(password: String, stored: String) -> Result<bool> {
    run_argon2("password verification", move |area| {
        let unreadable = |e: argon2::password_hash::Error| {
            Error::Internal(format!("stored password hash is unreadable: {e}"))
        };
        let parsed = PasswordHash::new(&stored).map_err(unreadable)?;
        let (Some(salt), Some(expected)) = (parsed.salt, parsed.hash) else {
            return Err(Error::Internal("stored password hash has no salt or output".into()));
        };
        let algorithm = Algorithm::try_from(parsed.algorithm).map_err(unreadable)?;
        let version = parsed.version.map(Version::try_from).transpose().map_err(|e| unreadable(e.into()))?;
        let params = Params::try_from(&parsed).map_err(unreadable)?;
        let argon2 = Argon2::new(algorithm, version.unwrap_or_default(), params.clone());
        let mut salt_bytes = [0u8; 64];
        let salt = salt.decode_b64(&mut salt_bytes).map_err(unreadable)?;
        let mut out = vec![0u8; expected.len()];
        VERIFICATIONS.fetch_add(1, Ordering::SeqCst);
        argon2_into(&argon2, &params, password.as_bytes(), salt, &mut out, area)?;
        // `Output`'s equality is constant-time.
        Ok(Output::new(&out).map_err(unreadable)? == expected)
    })
    .await
}

/// [`verify`] against `stored`, or when there is none (an unknown identifier, a user without a
/// password) against the dummy hash, answering `false`: the same work either way.
pub async fn verify_or_dummy(password: String, stored: Option<String>) -> Result<bool> {
    match stored {
        Some(stored) => verify(password, stored).await,
        None => {
            let dummy = DUMMY_HASH
                .get_or_try_init(|| async {
                    let mut secret = [0u8; 32];
                    rand::rng().fill_bytes(&mut secret);
                    hash(hex::encode(secret)).await
                })
                .await?;
            verify(password, dummy.clone()).await?;
            Ok(false)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hashes_are_the_argon2_crates_own_both_ways() {
        use argon2::password_hash::{PasswordHasher, PasswordVerifier};
        let theirs = Argon2::default()
            .hash_password(b"correct horse", &SaltString::encode_b64(b"0123456789abcdef").expect("salt"))
            .expect("hash")
            .to_string();
        assert!(verify("correct horse".into(), theirs.clone()).await.expect("verify"));
        assert!(!verify("wrong horse".into(), theirs).await.expect("verify"));
        let ours = hash("correct horse".into()).await.expect("hash");
        let parsed = PasswordHash::new(&ours).expect("PHC");
        assert!(Argon2::default().verify_password(b"correct horse", &parsed).is_ok());
    }

    #[tokio::test]
    async fn the_dummy_hash_is_a_real_one_and_matches_nothing() {
        let stored = hash("correct horse".into()).await.expect("hash");
        assert!(!verify_or_dummy("correct horse".into(), None).await.expect("dummy"));
        let dummy = DUMMY_HASH.get().expect("made on first use");
        // Same algorithm, version and parameters as a real hash: only salt and output differ.
        let params = |phc: &str| phc.rsplitn(3, '$').nth(2).map(str::to_owned);
        assert_eq!(params(dummy), params(&stored));
        assert!(verify_or_dummy("correct horse".into(), Some(stored)).await.expect("real"));
    }

    #[tokio::test]
    async fn a_hash_verifies_its_password_only() {
        let stored = hash("correct horse".into()).await.expect("hash");
        assert!(stored.starts_with("$argon2"));
        assert!(verify("correct horse".into(), stored.clone()).await.expect("verify"));
        assert!(!verify("wrong horse".into(), stored).await.expect("verify"));
    }

    fn code(result: Result<()>) -> &'static str {
        match result {
            Err(Error::Field(field)) => field.code,
            other => panic!("expected a field error, got {other:?}"),
        }
    }

    #[test]
    fn the_list_is_the_top_ten_thousand() {
        assert_eq!(COMMON_PASSWORDS.len(), 10_000);
        assert!(COMMON_PASSWORDS.contains("password"));
        assert!(COMMON_PASSWORDS.contains("iloveyou"));
    }

    #[test]
    fn short_common_and_fine_passwords() {
        assert_eq!(code(check_new("password", "short")), "form_password_length_too_short");
        assert_eq!(code(check_new("password", "password")), "form_password_pwned");
        assert_eq!(code(check_new("new_password", "PassWord1")), "form_password_pwned", "any case");
        assert_eq!(code(check_new("new_password", "qwertyuiop")), "form_password_pwned");
        assert_eq!(code(check_new("password", &"x".repeat(257))), "form_param_max_length_exceeded");
        assert!(check_new("password", "long-enough-1").is_ok());
        assert!(check_new("password", "correct horse battery staple").is_ok());
    }
}
