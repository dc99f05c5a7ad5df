//! The rules for values a person or a backend sends, each failing with Clerk's code and the
//! param's name.

use serde_json::{Map, Value};

use crate::error::{FieldError, Result};

/// Clerk's username length range.
pub const USERNAME_MIN_LENGTH: usize = 4;
/// See [`USERNAME_MIN_LENGTH`].
pub const USERNAME_MAX_LENGTH: usize = 64;
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

/// Longest local part of an email address (RFC 5321).
const EMAIL_LOCAL_MAX_LENGTH: usize = 64;
/// Longest label of a domain name (RFC 1035).
const DOMAIN_LABEL_MAX_LENGTH: usize = 63;

/// An email address, returned lower-cased. The rule is a careful subset of RFC 5322's
/// `addr-spec` that real mail systems agree on: a dot-atom local part (letters, digits and
/// ``!#$%&'*+/=?^_`{|}~-``, dots only between them, at most 64 characters; non-ASCII letters are
/// allowed, as SMTPUTF8 does), `@`, and a domain of dot-separated labels of letters, digits and
/// inner hyphens (a dot-free domain such as `localhost` is allowed); at most 254 characters in
/// all. Quoted local parts and address literals (`[127.0.0.1]`) are refused: no one types them
/// and they are a common way to smuggle odd characters.
pub fn email_address(param: &str, value: &str) -> Result<String> {
    if value.chars().count() > EMAIL_MAX_LENGTH {
        return Err(FieldError::too_long(param, EMAIL_MAX_LENGTH, "characters").into());
    }
    let invalid = || FieldError::must_be(param, "a valid email address");
    let (local, domain) = value.rsplit_once('@').ok_or_else(invalid)?;
    let local_char = |c: char| c.is_alphanumeric() || "!#$%&'*+/=?^_`{|}~-".contains(c);
    let local_ok = !local.is_empty()
        && local.chars().count() <= EMAIL_LOCAL_MAX_LENGTH
        && local.split('.').all(|atom| !atom.is_empty() && atom.chars().all(local_char));
    let domain_ok = !domain.is_empty()
        && domain.split('.').all(|label| {
            !label.is_empty()
                && label.chars().count() <= DOMAIN_LABEL_MAX_LENGTH
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.chars().all(|c| c.is_alphanumeric() || c == '-')
        });
    if !local_ok || !domain_ok {
        return Err(invalid().into());
    }
    Ok(value.to_lowercase())
}

/// Longest phone number accepted as typed (spaces and punctuation included).
pub const PHONE_INPUT_MAX_LENGTH: usize = 32;

/// A phone number as typed, returned in E.164 (`+14155550100`). National forms are read in
/// `region` (`(415) 555-0100` in `US`, `020 7946 0018` in `GB`); a leading `+`, or the region's
/// international prefix (`011` in the US, `00` in most of Europe), gives the country. Only digits, spaces and `+ - ( ) . /` may appear: letters are refused rather than
/// read as a keypad (`1-800-FLOWERS`). The number must be valid for its country
/// (libphonenumber's metadata, through the `phonenumber` crate): the right length and ranges.
pub fn phone_number(param: &str, value: &str, region: phonenumber::country::Id) -> Result<String> {
    let invalid = |why: &str| FieldError::format_invalid(param, format!("`{param}` {why}"));
    let trimmed = value.trim();
    if trimmed.is_empty() {
        return Err(invalid("must be a phone number.").into());
    }
    if trimmed.chars().count() > PHONE_INPUT_MAX_LENGTH {
        return Err(FieldError::too_long(param, PHONE_INPUT_MAX_LENGTH, "characters").into());
    }
    if !trimmed.chars().all(|c| c.is_ascii_digit() || " +-()./".contains(c)) {
        return Err(invalid("may contain only digits, spaces and + - ( ) . / characters.").into());
    }
    if trimmed.chars().skip(1).any(|c| c == '+') {
        return Err(invalid("may have a + only at the start.").into());
    }
    let number = phonenumber::parse(Some(region), trimmed)
        .map_err(|_| invalid("is not a phone number. Include the country code, e.g. +1 415 555 0100."))?;
    if !phonenumber::is_valid(&number) {
        return Err(invalid(
            "is not a valid phone number for its country: check the number of digits and the country code.",
        )
        .into());
    }
    Ok(number.format().mode(phonenumber::Mode::E164).to_string())
}

/// A verification code as typed: exactly six ASCII digits (surrounding spaces ignored).
pub fn code(value: &str) -> Result<&str> {
    let trimmed = value.trim();
    if !crate::one_time_code::is_well_formed(trimmed) {
        return Err(FieldError::format_invalid(
            "code",
            format!("`code` must be the {} digits you received.", crate::one_time_code::CODE_LENGTH),
        )
        .into());
    }
    Ok(trimmed)
}

/// Longest redirect URL accepted.
pub const REDIRECT_URL_MAX_LENGTH: usize = 2048;

/// Where a browser may be sent after an email link verified the address: a page on this machine
/// (`http(s)` to `localhost`, `127.0.0.1` or `[::1]`, any port, no user info) or the app, by one
/// of `schemes`. Anything else could send the person, or the fact that they verified, to a
/// stranger's site (an open redirect).
pub fn redirect_url(param: &str, value: &str, schemes: &[String]) -> Result<String> {
    if value.len() > REDIRECT_URL_MAX_LENGTH {
        return Err(FieldError::too_long(param, REDIRECT_URL_MAX_LENGTH, "characters").into());
    }
    let url = url::Url::parse(value).map_err(|_| FieldError::must_be(param, "an absolute URL"))?;
    let allowed = match url.scheme() {
        "http" | "https" => {
            url.username().is_empty()
                && url.password().is_none()
                && match url.host() {
                    Some(url::Host::Domain(name)) => name.eq_ignore_ascii_case("localhost"),
                    Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
                    Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
                    None => false,
                }
        }
        scheme => schemes.iter().any(|allowed| allowed.eq_ignore_ascii_case(scheme)),
    };
    if !allowed {
        return Err(FieldError::value_invalid(
            param,
            format!(
                "`{param}` must be a page on this machine (http://localhost…, http://127.0.0.1…) or the app ({}).",
                schemes.iter().map(|s| format!("{s}://…")).collect::<Vec<_>>().join(", ")
            ),
        )
        .into());
    }
    Ok(url.to_string())
}

/// A metadata document's size: at most 8 KiB of compact JSON.
pub fn metadata_size(param: &str, document: &Map<String, Value>) -> Result<()> {
    let size = serde_json::to_vec(document).map(|bytes| bytes.len()).unwrap_or(usize::MAX);
    if size > METADATA_MAX_BYTES {
        return Err(FieldError::too_large(
            param,
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
        return Err(FieldError::too_large(
            param,
            format!("`{param}` must be at most {METADATA_MAX_BYTES} bytes of JSON."),
        )
        .into());
    }
    match serde_json::from_str::<Value>(text) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(FieldError::must_be(param, "a JSON object").into()),
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
        assert_eq!(
            email_address("e", "First.O'Neil+tag@Mail.Example.org").expect("ok"),
            "first.o'neil+tag@mail.example.org"
        );
        assert!(email_address("e", "zoë@exämple.de").is_ok(), "international addresses");
        for bad in [
            "",
            "no-at",
            "@x",
            "x@",
            "a@b@c",
            "a b@c",
            "a@.c",
            "a@c.",
            ".a@b.c",
            "a.@b.c",
            "a..b@c.d",
            "a@b..c",
            "a@-b.c",
            "a@b-.c",
            "a<b>@c.d",
            "\"a\"@b.c",
            "a@[127.0.0.1]",
            "a@b_c.d",
            "a,b@c.d",
        ] {
            assert_eq!(code(email_address("e", bad)), "form_param_format_invalid", "{bad}");
        }
        let long_local = format!("{}@example.com", "a".repeat(65));
        assert_eq!(code(email_address("e", &long_local)), "form_param_format_invalid");
    }

    fn us() -> phonenumber::country::Id {
        phonenumber::country::Id::US
    }

    #[test]
    fn phone_numbers_become_e164() {
        use phonenumber::country::Id;
        assert_eq!(phone_number("p", "(415) 555-0132", us()).expect("US"), "+14155550132");
        assert_eq!(phone_number("p", "+44 20 7946 0018", us()).expect("UK"), "+442079460018");
        assert_eq!(phone_number("p", "020 7946 0018", Id::GB).expect("UK national"), "+442079460018");
        assert_eq!(
            phone_number("p", "011 44 20 7946 0018", us()).expect("US international prefix"),
            "+442079460018"
        );
        assert_eq!(phone_number("p", "0049 30 12345678", Id::GB).expect("00 prefix"), "+493012345678");
        assert_eq!(phone_number("p", "030 12345678", Id::DE).expect("DE national"), "+493012345678");
        assert_eq!(phone_number("p", "06 12 34 56 78", Id::FR).expect("FR national"), "+33612345678");
        assert_eq!(phone_number("p", "098765 43210", Id::IN).expect("IN national"), "+919876543210");
        assert_eq!(phone_number("p", "+33 6 12 34 56 78", us()).expect("FR"), "+33612345678");
        assert_eq!(phone_number("p", "+91 98765 43210", us()).expect("IN"), "+919876543210");
        for bad in
            ["", "   ", "1-800-FLOWERS", "+1 415 555 01", "+44 20 7946 00181234", "12+34", "+999 123456"]
        {
            assert_eq!(code(phone_number("p", bad, us())), "form_param_format_invalid", "{bad:?}");
        }
        assert_eq!(code(phone_number("p", &"1".repeat(40), us())), "form_param_max_length_exceeded");
    }

    #[test]
    fn codes_are_six_digits() {
        assert_eq!(super::code(" 012345 ").expect("ok"), "012345");
        for bad in ["", "12345", "1234567", "12a456", "abcdef", "12 345"] {
            assert_eq!(code(super::code(bad)), "form_param_format_invalid", "{bad:?}");
        }
    }

    #[test]
    fn redirect_urls_stay_on_this_machine_or_in_the_app() {
        let schemes = vec!["dev.userdesk.app".to_owned()];
        for ok in [
            "http://localhost:1420/verified",
            "http://127.0.0.1:5000/x?y=1",
            "https://[::1]/",
            "dev.userdesk.app://verified",
            "DEV.USERDESK.APP:/callback",
        ] {
            assert!(redirect_url("r", ok, &schemes).is_ok(), "{ok}");
        }
        for bad in [
            "https://evil.example/",
            "http://localhost.evil.example/",
            "http://user@127.0.0.1/",
            "javascript:alert(1)",
            "file:///etc/passwd",
            "other.app://x",
        ] {
            assert_eq!(code(redirect_url("r", bad, &schemes)), "form_param_value_invalid", "{bad}");
        }
        assert_eq!(code(redirect_url("r", "/relative", &schemes)), "form_param_format_invalid");
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
