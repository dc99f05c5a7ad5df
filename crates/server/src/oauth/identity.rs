//! The person a provider vouches for, read from its user-info answer: OIDC standard claims, or
//! GitHub's `/user`. Whatever the provider sends is bounded and cleaned here, so nothing odd
//! reaches the database or the app.

use serde_json::{Map, Value};

use super::config::UserInfoFormat;

/// Longest provider user id kept.
const ID_MAX_LENGTH: usize = 255;
/// Longest name or username kept (longer ones are cut).
const TEXT_MAX_LENGTH: usize = crate::http::validate::NAME_MAX_LENGTH;
/// Longest avatar URL kept (longer ones are dropped).
const URL_MAX_LENGTH: usize = 2048;

// The identity is stored data (an external account, a pending transfer), so the store defines it.
pub use crate::store::external_accounts::Identity;

/// Reads a user-info answer. `None` when it is not an object naming the person (no usable id):
/// Clerk's `oauth_fetch_user_error`.
pub fn from_userinfo(format: UserInfoFormat, body: &Value) -> Option<Identity> {
    let claims = body.as_object()?;
    match format {
        UserInfoFormat::Oidc => oidc(claims),
        UserInfoFormat::Github => github(claims),
    }
}

fn oidc(claims: &Map<String, Value>) -> Option<Identity> {
    let provider_user_id = id(claims.get("sub")?)?;
    let email_address = claims.get("email").and_then(Value::as_str).and_then(email);
    let email_verified = match claims.get("email_verified") {
        Some(Value::Bool(verified)) => *verified,
        // Some providers send it as a string.
        Some(Value::String(text)) => text.eq_ignore_ascii_case("true"),
        _ => false,
    };
    let (mut first_name, mut last_name) = (text(claims.get("given_name")), text(claims.get("family_name")));
    if first_name.is_none() && last_name.is_none() {
        (first_name, last_name) = split_name(text(claims.get("name")));
    }
    let username = text(claims.get("preferred_username")).or_else(|| text(claims.get("nickname")));
    Some(Identity {
        provider_user_id,
        email_verified: email_verified && email_address.is_some(),
        email_address,
        first_name,
        last_name,
        username,
        avatar_url: claims.get("picture").and_then(Value::as_str).and_then(avatar),
    })
}

fn github(claims: &Map<String, Value>) -> Option<Identity> {
    let provider_user_id = id(claims.get("id")?)?;
    let (first_name, last_name) = split_name(text(claims.get("name")));
    let email_address = claims.get("email").and_then(Value::as_str).and_then(email);
    Some(Identity {
        provider_user_id,
        // GitHub shows only verified addresses as a profile's email.
        email_verified: email_address.is_some(),
        email_address,
        first_name,
        last_name,
        username: text(claims.get("login")),
        avatar_url: claims.get("avatar_url").and_then(Value::as_str).and_then(avatar),
    })
}

/// The primary verified address of GitHub's `GET /user/emails` answer.
pub fn github_primary_email(body: &Value) -> Option<String> {
    body.as_array()?
        .iter()
        .filter_map(Value::as_object)
        .find(|entry| {
            entry.get("primary").and_then(Value::as_bool) == Some(true)
                && entry.get("verified").and_then(Value::as_bool) == Some(true)
        })
        .and_then(|entry| entry.get("email").and_then(Value::as_str))
        .and_then(email)
}

/// An id: a non-empty string or a whole number, without control characters.
fn id(value: &Value) -> Option<String> {
    let text = match value {
        Value::String(text) => text.trim().to_owned(),
        Value::Number(number) if number.is_u64() || number.is_i64() => number.to_string(),
        _ => return None,
    };
    (!text.is_empty() && text.len() <= ID_MAX_LENGTH && !text.chars().any(char::is_control)).then_some(text)
}

/// A text claim, trimmed, cut to length, without control characters; empty counts as absent.
fn text(value: Option<&Value>) -> Option<String> {
    let cleaned: String =
        value?.as_str()?.trim().chars().filter(|c| !c.is_control()).take(TEXT_MAX_LENGTH).collect();
    (!cleaned.is_empty()).then_some(cleaned)
}

fn email(value: &str) -> Option<String> {
    crate::http::validate::email_address("email", value.trim()).ok()
}

fn avatar(value: &str) -> Option<String> {
    let url = url::Url::parse(value.trim()).ok()?;
    (matches!(url.scheme(), "http" | "https") && value.len() <= URL_MAX_LENGTH).then(|| url.to_string())
}

/// `Ada King Lovelace` → (`Ada`, `King Lovelace`).
fn split_name(name: Option<String>) -> (Option<String>, Option<String>) {
    match name {
        Some(name) => match name.split_once(' ') {
            Some((first, rest)) => {
                (Some(first.to_owned()), Some(rest.trim().to_owned()).filter(|s| !s.is_empty()))
            }
            None => (Some(name), None),
        },
        None => (None, None),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn oidc_claims_map_to_the_account() {
        let identity = from_userinfo(
            UserInfoFormat::Oidc,
            &json!({"sub": "248289761001", "email": "Jane.Doe@Example.com", "email_verified": "true",
                    "given_name": "Jane", "family_name": "Doe", "preferred_username": "jdoe",
                    "picture": "https://example.com/jane.png"}),
        )
        .expect("an identity");
        assert_eq!(identity.provider_user_id, "248289761001");
        assert_eq!(identity.email_address.as_deref(), Some("jane.doe@example.com"));
        assert!(identity.email_verified);
        assert_eq!(
            (identity.first_name.as_deref(), identity.last_name.as_deref()),
            (Some("Jane"), Some("Doe"))
        );
        assert_eq!(identity.username.as_deref(), Some("jdoe"));
        assert_eq!(identity.avatar_url.as_deref(), Some("https://example.com/jane.png"));
    }

    #[test]
    fn names_split_and_odd_values_are_dropped() {
        let identity = from_userinfo(
            UserInfoFormat::Oidc,
            &json!({"sub": 42, "name": "Ada King Lovelace", "email": "not an address", "email_verified": true,
                    "picture": "javascript:alert(1)"}),
        )
        .expect("an identity");
        assert_eq!(identity.provider_user_id, "42");
        assert_eq!(
            (identity.first_name.as_deref(), identity.last_name.as_deref()),
            (Some("Ada"), Some("King Lovelace"))
        );
        assert_eq!(identity.email_address, None);
        assert!(!identity.email_verified, "no address, nothing verified");
        assert_eq!(identity.avatar_url, None);
    }

    #[test]
    fn github_users_and_their_emails() {
        let identity = from_userinfo(
            UserInfoFormat::Github,
            &json!({"id": 583231, "login": "octocat", "name": "The Octocat", "email": null,
                    "avatar_url": "https://avatars.githubusercontent.com/u/583231?v=4"}),
        )
        .expect("an identity");
        assert_eq!(identity.provider_user_id, "583231");
        assert_eq!(identity.username.as_deref(), Some("octocat"));
        assert_eq!(identity.email_address, None);
        let emails = json!([
            {"email": "old@example.com", "primary": false, "verified": true},
            {"email": "octocat@github.com", "primary": true, "verified": true}
        ]);
        assert_eq!(github_primary_email(&emails).as_deref(), Some("octocat@github.com"));
    }

    #[test]
    fn answers_without_an_id_are_not_identities() {
        for body in [
            json!([]),
            json!("x"),
            json!({}),
            json!({"sub": ""}),
            json!({"sub": {"a": 1}}),
            json!({"sub": 1.5}),
        ] {
            assert_eq!(from_userinfo(UserInfoFormat::Oidc, &body), None, "{body}");
        }
    }
}
