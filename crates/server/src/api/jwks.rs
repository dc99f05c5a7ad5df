//! `GET /.well-known/jwks.json`: the public keys tokens are signed with (the instance's key, and
//! the Firebase service account's), so anyone can check a token's signature.

use axum::extract::State;
use axum::http::header::CACHE_CONTROL;
use axum::http::HeaderValue;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};

use crate::error::Result;
use crate::state::AppState;

/// The routes.
pub fn router() -> Router<AppState> {
    Router::new().route("/.well-known/jwks.json", get(jwks))
}

async fn jwks(State(state): State<AppState>) -> Result<Response> {
    let keys = state.security.keys.jwks().await?;
    let mut response = Json(keys).into_response();
    // Keys are generated once and kept; a verifier may hold on to them for a while.
    response.headers_mut().insert(CACHE_CONTROL, HeaderValue::from_static("public, max-age=600"));
    Ok(response)
}
