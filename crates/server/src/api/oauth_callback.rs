//! `GET`/`POST /v1/oauth_callback`: where every provider sends the browser back, and the rest
//! of an OAuth round trip (RFC 8252: PKCE for every flow, `state` bound to the client that
//! started it, single use, expiring).
//!
//! Starting a round trip ([`crate::oauth::round_trip::begin`]) keeps its `state` (hashed) with the PKCE verifier, what it
//! is for (connecting or reauthorizing an account, or a sign-in), the client, and where to send
//! the browser at the end. The callback then:
//! 1. finds the round trip by `state`: unknown or forged → 400 `oauth_state_invalid` (a page for
//!    a browser), already used → the same, saying so; nothing is redirected, since nothing in the
//!    request can be trusted to say where. Expired → the account or sign-in shows `expired` with
//!    `verification_expired`.
//! 2. `error=access_denied` from the provider → `oauth_access_denied`; any other `error` →
//!    `oauth_provider_error`;
//! 3. exchanges the code with the PKCE verifier (failure → `oauth_token_exchange_error`) and reads
//!    the person (failure → `oauth_fetch_user_error`), over HTTP with the configured timeout;
//! 4. links the identity: an account becomes `verified` with the person's details and
//!    `approved_scopes` (an identity already linked to any account → `external_account_exists`);
//!    a sign-in completes for the user whose account it is, or becomes `transferable` for a
//!    sign-up (`api::sign_ins`, `api::sign_ups`).
//!
//! It ends with a 303: on success to `action_complete_redirect_url` (or `redirect_url`) for a
//! verified account or completed sign-in, to `redirect_url` for a transferable one, with
//! `rotating_token_nonce`; on failure to `redirect_url` with `__clerk_status=failed` and
//! `__clerk_error_code`. Those are appended to the URL's own query, which stays as it was (the
//! app's `flow=…`). A failure changes nothing but the verification: an account never linked
//! stays unlinked.
//!
//! The nonce is single use, lives [`crate::Config::oauth_nonce_lifetime`], and only the client
//! that started the round trip can present it ([`redeem_nonce`], on any FAPI request such as
//! `GET /v1/me` or `GET /v1/client/sign_ins/{id}`). The client's token is not rotated: it never
//! left the app (the browser carried only `state`), and rotating it would lock the client out if
//! the response were lost.

use axum::extract::{Request, State};
use axum::http::header::{ACCEPT, CACHE_CONTROL, LOCATION};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use userdesk_fapi::models::ClerkError;

use crate::domain;
use crate::error::{Error, Result};
use crate::http::form::{FormWithArrays, Params, Query};
use crate::http::html::{self, Tone};
use crate::http::native_client::CurrentClient;
use crate::ids::now_ms;
use crate::oauth::{Failure, Identity, CALLBACK_PATH};
use crate::state::AppState;
use crate::store::external_accounts::{self, IdentityTaken};
use crate::store::oauth_flows::{self, Purpose, StateRow};
use crate::store::sessions::Activity;
use crate::store::users;

/// The routes.
pub fn router() -> Router<AppState> {
    Router::new().route(CALLBACK_PATH, get(callback).post(post_callback))
}

/// Why a round trip failed, in Clerk's terms.
#[derive(Debug, Clone)]
enum Problem {
    Expired,
    Denied,
    ProviderError(String),
    Failed(Failure),
    AccountExists {
        own: bool,
    },
    IdentityMismatch,
    SignedInAlready,
    /// Multi-session mode: the provider's person is already signed in on this client.
    PersonSignedInAlready,
    /// The user is locked after too many failed sign-ins (`domain::lockout`): a provider is a
    /// first factor like the password, and is refused as it is.
    Locked,
}

impl Problem {
    /// The verification's status and the error it shows.
    fn status_and_error(&self, provider: &str) -> (&'static str, ClerkError) {
        let failed =
            |code: &str, message: &str, long: String| ("failed", ClerkError::new(code, message, long));
        match self {
            Problem::Expired => (
                "expired",
                ClerkError::new(
                    "verification_expired",
                    "expired",
                    format!("The sign-in with {provider} took too long and has expired. Try again."),
                ),
            ),
            Problem::Denied => failed(
                "oauth_access_denied",
                "Access denied",
                format!("You did not allow access at {provider}, so nothing was connected."),
            ),
            Problem::ProviderError(error) => failed(
                "oauth_provider_error",
                "The provider reported an error",
                format!("{provider} ended the sign-in with an error ({error}). Try again."),
            ),
            Problem::Failed(Failure::TokenExchange(_) | Failure::Unreachable(_)) => failed(
                "oauth_token_exchange_error",
                "The provider did not complete the sign-in",
                format!("{provider} did not exchange the authorization code for a token. Try again."),
            ),
            Problem::Failed(Failure::FetchUser(_)) => failed(
                "oauth_fetch_user_error",
                "The provider did not share your profile",
                format!("Your profile could not be read from {provider}. Try again."),
            ),
            Problem::AccountExists { own: true } => failed(
                "external_account_exists",
                "Already connected",
                format!("This {provider} account is already connected to your account."),
            ),
            Problem::AccountExists { own: false } => failed(
                "external_account_exists",
                "Already connected to another account",
                format!("This {provider} account is already connected to another user."),
            ),
            Problem::IdentityMismatch => failed(
                "external_account_identity_mismatch",
                "A different account",
                format!("You signed in to {provider} as someone other than the connected account. Sign in as that account, or connect this one separately."),
            ),
            Problem::SignedInAlready => failed(
                "session_exists",
                "Session already exists",
                "You're already signed in. Sign out before signing in again.".into(),
            ),
            Problem::PersonSignedInAlready => failed(
                "identifier_already_signed_in",
                "You're already signed in",
                "You're already signed in on this device with this account.".into(),
            ),
            Problem::Locked => failed(
                "user_locked",
                "Account locked",
                "Your account is locked after too many failed sign-in attempts. Try again later.".into(),
            ),
        }
    }
}

/// What a successful round trip achieved.
enum Done {
    /// The account is verified, or the sign-in complete.
    Complete,
    /// The sign-in goes on: a sign-up for an identity no user has (`transferable`), or the
    /// user's second factor.
    Continues,
}

/// `url` with `pairs` appended to its query; what was there stays as it was.
fn with_params(url: &str, pairs: &[(&str, &str)]) -> String {
    match url::Url::parse(url) {
        Ok(mut parsed) => {
            parsed.query_pairs_mut().extend_pairs(pairs);
            parsed.to_string()
        }
        // Checked when the round trip started; kept whole if it no longer parses.
        Err(_) => {
            let encoded = url::form_urlencoded::Serializer::new(String::new()).extend_pairs(pairs).finish();
            let separator = if url.contains('?') { '&' } else { '?' };
            format!("{url}{separator}{encoded}")
        }
    }
}

fn wants_html(headers: &HeaderMap) -> bool {
    headers
        .get(ACCEPT)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|accept| accept.to_ascii_lowercase().contains("text/html"))
}

fn problem_page(error: &Error) -> Response {
    let (heading, text) = match error {
        Error::OAuthStateInvalid { used: true } => (
            "This sign-in was already completed",
            "The response from the provider was already used. If you are not signed in, start again from Userdesk.",
        ),
        _ => (
            "This sign-in is not valid",
            "It does not belong to a sign-in started here, or a newer attempt replaced it. Start again from Userdesk.",
        ),
    };
    let body = format!("<p>{}</p>", html::escape(text));
    (error.status(), Html(html::page(heading, heading, Tone::Problem, &body))).into_response()
}

async fn callback(State(state): State<AppState>, headers: HeaderMap, query: Result<Query>) -> Response {
    let outcome = match query {
        Ok(Query(params)) => finish(&state, &params).await,
        Err(_) => Err(Error::OAuthStateInvalid { used: false }),
    };
    let mut response = match outcome.and_then(|location| {
        HeaderValue::from_str(&location)
            .map_err(|_| Error::Internal("a redirect URL is not a header value".into()))
    }) {
        Ok(location) => (StatusCode::SEE_OTHER, [(LOCATION, location)]).into_response(),
        Err(error) if wants_html(&headers) && !error.status().is_server_error() => problem_page(&error),
        Err(error) => error.into_response(),
    };
    response.headers_mut().insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// Some providers come back with a POST (`response_mode=form_post`): the same parameters, as a
/// GET (the spec's 303).
async fn post_callback(State(state): State<AppState>, form: Result<FormWithArrays>) -> Response {
    let query = match form {
        Ok(form) => url::form_urlencoded::Serializer::new(String::new()).extend_pairs(&form.pairs).finish(),
        Err(error) => return error.into_response(),
    };
    match HeaderValue::from_str(&format!("{}{CALLBACK_PATH}?{query}", state.base_url)) {
        Ok(location) => (StatusCode::SEE_OTHER, [(LOCATION, location)]).into_response(),
        Err(_) => Error::OAuthStateInvalid { used: false }.into_response(),
    }
}

/// Longest `state` or `code` read.
const MAX_PARAM_LENGTH: usize = 2048;

fn param<'a>(params: &'a Params, name: &str) -> Option<&'a str> {
    params.one(name).ok().flatten().filter(|value| !value.is_empty() && value.len() <= MAX_PARAM_LENGTH)
}

/// The callback: returns where to send the browser.
async fn finish(state: &AppState, params: &Params) -> Result<String> {
    let oauth_state = param(params, "state").ok_or(Error::OAuthStateInvalid { used: false })?;
    let row = {
        let mut tx = state.db.write().await?;
        let row = oauth_flows::take_state(&mut tx, oauth_state).await?;
        tx.commit().await?;
        row.ok_or(Error::OAuthStateInvalid { used: false })?
    };
    if row.used_at.is_some() {
        return Err(Error::OAuthStateInvalid { used: true });
    }
    if row.expire_at <= now_ms() {
        return fail(state, &row, Problem::Expired).await;
    }
    if let Some(error) = params.one("error").ok().flatten() {
        let problem = if error == "access_denied" {
            Problem::Denied
        } else {
            Problem::ProviderError(error.chars().filter(char::is_ascii_graphic).take(64).collect())
        };
        return fail(state, &row, problem).await;
    }
    let Some(code) = param(params, "code") else {
        return fail(state, &row, Problem::Failed(Failure::TokenExchange("no code in the callback".into())))
            .await;
    };
    let Some(provider) = state.oauth.provider(&row.strategy) else {
        return fail(
            state,
            &row,
            Problem::Failed(Failure::TokenExchange("the provider is no longer enabled".into())),
        )
        .await;
    };
    match state.oauth.identify(&provider, code, &row.pkce_verifier).await {
        Ok((identity, granted)) => {
            let granted =
                granted.unwrap_or_else(|| row.scopes.split_whitespace().map(str::to_owned).collect());
            match succeed(state, &row, &identity, &granted).await? {
                Ok(done) => {
                    let mut tx = state.db.write().await?;
                    let expire_at = now_ms() + crate::state::millis(state.oauth.nonce_lifetime);
                    let nonce = oauth_flows::insert_nonce(&mut tx, &row.client_id, expire_at).await?;
                    tx.commit().await?;
                    let target = match done {
                        Done::Complete => {
                            row.action_complete_redirect_url.as_deref().unwrap_or(&row.redirect_url)
                        }
                        Done::Continues => &row.redirect_url,
                    };
                    Ok(with_params(target, &[("rotating_token_nonce", &nonce)]))
                }
                Err(problem) => fail(state, &row, problem).await,
            }
        }
        Err(failure) => {
            tracing::warn!(strategy = %row.strategy, "OAuth round trip failed: {failure}");
            fail(state, &row, Problem::Failed(failure)).await
        }
    }
}

/// Records the failure on the account or sign-in; returns where the browser goes.
async fn fail(state: &AppState, row: &StateRow, problem: Problem) -> Result<String> {
    let name = state
        .oauth
        .provider(&row.strategy)
        .map_or_else(|| row.strategy.clone(), |provider| provider.name.clone());
    let (status, error) = problem.status_and_error(&name);
    let stored =
        serde_json::to_string(&error).map_err(|e| Error::Internal(format!("serialising an error: {e}")))?;
    let mut tx = state.db.write().await?;
    match (row.purpose(), &row.external_account_id, &row.sign_in_id) {
        (Purpose::Connect | Purpose::Reauthorize, Some(account_id), _) => {
            external_accounts::fail(&mut tx, account_id, status, &stored).await?;
        }
        (Purpose::SignIn, _, Some(sign_in_id)) => {
            oauth_flows::set_sign_in_verification(&mut tx, sign_in_id, status, Some(&stored)).await?;
        }
        _ => return Err(Error::Internal("a round trip without its account or sign-in".into())),
    }
    tx.commit().await?;
    tracing::info!(strategy = %row.strategy, code = %error.code, "OAuth round trip ended in failure");
    Ok(with_params(&row.redirect_url, &[("__clerk_status", "failed"), ("__clerk_error_code", &error.code)]))
}

/// `previous` and `granted`, without repeats, space-separated.
fn union(previous: &str, granted: &[String]) -> String {
    let mut all: Vec<&str> = previous.split_whitespace().collect();
    for scope in granted {
        if !all.contains(&scope.as_str()) {
            all.push(scope);
        }
    }
    all.join(" ")
}

/// Links the identity the round trip proved. The outer `Result` is the database's; the inner
/// one a problem to record (nothing is written then).
async fn succeed(
    state: &AppState,
    row: &StateRow,
    identity: &Identity,
    granted: &[String],
) -> Result<std::result::Result<Done, Problem>> {
    let mut tx = state.db.write().await?;
    let done = match (row.purpose(), &row.external_account_id, &row.sign_in_id) {
        (Purpose::Connect | Purpose::Reauthorize, Some(account_id), _) => {
            let account = external_accounts::find(&mut tx, account_id)
                .await?
                .ok_or(Error::OAuthStateInvalid { used: false })?;
            if account.provider_user_id.as_ref().is_some_and(|linked| linked != &identity.provider_user_id) {
                return Ok(Err(Problem::IdentityMismatch));
            }
            // A reauthorization never takes back what was approved before: providers keep earlier
            // grants (Google's incremental authorization, GitHub's cumulative scopes).
            let approved = if account.is_linked() {
                union(&account.approved_scopes, granted)
            } else {
                granted.join(" ")
            };
            if let Err(IdentityTaken) =
                external_accounts::verify(&mut tx, &account.id, identity, &approved).await?
            {
                let holder =
                    external_accounts::find_linked(&mut tx, &row.strategy, &identity.provider_user_id)
                        .await?;
                let own = holder.is_some_and(|holder| holder.user_id == account.user_id);
                return Ok(Err(Problem::AccountExists { own }));
            }
            users::touch(&mut tx, &account.user_id).await?;
            tracing::info!(user = %account.user_id, account = %account.id, "external account verified");
            Done::Complete
        }
        (Purpose::SignIn, _, Some(sign_in_id)) => {
            match domain::sessions::ensure_room(&mut tx, state.sign_in.session_mode, &row.client_id).await {
                Err(Error::SessionExists) => return Ok(Err(Problem::SignedInAlready)),
                other => other?,
            }
            match external_accounts::find_linked(&mut tx, &row.strategy, &identity.provider_user_id).await? {
                Some(account) => {
                    let user = users::find_row(&mut tx, &account.user_id)
                        .await?
                        .ok_or_else(|| Error::Internal(format!("the user of {} vanished", account.id)))?;
                    match domain::sessions::ensure_not_signed_in(&mut tx, &row.client_id, &user.id).await {
                        Err(Error::AlreadySignedIn { .. }) => return Ok(Err(Problem::PersonSignedInAlready)),
                        other => other?,
                    }
                    match domain::lockout::ensure_unlocked(&mut tx, &state.lockout, &user).await {
                        Err(Error::UserLocked { .. }) => return Ok(Err(Problem::Locked)),
                        other => other?,
                    }
                    let identifier = identity
                        .email_address
                        .clone()
                        .or_else(|| identity.username.clone())
                        .or_else(|| user.username.clone())
                        .unwrap_or_else(|| identity.provider_user_id.clone());
                    external_accounts::refresh(&mut tx, &account.id, identity).await?;
                    if domain::second_factor::required(&mut tx, &user.id).await? {
                        // A provider is a first factor: the user's second factor is still asked.
                        oauth_flows::identify_sign_in(
                            &mut tx,
                            sign_in_id,
                            &user.id,
                            &identifier,
                            "needs_second_factor",
                            None,
                        )
                        .await?;
                        Done::Continues
                    } else {
                        // The app's user agent (kept when it started the sign-in), not the browser's.
                        let activity = Activity { user_agent: row.user_agent.clone(), ip_address: None };
                        let session = domain::sessions::start(
                            &mut tx,
                            &row.client_id,
                            &user.id,
                            &identifier,
                            &row.strategy,
                            &activity,
                        )
                        .await?;
                        oauth_flows::identify_sign_in(
                            &mut tx,
                            sign_in_id,
                            &user.id,
                            &identifier,
                            "complete",
                            Some(&session.id),
                        )
                        .await?;
                        tracing::info!(user = %user.id, session = %session.id, strategy = %row.strategy, "signed in through a provider");
                        Done::Complete
                    }
                }
                None => {
                    oauth_flows::set_sign_in_verification(&mut tx, sign_in_id, "transferable", None).await?;
                    oauth_flows::insert_transfer(
                        &mut tx,
                        sign_in_id,
                        &row.strategy,
                        identity,
                        &granted.join(" "),
                    )
                    .await?;
                    Done::Continues
                }
            }
        }
        _ => return Err(Error::Internal("a round trip without its account or sign-in".into())),
    };
    tx.commit().await?;
    Ok(Ok(done))
}

/// The middleware that honours `rotating_token_nonce` on FAPI requests (after the client is
/// known): the nonce must be this client's, unused and unexpired, and is used up; anything else
/// is 400 `rotating_token_nonce_invalid`.
pub async fn redeem_nonce(
    State(state): State<AppState>,
    client: Option<CurrentClient>,
    request: Request,
    next: Next,
) -> Response {
    let nonce = request
        .uri()
        .query()
        .and_then(|query| Params::parse(query.as_bytes()).ok())
        .and_then(|params| params.one("rotating_token_nonce").ok().flatten().map(str::to_owned));
    if let Some(nonce) = nonce {
        // Without a client there is no round trip of its own to redeem.
        let Some(client) = client else {
            return Error::RotatingTokenNonceInvalid.into_response();
        };
        if let Err(error) = redeem(&state, &client.id, &nonce).await {
            return error.into_response();
        }
    }
    next.run(request).await
}

async fn redeem(state: &AppState, client_id: &str, nonce: &str) -> Result<()> {
    if nonce.is_empty() || nonce.len() > MAX_PARAM_LENGTH {
        return Err(Error::RotatingTokenNonceInvalid);
    }
    let mut tx = state.db.write().await?;
    let redeemed = oauth_flows::redeem_nonce(&mut tx, client_id, nonce).await?;
    tx.commit().await?;
    if redeemed {
        Ok(())
    } else {
        Err(Error::RotatingTokenNonceInvalid)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameters_are_appended_and_the_query_kept() {
        assert_eq!(
            with_params("dev.userdesk.app://oauth-callback?flow=a%2Bb_c", &[("rotating_token_nonce", "n 1")]),
            "dev.userdesk.app://oauth-callback?flow=a%2Bb_c&rotating_token_nonce=n+1"
        );
        assert_eq!(
            with_params("http://127.0.0.1:1420/done#top", &[("__clerk_status", "failed")]),
            "http://127.0.0.1:1420/done?__clerk_status=failed#top"
        );
    }

    #[test]
    fn scope_unions_keep_order() {
        assert_eq!(union("a b", &["b".into(), "c".into()]), "a b c");
        assert_eq!(union("", &["x".into()]), "x");
    }
}
