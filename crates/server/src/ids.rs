//! Random ids and tokens, and the time in Clerk's unit.

use std::time::{SystemTime, UNIX_EPOCH};

use rand::Rng;
use sha2::{Digest, Sha256};

const BASE62: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// `len` random base62 characters from the OS-seeded generator.
pub fn random_base62(len: usize) -> String {
    let mut rng = rand::rng();
    (0..len).map(|_| char::from(BASE62[rng.random_range(0..BASE62.len())])).collect()
}

/// A Clerk-style id: `prefix_` and 27 base62 characters (about 160 bits).
pub fn new_id(prefix: &str) -> String {
    format!("{prefix}_{}", random_base62(27))
}

/// A new client token (about 280 bits); only its [`token_hash`] is stored.
pub fn new_client_token() -> String {
    random_base62(48)
}

/// The SHA-256 of a token, hex-encoded. Tokens are long random strings, so a fast hash is
/// enough: nobody can guess a token from its hash.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Now, in Unix milliseconds.
pub fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|elapsed| i64::try_from(elapsed.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

/// Compares two secrets in time independent of where they differ.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_have_the_prefix_and_differ() {
        let a = new_id("user");
        let b = new_id("user");
        assert!(a.starts_with("user_"));
        assert_eq!(a.len(), "user_".len() + 27);
        assert_ne!(a, b);
    }

    #[test]
    fn token_hash_is_stable_hex() {
        assert_eq!(token_hash("abc"), token_hash("abc"));
        assert_eq!(token_hash("abc").len(), 64);
        assert_ne!(token_hash("abc"), token_hash("abd"));
    }

    #[test]
    fn constant_time_eq_compares() {
        assert!(constant_time_eq(b"sk_test_1", b"sk_test_1"));
        assert!(!constant_time_eq(b"sk_test_1", b"sk_test_2"));
        assert!(!constant_time_eq(b"sk_test_1", b"sk_test_12"));
    }
}
