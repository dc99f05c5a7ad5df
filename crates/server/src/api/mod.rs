//! HTTP: one module per resource, each with its own `router()`, merged here with the layers that
//! apply to all of them.

use axum::extract::DefaultBodyLimit;
use axum::middleware::{from_fn, from_fn_with_state};
use axum::Router;

use crate::config::Mode;
use crate::error::Error;
use crate::http::form::BODY_LIMIT;
use crate::http::{host_guard, native_client};
use crate::state::AppState;

mod active_sessions;
mod backend;
mod client;
mod dev_outbox;
mod email_addresses;
mod environment;
mod external_accounts;
mod jwks;
mod me;
mod oauth_callback;
mod passwords;
mod phone_numbers;
mod profile_image;
mod sessions;
mod sign_ins;
mod sign_ups;
mod tokens;
mod two_factor;
mod verify;

pub use profile_image::PROFILE_IMAGE_MAX_BYTES;

/// The whole application.
pub fn router(state: AppState) -> Router {
    // Frontend API routes that act for a client: native-client authentication first.
    let fapi = Router::new()
        .merge(client::router())
        .merge(sessions::router())
        .merge(sign_ins::router())
        .merge(me::router())
        .merge(email_addresses::router())
        .merge(phone_numbers::router())
        .merge(external_accounts::router())
        .merge(active_sessions::router())
        .merge(tokens::router())
        .merge(two_factor::router())
        .merge(passwords::router())
        .merge(profile_image::router())
        .merge(sign_ups::router())
        // After the client is known: `rotating_token_nonce`, where given, must be its own.
        .route_layer(from_fn_with_state(state.clone(), oauth_callback::redeem_nonce))
        .route_layer(from_fn_with_state(state.clone(), native_client::authenticate));
    let bapi = backend::router().route_layer(from_fn_with_state(state.clone(), backend::require_secret_key));
    // The development outbox exists only in development: in production its paths are unknown,
    // and in desktop mode the app reads it in-process (`RunningServer::outbox`), never over HTTP.
    let dev = match state.mode {
        Mode::Development => dev_outbox::router().merge(crate::oauth::dev_provider::router()),
        Mode::Desktop => crate::oauth::dev_provider::router(),
        Mode::Production => Router::new(),
    };
    let desktop = state.desktop.clone();
    let app = Router::new()
        .merge(environment::router())
        // Opened from an email in a browser: no native client, no token.
        .merge(verify::router())
        // Public keys: anyone may check a token's signature.
        .merge(jwks::router())
        // Profile pictures: an `<img>` cannot send the client token.
        .merge(profile_image::public_router())
        // Where providers send the browser back: no native client, no token (`state` says whose).
        .merge(oauth_callback::router())
        .merge(dev)
        .merge(fapi)
        .merge(bapi)
        .fallback(|| async { Error::RouteNotFound })
        .method_not_allowed_fallback(|| async { Error::MethodNotAllowed })
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(from_fn(host_guard::check));
    // Outermost, so that nothing (not even "no such route") answers a stranger.
    let app = match desktop {
        Some(desktop) => app.layer(from_fn_with_state(desktop, crate::desktop::guard)),
        None => app,
    };
    app.with_state(state)
}
