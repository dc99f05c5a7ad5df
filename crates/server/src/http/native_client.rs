//! Native-client authentication (the spec's `ProductionNativeApp` scheme with `_is_native=1`).
//!
//! The client token travels in `Authorization`, bare or as `Bearer <token>`. A request without one
//! gets a new client, whose token comes back in the response's `Authorization` header; a token the
//! server does not know is refused (401) rather than silently replaced, so a client never loses
//! its sessions without being told. Only the token's SHA-256 is stored.

use axum::extract::{FromRequestParts, Request, State};
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::error::{Error, Result};
use crate::ids::{new_client_token, token_hash};
use crate::state::AppState;
use crate::store::clients;

/// Tokens are 48 characters; anything much longer is not ours and is not worth hashing.
const MAX_TOKEN_LEN: usize = 512;

/// The client the request is authenticated as.
#[derive(Debug, Clone)]
pub struct CurrentClient {
    /// Its id.
    pub id: String,
}

impl<S: Send + Sync> FromRequestParts<S> for CurrentClient {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self> {
        parts
            .extensions
            .get::<CurrentClient>()
            .cloned()
            .ok_or_else(|| Error::Internal("route without the native-client middleware".into()))
    }
}

/// The token in `Authorization`, if any: `None` for a missing or empty header.
fn presented_token(headers: &HeaderMap) -> Result<Option<String>> {
    let Some(value) = headers.get(AUTHORIZATION) else {
        return Ok(None);
    };
    let text = value.to_str().map_err(|_| Error::ClientTokenInvalid)?.trim();
    let token = match text.split_once(' ') {
        Some((scheme, rest)) if scheme.eq_ignore_ascii_case("bearer") => rest.trim(),
        _ if text.eq_ignore_ascii_case("bearer") => "",
        _ => text,
    };
    if token.is_empty() {
        return Ok(None);
    }
    if token.len() > MAX_TOKEN_LEN || token.contains(char::is_whitespace) {
        return Err(Error::ClientTokenInvalid);
    }
    Ok(Some(token.to_owned()))
}

/// The middleware: finds or creates the client, and hands out the token of a new one.
pub async fn authenticate(State(state): State<AppState>, mut request: Request, next: Next) -> Response {
    let (client, issued) = match resolve(&state, request.headers()).await {
        Ok(found) => found,
        Err(error) => return error.into_response(),
    };
    request.extensions_mut().insert(client);
    let mut response = next.run(request).await;
    if let Some(token) = issued {
        match HeaderValue::from_str(&token) {
            Ok(value) => {
                response.headers_mut().insert(AUTHORIZATION, value);
            }
            Err(e) => tracing::error!("a generated token is not a header value: {e}"),
        }
    }
    response
}

async fn resolve(state: &AppState, headers: &HeaderMap) -> Result<(CurrentClient, Option<String>)> {
    let mut conn = state.db.pool().acquire().await?;
    match presented_token(headers)? {
        Some(token) => match clients::find_by_token_hash(&mut conn, &token_hash(&token)).await? {
            Some(client) => Ok((CurrentClient { id: client.id }, None)),
            None => Err(Error::ClientTokenInvalid),
        },
        None => {
            let token = new_client_token();
            let client = clients::create(&mut conn, &token_hash(&token)).await?;
            tracing::debug!(client = %client.id, "new client");
            Ok((CurrentClient { id: client.id }, Some(token)))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(value: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(AUTHORIZATION, HeaderValue::from_str(value).expect("header"));
        headers
    }

    #[test]
    fn bare_and_bearer_tokens_are_the_same() {
        assert_eq!(presented_token(&headers("abc")).expect("bare"), Some("abc".into()));
        assert_eq!(presented_token(&headers("Bearer abc")).expect("bearer"), Some("abc".into()));
        assert_eq!(presented_token(&headers("bearer  abc ")).expect("lower"), Some("abc".into()));
    }

    #[test]
    fn empty_means_none_and_junk_is_refused() {
        assert_eq!(presented_token(&HeaderMap::new()).expect("none"), None);
        assert_eq!(presented_token(&headers("")).expect("empty"), None);
        assert_eq!(presented_token(&headers("Bearer")).expect("scheme only"), None);
        assert!(presented_token(&headers("Basic a b")).is_err());
        assert!(presented_token(&headers(&"x".repeat(600))).is_err());
    }
}
