//! Request bodies and query strings, read strictly: every problem becomes a ClerkErrors answer
//! that names the parameter, never a panic or a silently dropped value.
//!
//! FAPI bodies are `application/x-www-form-urlencoded` with arrays as repeated keys; the Backend
//! API takes JSON objects ([`JsonBody`]).

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::header::CONTENT_TYPE;
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode};
use serde_json::{Map, Value};

use crate::error::{Error, FieldError, Result};

/// The largest body any endpoint reads (64 KiB): far above any real form, and small enough that
/// a runaway client cannot make the server buffer much.
pub const BODY_LIMIT: usize = 64 * 1024;

/// Decoded `name=value` pairs, in order, repeated names kept.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Params {
    pairs: Vec<(String, String)>,
}

impl Params {
    /// Decodes `application/x-www-form-urlencoded` bytes. `+` is a space and `%XX` a byte; a `%`
    /// not followed by two hex digits stays as it is (as browsers do). A name or value whose bytes
    /// are not UTF-8 is an error naming the parameter.
    pub fn parse(input: &[u8]) -> Result<Self> {
        let mut pairs = Vec::new();
        for segment in input.split(|&b| b == b'&').filter(|segment| !segment.is_empty()) {
            let (name, value) = match segment.iter().position(|&b| b == b'=') {
                Some(at) => (&segment[..at], &segment[at + 1..]),
                None => (segment, &b""[..]),
            };
            let name = String::from_utf8(percent_decode(name))
                .map_err(|_| Error::MalformedBody("a parameter name is not valid UTF-8".into()))?;
            let value = String::from_utf8(percent_decode(value)).map_err(|_| {
                FieldError::format_invalid(&name, format!("`{name}` is not valid UTF-8 text."))
            })?;
            pairs.push((name, value));
        }
        Ok(Self { pairs })
    }

    /// Fails on the first parameter not in `allowed` (Clerk's `form_param_unknown`).
    pub fn allow_only(&self, allowed: &[&str]) -> Result<()> {
        match self.pairs.iter().find(|(name, _)| !allowed.contains(&name.as_str())) {
            Some((name, _)) => Err(FieldError::unknown(name).into()),
            None => Ok(()),
        }
    }

    /// The value of a parameter given at most once; giving it twice is an error rather than a
    /// guess about which one was meant.
    pub fn one(&self, name: &str) -> Result<Option<&str>> {
        let mut values = self.pairs.iter().filter(|(n, _)| n == name).map(|(_, v)| v.as_str());
        let first = values.next();
        if values.next().is_some() {
            return Err(
                FieldError::format_invalid(name, format!("`{name}` was given more than once.")).into()
            );
        }
        Ok(first)
    }

    /// The value of a required parameter.
    pub fn required(&self, name: &str) -> Result<&str> {
        self.one(name)?.ok_or_else(|| FieldError::missing(name).into())
    }

    /// `true` when the parameter was given at all.
    pub fn contains(&self, name: &str) -> bool {
        self.pairs.iter().any(|(n, _)| n == name)
    }
}

fn hex_value(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

fn percent_decode(input: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(input.len());
    let mut i = 0;
    while i < input.len() {
        match input[i] {
            b'+' => out.push(b' '),
            b'%' => {
                let hi = input.get(i + 1).copied().and_then(hex_value);
                let lo = input.get(i + 2).copied().and_then(hex_value);
                if let (Some(hi), Some(lo)) = (hi, lo) {
                    out.push(hi << 4 | lo);
                    i += 2;
                } else {
                    out.push(b'%');
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    out
}

/// The media type of the body, lower-cased and without parameters (`charset=…`).
pub fn media_type(headers: &HeaderMap) -> Result<Option<String>> {
    match headers.get(CONTENT_TYPE) {
        None => Ok(None),
        Some(value) => {
            let text = value.to_str().map_err(|_| Error::UnsupportedMediaType("(not ASCII)".into()))?;
            let essence = text.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
            Ok(Some(essence))
        }
    }
}

/// Reads the whole body within [`BODY_LIMIT`], answering 413 past it.
async fn read_body<S: Send + Sync>(request: Request, state: &S) -> Result<Bytes> {
    Bytes::from_request(request, state).await.map_err(|rejection: BytesRejection| {
        if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
            Error::BodyTooLarge { limit: BODY_LIMIT }
        } else {
            Error::MalformedBody(rejection.body_text())
        }
    })
}

/// A form body. An empty body (with or without a content type) is an empty form; a non-empty
/// body must say it is a form.
#[derive(Debug, Clone, Default)]
pub struct Form(pub Params);

impl<S: Send + Sync> FromRequest<S> for Form {
    type Rejection = Error;

    async fn from_request(request: Request, state: &S) -> Result<Self> {
        let kind = media_type(request.headers())?;
        let body = read_body(request, state).await?;
        if body.is_empty() {
            return Ok(Form(Params::default()));
        }
        match kind.as_deref() {
            Some("application/x-www-form-urlencoded") => Ok(Form(Params::parse(&body)?)),
            Some(other) => Err(Error::UnsupportedMediaType(other.to_owned())),
            None => Err(Error::UnsupportedMediaType("(none)".into())),
        }
    }
}

/// The query string's parameters (lenient: Clerk's SDKs add parameters of their own, such as
/// `_is_native` and `__clerk_api_version`, so unknown ones are ignored).
#[derive(Debug, Clone, Default)]
pub struct Query(pub Params);

impl<S: Send + Sync> FromRequestParts<S> for Query {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self> {
        match parts.uri.query() {
            Some(query) => Ok(Query(Params::parse(query.as_bytes())?)),
            None => Ok(Query(Params::default())),
        }
    }
}

/// One `{id}` path segment. Axum's own `Path` answers undecodable segments (`%FF`) with plain
/// text; this answers them like any unknown id.
#[derive(Debug, Clone)]
pub struct PathId(pub String);

impl<S: Send + Sync> FromRequestParts<S> for PathId {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self> {
        match axum::extract::Path::<String>::from_request_parts(parts, state).await {
            Ok(axum::extract::Path(id)) => Ok(PathId(id)),
            Err(rejection) => {
                tracing::debug!("unreadable path parameter: {rejection}");
                Err(Error::NotFound("resource"))
            }
        }
    }
}

/// A JSON object body (the Backend API's). Fields are taken one by one with typed accessors,
/// and whatever is left over at the end is an unknown parameter.
#[derive(Debug, Clone, Default)]
pub struct JsonBody(pub Map<String, Value>);

impl<S: Send + Sync> FromRequest<S> for JsonBody {
    type Rejection = Error;

    async fn from_request(request: Request, state: &S) -> Result<Self> {
        let kind = media_type(request.headers())?;
        let body = read_body(request, state).await?;
        if body.is_empty() {
            return Ok(JsonBody(Map::new()));
        }
        match kind.as_deref() {
            Some("application/json") | None => {}
            Some(other) => return Err(Error::UnsupportedMediaType(other.to_owned())),
        }
        let text = std::str::from_utf8(&body)
            .map_err(|_| Error::MalformedBody("the body is not valid UTF-8".into()))?;
        match serde_json::from_str::<Value>(text) {
            Ok(Value::Object(map)) => Ok(JsonBody(map)),
            Ok(_) => Err(Error::MalformedBody("the body must be a JSON object".into())),
            Err(e) => Err(Error::MalformedBody(format!("the body is not valid JSON ({e})"))),
        }
    }
}

impl JsonBody {
    fn take(&mut self, name: &str) -> Option<Value> {
        self.0.remove(name)
    }

    /// A string field; `null` counts as absent.
    pub fn string(&mut self, name: &str) -> Result<Option<String>> {
        match self.take(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(_) => Err(FieldError::must_be(name, "a string").into()),
        }
    }

    /// A boolean field; `null` counts as absent.
    pub fn boolean(&mut self, name: &str) -> Result<Option<bool>> {
        match self.take(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(b)),
            Some(_) => Err(FieldError::must_be(name, "true or false").into()),
        }
    }

    /// An array of strings; `null` counts as absent.
    pub fn strings(&mut self, name: &str) -> Result<Vec<String>> {
        match self.take(name) {
            None | Some(Value::Null) => Ok(Vec::new()),
            Some(Value::Array(items)) => items
                .into_iter()
                .map(|item| match item {
                    Value::String(s) => Ok(s),
                    _ => Err(FieldError::must_be(name, "an array of strings").into()),
                })
                .collect(),
            Some(_) => Err(FieldError::must_be(name, "an array of strings").into()),
        }
    }

    /// A JSON object field; `null` counts as absent.
    pub fn object(&mut self, name: &str) -> Result<Option<Map<String, Value>>> {
        match self.take(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Object(map)) => Ok(Some(map)),
            Some(_) => Err(FieldError::must_be(name, "a JSON object").into()),
        }
    }

    /// Takes fields that are in the spec but that this server does not implement: absent or
    /// `null` is fine, anything else is refused by name rather than ignored.
    pub fn unsupported(&mut self, names: &[&str]) -> Result<()> {
        for name in names {
            match self.take(name) {
                None | Some(Value::Null) => {}
                Some(_) => {
                    return Err(FieldError::value_invalid(
                        name,
                        format!("`{name}` is not supported by Userdesk's account server."),
                    )
                    .into())
                }
            }
        }
        Ok(())
    }

    /// Fails on the first field no accessor took.
    pub fn finish(self) -> Result<()> {
        match self.0.keys().next() {
            Some(name) => Err(FieldError::unknown(name).into()),
            None => Ok(()),
        }
    }
}

/// A form body whose arrays (repeated keys, `additional_scope=a&additional_scope=b`) are read
/// too: [`Params`] for the single values, with its strictness, and every pair in order.
#[derive(Debug, Clone, Default)]
pub struct FormWithArrays {
    /// The single values.
    pub params: Params,
    /// Every `(name, value)`, in order.
    pub pairs: Vec<(String, String)>,
}

impl FormWithArrays {
    /// Every value of `name`, in order.
    pub fn all(&self, name: &str) -> Vec<&str> {
        self.pairs.iter().filter(|(n, _)| n == name).map(|(_, v)| v.as_str()).collect()
    }
}

impl<S: Send + Sync> FromRequest<S> for FormWithArrays {
    type Rejection = Error;

    async fn from_request(request: Request, state: &S) -> Result<Self> {
        let kind = request
            .headers()
            .get(CONTENT_TYPE)
            .map(|value| {
                value.to_str().map(|text| text.split(';').next().unwrap_or("").trim().to_ascii_lowercase())
            })
            .transpose()
            .map_err(|_| Error::UnsupportedMediaType("(not ASCII)".into()))?;
        let body = Bytes::from_request(request, state).await.map_err(|rejection| {
            if rejection.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
                Error::BodyTooLarge { limit: crate::http::form::BODY_LIMIT }
            } else {
                Error::MalformedBody(rejection.body_text())
            }
        })?;
        if body.is_empty() {
            return Ok(Self::default());
        }
        match kind.as_deref() {
            Some("application/x-www-form-urlencoded") => {}
            other => return Err(Error::UnsupportedMediaType(other.unwrap_or("(none)").to_owned())),
        }
        // `Params` refuses what is not UTF-8, so the lossless pairs below are the same text.
        let params = Params::parse(&body)?;
        let pairs = url::form_urlencoded::parse(&body).into_owned().collect();
        Ok(Self { params, pairs })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_plus_percent_and_repeats() {
        let params = Params::parse(b"a=1+2&b=%C3%A9&a=3&flag&c=%zz").expect("parse");
        assert_eq!(params.pairs[0], ("a".into(), "1 2".into()));
        assert_eq!(params.one("b").expect("one"), Some("é"));
        assert!(params.one("a").is_err());
        assert_eq!(params.one("flag").expect("one"), Some(""));
        assert_eq!(params.one("c").expect("one"), Some("%zz"));
    }

    #[test]
    fn non_utf8_values_name_the_param() {
        match Params::parse(b"first_name=%FF") {
            Err(Error::Field(field)) => assert_eq!(field.param.as_deref(), Some("first_name")),
            other => panic!("expected a field error, got {other:?}"),
        }
    }

    #[test]
    fn unknown_params_are_named() {
        let params = Params::parse(b"first_name=a&nope=b").expect("parse");
        match params.allow_only(&["first_name"]) {
            Err(Error::Field(field)) => {
                assert_eq!(field.code, "form_param_unknown");
                assert_eq!(field.param.as_deref(), Some("nope"));
            }
            other => panic!("expected form_param_unknown, got {other:?}"),
        }
    }
}
