//! HTTP: one module per resource, each with its own `router()`, merged here with the layers that
//! apply to all of them.

use axum::extract::DefaultBodyLimit;
use axum::http::header::{CONTENT_TYPE, X_CONTENT_TYPE_OPTIONS};
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::{from_fn, from_fn_with_state, map_request, map_response};
use axum::response::{IntoResponse, Response};
use axum::Router;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

use crate::config::Mode;
use crate::error::Error;
use crate::http::form::BODY_LIMIT;
use crate::http::{host_guard, html, native_client, rewrite};
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
mod passkeys;
mod passwords;
mod phone_numbers;
mod profile_image;
mod reverification;
mod sessions;
mod sign_in_factors;
mod sign_ins;
mod sign_ups;
mod tokens;
mod two_factor;
mod verify;

pub use profile_image::PROFILE_IMAGE_MAX_BYTES;

/// The whole application.
pub fn router(state: AppState) -> Router {
    // A handler that runs past its time is dropped (its transaction rolls back) and answered
    // 408; uploads get longer, as a 10 MiB picture over a slow link takes minutes.
    let request_timeout = TimeoutLayer::with_status_code(StatusCode::REQUEST_TIMEOUT, state.timeouts.request);
    let upload_timeout = TimeoutLayer::with_status_code(StatusCode::REQUEST_TIMEOUT, state.timeouts.upload);
    // Frontend API routes that act for a client: native-client authentication first.
    let fapi = Router::new()
        .merge(client::router())
        .merge(sessions::router())
        .merge(sign_ins::router())
        .merge(sign_in_factors::router())
        .merge(me::router())
        .merge(email_addresses::router())
        .merge(phone_numbers::router())
        .merge(external_accounts::router())
        .merge(active_sessions::router())
        .merge(tokens::router())
        .merge(two_factor::router())
        .merge(passwords::router())
        .merge(passkeys::router())
        .merge(reverification::router())
        .merge(sign_ups::router())
        .layer(request_timeout)
        // Merged after the layer above, so only the upload's own timeout applies to it.
        .merge(profile_image::router().layer(upload_timeout))
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
    let lockout = state.lockout.clone();
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
        .merge(bapi)
        .layer(request_timeout)
        .merge(fapi)
        .fallback(|| async { Error::RouteNotFound })
        .method_not_allowed_fallback(|| async { Error::MethodNotAllowed })
        .with_state(state.clone());
    // What Clerk's SDKs send (`?_method=`, trailing slashes) is rewritten before routing, which
    // `Router::layer` cannot do (it runs once a route is chosen): the routed app is wrapped whole.
    let app = Router::new()
        .fallback_service(app)
        .layer(map_request(rewrite::normalize))
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        // Users rendered anywhere show the lockout state (`crate::lockout::current`).
        .layer(from_fn_with_state(lockout, crate::lockout::in_scope))
        .layer(from_fn(host_guard::check));
    // Outermost, so that nothing (not even "no such route") answers a stranger.
    let app = match desktop {
        Some(desktop) => app.layer(from_fn_with_state(desktop, crate::desktop::guard)),
        None => app,
    };
    // Around everything, the desktop guard's refusals included.
    app.layer(map_response(finish_response)).layer(TraceLayer::new_for_http()).with_state(state)
}

/// What every response gets on its way out, in one layer (each layer is a boxed future per
/// request): `TimeoutLayer`'s empty 408 becomes ClerkErrors (ours carry a content type, the
/// layer's does not), pages get their security headers, and nothing is content-sniffed.
async fn finish_response(response: Response) -> Response {
    let mut response = if response.status() == StatusCode::REQUEST_TIMEOUT
        && !response.headers().contains_key(CONTENT_TYPE)
    {
        Error::RequestTimeout.into_response()
    } else {
        response
    };
    html::protect_pages(&mut response);
    response.headers_mut().insert(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    response
}
