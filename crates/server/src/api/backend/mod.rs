//! The Backend API: what the service behind the app uses, authenticated by the secret key
//! (`Authorization: Bearer sk_…`). JSON bodies; responses include private metadata.

use axum::extract::{Request, State};
use axum::http::header::AUTHORIZATION;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Router;

use crate::error::Error;
use crate::ids::constant_time_eq;
use crate::state::AppState;

mod users;

/// The routes, without authentication (see [`require_secret_key`]).
pub fn router() -> Router<AppState> {
    Router::new().merge(users::router())
}

/// Refuses requests without this server's secret key.
pub async fn require_secret_key(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let presented =
        request.headers().get(AUTHORIZATION).and_then(|value| value.to_str().ok()).and_then(|text| {
            let (scheme, key) = text.trim().split_once(' ')?;
            scheme.eq_ignore_ascii_case("bearer").then(|| key.trim())
        });
    match presented {
        Some(key) if constant_time_eq(key.as_bytes(), state.secret_key.as_bytes()) => next.run(request).await,
        _ => Error::SecretKeyInvalid.into_response(),
    }
}
