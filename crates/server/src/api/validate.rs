//! The rules for values a person or a backend sends, each failing with Clerk's code and the
//! param's name.

use serde_json::{Map, Value};

use crate::error::{FieldError, Result};

/// Clerk's username length range.
pub const USERNAME_MIN_LENGTH: usize = 4;
/// See [`USERNAME_MIN_LENGTH`].
pub const USERNAME_MAX_LENGTH: usize = 64;
/// Shortest password accepted (Clerk's default).
pub const PASSWORD_MIN_LENGTH: usize = 8;
/// Longest password accepted (argon2 has no limit; this bounds the work per request).
pub const PASSWORD_MAX_LENGTH: usize = 256;
/// Longest first or last name.
pub const NAME_MAX_LENGTH: usize = 256;
/// Longest email address (RFC 5321's path limit).
pub const EMAIL_MAX_LENGTH: usize = 254;
/// Largest metadata document, in bytes of compact JSON (Clerk's limit).
pub const METADATA_MAX_BYTES: usize = 8 * 1024;
/// Longest identifier accepted at sign-in.
pub const IDENTIFIER_MAX_LENGTH: usize = 256;

/// A username: 4–64 characters of ASCII letters, digits, `_` and `-`.
pub fn username(value: &str) -> Result<()> {
    let length = value.chars().count();
    if !(USERNAME_MIN_LENGTH..=USERNAME_MAX_LENGTH).contains(&length) {
        return Err(FieldError::username_length(USERNAME_MIN_LENGTH, USERNAME_MAX_LENGTH).into());
    }
    if !value.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-') {
        return Err(FieldError::username_character().into());
    }
    Ok(())
}

/// A first or last name: at most 256 characters, no control characters.
pub fn name(param: &str, value: &str) -> Result<()> {
    if value.chars().count() > NAME_MAX_LENGTH {
        return Err(FieldError::too_long(param, NAME_MAX_LENGTH, "characters").into());
    }
    if value.chars().any(char::is_control) {
        return Err(FieldError::format_invalid(
            param,
            format!("`{param}` must not contain control characters."),
        )
        .into());
    }
    Ok(())
}

/// An email address, returned lower-cased: one `@` with something on both sides, no spaces or
/// control characters, a dot-free domain allowed (`localhost`), at most 254 characters.
pub fn email_address(param: &str, value: &str) -> Result<String> {
    if value.chars().count() > EMAIL_MAX_LENGTH {
        return Err(FieldError::too_long(param, EMAIL_MAX_LENGTH, "characters").into());
    }
    let invalid = || FieldError::format_invalid(param, format!("`{param}` must be a valid email address."));
    let (local, domain) = value.split_once('@').ok_or_else(invalid)?;
    if local.is_empty()
        || domain.is_empty()
        || domain.contains('@')
        || domain.starts_with('.')
        || domain.ends_with('.')
        || value.chars().any(|c| c.is_whitespace() || c.is_control())
    {
        return Err(invalid().into());
    }
    Ok(value.to_lowercase())
}

/// A new password: 8–256 characters.
pub fn new_password(value: &str) -> Result<()> {
    let length = value.chars().count();
    if length < PASSWORD_MIN_LENGTH {
        return Err(FieldError::password_too_short(PASSWORD_MIN_LENGTH).into());
    }
    if length > PASSWORD_MAX_LENGTH {
        return Err(FieldError::too_long("password", PASSWORD_MAX_LENGTH, "characters").into());
    }
    Ok(())
}

/// A metadata document's size: at most 8 KiB of compact JSON.
pub fn metadata_size(param: &str, document: &Map<String, Value>) -> Result<()> {
    let size = serde_json::to_vec(document).map(|bytes| bytes.len()).unwrap_or(usize::MAX);
    if size > METADATA_MAX_BYTES {
        return Err(FieldError::new(
            "form_param_max_length_exceeded",
            param,
            "is too large",
            format!("`{param}` must be at most {METADATA_MAX_BYTES} bytes of JSON; this would be {size}."),
        )
        .into());
    }
    Ok(())
}

/// A JSON object given as text (a form field): parsed, checked to be an object within the size
/// limit.
pub fn metadata_text(param: &str, text: &str) -> Result<Map<String, Value>> {
    if text.len() > METADATA_MAX_BYTES {
        return Err(FieldError::new(
            "form_param_max_length_exceeded",
            param,
            "is too large",
            format!("`{param}` must be at most {METADATA_MAX_BYTES} bytes of JSON."),
        )
        .into());
    }
    match serde_json::from_str::<Value>(text) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(FieldError::format_invalid(param, format!("`{param}` must be a JSON object.")).into()),
        Err(e) => Err(FieldError::format_invalid(param, format!("`{param}` is not valid JSON: {e}.")).into()),
    }
}

/// Deep-merges `patch` into `target` (`null` removes a key), then checks the result's size.
pub fn merge_metadata(
    param: &str,
    target: Map<String, Value>,
    patch: Map<String, Value>,
) -> Result<Map<String, Value>> {
    let mut merged = Value::Object(target);
    userdesk_fapi::metadata::apply_merge_patch(&mut merged, &Value::Object(patch));
    let Value::Object(merged) = merged else {
        // A merge of two objects is an object; keep the answer a client error anyway.
        return Err(FieldError::format_invalid(param, format!("`{param}` must stay a JSON object.")).into());
    };
    metadata_size(param, &merged)?;
    Ok(merged)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Error;
    use serde_json::json;

    fn code(result: Result<impl std::fmt::Debug>) -> &'static str {
        match result {
            Err(Error::Field(field)) => field.code,
            other => panic!("expected a field error, got {other:?}"),
        }
    }

    #[test]
    fn usernames() {
        assert!(username("demo").is_ok());
        assert!(username("a_b-c_123").is_ok());
        assert!(username(&"x".repeat(64)).is_ok());
        assert_eq!(code(username("abc")), "form_username_invalid_length");
        assert_eq!(code(username(&"x".repeat(65))), "form_username_invalid_length");
        assert_eq!(code(username("has space")), "form_username_invalid_character");
        assert_eq!(code(username("dé mo")), "form_username_invalid_character");
        assert_eq!(code(username("user@x")), "form_username_invalid_character");
    }

    #[test]
    fn names() {
        assert!(name("first_name", "Zoë").is_ok());
        assert!(name("first_name", &"x".repeat(256)).is_ok());
        assert_eq!(code(name("first_name", &"x".repeat(257))), "form_param_max_length_exceeded");
        assert_eq!(code(name("last_name", "a\u{0}b")), "form_param_format_invalid");
    }

    #[test]
    fn emails() {
        assert_eq!(email_address("e", "Demo@Example.COM").expect("ok"), "demo@example.com");
        assert!(email_address("e", "root@localhost").is_ok());
        for bad in ["", "no-at", "@x", "x@", "a@b@c", "a b@c", "a@.c", "a@c."] {
            assert_eq!(code(email_address("e", bad)), "form_param_format_invalid", "{bad}");
        }
    }

    #[test]
    fn metadata_rules() {
        assert!(metadata_text("m", r#"{"a":1}"#).is_ok());
        assert_eq!(code(metadata_text("m", "[1]")), "form_param_format_invalid");
        assert_eq!(code(metadata_text("m", "{")), "form_param_format_invalid");
        assert_eq!(code(metadata_text("m", "null")), "form_param_format_invalid");
        let big = format!(r#"{{"a":"{}"}}"#, "x".repeat(METADATA_MAX_BYTES));
        assert_eq!(code(metadata_text("m", &big)), "form_param_max_length_exceeded");
    }

    #[test]
    fn merge_is_deep_and_bounded() {
        let target = json!({"a": {"b": 1, "c": 2}, "d": 3});
        let patch = json!({"a": {"b": null, "e": 4}, "d": null});
        let (Value::Object(target), Value::Object(patch)) = (target, patch) else { panic!("objects") };
        let merged = merge_metadata("m", target, patch).expect("merge");
        assert_eq!(Value::Object(merged.clone()), json!({"a": {"c": 2, "e": 4}}));
        let mut huge = Map::new();
        huge.insert("x".into(), Value::String("y".repeat(METADATA_MAX_BYTES)));
        assert_eq!(code(merge_metadata("m", merged, huge)), "form_param_max_length_exceeded");
    }
}
