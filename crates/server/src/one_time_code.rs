//! One-time verification codes: six digits, kept only as a salted hash, compared in constant time.
//!
//! A six-digit code has a million values, so no hash makes a stolen database safe against
//! guessing; what protects a code is its short life and the three attempts it allows. The salt
//! keeps two equal codes from having equal hashes, and the constant-time comparison keeps the
//! time a wrong guess takes from telling how close it was.

use rand::Rng;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// Digits in a code.
pub const CODE_LENGTH: usize = 6;
/// Wrong codes a verification takes; the last one fails it.
pub const MAX_ATTEMPTS: u32 = 3;

const SALT_BYTES: usize = 16;

/// A new code: six digits drawn uniformly from the OS-seeded generator, leading zeros kept.
pub fn generate() -> String {
    format!("{:06}", rand::rng().random_range(0..1_000_000u32))
}

/// `true` for exactly six ASCII digits (the only form a code is ever sent in).
pub fn is_well_formed(code: &str) -> bool {
    code.len() == CODE_LENGTH && code.bytes().all(|b| b.is_ascii_digit())
}

fn digest(salt: &[u8], code: &str) -> [u8; 32] {
    let mut hasher = Sha256::new();
    hasher.update(salt);
    hasher.update(code.as_bytes());
    hasher.finalize().into()
}

/// What is stored for `code`: `hex(salt):hex(sha256(salt || code))` with a fresh random salt.
pub fn hash(code: &str) -> String {
    let salt: [u8; SALT_BYTES] = rand::rng().random();
    format!("{}:{}", hex::encode(salt), hex::encode(digest(&salt, code)))
}

/// `true` when `candidate` is the code `stored` was made from. A malformed stored value matches
/// nothing.
pub fn matches(candidate: &str, stored: &str) -> bool {
    let Some((salt, expected)) = stored.split_once(':') else {
        return false;
    };
    let (Ok(salt), Ok(expected)) = (hex::decode(salt), hex::decode(expected)) else {
        return false;
    };
    bool::from(digest(&salt, candidate).as_slice().ct_eq(expected.as_slice()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_six_digits() {
        for _ in 0..200 {
            let code = generate();
            assert!(is_well_formed(&code), "{code}");
        }
        assert!(!is_well_formed("12345"));
        assert!(!is_well_formed("1234567"));
        assert!(!is_well_formed("12a456"));
        assert!(!is_well_formed("１２３４５６"), "full-width digits are not ASCII");
    }

    #[test]
    fn hashes_are_salted_and_match_only_their_code() {
        let first = hash("123456");
        let second = hash("123456");
        assert_ne!(first, second, "a fresh salt each time");
        assert!(!first.contains("123456"));
        assert!(matches("123456", &first));
        assert!(matches("123456", &second));
        assert!(!matches("123457", &first));
        assert!(!matches("123456", "not-a-hash"));
        assert!(!matches("123456", "zz:zz"));
    }
}
