//! HTTP: one module per resource, each with its own `router()`, merged here with the layers that
//! apply to all of them.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::DefaultBodyLimit;
use axum::middleware::{from_fn, from_fn_with_state};
use axum::Router;

use crate::config::Mode;
use crate::error::Error;
use crate::store::Db;

mod active_sessions;
mod backend;
mod client;
mod dev_outbox;
mod email_addresses;
mod environment;
mod external_accounts;
mod form;
mod host_guard;
mod html;
mod identifications;
mod jwks;
mod me;
mod native_client;
mod oauth_callback;
mod oauth_sign_ins;
mod passwords;
mod phone_numbers;
mod profile_image;
mod render;
mod sessions;
mod sign_ins;
mod sign_ups;
mod signed_in;
mod tokens;
mod two_factor;
mod user_agent;
mod validate;
mod verify;

pub use form::BODY_LIMIT;
pub use profile_image::PROFILE_IMAGE_MAX_BYTES;
pub use validate::{METADATA_MAX_BYTES, NAME_MAX_LENGTH, USERNAME_MAX_LENGTH, USERNAME_MIN_LENGTH};
// For the OAuth side (`crate::oauth`): the development provider's pages and forms, and the email
// rule that provider answers are held to.
pub(crate) use form::{Form, Params, Query};
pub(crate) use html::{escape as html_escape, page as html_page, Tone as HtmlTone};
pub(crate) use validate::email_address as validate_email;

/// What every handler can reach.
#[derive(Debug, Clone)]
pub struct AppState {
    /// The database.
    pub db: Db,
    /// The Backend API secret key.
    pub secret_key: Arc<str>,
    /// Development or production.
    pub mode: Mode,
    /// The server's own base URL (`http://127.0.0.1:PORT`), for the links it sends.
    pub base_url: Arc<str>,
    /// How codes and links are made and sent.
    pub verification: Arc<VerificationSettings>,
    /// The OAuth providers and the settings of their round trips.
    pub oauth: Arc<crate::oauth::OAuth>,
    /// Signing keys, JWT templates, secrets at rest and the clock.
    pub security: Arc<SecuritySettings>,
    /// The profile images' files.
    pub images: Arc<crate::image_files::ImageFiles>,
}

/// What tokens and two-step verification need.
#[derive(Debug)]
pub struct SecuritySettings {
    /// The time TOTP codes are checked against and tokens carry.
    pub clock: crate::clock::Clock,
    /// The keys tokens are signed with.
    pub keys: crate::keys::KeyStore,
    /// Encrypts TOTP secrets, keys backup-code hashes.
    pub at_rest: crate::keys::AtRestKey,
    /// The JWT templates.
    pub jwt_templates: Vec<crate::tokens::JwtTemplate>,
}

/// The configuration of verifications, as the handlers use it.
#[derive(Debug, Clone)]
pub struct VerificationSettings {
    /// How long a code holds.
    pub code_lifetime: Duration,
    /// How long an email link holds.
    pub link_lifetime: Duration,
    /// The least time between two sends to one identification.
    pub resend_cooldown: Duration,
    /// Where national phone numbers are read.
    pub default_region: phonenumber::country::Id,
    /// App schemes an email link may redirect to.
    pub redirect_schemes: Vec<String>,
}

/// `duration` in milliseconds, as timestamps count.
pub fn millis(duration: Duration) -> i64 {
    i64::try_from(duration.as_millis()).unwrap_or(i64::MAX)
}

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
    // The development outbox exists only in development: in production its paths are unknown.
    let dev = match state.mode {
        Mode::Development => dev_outbox::router().merge(crate::oauth::dev_provider::router()),
        Mode::Production => Router::new(),
    };
    Router::new()
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
        .layer(from_fn(host_guard::check))
        .with_state(state)
}
