//! Desktop mode: the embedded server answers only the app that started it.
//!
//! Any process of any user on the machine can reach a loopback port, so in [`Mode::Desktop`]
//! every request must carry the per-launch secret ([`SECRET_HEADER`]) that only the app's
//! process holds; anything else is answered 401 with an empty body, before routing (unknown
//! paths included).
//!
//! Pages a browser opens cannot send a header. For those the server hands out URLs with a
//! one-time capability: a random [`CAPABILITY_PARAM`] query parameter, bound to the method, the
//! path and the flow it was made for, good once and for a short time. The OAuth callback's
//! capability is the round trip's own `state` (a provider appends it; the redirect URI
//! registered there cannot carry anything else).
//!
//! The exceptions: `GET /v1/images/…` (profile pictures the webview shows with `<img>`, which
//! cannot send the header; their ids are random, and Clerk serves them publicly too) and the
//! development provider's generated `avatar.svg` (initials from its own URL).
//!
//! [`Mode::Desktop`]: crate::Mode::Desktop

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use axum::extract::{Request, State};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use rand::RngCore;
use subtle::ConstantTimeEq;

use crate::ids::{now_ms, random_base62, token_hash};
use crate::oauth::CALLBACK_PATH;
use crate::state::{millis, AppState};

/// The header every request to a desktop-mode server carries.
pub const SECRET_HEADER: &str = "x-userdesk-secret";
/// The query parameter of a one-time capability.
pub const CAPABILITY_PARAM: &str = "cap";
/// Most capabilities kept at once (expired ones go first, then all: a flood cannot grow memory).
const MAX_CAPABILITIES: usize = 10_000;

/// The per-launch secret of a desktop-mode server: 256 random bits, hex-encoded. Its `Debug`
/// does not show it, so a logged configuration does not leak it.
#[derive(Clone, PartialEq, Eq)]
pub struct DesktopSecret(Arc<str>);

impl DesktopSecret {
    /// A new random secret (from the OS-seeded generator).
    pub fn generate() -> Self {
        let mut bytes = [0u8; 32];
        rand::rng().fill_bytes(&mut bytes);
        Self(hex::encode(bytes).into())
    }

    /// The header value the app sends.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for DesktopSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DesktopSecret(…)")
    }
}

/// What one capability allows.
#[derive(Debug, Clone)]
struct Capability {
    method: Method,
    path: String,
    flow: String,
    expires_at: i64,
}

/// A request let in by a capability rather than the secret: the flow it was made for, which the
/// handler checks against the request's own (`state`, the link's token).
#[derive(Debug, Clone)]
pub struct Granted {
    pub flow: String,
}

impl Granted {
    /// `true` unless the request came in with a capability made for another flow (a request with
    /// the secret, or on a server not in desktop mode, has none and passes).
    pub fn allows(granted: Option<&Granted>, flow: Option<&str>) -> bool {
        granted.is_none_or(|granted| {
            flow.is_some_and(|flow| bool::from(granted.flow.as_bytes().ct_eq(flow.as_bytes())))
        })
    }
}

/// The secret and the capabilities handed out.
#[derive(Debug)]
pub struct Desktop {
    secret: DesktopSecret,
    /// By the capability's hash: the map's lookup time then says nothing about the capability.
    capabilities: Mutex<HashMap<String, Capability>>,
}

impl Desktop {
    /// The guard of a server whose secret is `secret`.
    pub fn new(secret: DesktopSecret) -> Self {
        Self { secret, capabilities: Mutex::default() }
    }

    fn capabilities(&self) -> MutexGuard<'_, HashMap<String, Capability>> {
        // A plain map: a panic elsewhere cannot leave an entry half-written.
        self.capabilities.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn has_secret(&self, headers: &HeaderMap) -> bool {
        headers
            .get(SECRET_HEADER)
            .is_some_and(|value| bool::from(value.as_bytes().ct_eq(self.secret.expose().as_bytes())))
    }

    /// Records `token` as a capability for one `method` request to `path` within `lifetime`,
    /// made for `flow`.
    pub fn allow(&self, token: &str, method: Method, path: &str, flow: &str, lifetime: Duration) {
        let now = now_ms();
        let mut capabilities = self.capabilities();
        capabilities.retain(|_, capability| capability.expires_at > now);
        if capabilities.len() >= MAX_CAPABILITIES {
            capabilities.clear();
        }
        capabilities.insert(
            token_hash(token),
            Capability {
                method,
                path: path.to_owned(),
                flow: flow.to_owned(),
                expires_at: now.saturating_add(millis(lifetime)),
            },
        );
    }

    /// A new capability for one `method` request to `path`, made for `flow`.
    pub fn grant(&self, method: Method, path: &str, flow: &str, lifetime: Duration) -> String {
        // 256 bits, as the OAuth `state`.
        let token = random_base62(43);
        self.allow(&token, method, path, flow, lifetime);
        token
    }

    /// Takes the capability `token` if it allows this request: whatever the answer, it is gone
    /// (a capability is good for one try).
    fn redeem(&self, token: &str, method: &Method, path: &str) -> Option<Granted> {
        let capability = self.capabilities().remove(&token_hash(token))?;
        (capability.expires_at > now_ms() && capability.method == method && capability.path == path)
            .then_some(Granted { flow: capability.flow })
    }
}

/// `url` with the capability `token` added to its query.
pub fn with_capability(url: &str, token: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut url) => {
            url.query_pairs_mut().append_pair(CAPABILITY_PARAM, token);
            url.into()
        }
        // Our own URLs always parse; were one not to, the page simply answers 401.
        Err(_) => url.to_owned(),
    }
}

/// `url` (one of this server's) with a new capability for a `GET` of its path, made for `flow`,
/// on a desktop-mode server; unchanged otherwise.
pub fn link(state: &AppState, url: String, flow: &str, lifetime: Duration) -> String {
    let Some(desktop) = &state.desktop else { return url };
    let Ok(parsed) = url::Url::parse(&url) else { return url };
    let token = desktop.grant(Method::GET, parsed.path(), flow, lifetime);
    with_capability(&url, &token)
}

/// The capability a request presents: `state` at the OAuth callback, `cap` elsewhere.
fn presented<'a>(path: &str, query: Option<&'a str>) -> Option<std::borrow::Cow<'a, str>> {
    let name = if path == CALLBACK_PATH { "state" } else { CAPABILITY_PARAM };
    let query = query?;
    let mut found =
        url::form_urlencoded::parse(query.as_bytes()).filter(|(key, _)| key == name).map(|(_, v)| v);
    let first = found.next()?;
    // Given twice is not a capability anyone handed out.
    found.next().is_none().then_some(first)
}

/// Pictures the webview shows with `<img>`, which cannot send the header: profile pictures
/// (random ids) and the development provider's generated initials (nothing but what the URL
/// says).
fn is_public(method: &Method, path: &str) -> bool {
    let picture = path.starts_with("/v1/images/")
        || (path.starts_with("/dev/oauth/")
            && path.ends_with("/avatar.svg")
            && path.matches('/').count() == 4);
    (method == Method::GET || method == Method::HEAD) && picture
}

/// The middleware: the secret, a capability, or 401 with an empty body.
pub async fn guard(State(desktop): State<Arc<Desktop>>, mut request: Request, next: Next) -> Response {
    if desktop.has_secret(request.headers()) || is_public(request.method(), request.uri().path()) {
        return next.run(request).await;
    }
    let uri = request.uri().clone();
    let granted = presented(uri.path(), uri.query())
        .and_then(|token| desktop.redeem(&token, request.method(), uri.path()));
    match granted {
        Some(granted) => {
            request.extensions_mut().insert(granted);
            next.run(request).await
        }
        None => StatusCode::UNAUTHORIZED.into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_256_random_bits_and_not_debug_printed() {
        let a = DesktopSecret::generate();
        assert_eq!(a.expose().len(), 64);
        assert_ne!(a, DesktopSecret::generate());
        assert!(!format!("{a:?}").contains(a.expose()));
    }

    #[test]
    fn a_capability_works_once_for_its_method_and_path() {
        let desktop = Desktop::new(DesktopSecret::generate());
        let minute = Duration::from_secs(60);
        let token = desktop.grant(Method::GET, "/a", "flow", minute);
        assert_eq!(desktop.redeem(&token, &Method::GET, "/a").map(|g| g.flow), Some("flow".into()));
        assert!(desktop.redeem(&token, &Method::GET, "/a").is_none(), "once");
        let token = desktop.grant(Method::GET, "/a", "flow", minute);
        assert!(desktop.redeem(&token, &Method::GET, "/b").is_none(), "another path");
        assert!(desktop.redeem(&token, &Method::GET, "/a").is_none(), "and then it is gone");
        let token = desktop.grant(Method::POST, "/a", "flow", minute);
        assert!(desktop.redeem(&token, &Method::GET, "/a").is_none(), "another method");
        let token = desktop.grant(Method::GET, "/a", "flow", Duration::ZERO);
        assert!(desktop.redeem(&token, &Method::GET, "/a").is_none(), "expired");
    }

    #[test]
    fn a_capability_is_for_its_flow() {
        let granted = Granted { flow: "s1".into() };
        assert!(Granted::allows(None, None));
        assert!(Granted::allows(Some(&granted), Some("s1")));
        assert!(!Granted::allows(Some(&granted), Some("s2")));
        assert!(!Granted::allows(Some(&granted), None));
    }

    #[test]
    fn only_pictures_are_public() {
        assert!(is_public(&Method::GET, "/v1/images/img_1"));
        assert!(is_public(&Method::GET, "/dev/oauth/github/avatar.svg"));
        assert!(!is_public(&Method::POST, "/v1/images/img_1"));
        assert!(!is_public(&Method::GET, "/dev/oauth/github/authorize/avatar.svg"));
        assert!(!is_public(&Method::GET, "/dev/outbox"));
        assert!(!is_public(&Method::GET, "/v1/me"));
    }

    #[test]
    fn the_capability_is_cap_or_the_callback_state_given_once() {
        assert_eq!(presented("/x", Some("a=1&cap=t")).as_deref(), Some("t"));
        assert_eq!(presented("/x", Some("cap=t&cap=u")), None);
        assert_eq!(presented(CALLBACK_PATH, Some("code=c&state=s&cap=t")).as_deref(), Some("s"));
        assert_eq!(presented("/x", None), None);
    }
}
