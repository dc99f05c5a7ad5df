//! The development OAuth provider: a real OAuth 2.0 authorization server (authorization code
//! with PKCE S256 and `state`) standing in for each seed provider on a development instance, so
//! that connecting an account and signing in with one work without any account anywhere.
//!
//! Under `/dev/oauth/{provider}/` (e.g. `github`):
//! - `GET authorize`: the consent page (the provider's name, the scopes asked, an editable test
//!   identity, Approve and Deny); `POST authorize` is its form. Approve redirects to the client's
//!   redirect URI with `code` and `state`; Deny with `error=access_denied`. An unknown client or
//!   redirect URI gets an error page, never a redirect (RFC 6749 §4.1.2.1).
//! - `POST token`: the code (single use, 5 minutes, bound to the client, the redirect URI and the
//!   PKCE challenge) for an access token; the client authenticates with its secret (HTTP Basic or
//!   form).
//! - `GET`/`POST userinfo`: OIDC standard claims of the approved identity.
//! - `GET .well-known/openid-configuration`: its discovery document (issuer
//!   `{server}/dev/oauth/{provider}`), so it can also be configured as a custom OIDC provider.
//! - `GET avatar.svg?initials=AB`: a generated picture for the test identities.
//!
//! The consent page's "Testing" choice makes a round trip fail on purpose: the token endpoint
//! answering an error or garbage, the user-info endpoint answering an error or garbage, or either
//! answering too late (after [`SLOW_ANSWER`]).
//!
//! Codes and tokens live in memory: they are worth minutes, and a restart simply ends the round
//! trips under way. The person's id at the provider is derived from the provider and the email
//! address, keyed with a secret of the data directory ([`IDENTITY_KEY_FILE`]): the same test
//! identity is the same person every time here, and a different one on every other install.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use axum::extract::{Path, State};
use axum::http::header::{AUTHORIZATION, CACHE_CONTROL, CONTENT_TYPE, LOCATION, WWW_AUTHENTICATE};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::{Extension, Json, Router};
use oauth2::{PkceCodeChallenge, PkceCodeVerifier};
use serde_json::{json, Value};

use super::catalog::{self, KnownProvider};
use super::config::{ClientAuth, UserInfoFormat};
use super::{Endpoints, Provider, Source, CALLBACK_PATH};
use crate::desktop::Granted;
use crate::http::form::{Form, Params, Query};
use crate::http::html::{self, escape, page as html_page, Tone as HtmlTone};
use crate::ids::{constant_time_eq, now_ms, random_base62};
use crate::state::AppState;

/// How long an authorization code holds.
const CODE_LIFETIME_MS: i64 = 5 * 60 * 1000;
/// How long an access token holds.
const TOKEN_LIFETIME_MS: i64 = 60 * 60 * 1000;
/// How late a "slow" endpoint answers: longer than any sensible client timeout.
pub const SLOW_ANSWER: Duration = Duration::from_secs(10);
/// Most codes or tokens kept at once (older ones are dropped first).
const MAX_GRANTS: usize = 10_000;

/// A way to make a round trip fail, chosen on the consent page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
enum Simulate {
    #[default]
    Nothing,
    TokenError,
    TokenGarbage,
    TokenSlow,
    UserinfoError,
    UserinfoGarbage,
    UserinfoSlow,
}

const SIMULATIONS: [(Simulate, &str, &str); 7] = [
    (Simulate::Nothing, "", "Nothing: behave"),
    (Simulate::TokenError, "token_error", "Token endpoint answers an error"),
    (Simulate::TokenGarbage, "token_garbage", "Token endpoint answers garbage"),
    (Simulate::TokenSlow, "token_slow", "Token endpoint answers too late"),
    (Simulate::UserinfoError, "userinfo_error", "User info answers an error"),
    (Simulate::UserinfoGarbage, "userinfo_garbage", "User info answers garbage"),
    (Simulate::UserinfoSlow, "userinfo_slow", "User info answers too late"),
];

/// The approved test identity.
#[derive(Debug, Clone)]
struct Person {
    sub: String,
    email: String,
    email_verified: bool,
    given_name: String,
    family_name: String,
    username: String,
    picture: String,
}

#[derive(Debug, Clone)]
struct CodeGrant {
    provider: String,
    redirect_uri: String,
    challenge: String,
    scopes: Vec<String>,
    person: Person,
    simulate: Simulate,
    expires_at: i64,
}

#[derive(Debug, Clone)]
struct TokenGrant {
    provider: String,
    person: Person,
    simulate: Simulate,
    expires_at: i64,
}

#[derive(Debug, Default)]
struct Grants {
    codes: HashMap<String, CodeGrant>,
    tokens: HashMap<String, TokenGrant>,
}

/// The development provider's state: its client secret (one per server run) and the grants
/// under way.
#[derive(Debug)]
pub struct DevProvider {
    base_url: String,
    client_secret: String,
    /// Keys the people's ids ([`IDENTITY_KEY_FILE`]).
    identity_key: ring::hmac::Key,
    grants: Mutex<Grants>,
}

/// The client id the server has at the development provider of `key` (`github`).
pub fn client_id(key: &str) -> String {
    format!("userdesk-dev-{key}")
}

/// The file in the data directory with the key of the development provider's people's ids
/// (32 random bytes, hex): an id derived from the provider and the address alone would be the
/// same on every machine, so anyone could claim anyone's.
pub const IDENTITY_KEY_FILE: &str = "dev_oauth_identity_key";

impl DevProvider {
    /// The development provider of a server at `base_url`, keying its people's ids with
    /// `identity_key`.
    pub fn new(base_url: &str, identity_key: &[u8]) -> Self {
        Self {
            base_url: base_url.to_owned(),
            client_secret: random_base62(40),
            identity_key: ring::hmac::Key::new(ring::hmac::HMAC_SHA256, identity_key),
            grants: Mutex::default(),
        }
    }

    /// The development provider of a server at `base_url` with its data in `data_dir`, where
    /// the identity key is kept (made on first use).
    pub fn open(base_url: &str, data_dir: &std::path::Path) -> crate::error::Result<Self> {
        let key = crate::keys::files::read_or_create(&data_dir.join(IDENTITY_KEY_FILE), || {
            let mut bytes = [0u8; 32];
            rand::RngCore::fill_bytes(&mut rand::rng(), &mut bytes);
            Ok(hex::encode(bytes))
        })?;
        Ok(Self::new(base_url, key.trim().as_bytes()))
    }

    fn root(&self, key: &str) -> String {
        format!("{}/dev/oauth/{key}", self.base_url)
    }

    /// The server's client of the development provider standing in for `known`.
    pub(super) fn provider(&self, known: &KnownProvider) -> Provider {
        let root = self.root(known.key);
        let url =
            |path: &str| url::Url::parse(&format!("{root}/{path}")).expect("the server's own URL parses");
        Provider {
            strategy: format!("oauth_{}", known.key),
            name: known.name.to_owned(),
            default_scopes: known.scopes.iter().map(|s| (*s).to_owned()).collect(),
            development: true,
            client_id: client_id(known.key),
            client_secret: Some(self.client_secret.clone()),
            userinfo_format: UserInfoFormat::Oidc,
            client_auth: ClientAuth::Basic,
            source: Source::Fixed(Endpoints {
                authorize: url("authorize"),
                token: url("token"),
                userinfo: url("userinfo"),
            }),
        }
    }

    /// The client id and secret of the development provider standing in for `key`, if it is a
    /// seed provider.
    pub fn client(&self, key: &str) -> Option<(String, String)> {
        known(key).map(|_| (client_id(key), self.client_secret.clone()))
    }

    fn grants(&self) -> MutexGuard<'_, Grants> {
        // Plain maps: a panic elsewhere cannot leave an entry half-written.
        self.grants.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// The routes (mounted in development mode only).
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/dev/oauth/{provider}/authorize", get(consent_page).post(decide))
        .route("/dev/oauth/{provider}/token", axum::routing::post(token))
        .route("/dev/oauth/{provider}/userinfo", get(userinfo).post(userinfo))
        .route("/dev/oauth/{provider}/.well-known/openid-configuration", get(discovery))
        .route("/dev/oauth/{provider}/avatar.svg", get(avatar))
}

fn dev(state: &AppState) -> Option<Arc<DevProvider>> {
    state.oauth.dev.clone()
}

fn known(key: &str) -> Option<&'static KnownProvider> {
    catalog::KNOWN.iter().find(|provider| provider.key == key)
}

fn no_store(mut response: Response) -> Response {
    response.headers_mut().insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// An authorization request, checked.
#[derive(Debug, Clone)]
struct AuthorizationRequest {
    redirect_uri: String,
    state: Option<String>,
    challenge: String,
    scopes: Vec<String>,
}

/// Why an authorization request is refused: `Page` when the client or its redirect URI cannot be
/// trusted (shown, not redirected), `Redirect` (an OAuth error code) otherwise.
enum Refusal {
    Page(String),
    Redirect { redirect_uri: String, state: Option<String>, error: &'static str, description: String },
}

fn read_request(key: &str, params: &Params) -> Result<AuthorizationRequest, Refusal> {
    let one = |name: &str| {
        params.one(name).map_err(|_| Refusal::Page(format!("`{name}` was given more than once.")))
    };
    if one("client_id")? != Some(client_id(key).as_str()) {
        return Err(Refusal::Page("The client is not registered at this provider.".into()));
    }
    let redirect_uri = one("redirect_uri")?.unwrap_or_default().to_owned();
    if !is_registered_redirect(&redirect_uri) {
        return Err(Refusal::Page(format!(
            "The redirect URI is not registered for this client: it must be a Userdesk server's OAuth callback on this machine (http://127.0.0.1:PORT{CALLBACK_PATH})."
        )));
    }
    let state = one("state")?.map(str::to_owned);
    let refuse = |error, description: &str| Refusal::Redirect {
        redirect_uri: redirect_uri.clone(),
        state: state.clone(),
        error,
        description: description.to_owned(),
    };
    if one("response_type")? != Some("code") {
        return Err(refuse("unsupported_response_type", "Only the authorization code flow is supported."));
    }
    let challenge = one("code_challenge")?.unwrap_or_default();
    if one("code_challenge_method")? != Some("S256") || challenge.len() < 43 || challenge.len() > 128 {
        return Err(refuse("invalid_request", "PKCE with S256 is required."));
    }
    let scopes: Vec<String> =
        one("scope")?.unwrap_or_default().split(' ').filter(|s| !s.is_empty()).map(str::to_owned).collect();
    if scopes.iter().any(|scope| !super::is_scope(scope)) || scopes.len() > 50 {
        return Err(refuse("invalid_scope", "The scope is malformed."));
    }
    Ok(AuthorizationRequest { redirect_uri, state, challenge: challenge.to_owned(), scopes })
}

/// The redirect URIs registered for the development clients: any Userdesk server's callback on
/// a loopback address, whatever its port (RFC 8252 §7.3), so that another server on this machine
/// can use this provider as its own.
fn is_registered_redirect(uri: &str) -> bool {
    let Ok(url) = url::Url::parse(uri) else { return false };
    let loopback = super::client::is_loopback(&url);
    url.scheme() == "http"
        && loopback
        && url.path() == CALLBACK_PATH
        && url.query().is_none()
        && url.fragment().is_none()
        && url.username().is_empty()
}

fn redirect_with(redirect_uri: &str, pairs: &[(&str, &str)]) -> Response {
    let mut url = match url::Url::parse(redirect_uri) {
        Ok(url) => url,
        Err(_) => return problem_page(StatusCode::BAD_REQUEST, "The redirect URI is not a URL."),
    };
    {
        let mut query = url.query_pairs_mut();
        for (name, value) in pairs {
            query.append_pair(name, value);
        }
    }
    match HeaderValue::from_str(url.as_str()) {
        Ok(location) => no_store((StatusCode::SEE_OTHER, [(LOCATION, location)]).into_response()),
        Err(_) => problem_page(StatusCode::BAD_REQUEST, "The redirect URI cannot be sent."),
    }
}

fn refused(refusal: Refusal) -> Response {
    match refusal {
        Refusal::Page(why) => problem_page(StatusCode::BAD_REQUEST, &why),
        Refusal::Redirect { redirect_uri, state, error, description } => {
            let mut pairs = vec![("error", error), ("error_description", description.as_str())];
            if let Some(state) = &state {
                pairs.push(("state", state));
            }
            redirect_with(&redirect_uri, &pairs)
        }
    }
}

fn problem_page(status: StatusCode, why: &str) -> Response {
    let body = format!("<p>{}</p>", escape(why));
    no_store(
        (
            status,
            Html(html_page(
                "Authorization refused",
                "This authorization request is not valid",
                HtmlTone::Problem,
                &body,
            )),
        )
            .into_response(),
    )
}

/// The identity on the form, before or after editing.
#[derive(Debug, Clone)]
struct IdentityForm {
    first_name: String,
    last_name: String,
    email: String,
    email_verified: bool,
    username: String,
    avatar_url: String,
    simulate: Simulate,
}

impl IdentityForm {
    fn proposed(dev: &DevProvider, known: &KnownProvider) -> Self {
        let (first, last, username) = known.persona;
        let initials: String = [first, last].iter().filter_map(|name| name.chars().next()).collect();
        Self {
            first_name: first.to_owned(),
            last_name: last.to_owned(),
            email: format!("{username}@{}.example", known.key),
            email_verified: true,
            username: username.to_owned(),
            avatar_url: format!("{}/avatar.svg?initials={initials}", dev.root(known.key)),
            simulate: Simulate::Nothing,
        }
    }

    fn read(params: &Params) -> Self {
        let text = |name: &str| params.one(name).ok().flatten().unwrap_or_default().trim().to_owned();
        let simulate = text("simulate");
        Self {
            first_name: text("first_name"),
            last_name: text("last_name"),
            email: text("email"),
            email_verified: params.contains("email_verified"),
            username: text("username"),
            avatar_url: text("avatar_url"),
            simulate: SIMULATIONS
                .iter()
                .find(|(_, value, _)| *value == simulate)
                .map(|(s, _, _)| *s)
                .unwrap_or_default(),
        }
    }

    /// The person, or what is wrong with the form. Their id is keyed with this data directory's
    /// identity key: the same address is the same person here, and nobody anywhere else.
    fn person(&self, key: &str, identity_key: &ring::hmac::Key) -> Result<Person, String> {
        let email = crate::http::validate::email_address("email", &self.email)
            .map_err(|_| "Enter a valid email address.".to_owned())?;
        for (label, value) in
            [("First name", &self.first_name), ("Last name", &self.last_name), ("Username", &self.username)]
        {
            if value.chars().count() > 256 || value.chars().any(char::is_control) {
                return Err(format!("{label} is too long or has control characters."));
            }
        }
        if !self.avatar_url.is_empty()
            && !url::Url::parse(&self.avatar_url).is_ok_and(|url| matches!(url.scheme(), "http" | "https"))
        {
            return Err("The avatar URL must be an http(s) URL, or empty.".into());
        }
        let tag = ring::hmac::sign(identity_key, format!("{key}:{email}").as_bytes());
        let sub = format!("dev_{}", &hex::encode(tag.as_ref())[..24]);
        Ok(Person {
            sub,
            email,
            email_verified: self.email_verified,
            given_name: self.first_name.clone(),
            family_name: self.last_name.clone(),
            username: self.username.clone(),
            picture: self.avatar_url.clone(),
        })
    }
}

fn hidden(name: &str, value: &str) -> String {
    format!("<input type=\"hidden\" name=\"{}\" value=\"{}\">", escape(name), escape(value))
}

fn text_field(name: &str, label: &str, kind: &str, value: &str, extra: &str) -> String {
    format!(
        "<label for=\"{name}\">{label}</label><input id=\"{name}\" name=\"{name}\" type=\"{kind}\" value=\"{}\"{extra}>",
        escape(value)
    )
}

fn consent_html(
    known: &KnownProvider,
    key: &str,
    request: &AuthorizationRequest,
    identity: &IdentityForm,
    error: Option<&str>,
    capability: Option<&str>,
) -> String {
    let mut body = format!("<style>{}</style>", html::FORM_STYLE);
    body.push_str(&format!(
        "<p><strong>Userdesk</strong> wants to use your {name} account.</p>\
         <p class=\"note\">This is Userdesk's development stand-in for {name}: no real {name} account is involved. \
         Edit the test identity below to be someone else.</p>",
        name = escape(known.name)
    ));
    if let Some(error) = error {
        body.push_str(&format!("<p class=\"error\" role=\"alert\">{}</p>", escape(error)));
    }
    let mut action = format!("/dev/oauth/{key}/authorize");
    if let Some(capability) = capability {
        // In desktop mode the form's POST is a browser request too: it needs its own capability.
        action = format!("{action}?{}={capability}", crate::desktop::CAPABILITY_PARAM);
    }
    body.push_str(&format!("<form method=\"post\" action=\"{}\">", escape(&action)));
    for (name, value) in [
        ("client_id", client_id(key).as_str()),
        ("redirect_uri", request.redirect_uri.as_str()),
        ("response_type", "code"),
        ("code_challenge", request.challenge.as_str()),
        ("code_challenge_method", "S256"),
        ("scope", &request.scopes.join(" ")),
    ] {
        body.push_str(&hidden(name, value));
    }
    if let Some(state) = &request.state {
        body.push_str(&hidden("state", state));
    }
    body.push_str("<fieldset><legend>Access asked for</legend>");
    if request.scopes.is_empty() {
        body.push_str("<p>Your basic profile only.</p>");
    }
    for scope in &request.scopes {
        body.push_str(&format!(
            "<label class=\"check\"><input type=\"checkbox\" name=\"grant:{0}\" checked> <code class=\"scope\">{0}</code></label>",
            escape(scope)
        ));
    }
    body.push_str("</fieldset><fieldset><legend>Test identity</legend><div class=\"row\"><div>");
    body.push_str(&text_field(
        "first_name",
        "First name",
        "text",
        &identity.first_name,
        " autocomplete=\"off\"",
    ));
    body.push_str("</div><div>");
    body.push_str(&text_field(
        "last_name",
        "Last name",
        "text",
        &identity.last_name,
        " autocomplete=\"off\"",
    ));
    body.push_str("</div></div>");
    body.push_str(&text_field(
        "email",
        "Email address",
        "email",
        &identity.email,
        " required autocomplete=\"off\"",
    ));
    body.push_str(&format!(
        "<label class=\"check\"><input type=\"checkbox\" name=\"email_verified\"{}> The provider has verified this address</label>",
        if identity.email_verified { " checked" } else { "" }
    ));
    body.push_str(&text_field("username", "Username", "text", &identity.username, " autocomplete=\"off\""));
    body.push_str(&text_field(
        "avatar_url",
        "Avatar URL",
        "url",
        &identity.avatar_url,
        " autocomplete=\"off\"",
    ));
    body.push_str("<p class=\"note\">The account id at the provider follows from the email address: the same address is the same person.</p></fieldset>");
    body.push_str("<details><summary>Testing: make this round trip fail</summary><label for=\"simulate\">What goes wrong</label><select id=\"simulate\" name=\"simulate\">");
    for (simulate, value, label) in SIMULATIONS {
        let selected = if simulate == identity.simulate { " selected" } else { "" };
        body.push_str(&format!("<option value=\"{value}\"{selected}>{}</option>", escape(label)));
    }
    body.push_str("</select></details>");
    body.push_str(
        "<div class=\"actions\"><button type=\"submit\" name=\"decision\" value=\"deny\">Deny</button>\
         <button type=\"submit\" name=\"decision\" value=\"approve\" class=\"approve\">Approve</button></div></form>",
    );
    html_page(
        &format!("Sign in with {}", known.name),
        &format!("Sign in with {} (development)", known.name),
        HtmlTone::Plain,
        &body,
    )
}

/// In desktop mode, a capability for the consent form's POST, made for the same flow (`state`).
fn form_capability(state: &AppState, key: &str, request: &AuthorizationRequest) -> Option<String> {
    let desktop = state.desktop.as_ref()?;
    let flow = request.state.as_deref().unwrap_or_default();
    Some(desktop.grant(
        axum::http::Method::POST,
        &format!("/dev/oauth/{key}/authorize"),
        flow,
        state.oauth.state_lifetime,
    ))
}

async fn consent_page(
    State(state): State<AppState>,
    Path(key): Path<String>,
    granted: Option<Extension<Granted>>,
    query: crate::error::Result<Query>,
) -> Response {
    let (Some(dev), Some(known)) = (dev(&state), known(&key)) else {
        return problem_page(StatusCode::NOT_FOUND, "There is no such development provider.");
    };
    let Ok(Query(params)) = query else {
        return problem_page(StatusCode::BAD_REQUEST, "The request's parameters cannot be read.");
    };
    match read_request(&key, &params) {
        Ok(request) if !Granted::allows(granted.as_deref(), request.state.as_deref()) => {
            StatusCode::UNAUTHORIZED.into_response()
        }
        Ok(request) => {
            let capability = form_capability(&state, &key, &request);
            let proposed = IdentityForm::proposed(&dev, known);
            let page = consent_html(known, &key, &request, &proposed, None, capability.as_deref());
            no_store(Html(page).into_response())
        }
        Err(refusal) => refused(refusal),
    }
}

async fn decide(
    State(state): State<AppState>,
    Path(key): Path<String>,
    granted: Option<Extension<Granted>>,
    form: crate::error::Result<Form>,
) -> Response {
    let (Some(dev), Some(known)) = (dev(&state), known(&key)) else {
        return problem_page(StatusCode::NOT_FOUND, "There is no such development provider.");
    };
    let Ok(Form(params)) = form else {
        return problem_page(StatusCode::BAD_REQUEST, "The form cannot be read.");
    };
    let request = match read_request(&key, &params) {
        Ok(request) => request,
        Err(refusal) => return refused(refusal),
    };
    // A capability made for another round trip's page does not approve this one.
    if !Granted::allows(granted.as_deref(), request.state.as_deref()) {
        return StatusCode::UNAUTHORIZED.into_response();
    }
    let state_pair = request.state.as_deref().map(|state| ("state", state));
    match params.one("decision").ok().flatten() {
        Some("deny") => {
            let mut pairs =
                vec![("error", "access_denied"), ("error_description", "The person denied access.")];
            pairs.extend(state_pair);
            redirect_with(&request.redirect_uri, &pairs)
        }
        Some("approve") => {
            let identity = IdentityForm::read(&params);
            let person = match identity.person(&key, &dev.identity_key) {
                Ok(person) => person,
                Err(why) => {
                    let capability = form_capability(&state, &key, &request);
                    let page =
                        consent_html(known, &key, &request, &identity, Some(&why), capability.as_deref());
                    return no_store((StatusCode::UNPROCESSABLE_ENTITY, Html(page)).into_response());
                }
            };
            let granted: Vec<String> = request
                .scopes
                .iter()
                .filter(|scope| params.contains(&format!("grant:{scope}")))
                .cloned()
                .collect();
            let code = random_base62(40);
            let now = now_ms();
            {
                let mut grants = dev.grants();
                grants.codes.retain(|_, grant| grant.expires_at > now);
                if grants.codes.len() >= MAX_GRANTS {
                    grants.codes.clear();
                }
                grants.codes.insert(
                    code.clone(),
                    CodeGrant {
                        provider: key.clone(),
                        redirect_uri: request.redirect_uri.clone(),
                        challenge: request.challenge.clone(),
                        scopes: granted,
                        person,
                        simulate: identity.simulate,
                        expires_at: now + CODE_LIFETIME_MS,
                    },
                );
            }
            let mut pairs = vec![("code", code.as_str())];
            pairs.extend(state_pair);
            redirect_with(&request.redirect_uri, &pairs)
        }
        _ => problem_page(StatusCode::BAD_REQUEST, "Choose Approve or Deny."),
    }
}

/// An OAuth error answer of the token endpoint (RFC 6749 §5.2).
fn token_error(status: StatusCode, error: &str, description: &str) -> Response {
    let mut response =
        no_store((status, Json(json!({"error": error, "error_description": description}))).into_response());
    if status == StatusCode::UNAUTHORIZED {
        response
            .headers_mut()
            .insert(WWW_AUTHENTICATE, HeaderValue::from_static("Basic realm=\"userdesk-dev\""));
    }
    response
}

/// The client's credentials: HTTP Basic (form-urlencoded id and secret, RFC 6749 §2.3.1) or the
/// form's `client_id` and `client_secret`.
fn client_credentials(headers: &HeaderMap, params: &Params) -> Option<(String, String)> {
    if let Some(value) = headers.get(AUTHORIZATION).and_then(|v| v.to_str().ok()) {
        let encoded = value.strip_prefix("Basic ").or_else(|| value.strip_prefix("basic "))?;
        let decoded = data_encoding::BASE64.decode(encoded.trim().as_bytes()).ok()?;
        let text = String::from_utf8(decoded).ok()?;
        let (id, secret) = text.split_once(':')?;
        let decode = |part: &str| {
            url::form_urlencoded::parse(format!("x={part}").as_bytes()).next().map(|(_, v)| v.into_owned())
        };
        return Some((decode(id)?, decode(secret)?));
    }
    Some((params.one("client_id").ok()??.to_owned(), params.one("client_secret").ok()??.to_owned()))
}

async fn token(
    State(state): State<AppState>,
    Path(key): Path<String>,
    headers: HeaderMap,
    form: crate::error::Result<Form>,
) -> Response {
    let Some(dev) = dev(&state).filter(|_| known(&key).is_some()) else {
        return token_error(
            StatusCode::NOT_FOUND,
            "invalid_request",
            "There is no such development provider.",
        );
    };
    let Ok(Form(params)) = form else {
        return token_error(StatusCode::BAD_REQUEST, "invalid_request", "The request body cannot be read.");
    };
    let authenticated = client_credentials(&headers, &params).is_some_and(|(id, secret)| {
        id == client_id(&key) && constant_time_eq(secret.as_bytes(), dev.client_secret.as_bytes())
    });
    if !authenticated {
        return token_error(StatusCode::UNAUTHORIZED, "invalid_client", "Client authentication failed.");
    }
    if params.one("grant_type").ok().flatten() != Some("authorization_code") {
        return token_error(
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            "Only authorization_code is supported.",
        );
    }
    let code = params.one("code").ok().flatten().unwrap_or_default();
    // Taken out whatever happens next: a code is good for one try.
    let grant = dev.grants().codes.remove(code);
    let now = now_ms();
    let Some(grant) = grant.filter(|grant| grant.expires_at > now && grant.provider == key) else {
        return token_error(
            StatusCode::BAD_REQUEST,
            "invalid_grant",
            "The code is unknown, used or expired.",
        );
    };
    if params.one("redirect_uri").ok().flatten() != Some(grant.redirect_uri.as_str()) {
        return token_error(StatusCode::BAD_REQUEST, "invalid_grant", "The redirect URI does not match.");
    }
    let verifier = params.one("code_verifier").ok().flatten().unwrap_or_default();
    let challenge = PkceCodeChallenge::from_code_verifier_sha256(&PkceCodeVerifier::new(verifier.to_owned()));
    if verifier.len() < 43 || !constant_time_eq(challenge.as_str().as_bytes(), grant.challenge.as_bytes()) {
        return token_error(StatusCode::BAD_REQUEST, "invalid_grant", "The PKCE verifier does not match.");
    }
    match grant.simulate {
        Simulate::TokenError => {
            return token_error(
                StatusCode::BAD_REQUEST,
                "invalid_grant",
                "Simulated: the provider refused the code.",
            )
        }
        Simulate::TokenGarbage => {
            return (
                StatusCode::OK,
                [(CONTENT_TYPE, "text/html")],
                "<html><body>Service temporarily unavailable</body></html>",
            )
                .into_response()
        }
        Simulate::TokenSlow => tokio::time::sleep(SLOW_ANSWER).await,
        _ => {}
    }
    let access_token = random_base62(40);
    {
        let mut grants = dev.grants();
        grants.tokens.retain(|_, token| token.expires_at > now);
        if grants.tokens.len() >= MAX_GRANTS {
            grants.tokens.clear();
        }
        grants.tokens.insert(
            access_token.clone(),
            TokenGrant {
                provider: key.clone(),
                person: grant.person,
                simulate: grant.simulate,
                expires_at: now + TOKEN_LIFETIME_MS,
            },
        );
    }
    no_store(
        Json(json!({
            "access_token": access_token,
            "token_type": "Bearer",
            "expires_in": TOKEN_LIFETIME_MS / 1000,
            "scope": grant.scopes.join(" "),
        }))
        .into_response(),
    )
}

async fn userinfo(State(state): State<AppState>, Path(key): Path<String>, headers: HeaderMap) -> Response {
    let unauthorized = || {
        let mut response = (
            StatusCode::UNAUTHORIZED,
            Json(json!({"error": "invalid_token", "error_description": "The access token is not valid."})),
        )
            .into_response();
        response
            .headers_mut()
            .insert(WWW_AUTHENTICATE, HeaderValue::from_static("Bearer error=\"invalid_token\""));
        response
    };
    let Some(dev) = dev(&state) else { return unauthorized() };
    let token = headers
        .get(AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.strip_prefix("Bearer ").or_else(|| value.strip_prefix("bearer ")))
        .map(str::trim)
        .unwrap_or_default();
    let grant = dev.grants().tokens.get(token).cloned();
    let Some(grant) = grant.filter(|grant| grant.expires_at > now_ms() && grant.provider == key) else {
        return unauthorized();
    };
    match grant.simulate {
        Simulate::UserinfoError => {
            return (StatusCode::INTERNAL_SERVER_ERROR, Json(json!({"error": "server_error"})))
                .into_response()
        }
        Simulate::UserinfoGarbage => {
            return (StatusCode::OK, [(CONTENT_TYPE, "application/json")], "{\"user\": [unterminated")
                .into_response()
        }
        Simulate::UserinfoSlow => tokio::time::sleep(SLOW_ANSWER).await,
        _ => {}
    }
    let person = grant.person;
    let mut claims = json!({
        "sub": person.sub,
        "email": person.email,
        "email_verified": person.email_verified,
    });
    let full_name = [person.given_name.as_str(), person.family_name.as_str()]
        .iter()
        .filter(|part| !part.is_empty())
        .copied()
        .collect::<Vec<_>>()
        .join(" ");
    for (claim, value) in [
        ("name", full_name.as_str()),
        ("given_name", person.given_name.as_str()),
        ("family_name", person.family_name.as_str()),
        ("preferred_username", person.username.as_str()),
        ("picture", person.picture.as_str()),
    ] {
        if !value.is_empty() {
            claims[claim] = Value::String(value.to_owned());
        }
    }
    no_store(Json(claims).into_response())
}

async fn discovery(State(state): State<AppState>, Path(key): Path<String>) -> Response {
    let (Some(dev), Some(_)) = (dev(&state), known(&key)) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let root = dev.root(&key);
    Json(json!({
        "issuer": root,
        "authorization_endpoint": format!("{root}/authorize"),
        "token_endpoint": format!("{root}/token"),
        "userinfo_endpoint": format!("{root}/userinfo"),
        "response_types_supported": ["code"],
        "grant_types_supported": ["authorization_code"],
        "subject_types_supported": ["public"],
        "code_challenge_methods_supported": ["S256"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        "scopes_supported": ["openid", "email", "profile"],
        "claims_supported": ["sub", "email", "email_verified", "name", "given_name", "family_name", "preferred_username", "picture"],
    }))
    .into_response()
}

async fn avatar(Path(key): Path<String>, query: crate::error::Result<Query>) -> Response {
    let colour = known(&key).map_or("#5f6670", |known| known.colour);
    let initials: String = query
        .ok()
        .and_then(|Query(params)| params.one("initials").ok().flatten().map(str::to_owned))
        .unwrap_or_default()
        .chars()
        .filter(|c| c.is_alphanumeric())
        .take(3)
        .collect::<String>()
        .to_uppercase();
    let svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"128\" height=\"128\" viewBox=\"0 0 128 128\">\
         <rect width=\"128\" height=\"128\" rx=\"64\" fill=\"{colour}\"/>\
         <text x=\"64\" y=\"64\" dy=\".35em\" text-anchor=\"middle\" fill=\"#fff\" \
         font-family=\"system-ui, sans-serif\" font-size=\"48\" font-weight=\"600\">{}</text></svg>",
        escape(if initials.is_empty() { "?" } else { &initials })
    );
    ([(CONTENT_TYPE, "image/svg+xml"), (CACHE_CONTROL, "public, max-age=86400")], svg).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registered_redirects_are_userdesk_callbacks_on_this_machine() {
        for ok in [
            "http://127.0.0.1:4000/v1/oauth_callback",
            "http://localhost:1/v1/oauth_callback",
            "http://[::1]:9/v1/oauth_callback",
        ] {
            assert!(is_registered_redirect(ok), "{ok}");
        }
        for bad in [
            "https://127.0.0.1/v1/oauth_callback",
            "http://evil.example/v1/oauth_callback",
            "http://127.0.0.1/v1/oauth_callback?x=1",
            "http://127.0.0.1/elsewhere",
            "http://u@127.0.0.1/v1/oauth_callback",
            "dev.userdesk.app://oauth-callback",
        ] {
            assert!(!is_registered_redirect(bad), "{bad}");
        }
    }

    #[test]
    fn the_person_follows_from_the_email() {
        let dev = DevProvider::new("http://127.0.0.1:1", b"one data directory");
        let key = &dev.identity_key;
        let known = known("github").expect("github");
        let proposed = IdentityForm::proposed(&dev, known);
        let person = proposed.person("github", key).expect("valid");
        let again = IdentityForm { first_name: "Other".into(), ..proposed.clone() }
            .person("github", key)
            .expect("valid");
        assert_eq!(person.sub, again.sub, "the same address is the same person");
        let other = IdentityForm { email: "x@example.com".into(), ..proposed.clone() }
            .person("github", key)
            .expect("valid");
        assert_ne!(person.sub, other.sub);
        assert_ne!(person.sub, proposed.person("gitlab", key).expect("valid").sub, "and per provider");
        let elsewhere = DevProvider::new("http://127.0.0.1:1", b"another data directory");
        assert_ne!(
            person.sub,
            proposed.person("github", &elsewhere.identity_key).expect("valid").sub,
            "and per data directory"
        );
        assert!(IdentityForm { email: "nope".into(), ..proposed.clone() }.person("github", key).is_err());
        assert!(IdentityForm { avatar_url: "javascript:x".into(), ..proposed }
            .person("github", key)
            .is_err());
    }
}
