//! Native-client authentication (the spec's `ProductionNativeApp` scheme with `_is_native=1`).
//!
//! The client token travels in `Authorization`, bare or as `Bearer <token>`. A token the server
//! does not know is refused (401) rather than silently replaced, so a client never loses its
//! sessions without being told. Only the token's SHA-256 is stored.
//!
//! A request without a token gets no client unless its handler writes one: reading needs none
//! (`GET /v1/client` answers `response: null`, as Clerk does), and a client made for every
//! tokenless request would let anyone fill the database with GETs. So the middleware puts a
//! [`ClientSlot`] in the request, and the handler says what it needs by its extractor:
//! - [`CurrentClient`]: the client the token names; without a token the request is refused
//!   ([`Error::NoClient`], 404: nothing it could name is this device's);
//! - `Option<CurrentClient>`: the same, or `None` (reads that answer "no client");
//! - [`ClientOrNew`]: the client, or a new one made now (starting a sign-in or sign-up); the
//!   middleware then sends the new token in the response's `Authorization` header, whatever the
//!   handler answers, so a token never exists without its holder being told.

use std::sync::{Arc, Mutex};

use axum::extract::{FromRequestParts, OptionalFromRequestParts, Request, State};
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::error::{Error, Result};
use crate::ids::{new_client_token, token_hash};
use crate::state::AppState;
use crate::store::clients::{self, ClientRow};
use crate::store::uses::USE_RECORD_INTERVAL_MS;

/// Tokens are 48 characters; anything much longer is not ours and is not worth hashing.
const MAX_TOKEN_LEN: usize = 512;

/// The client the request is authenticated as.
#[derive(Debug, Clone)]
pub struct CurrentClient {
    /// Its id.
    pub id: String,
    /// Its row as the request found it (a read can answer with it; a write reads it again in
    /// its transaction), shared with the kept reads: not copied per request.
    pub row: Arc<ClientRow>,
}

/// What the middleware leaves in the request: the client its token names, or room for one made
/// by [`ClientOrNew`] (whose token the middleware then sends back).
#[derive(Debug, Clone)]
pub struct ClientSlot {
    existing: Option<CurrentClient>,
    /// The client made for this request, and its token (shared with the middleware).
    made: Arc<Mutex<Option<(CurrentClient, String)>>>,
}

impl ClientSlot {
    fn from_parts(parts: &Parts) -> Result<&ClientSlot> {
        parts
            .extensions
            .get::<ClientSlot>()
            .ok_or_else(|| Error::Internal("route without the native-client middleware".into()))
    }

    fn made(&self) -> Option<(CurrentClient, String)> {
        self.made.lock().map(|made| made.clone()).unwrap_or_else(|poisoned| poisoned.into_inner().clone())
    }
}

impl<S: Send + Sync> FromRequestParts<S> for CurrentClient {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self> {
        ClientSlot::from_parts(parts)?.existing.clone().ok_or(Error::NoClient)
    }
}

impl<S: Send + Sync> OptionalFromRequestParts<S> for CurrentClient {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Option<Self>> {
        Ok(ClientSlot::from_parts(parts)?.existing.clone())
    }
}

/// The request's client, made now if the request has none: for handlers that start something
/// that needs a client to hold it (a sign-in, a sign-up). Made before the handler's own
/// transaction, in a transaction of its own, so the token handed out always names a stored client.
#[derive(Debug, Clone)]
pub struct ClientOrNew(pub CurrentClient);

impl FromRequestParts<AppState> for ClientOrNew {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self> {
        let slot = ClientSlot::from_parts(parts)?.clone();
        if let Some(client) = slot.existing {
            return Ok(Self(client));
        }
        if let Some((client, _)) = slot.made() {
            return Ok(Self(client));
        }
        let token = new_client_token();
        let mut tx = state.db.write().await?;
        let row = clients::create(&mut tx, &token_hash(&token), state.security.clock.now_ms()).await?;
        tx.commit().await?;
        tracing::debug!(client = %row.id, "new client");
        let client = CurrentClient { id: row.id.clone(), row: Arc::new(row) };
        let mut made = slot.made.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        *made = Some((client.clone(), token));
        Ok(Self(client))
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

/// The middleware: finds the client the token names (401 for an unknown one), leaves a
/// [`ClientSlot`] in the request, and sends back the token of a client the handler made.
pub async fn authenticate(State(state): State<AppState>, mut request: Request, next: Next) -> Response {
    let existing = match resolve(&state, request.headers()).await {
        Ok(found) => found,
        Err(error) => return error.into_response(),
    };
    let slot = ClientSlot { existing, made: Arc::default() };
    request.extensions_mut().insert(slot.clone());
    let mut response = next.run(request).await;
    if let Some((_, token)) = slot.made() {
        match HeaderValue::from_str(&token) {
            Ok(value) => {
                response.headers_mut().insert(AUTHORIZATION, value);
            }
            Err(e) => tracing::error!("a generated token is not a header value: {e}"),
        }
    }
    response
}

/// The client the request's token names, `None` without a token; records its use.
async fn resolve(state: &AppState, headers: &HeaderMap) -> Result<Option<CurrentClient>> {
    let Some(token) = presented_token(headers)? else {
        return Ok(None);
    };
    let hash = token_hash(&token);
    // Kept while nothing is committed: a revoked or deleted client is a commit, seen at once.
    let generation = state.db.generation();
    let client = match state.kept.clients.get(&hash, generation) {
        Some(client) => client,
        None => {
            let mut conn = state.db.pool().acquire().await?;
            let client = Arc::new(
                clients::find_by_token_hash(&mut conn, &hash).await?.ok_or(Error::ClientTokenInvalid)?,
            );
            state.kept.clients.insert(hash, generation, client.clone());
            client
        }
    };
    // Often enough for a sweep measured in hours; noted for the writer, so a read stays a read.
    let now = state.security.clock.now_ms();
    if now - client.last_used_at >= USE_RECORD_INTERVAL_MS {
        state.db.uses().client(&client.id, now);
    }
    Ok(Some(CurrentClient { id: client.id.clone(), row: client }))
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
