//! An authenticator app of our own (RFC 6238), written independently of the server's: the
//! server's tests and the app's (which include this file by path) read codes with it.

use std::time::{SystemTime, UNIX_EPOCH};

/// What an authenticator app shows at `unix_secs` for `secret` (base32): HOTP (RFC 4226) of the
/// 30-second step, HMAC-SHA1, six digits.
pub fn totp_code(secret: &str, unix_secs: i64) -> String {
    totp_digits(&base32(secret), unix_secs, 6)
}

/// The TOTP value with `digits` digits of the raw `key` at `unix_secs`.
pub fn totp_digits(key: &[u8], unix_secs: i64, digits: u32) -> String {
    let counter = u64::try_from(unix_secs / 30).expect("a time after 1970");
    let hmac_key = ring::hmac::Key::new(ring::hmac::HMAC_SHA1_FOR_LEGACY_USE_ONLY, key);
    let mac = ring::hmac::sign(&hmac_key, &counter.to_be_bytes());
    let mac = mac.as_ref();
    let at = usize::from(mac[19] & 0xf);
    let value = (u32::from(mac[at]) & 0x7f) << 24
        | u32::from(mac[at + 1]) << 16
        | u32::from(mac[at + 2]) << 8
        | u32::from(mac[at + 3]);
    format!("{:0width$}", value % 10u32.pow(digits), width = digits as usize)
}

/// RFC 4648 base32 without padding, decoded by hand.
fn base32(text: &str) -> Vec<u8> {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let mut bits: u64 = 0;
    let mut count = 0;
    let mut out = Vec::new();
    for c in text.trim_end_matches('=').bytes() {
        let value = ALPHABET.iter().position(|&a| a == c.to_ascii_uppercase()).expect("a base32 secret");
        bits = bits << 5 | value as u64;
        count += 5;
        if count >= 8 {
            count -= 8;
            out.push((bits >> count) as u8);
        }
    }
    out
}

/// Now, in Unix seconds.
pub fn now_secs() -> i64 {
    i64::try_from(SystemTime::now().duration_since(UNIX_EPOCH).expect("after 1970").as_secs()).expect("fits")
}
