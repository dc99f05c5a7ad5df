//! The start of an OAuth round trip, as connecting an account and signing in share it: what the
//! request asks for (the provider, where to come back, hints for the provider), the provider's
//! endpoints, and the `state` recorded with its PKCE verifier. The callback that ends it is
//! `GET /v1/oauth_callback` (`api::oauth_callback`).

use sqlx::SqliteConnection;

use super::{Endpoints, Failure, Provider};
use crate::error::{Error, FieldError, Result};
use crate::http::form::Params;
use crate::http::validate;
use crate::ids::random_base62;
use crate::state::AppState;
use crate::store::oauth_flows::{self, NewState, Purpose};

/// The provider of `strategy`, if this instance offers it (else 422 naming `strategy`).
pub fn provider_for(state: &AppState, strategy: &str) -> Result<std::sync::Arc<Provider>> {
    state.oauth.provider(strategy).ok_or_else(|| {
        FieldError::value_invalid(
            "strategy",
            format!("`{strategy}` is not a provider enabled on this instance; the environment's `user_settings.social` lists them."),
        )
        .into()
    })
}

/// Refuses params of the spec that this server does not implement, by name.
pub fn refuse_unsupported(params: &Params, names: &[&str]) -> Result<()> {
    for name in names {
        if params.contains(name) {
            return Err(FieldError::value_invalid(
                name,
                format!("`{name}` is not supported by Userdesk's account server with this strategy."),
            )
            .into());
        }
    }
    Ok(())
}

/// `redirect_url` (required) and `action_complete_redirect_url`, each on the allowlist: the
/// app's schemes and loopback `http(s)`.
pub fn redirect_urls(state: &AppState, params: &Params) -> Result<(String, Option<String>)> {
    let schemes = &state.verification.redirect_schemes;
    let redirect_url = validate::redirect_url("redirect_url", params.required("redirect_url")?, schemes)?;
    let complete = params
        .one("action_complete_redirect_url")?
        .filter(|url| !url.is_empty())
        .map(|url| validate::redirect_url("action_complete_redirect_url", url, schemes))
        .transpose()?;
    Ok((redirect_url, complete))
}

/// `oidc_login_hint` and `oidc_prompt`, forwarded to the provider as `login_hint` and `prompt`.
pub fn oidc_hints(params: &Params) -> Result<Vec<(&'static str, String)>> {
    let mut hints = Vec::new();
    if let Some(hint) = params.one("oidc_login_hint")?.filter(|hint| !hint.is_empty()) {
        if hint.chars().count() > 256 || hint.chars().any(char::is_control) {
            return Err(FieldError::format_invalid(
                "oidc_login_hint",
                "`oidc_login_hint` must be at most 256 characters of text.",
            )
            .into());
        }
        hints.push(("login_hint", hint.to_owned()));
    }
    if let Some(prompt) = params.one("oidc_prompt")?.filter(|prompt| !prompt.is_empty()) {
        if !prompt.split(' ').all(|value| matches!(value, "none" | "login" | "consent" | "select_account")) {
            return Err(FieldError::value_invalid(
                "oidc_prompt",
                "`oidc_prompt` takes `none`, `login`, `consent` and `select_account`, space-separated.",
            )
            .into());
        }
        hints.push(("prompt", prompt.to_owned()));
    }
    Ok(hints)
}

/// One round trip about to start.
#[derive(Debug, Clone, Copy)]
pub struct RoundTrip<'a> {
    pub client_id: &'a str,
    pub provider: &'a Provider,
    pub endpoints: &'a Endpoints,
    pub purpose: Purpose,
    pub external_account_id: Option<&'a str>,
    pub sign_in_id: Option<&'a str>,
    pub scopes: &'a [String],
    /// Extra parameters for the provider (`login_hint`, `prompt`).
    pub hints: &'a [(&'static str, String)],
    pub redirect_url: &'a str,
    pub action_complete_redirect_url: Option<&'a str>,
    /// The app's user agent, for the session a sign-in opens.
    pub user_agent: Option<&'a str>,
    pub expire_at: i64,
}

/// The provider's endpoints, or 502 `oauth_provider_unreachable` when its discovery document
/// cannot be read.
pub async fn endpoints(state: &AppState, provider: &Provider) -> Result<Endpoints> {
    state.oauth.endpoints(provider).await.map_err(|failure| {
        tracing::warn!(strategy = %provider.strategy, "OAuth provider unusable: {failure}");
        Error::OAuthProviderUnreachable(match failure {
            Failure::Unreachable(why) | Failure::TokenExchange(why) | Failure::FetchUser(why) => why,
        })
    })
}

/// Records a new round trip; returns the provider's authorization URL to send the person to.
pub async fn begin(state: &AppState, conn: &mut SqliteConnection, trip: RoundTrip<'_>) -> Result<String> {
    // 256 bits each; the verifier's alphabet is a subset of RFC 7636's.
    let oauth_state = random_base62(43);
    let verifier = random_base62(64);
    let hints: Vec<(&str, String)> = trip.hints.iter().map(|(name, value)| (*name, value.clone())).collect();
    let authorize_url = state.oauth.authorize_url(
        trip.provider,
        trip.endpoints,
        &oauth_state,
        &verifier,
        trip.scopes,
        &hints,
    );
    let authorize_url = match &state.desktop {
        Some(desktop) => {
            let lifetime = state.oauth.state_lifetime;
            // The browser comes back to the callback with `state`: in desktop mode that is its
            // capability (a provider's redirect can carry nothing else of ours).
            desktop.allow(
                &oauth_state,
                axum::http::Method::GET,
                super::CALLBACK_PATH,
                &oauth_state,
                lifetime,
            );
            // The development provider's consent page is this server too.
            if trip.provider.development {
                crate::desktop::link(state, authorize_url, &oauth_state, lifetime)
            } else {
                authorize_url
            }
        }
        None => authorize_url,
    };
    oauth_flows::insert_state(
        conn,
        &NewState {
            state: &oauth_state,
            client_id: trip.client_id,
            strategy: &trip.provider.strategy,
            purpose: trip.purpose,
            external_account_id: trip.external_account_id,
            sign_in_id: trip.sign_in_id,
            pkce_verifier: &verifier,
            scopes: &trip.scopes.join(" "),
            authorize_url: &authorize_url,
            redirect_url: trip.redirect_url,
            action_complete_redirect_url: trip.action_complete_redirect_url,
            user_agent: trip.user_agent,
            expire_at: trip.expire_at,
        },
    )
    .await?;
    Ok(authorize_url)
}
