//! Time-based one-time passwords (RFC 6238) as authenticator apps make them: HMAC-SHA1, six
//! digits, a 30-second step, a 160-bit secret shown in base32.
//!
//! A code is accepted in its own step and one step either side (a phone's clock may be a little
//! off, and a code typed at the end of its step arrives in the next), and only in a step later
//! than the last one accepted, so a code that worked once never works again.

use ring::hmac;
use subtle::ConstantTimeEq;

/// Digits in a code.
pub const DIGITS: u32 = 6;
/// Seconds in a time step.
pub const PERIOD_SECS: i64 = 30;
/// Steps either side of the current one a code may come from.
pub const WINDOW: i64 = 1;
/// Bytes in a secret (RFC 4226 recommends 160 bits).
pub const SECRET_BYTES: usize = 20;

/// A new random secret.
pub fn generate_secret() -> [u8; SECRET_BYTES] {
    rand::random()
}

/// A secret as authenticator apps take it: base32 without padding.
pub fn encode_secret(secret: &[u8]) -> String {
    data_encoding::BASE32_NOPAD.encode(secret)
}

/// The time step of `unix_secs`.
pub fn step(unix_secs: i64) -> i64 {
    unix_secs.div_euclid(PERIOD_SECS)
}

/// The HOTP value (RFC 4226) of `counter`, `digits` long with leading zeros.
pub fn hotp(secret: &[u8], counter: u64, digits: u32) -> String {
    let key = hmac::Key::new(hmac::HMAC_SHA1_FOR_LEGACY_USE_ONLY, secret);
    let tag = hmac::sign(&key, &counter.to_be_bytes());
    let mac = tag.as_ref();
    // Dynamic truncation: four bytes at the offset the last nibble names, top bit cleared.
    let offset = usize::from(mac[mac.len() - 1] & 0x0f);
    let binary = u32::from_be_bytes([mac[offset] & 0x7f, mac[offset + 1], mac[offset + 2], mac[offset + 3]]);
    let value = binary % 10u32.pow(digits);
    format!("{value:0width$}", width = digits as usize)
}

/// The six-digit code of time step `step`.
pub fn code_at_step(secret: &[u8], step: i64) -> String {
    hotp(secret, u64::try_from(step).unwrap_or(0), DIGITS)
}

/// The step, within [`WINDOW`] of `now_secs`'s and later than `last_used`, whose code is `code`;
/// `None` when there is none (wrong, too old or too new, or already used). All candidates are
/// compared, in constant time, whichever matches.
pub fn matching_step(secret: &[u8], code: &str, now_secs: i64, last_used: Option<i64>) -> Option<i64> {
    let current = step(now_secs);
    let mut found = None;
    for candidate in (current - WINDOW)..=(current + WINDOW) {
        let matches: bool = code_at_step(secret, candidate).as_bytes().ct_eq(code.as_bytes()).into();
        if matches && last_used.is_none_or(|last| candidate > last) && candidate >= 0 {
            found = Some(candidate);
        }
    }
    found
}

/// The `otpauth://` URI authenticator apps read from a QR code.
pub fn uri(secret_base32: &str, issuer: &str, account: &str) -> String {
    let encode = |text: &str| -> String { url::form_urlencoded::byte_serialize(text.as_bytes()).collect() };
    // A label's spaces are %20 (the key-uri format), not the form encoding's `+`.
    let label = format!("{}:{}", encode(issuer), encode(account)).replace('+', "%20");
    format!(
        "otpauth://totp/{label}?secret={secret_base32}&issuer={}&algorithm=SHA1&digits={DIGITS}&period={PERIOD_SECS}",
        encode(issuer).replace('+', "%20")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6238 appendix B, the SHA1 rows: (time, eight-digit TOTP).
    const RFC_6238_SHA1: [(i64, &str); 6] = [
        (59, "94287082"),
        (1_111_111_109, "07081804"),
        (1_111_111_111, "14050471"),
        (1_234_567_890, "89005924"),
        (2_000_000_000, "69279037"),
        (20_000_000_000, "65353130"),
    ];

    #[test]
    fn matches_the_rfc_test_vectors() {
        let secret = b"12345678901234567890";
        for (time, expected) in RFC_6238_SHA1 {
            let counter = u64::try_from(step(time)).expect("positive");
            assert_eq!(hotp(secret, counter, 8), expected, "T = {time}");
            assert_eq!(code_at_step(secret, step(time)), expected[2..], "six digits at T = {time}");
        }
    }

    #[test]
    fn one_step_either_side_and_never_twice() {
        let secret = generate_secret();
        let now = 1_700_000_015;
        let here = step(now);
        for offset in [-1, 0, 1] {
            let code = code_at_step(&secret, here + offset);
            assert_eq!(matching_step(&secret, &code, now, None), Some(here + offset), "offset {offset}");
        }
        for offset in [-2, 2] {
            let code = code_at_step(&secret, here + offset);
            assert_eq!(matching_step(&secret, &code, now, None), None, "offset {offset}");
        }
        let code = code_at_step(&secret, here);
        assert_eq!(matching_step(&secret, &code, now, Some(here)), None, "already used");
        let older = code_at_step(&secret, here - 1);
        assert_eq!(matching_step(&secret, &older, now, Some(here)), None, "older than the last used");
        let newer = code_at_step(&secret, here + 1);
        assert_eq!(matching_step(&secret, &newer, now, Some(here)), Some(here + 1));
    }

    #[test]
    fn secrets_and_uris_read_as_apps_expect() {
        assert_eq!(encode_secret(b"12345678901234567890"), "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
        assert_eq!(encode_secret(&generate_secret()).len(), 32);
        assert_eq!(
            uri("JBSWY3DPEHPK3PXP", "Userdesk", "demo@example.com"),
            "otpauth://totp/Userdesk:demo%40example.com?secret=JBSWY3DPEHPK3PXP&issuer=Userdesk&algorithm=SHA1&digits=6&period=30"
        );
    }
}
