//! Where a user's picture is: their upload, or a default avatar of their initials (served by
//! `GET /v1/images/…`).

use sha2::{Digest, Sha256};

use crate::store::users::UserRow;

/// Default avatar backgrounds, each dark enough for white initials (WCAG AA contrast).
pub const PALETTE: [&str; 12] = [
    "5b3fd6", "1d4ed8", "0f766e", "047857", "b45309", "be123c", "7e22ce", "c2410c", "0369a1", "4d7c0f",
    "a21caf", "334155",
];

/// Where the user's picture is: their upload, or a default avatar of their initials.
pub fn image_url(base_url: &str, user: &UserRow, primary_email: Option<&str>) -> String {
    match &user.image_id {
        Some(image_id) => uploaded_url(base_url, image_id),
        None => {
            let initials = initials(
                user.first_name.as_deref(),
                user.last_name.as_deref(),
                user.username.as_deref(),
                primary_email,
            );
            default_avatar_url(base_url, &user.id, &initials)
        }
    }
}

/// The URL of an uploaded picture.
pub fn uploaded_url(base_url: &str, image_id: &str) -> String {
    format!("{base_url}/v1/images/{image_id}")
}

fn default_avatar_url(base_url: &str, user_id: &str, initials: &str) -> String {
    let colour = PALETTE[usize::from(Sha256::digest(user_id.as_bytes())[0]) % PALETTE.len()];
    if initials.is_empty() {
        format!("{base_url}/v1/images/default/{colour}")
    } else {
        format!("{base_url}/v1/images/default/{colour}/{}", percent_encode(initials))
    }
}

/// Up to two upper-case letters: of the first and last names, else of the username, else of the
/// email address.
fn initials(
    first_name: Option<&str>,
    last_name: Option<&str>,
    username: Option<&str>,
    email: Option<&str>,
) -> String {
    let first_letter = |text: &str| text.chars().find(|c| c.is_alphanumeric());
    let mut letters: Vec<char> =
        [first_name, last_name].into_iter().flatten().filter_map(first_letter).collect();
    if letters.is_empty() {
        letters.extend(username.or(email).and_then(first_letter));
    }
    letters.into_iter().flat_map(char::to_uppercase).take(2).collect()
}

fn percent_encode(text: &str) -> String {
    let mut encoded = String::new();
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() {
            encoded.push(char::from(byte));
        } else {
            encoded.push_str(&format!("%{byte:02X}"));
        }
    }
    encoded
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn initials_come_from_names_then_username_then_email() {
        assert_eq!(initials(Some("ada"), Some("lovelace"), Some("al"), Some("x@y")), "AL");
        assert_eq!(initials(Some("Ada"), None, Some("zed"), None), "A");
        assert_eq!(initials(None, Some(" lovelace"), None, None), "L");
        assert_eq!(initials(None, None, Some("demo"), Some("x@example.com")), "D");
        assert_eq!(initials(None, Some(""), None, Some("jane@example.com")), "J");
        assert_eq!(initials(None, None, None, None), "");
        assert_eq!(initials(Some("élodie"), Some("ßmith"), None, None), "ÉS");
    }

    #[test]
    fn default_urls_hold_colour_and_initials_and_are_stable() {
        let url = default_avatar_url("http://127.0.0.1:1", "user_1", "ÉS");
        assert_eq!(url, default_avatar_url("http://127.0.0.1:1", "user_1", "ÉS"));
        let colour = PALETTE[usize::from(Sha256::digest(b"user_1")[0]) % PALETTE.len()];
        assert_eq!(url, format!("http://127.0.0.1:1/v1/images/default/{colour}/%C3%89S"));
        assert!(default_avatar_url("http://h", "user_1", "").ends_with(&format!("/default/{colour}")));
    }
}
