//! `GET /v1/verify?token=…`: the link of an `email_link` verification, opened from the email in
//! a browser (no client token): an email address's, or a sign-in's first factor
//! (`domain::sign_in_factors::open_link`: the client that started the sign-in is signed in and
//! learns of it by reading the sign-in).
//!
//! A link works once and until it expires ([`crate::Config::link_lifetime`]); a newer link or
//! code for the same address replaces it. On success the browser goes to the `redirect_url`
//! given at prepare time (303) or sees a short page saying the address is verified (200). A
//! link that is unknown, replaced, used or expired answers 400: a page for a browser (`Accept:
//! text/html`), ClerkErrors JSON for anything else.

use axum::extract::State;
use axum::http::header::{ACCEPT, CACHE_CONTROL, LOCATION};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::{Extension, Router};

use crate::desktop::Granted;
use crate::domain;
use crate::domain::identifications::{self as shared, Kind};
use crate::error::{Error, Result};
use crate::http::form::Query;
use crate::http::html::{self, Tone};
use crate::ids::{now_ms, token_hash};
use crate::render;
use crate::state::AppState;
use crate::store::identifications;

/// Link tokens are 48 characters; anything much longer is not ours and is not worth hashing.
const MAX_TOKEN_LEN: usize = 512;

/// The routes.
pub fn router() -> Router<AppState> {
    Router::new().route("/v1/verify", get(verify))
}

/// Where the verification went.
enum Verified {
    /// Send the browser on.
    Redirect(String),
    /// Show the page, naming the address.
    Page(String),
    /// Show the page saying the sign-in is confirmed.
    SignedIn,
}

/// What a link was for, which its problem page names.
#[derive(Clone, Copy)]
enum LinkFor {
    Address,
    SignIn,
}

async fn verify(
    State(state): State<AppState>,
    granted: Option<Extension<Granted>>,
    headers: HeaderMap,
    query: Result<Query>,
) -> Response {
    // A missing, repeated or undecodable token is just a link that is not valid.
    let (link_for, outcome) = match query.as_ref().map(|Query(query)| query.one("token")) {
        // A capability made for another link does not open this one.
        Ok(Ok(Some(token))) if !Granted::allows(granted.as_deref(), Some(&token_hash(token))) => {
            return StatusCode::UNAUTHORIZED.into_response()
        }
        Ok(Ok(Some(token))) => verify_token(&state, token).await,
        _ => (LinkFor::Address, Err(Error::LinkInvalid)),
    };
    let mut response = match outcome {
        Ok(Verified::Redirect(url)) => match HeaderValue::from_str(&url) {
            Ok(location) => (StatusCode::SEE_OTHER, [(LOCATION, location)]).into_response(),
            Err(_) => verified_page(""),
        },
        Ok(Verified::Page(address)) => verified_page(&address),
        Ok(Verified::SignedIn) => signed_in_page(),
        Err(error) if wants_html(&headers) && !error.status().is_server_error() => {
            problem_page(&error, link_for)
        }
        Err(error) => error.into_response(),
    };
    response.headers_mut().insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

async fn verify_token(state: &AppState, token: &str) -> (LinkFor, Result<Verified>) {
    if token.is_empty() || token.len() > MAX_TOKEN_LEN {
        return (LinkFor::Address, Err(Error::LinkInvalid));
    }
    let hash = token_hash(token);
    match domain::sign_in_factors::open_link(state, &hash).await {
        Ok(None) => (LinkFor::Address, verify_address(state, &hash).await),
        Ok(Some(opened)) => {
            (LinkFor::SignIn, Ok(opened.redirect_url.map_or(Verified::SignedIn, Verified::Redirect)))
        }
        Err(error) => (LinkFor::SignIn, Err(error)),
    }
}

async fn verify_address(state: &AppState, hash: &str) -> Result<Verified> {
    let mut tx = state.db.write().await?;
    let Some(target) = identifications::find_by_link_token(&mut tx, hash).await? else {
        // A sign-up's address: verifying it may complete the sign-up.
        let verified =
            domain::sign_ups::verify_link(&mut tx, &state.sign_up, state.sign_in.session_mode, hash).await?;
        let verified = verified.ok_or(Error::LinkInvalid)?;
        tx.commit().await?;
        return Ok(verified.redirect_url.map_or(Verified::Page(verified.email_address), Verified::Redirect));
    };
    match render::status_at(&target.status, target.expire_at, now_ms()) {
        "unverified" => {}
        "verified" => return Err(Error::VerificationAlreadyVerified),
        "expired" => return Err(Error::VerificationExpired),
        _ => return Err(Error::LinkInvalid),
    }
    identifications::mark_link_verified(&mut tx, &target.identification_id, &target.verification_id).await?;
    let kind = if target.kind == Kind::Phone.stored() { Kind::Phone } else { Kind::Email };
    shared::after_verified(&mut tx, &target.user_id, kind, &target.identification_id).await?;
    tx.commit().await?;
    tracing::info!(user = %target.user_id, identification = %target.identification_id, "email address verified by link");
    Ok(match target.redirect_url {
        Some(url) => Verified::Redirect(url),
        None => Verified::Page(target.value),
    })
}

fn wants_html(headers: &HeaderMap) -> bool {
    headers
        .get(ACCEPT)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|accept| accept.to_ascii_lowercase().contains("text/html"))
}

fn verified_page(address: &str) -> Response {
    let who = if address.is_empty() {
        "Your email address".to_owned()
    } else {
        format!("<strong>{}</strong>", html::escape(address))
    };
    let body = format!("<p>{who} is verified. You can close this tab and go back to Userdesk.</p>");
    Html(html::page("Email address verified", "Email address verified", Tone::Ok, &body)).into_response()
}

fn signed_in_page() -> Response {
    let body = "<p>Your sign-in is confirmed. Go back to Userdesk: it goes on by itself. You can close this tab.</p>";
    Html(html::page("Signed in", "You’re signed in", Tone::Ok, body)).into_response()
}

fn problem_page(error: &Error, link_for: LinkFor) -> Response {
    let (heading, text) = match (error, link_for) {
        (Error::VerificationAlreadyVerified, LinkFor::SignIn) => (
            "This link was already used",
            "A sign-in link works once. To sign in again, ask Userdesk for a new one.",
        ),
        (Error::VerificationExpired, LinkFor::SignIn) => (
            "This link has expired",
            "Sign-in links work for a short time only. Ask Userdesk to send a new one.",
        ),
        (Error::VerificationAlreadyVerified, _) => (
            "This link was already used",
            "The address it verifies is verified already: there is nothing more to do.",
        ),
        (Error::VerificationExpired, _) => (
            "This link has expired",
            "Verification links work for a short time only. Ask Userdesk to send a new one.",
        ),
        _ => (
            "This link is not valid",
            "It may have been replaced by a newer link: use the one in the latest email, or ask Userdesk to send a new one.",
        ),
    };
    let body = format!("<p>{}</p>", html::escape(text));
    (error.status(), Html(html::page(heading, heading, Tone::Problem, &body))).into_response()
}
