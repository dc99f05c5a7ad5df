//! HTTP: one module per resource, each with its own `router()`, merged here with the layers that
//! apply to all of them.

use std::sync::Arc;

use axum::extract::DefaultBodyLimit;
use axum::middleware::{from_fn, from_fn_with_state};
use axum::Router;

use crate::config::Mode;
use crate::error::Error;
use crate::store::Db;

mod backend;
mod client;
mod environment;
mod form;
mod host_guard;
mod me;
mod native_client;
mod render;
mod sessions;
mod sign_ins;
mod signed_in;
mod validate;

pub use form::BODY_LIMIT;
pub use validate::{METADATA_MAX_BYTES, NAME_MAX_LENGTH, USERNAME_MAX_LENGTH, USERNAME_MIN_LENGTH};

/// What every handler can reach.
#[derive(Debug, Clone)]
pub struct AppState {
    /// The database.
    pub db: Db,
    /// The Backend API secret key.
    pub secret_key: Arc<str>,
    /// Development or production.
    pub mode: Mode,
}

/// The whole application.
pub fn router(state: AppState) -> Router {
    // Frontend API routes that act for a client: native-client authentication first.
    let fapi = Router::new()
        .merge(client::router())
        .merge(sessions::router())
        .merge(sign_ins::router())
        .merge(me::router())
        .route_layer(from_fn_with_state(state.clone(), native_client::authenticate));
    let bapi = backend::router().route_layer(from_fn_with_state(state.clone(), backend::require_secret_key));
    Router::new()
        .merge(environment::router())
        .merge(fapi)
        .merge(bapi)
        .fallback(|| async { Error::RouteNotFound })
        .method_not_allowed_fallback(|| async { Error::MethodNotAllowed })
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(from_fn(host_guard::check))
        .with_state(state)
}
