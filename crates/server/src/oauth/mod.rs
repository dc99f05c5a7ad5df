//! OAuth: the providers this instance offers, the server's side of talking to them, and the
//! development provider that stands in for every seed provider on a development instance.
//!
//! A provider is either configured ([`OAuthProviderConfig`]: client credentials and endpoints,
//! read by OIDC discovery or given) or, in development mode, the built-in development provider
//! (`/dev/oauth/{provider}/…`, [`dev_provider`]): a real OAuth 2.0 authorization server that the
//! server reaches over HTTP like any other.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use oauth2::RedirectUrl;
use url::Url;

use crate::config::{Config, Mode};
use crate::error::{Error, Result};

pub mod catalog;
pub mod client;
pub mod config;
pub mod dev_provider;
pub mod identity;
pub mod round_trip;

pub use client::Failure;
pub use config::{ClientAuth, OAuthConfigFile, OAuthProviderConfig, UserInfoFormat};
pub use identity::Identity;

/// Where a provider's endpoints are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoints {
    /// The authorization endpoint.
    pub authorize: Url,
    /// The token endpoint.
    pub token: Url,
    /// The user-info endpoint.
    pub userinfo: Url,
}

#[derive(Debug)]
enum Source {
    Fixed(Endpoints),
    /// Read from the issuer when first needed, and kept once read (a failed read is tried again
    /// next time: the provider may be back).
    Discovery {
        issuer: String,
        found: tokio::sync::Mutex<Option<Endpoints>>,
    },
}

/// A provider people can connect or sign in with.
#[derive(Debug)]
pub struct Provider {
    /// Its strategy (`oauth_github`).
    pub strategy: String,
    /// The name people see.
    pub name: String,
    /// The scopes every authorization asks for.
    pub default_scopes: Vec<String>,
    /// `true` for the development provider.
    pub development: bool,
    client_id: String,
    client_secret: Option<String>,
    userinfo_format: UserInfoFormat,
    client_auth: ClientAuth,
    source: Source,
}

/// The instance's OAuth providers and the settings of their round trips.
#[derive(Debug)]
pub struct OAuth {
    providers: BTreeMap<String, Arc<Provider>>,
    http: reqwest::Client,
    /// For the development provider, which is this server (with the desktop secret in desktop
    /// mode).
    own_http: reqwest::Client,
    callback_url: RedirectUrl,
    /// How long a round trip's `state` holds.
    pub state_lifetime: Duration,
    /// How long a `rotating_token_nonce` holds.
    pub nonce_lifetime: Duration,
    /// The development provider (development mode only).
    pub dev: Option<Arc<dev_provider::DevProvider>>,
}

/// The OAuth callback's path; the redirect URI registered at every provider is the server's URL
/// and this.
pub const CALLBACK_PATH: &str = "/v1/oauth_callback";

impl OAuth {
    /// The providers of `config` for a server at `base_url`: the configured ones, and in
    /// development mode the development provider for every seed provider not configured (unless
    /// `oauth_development_providers` is off). Configurations are checked here.
    pub fn new(config: &Config, base_url: &str) -> Result<Self> {
        let invalid =
            |strategy: &str, why: String| Error::InvalidConfig(format!("OAuth provider {strategy}: {why}"));
        let mut providers = BTreeMap::new();
        for provider in &config.oauth_providers {
            let strategy = provider.strategy.as_str();
            if !catalog::is_strategy(strategy) {
                return Err(invalid(
                    strategy,
                    "the strategy must be oauth_<provider> or oauth_custom_<name> (lower-case letters, digits, _)".into(),
                ));
            }
            if provider.client_id.trim().is_empty() {
                return Err(invalid(strategy, "client_id is empty".into()));
            }
            let built = configured(provider).map_err(|why| invalid(strategy, why))?;
            if providers.insert(strategy.to_owned(), Arc::new(built)).is_some() {
                return Err(invalid(strategy, "configured twice".into()));
            }
        }
        let dev = if config.mode.is_development() && config.oauth_development_providers {
            Some(Arc::new(dev_provider::DevProvider::open(base_url, &config.data_dir)?))
        } else {
            None
        };
        if let Some(dev) = &dev {
            for known in &catalog::KNOWN {
                let strategy = format!("oauth_{}", known.key);
                if !providers.contains_key(&strategy) {
                    providers.insert(strategy.clone(), Arc::new(dev.provider(known)));
                }
            }
        }
        for provider in providers.values() {
            let kind = if provider.development { "development provider" } else { "configured" };
            tracing::debug!(strategy = %provider.strategy, "OAuth provider: {kind}");
        }
        let callback_url = RedirectUrl::new(format!("{base_url}{CALLBACK_PATH}"))
            .map_err(|e| Error::InvalidConfig(format!("the OAuth callback URL: {e}")))?;
        let http = client::http_client(config.oauth_http_timeout);
        let own_http = match (config.mode, config.desktop_secret()) {
            (Mode::Desktop, Some(secret)) => client::own_http_client(config.oauth_http_timeout, secret),
            _ => http.clone(),
        };
        Ok(Self {
            providers,
            http,
            own_http,
            callback_url,
            state_lifetime: config.oauth_state_lifetime,
            nonce_lifetime: config.oauth_nonce_lifetime,
            dev,
        })
    }

    /// The provider of `strategy`, if the instance offers it.
    pub fn provider(&self, strategy: &str) -> Option<Arc<Provider>> {
        self.providers.get(strategy).cloned()
    }

    /// Every provider, by strategy.
    pub fn providers(&self) -> impl Iterator<Item = &Provider> {
        self.providers.values().map(|provider| provider.as_ref())
    }

    /// The provider's endpoints (discovering them first if needed).
    pub async fn endpoints(&self, provider: &Provider) -> Result<Endpoints, Failure> {
        match &provider.source {
            Source::Fixed(endpoints) => Ok(endpoints.clone()),
            Source::Discovery { issuer, found } => {
                let mut found = found.lock().await;
                if let Some(endpoints) = found.as_ref() {
                    return Ok(endpoints.clone());
                }
                let endpoints = client::discover(self.http_for(provider), issuer).await?;
                *found = Some(endpoints.clone());
                Ok(endpoints)
            }
        }
    }

    /// The authorization URL of one round trip (see [`client::authorize_url`]).
    pub fn authorize_url(
        &self,
        provider: &Provider,
        endpoints: &Endpoints,
        state: &str,
        verifier: &str,
        scopes: &[String],
        extra: &[(&str, String)],
    ) -> String {
        client::authorize_url(provider, endpoints, &self.callback_url, state, verifier, scopes, extra)
    }

    /// Exchanges the code and reads the person: the whole back channel of a round trip.
    pub async fn identify(
        &self,
        provider: &Provider,
        code: &str,
        verifier: &str,
    ) -> Result<(Identity, Option<Vec<String>>), Failure> {
        // Discovery failing now (it worked when the round trip started) is the token exchange
        // failing, as far as the person is concerned.
        let endpoints = self.endpoints(provider).await.map_err(|failure| match failure {
            Failure::Unreachable(why) => Failure::TokenExchange(why),
            other => other,
        })?;
        let http = self.http_for(provider);
        let grant = client::exchange(http, provider, &endpoints, &self.callback_url, code, verifier).await?;
        let identity = client::fetch_identity(http, provider, &endpoints, &grant.access_token).await?;
        Ok((identity, grant.scopes))
    }

    /// The HTTP client for `provider`: only the development provider (this server) gets the one
    /// that carries the desktop secret.
    fn http_for(&self, provider: &Provider) -> &reqwest::Client {
        if provider.development {
            &self.own_http
        } else {
            &self.http
        }
    }
}

/// A configured provider, checked.
fn configured(config: &OAuthProviderConfig) -> Result<Provider, String> {
    let explicit = [&config.authorize_url, &config.token_url, &config.userinfo_url];
    let given = explicit.iter().filter(|url| url.is_some()).count();
    let mut format = config.userinfo_format;
    let source = match (&config.issuer, given) {
        (Some(_), 1..) => return Err("give either issuer or the endpoint URLs, not both".into()),
        (Some(issuer), 0) => {
            client::endpoint_url(issuer)?;
            Source::Discovery { issuer: issuer.clone(), found: tokio::sync::Mutex::new(None) }
        }
        (None, 3) => Source::Fixed(Endpoints {
            authorize: client::endpoint_url(config.authorize_url.as_deref().unwrap_or_default())?,
            token: client::endpoint_url(config.token_url.as_deref().unwrap_or_default())?,
            userinfo: client::endpoint_url(config.userinfo_url.as_deref().unwrap_or_default())?,
        }),
        (None, 0) => match catalog::preset(&config.strategy) {
            Some(catalog::Preset::Issuer(issuer)) => {
                Source::Discovery { issuer: issuer.to_owned(), found: tokio::sync::Mutex::new(None) }
            }
            Some(catalog::Preset::Endpoints(authorize, token, userinfo, preset_format)) => {
                format = format.or(Some(preset_format));
                Source::Fixed(Endpoints {
                    authorize: client::endpoint_url(authorize)?,
                    token: client::endpoint_url(token)?,
                    userinfo: client::endpoint_url(userinfo)?,
                })
            }
            None => {
                return Err("give issuer (OIDC discovery) or authorize_url, token_url and userinfo_url".into())
            }
        },
        (None, _) => return Err("authorize_url, token_url and userinfo_url go together".into()),
    };
    let default_scopes = match &config.scopes {
        Some(scopes) => {
            for scope in scopes {
                if !is_scope(scope) {
                    return Err(format!("{scope:?} is not a scope"));
                }
            }
            scopes.clone()
        }
        None => match catalog::known(&config.strategy) {
            Some(known) => known.scopes.iter().map(|s| (*s).to_owned()).collect(),
            None => ["openid", "email", "profile"].iter().map(|s| (*s).to_owned()).collect(),
        },
    };
    Ok(Provider {
        strategy: config.strategy.clone(),
        name: config.name.clone().unwrap_or_else(|| catalog::display_name(&config.strategy)),
        default_scopes,
        development: false,
        client_id: config.client_id.clone(),
        client_secret: config.client_secret.clone().filter(|secret| !secret.is_empty()),
        userinfo_format: format.unwrap_or(UserInfoFormat::Oidc),
        client_auth: config.client_auth,
        source,
    })
}

/// A scope token (RFC 6749 §3.3): printable ASCII but space, `"` and `\`, at most 128 characters.
pub fn is_scope(scope: &str) -> bool {
    !scope.is_empty()
        && scope.len() <= 128
        && scope.bytes().all(|b| b == 0x21 || (0x23..=0x5b).contains(&b) || (0x5d..=0x7e).contains(&b))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config_with(providers: Vec<OAuthProviderConfig>) -> Config {
        // The development provider keeps its identity key there.
        let dir = tempfile::tempdir().expect("temporary directory").keep();
        let mut config = Config::new(dir);
        config.oauth_providers = providers;
        config
    }

    #[test]
    fn development_fills_in_the_seed_providers_and_configured_ones_win() {
        let mut github = OAuthProviderConfig::new("oauth_github", "real-id");
        github.client_secret = Some("s".into());
        let oauth = OAuth::new(&config_with(vec![github]), "http://127.0.0.1:1").expect("valid");
        assert_eq!(oauth.providers().count(), 14);
        let github = oauth.provider("oauth_github").expect("github");
        assert!(!github.development);
        assert_eq!(github.userinfo_format, UserInfoFormat::Github);
        assert!(oauth.provider("oauth_google").expect("google").development);

        let mut production = config_with(Vec::new());
        production.mode = Mode::Production;
        assert_eq!(OAuth::new(&production, "http://127.0.0.1:1").expect("valid").providers().count(), 0);
    }

    #[test]
    fn bad_configurations_are_refused_at_start() {
        let base = "http://127.0.0.1:1";
        let mut custom = OAuthProviderConfig::new("oauth_custom_acme", "id");
        assert!(OAuth::new(&config_with(vec![custom.clone()]), base).is_err(), "no endpoints");
        custom.issuer = Some("http://sso.acme.example".into());
        assert!(OAuth::new(&config_with(vec![custom.clone()]), base).is_err(), "plain http elsewhere");
        custom.issuer = Some("https://sso.acme.example".into());
        assert!(OAuth::new(&config_with(vec![custom.clone()]), base).is_ok());
        custom.token_url = Some("https://sso.acme.example/token".into());
        assert!(OAuth::new(&config_with(vec![custom.clone()]), base).is_err(), "both");
        custom.issuer = None;
        assert!(OAuth::new(&config_with(vec![custom.clone()]), base).is_err(), "one URL of three");
        custom.token_url = None;
        custom.issuer = Some("https://sso.acme.example".into());
        custom.scopes = Some(vec!["two words".into()]);
        assert!(OAuth::new(&config_with(vec![custom.clone()]), base).is_err(), "a bad scope");
        let bad_name = OAuthProviderConfig::new("github", "id");
        assert!(OAuth::new(&config_with(vec![bad_name]), base).is_err());
        let twice = OAuthProviderConfig::new("oauth_github", "id");
        assert!(OAuth::new(&config_with(vec![twice.clone(), twice]), base).is_err());
    }

    #[test]
    fn scopes() {
        assert!(is_scope("read:user"));
        assert!(is_scope("https://www.googleapis.com/auth/drive.readonly"));
        for bad in ["", "a b", "a\"b", "a\\b", "é"] {
            assert!(!is_scope(bad), "{bad}");
        }
    }
}
