//! Where a request comes from, as a session records it.

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::header::USER_AGENT;
use axum::http::request::Parts;
use axum::http::HeaderMap;

use crate::error::{Error, Result};
use crate::store::sessions::Activity;

/// The longest `User-Agent` kept.
const USER_AGENT_MAX_LENGTH: usize = 512;

/// Where a request comes from: its `User-Agent` and the peer's address (the server listens on
/// loopback only, so there is no proxy whose forwarding headers could be believed).
#[derive(Debug, Clone, Default)]
pub struct RequestActivity(pub Activity);

impl<S: Send + Sync> FromRequestParts<S> for RequestActivity {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self> {
        let user_agent = parts
            .headers
            .get(USER_AGENT)
            .and_then(|value| value.to_str().ok())
            .map(|agent| agent.chars().take(USER_AGENT_MAX_LENGTH).collect::<String>())
            .filter(|agent| !agent.trim().is_empty());
        let ip_address =
            parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|info| info.0.ip().to_string());
        Ok(Self(Activity { user_agent, ip_address }))
    }
}

/// The `User-Agent` of a request, cut to 512 characters (as an OAuth round trip keeps it for the
/// session it opens).
pub fn user_agent(headers: &HeaderMap) -> Option<String> {
    headers
        .get(USER_AGENT)
        .and_then(|value| value.to_str().ok())
        .map(|agent| agent.chars().take(512).collect())
}
