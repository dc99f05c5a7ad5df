//! The server as an OAuth client: authorization URLs, the code exchange and the user-info read,
//! over plain HTTP to whatever provider is configured, the development one included (it is
//! reached through its own URLs like any other).
//!
//! Every outbound request has the configured timeout and follows no redirects (a token endpoint
//! that redirects is misconfigured, and following it could send the code elsewhere); answers
//! are read up to [`MAX_ANSWER_BYTES`].

use std::time::Duration;

use oauth2::basic::BasicClient;
use oauth2::{
    AuthType, AuthUrl, AuthorizationCode, ClientId, ClientSecret, CsrfToken, PkceCodeChallenge,
    PkceCodeVerifier, RedirectUrl, RequestTokenError, Scope, TokenResponse, TokenUrl,
};
use reqwest::header::{ACCEPT, AUTHORIZATION};
use serde_json::Value;
use url::Url;

use super::config::{ClientAuth, UserInfoFormat};
use super::identity::{self, Identity};
use super::{Endpoints, Provider};

/// The most of a provider's answer that is read (discovery, user info).
pub const MAX_ANSWER_BYTES: usize = 256 * 1024;

/// Why a round trip with a provider failed (each becomes one of Clerk's codes).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// The provider could not be reached or described itself wrongly (discovery).
    Unreachable(String),
    /// The token endpoint refused the code, could not be reached, or answered something that is
    /// not a token.
    TokenExchange(String),
    /// The user-info endpoint refused the token, could not be reached, or answered something
    /// that names nobody.
    FetchUser(String),
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Failure::Unreachable(why) => write!(f, "provider unreachable: {why}"),
            Failure::TokenExchange(why) => write!(f, "token exchange failed: {why}"),
            Failure::FetchUser(why) => write!(f, "reading the user failed: {why}"),
        }
    }
}

/// What the token endpoint granted.
#[derive(Debug, Clone)]
pub struct Grant {
    /// The access token (used once, for the user info; not stored).
    pub access_token: String,
    /// The scopes granted, when the provider said; otherwise those asked for were granted
    /// (RFC 6749 §5.1).
    pub scopes: Option<Vec<String>>,
}

/// The HTTP client for providers.
pub fn http_client(timeout: Duration) -> reqwest::Client {
    http_client_with(timeout, reqwest::header::HeaderMap::new())
}

/// The HTTP client for this server's own development provider in desktop mode: every request
/// carries the desktop secret, as the server's own guard requires. Never used for another
/// provider, which must not see the secret.
pub fn own_http_client(timeout: Duration, secret: &str) -> reqwest::Client {
    let mut headers = reqwest::header::HeaderMap::new();
    match reqwest::header::HeaderValue::from_str(secret) {
        Ok(mut value) => {
            value.set_sensitive(true);
            headers.insert(crate::desktop::SECRET_HEADER, value);
        }
        // A generated secret is hex; were it not, the round trips fail with 401, visibly.
        Err(_) => tracing::error!("the desktop secret is not a header value"),
    }
    http_client_with(timeout, headers)
}

fn http_client_with(timeout: Duration, headers: reqwest::header::HeaderMap) -> reqwest::Client {
    reqwest::Client::builder()
        .default_headers(headers)
        .timeout(timeout)
        .connect_timeout(timeout)
        .redirect(reqwest::redirect::Policy::none())
        // GitHub's API refuses requests without one.
        .user_agent(concat!("Userdesk/", env!("CARGO_PKG_VERSION")))
        .build()
        .unwrap_or_else(|error| {
            // Only a broken TLS backend fails here; the default client has no timeout, so say so.
            tracing::error!("cannot build the OAuth HTTP client ({error}); using the default one");
            reqwest::Client::new()
        })
}

/// `true` when the URL's host is this machine (`localhost`, `127.0.0.0/8`, `[::1]`).
pub fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(name)) => name.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

/// An endpoint URL from a configuration or a discovery document: `https`, or `http` to this
/// machine (a development or test provider).
pub fn endpoint_url(text: &str) -> Result<Url, String> {
    let url = Url::parse(text).map_err(|e| format!("{text:?} is not a URL ({e})"))?;
    match url.scheme() {
        "https" => {}
        "http" if is_loopback(&url) => {}
        _ => return Err(format!("{text:?} must be an https URL (or http on this machine)")),
    }
    if url.fragment().is_some() || !url.username().is_empty() || url.password().is_some() {
        return Err(format!("{text:?} must have no fragment and no user info"));
    }
    Ok(url)
}

/// The provider's authorization URL for one round trip: the code flow with `state`, the PKCE
/// challenge of `verifier` (S256), `scopes`, and `extra` parameters (`login_hint`, `prompt`).
pub fn authorize_url(
    provider: &Provider,
    endpoints: &Endpoints,
    callback_url: &RedirectUrl,
    state: &str,
    verifier: &str,
    scopes: &[String],
    extra: &[(&str, String)],
) -> String {
    let client = BasicClient::new(ClientId::new(provider.client_id.clone()))
        .set_auth_uri(AuthUrl::from_url(endpoints.authorize.clone()))
        .set_redirect_uri(callback_url.clone());
    let challenge = PkceCodeChallenge::from_code_verifier_sha256(&PkceCodeVerifier::new(verifier.to_owned()));
    let mut request = client
        .authorize_url(|| CsrfToken::new(state.to_owned()))
        .add_scopes(scopes.iter().cloned().map(Scope::new))
        .set_pkce_challenge(challenge);
    for (name, value) in extra {
        request = request.add_extra_param(*name, value.clone());
    }
    let (url, _) = request.url();
    url.to_string()
}

/// Exchanges the authorization code (with the PKCE verifier) at the token endpoint.
pub async fn exchange(
    http: &reqwest::Client,
    provider: &Provider,
    endpoints: &Endpoints,
    callback_url: &RedirectUrl,
    code: &str,
    verifier: &str,
) -> Result<Grant, Failure> {
    let mut client = BasicClient::new(ClientId::new(provider.client_id.clone()))
        .set_token_uri(TokenUrl::from_url(endpoints.token.clone()))
        .set_redirect_uri(callback_url.clone())
        .set_auth_type(match provider.client_auth {
            ClientAuth::Basic => AuthType::BasicAuth,
            ClientAuth::Post => AuthType::RequestBody,
        });
    if let Some(secret) = &provider.client_secret {
        client = client.set_client_secret(ClientSecret::new(secret.clone()));
    }
    let answer = client
        .exchange_code(AuthorizationCode::new(code.to_owned()))
        .set_pkce_verifier(PkceCodeVerifier::new(verifier.to_owned()))
        .request_async(http)
        .await;
    match answer {
        Ok(token) => Ok(Grant {
            access_token: token.access_token().secret().clone(),
            // GitHub separates its scopes with commas.
            scopes: token.scopes().map(|scopes| {
                scopes
                    .iter()
                    .flat_map(|scope| {
                        scope.split(',').map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned)
                    })
                    .collect()
            }),
        }),
        Err(RequestTokenError::ServerResponse(error)) => {
            Err(Failure::TokenExchange(format!("the provider answered {}", error.error())))
        }
        Err(RequestTokenError::Request(error)) => {
            Err(Failure::TokenExchange(format!("request failed: {error}")))
        }
        Err(RequestTokenError::Parse(error, _)) => {
            Err(Failure::TokenExchange(format!("the answer is not a token: {error}")))
        }
        Err(RequestTokenError::Other(why)) => Err(Failure::TokenExchange(why)),
    }
}

/// Reads the person behind `access_token` from the user-info endpoint.
pub async fn fetch_identity(
    http: &reqwest::Client,
    provider: &Provider,
    endpoints: &Endpoints,
    access_token: &str,
) -> Result<Identity, Failure> {
    let body =
        get_json(http, endpoints.userinfo.clone(), Some(access_token)).await.map_err(Failure::FetchUser)?;
    let mut identity = identity::from_userinfo(provider.userinfo_format, &body)
        .ok_or_else(|| Failure::FetchUser("the user info names nobody".into()))?;
    if provider.userinfo_format == UserInfoFormat::Github && identity.email_address.is_none() {
        // A private address is only in `/user/emails` (with the `user:email` scope); without it
        // the account simply has no address.
        let mut emails = endpoints.userinfo.clone();
        if let Ok(mut path) = emails.path_segments_mut() {
            path.pop_if_empty().push("emails");
        }
        if let Ok(body) = get_json(http, emails, Some(access_token)).await {
            identity.email_address = identity::github_primary_email(&body);
            identity.email_verified = identity.email_address.is_some();
        }
    }
    Ok(identity)
}

/// The endpoints an OIDC issuer publishes (OpenID Connect Discovery 1.0 §4); the document must
/// name the same issuer (§4.3).
pub async fn discover(http: &reqwest::Client, issuer: &str) -> Result<Endpoints, Failure> {
    let base = issuer.trim_end_matches('/');
    let url =
        endpoint_url(&format!("{base}/.well-known/openid-configuration")).map_err(Failure::Unreachable)?;
    let document = get_json(http, url, None).await.map_err(Failure::Unreachable)?;
    let field = |name: &str| {
        document
            .get(name)
            .and_then(Value::as_str)
            .ok_or_else(|| Failure::Unreachable(format!("the discovery document has no {name}")))
    };
    if field("issuer")?.trim_end_matches('/') != base {
        return Err(Failure::Unreachable(format!(
            "the discovery document names another issuer than {issuer}"
        )));
    }
    let endpoint = |name: &str| field(name).and_then(|text| endpoint_url(text).map_err(Failure::Unreachable));
    Ok(Endpoints {
        authorize: endpoint("authorization_endpoint")?,
        token: endpoint("token_endpoint")?,
        userinfo: endpoint("userinfo_endpoint")?,
    })
}

/// GETs a JSON document (with a bearer token if given), within [`MAX_ANSWER_BYTES`].
async fn get_json(http: &reqwest::Client, url: Url, bearer: Option<&str>) -> Result<Value, String> {
    let mut request = http.get(url).header(ACCEPT, "application/json");
    if let Some(token) = bearer {
        request = request.header(AUTHORIZATION, format!("Bearer {token}"));
    }
    let mut response = request.send().await.map_err(|e| describe(&e))?;
    let status = response.status();
    if !status.is_success() {
        return Err(format!("the provider answered HTTP {status}"));
    }
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(|e| describe(&e))? {
        if body.len() + chunk.len() > MAX_ANSWER_BYTES {
            return Err(format!("the answer is larger than {MAX_ANSWER_BYTES} bytes"));
        }
        body.extend_from_slice(&chunk);
    }
    serde_json::from_slice(&body).map_err(|e| format!("the answer is not JSON ({e})"))
}

fn describe(error: &reqwest::Error) -> String {
    if error.is_timeout() {
        "the provider did not answer in time".into()
    } else if error.is_connect() {
        "the provider could not be reached".into()
    } else {
        format!("request failed: {error}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints_are_https_or_on_this_machine() {
        assert!(endpoint_url("https://sso.example.com/authorize?tenant=a").is_ok());
        assert!(endpoint_url("http://127.0.0.1:8080/token").is_ok());
        assert!(endpoint_url("http://localhost/userinfo").is_ok());
        for bad in ["http://sso.example.com/token", "ftp://x/", "https://u:p@x/", "https://x/#f", "not a url"]
        {
            assert!(endpoint_url(bad).is_err(), "{bad}");
        }
    }
}
