//! Browser round trips of a native app (RFC 8252): each OAuth flow the app starts gets a random id
//! in its deep-link redirect URL, and a callback is acted on only if it names a pending,
//! unexpired flow, once. Anything else (unknown, replayed, expired, cancelled, another scheme,
//! host or path, duplicated parameters, absurdly long) is refused before any request is made:
//! any app can claim a URL scheme, so a callback this app did not start is never trusted (§8.6).

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine;
use serde::{Deserialize, Serialize};
use url::Url;

/// The host part of every callback URL: `<scheme>://oauth-callback?flow=…`.
pub const CALLBACK_HOST: &str = "oauth-callback";
/// Longer callback URLs are refused unread.
pub const MAX_CALLBACK_LENGTH: usize = 4096;
/// How long a flow waits for its callback by default.
pub const DEFAULT_FLOW_LIFETIME: Duration = Duration::from_secs(10 * 60);

/// What a flow is for, so the app knows what to do when its callback arrives.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum FlowKind {
    /// Connecting a new external account (`createExternalAccount`).
    Connect {
        /// The OAuth strategy, e.g. `oauth_github`.
        strategy: String,
    },
    /// Asking an existing external account for more scopes (`reauthorize`).
    Reauthorize {
        /// The external account's id.
        external_account_id: String,
    },
    /// Signing in through a provider.
    SignIn {
        /// The OAuth strategy, e.g. `oauth_github`.
        strategy: String,
    },
}

/// How the browser round trip ended, as the callback says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FlowOutcome {
    /// The provider and the server completed it; the nonce lets the client read the result.
    Completed {
        /// `rotating_token_nonce`, where the server sent one.
        rotating_token_nonce: Option<String>,
    },
    /// The server reported a failure (`__clerk_status=failed`).
    Failed {
        /// `__clerk_error_code`, e.g. `oauth_access_denied`.
        error_code: String,
    },
}

/// A callback that named a pending flow.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompletedFlow {
    /// The flow's id.
    pub id: String,
    /// What the flow was for.
    pub kind: FlowKind,
    /// The sign-in the flow created, for sign-in flows.
    pub sign_in_id: Option<String>,
    /// How it ended.
    pub outcome: FlowOutcome,
}

/// Why a callback was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CallbackRejected {
    /// Longer than [`MAX_CALLBACK_LENGTH`].
    #[error("the callback URL is too long")]
    TooLong,
    /// Not a URL.
    #[error("the callback is not a URL")]
    Malformed,
    /// Another scheme than the app's.
    #[error("the callback uses another scheme")]
    WrongScheme,
    /// Another host or a path.
    #[error("the callback is not addressed to the OAuth callback")]
    WrongTarget,
    /// A parameter appears twice.
    #[error("the callback repeats the parameter `{0}`")]
    DuplicateParameter(String),
    /// No `flow` parameter.
    #[error("the callback names no flow")]
    MissingFlow,
    /// The flow is not pending: never started, already completed, or cancelled.
    #[error("the callback names no pending flow")]
    UnknownFlow,
    /// The flow waited too long.
    #[error("the flow expired")]
    Expired,
    /// `__clerk_status=failed` without an error code, or an unknown status.
    #[error("the callback's status is not understood")]
    BadStatus,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct PendingFlow {
    #[serde(flatten)]
    kind: FlowKind,
    sign_in_id: Option<String>,
    /// Unix milliseconds: wall-clock time, so a flow survives a restart of the app.
    expires_at: u64,
}

/// The flows this app has started and not yet completed.
///
/// With a file, pending flows outlive the process: the link that starts the app after it was
/// quit mid-flow still completes that flow. The file holds secrets of a sort (flow ids); it is
/// written readable by its owner only.
pub struct FlowRegistry {
    scheme: String,
    lifetime: Duration,
    file: Option<PathBuf>,
    pending: Mutex<HashMap<String, PendingFlow>>,
}

impl FlowRegistry {
    /// A registry for callbacks on `scheme` (e.g. `dev.userdesk.app`), whose flows live
    /// `lifetime`, in memory only.
    pub fn new(scheme: impl Into<String>, lifetime: Duration) -> Self {
        Self {
            scheme: scheme.into().to_ascii_lowercase(),
            lifetime,
            file: None,
            pending: Mutex::new(HashMap::new()),
        }
    }

    /// The same, keeping pending flows in `file` (an unreadable file counts as empty).
    pub fn persistent(scheme: impl Into<String>, lifetime: Duration, file: PathBuf) -> Self {
        let pending = std::fs::read(&file)
            .ok()
            .and_then(|bytes| serde_json::from_slice::<HashMap<String, PendingFlow>>(&bytes).ok())
            .unwrap_or_default();
        Self { file: Some(file), pending: Mutex::new(pending), ..Self::new(scheme, lifetime) }
    }

    /// Starts a flow: returns its id and the redirect URL to give the server.
    pub fn start(&self, kind: FlowKind) -> (String, String) {
        self.start_at(kind, now_ms())
    }

    fn start_at(&self, kind: FlowKind, now: u64) -> (String, String) {
        let id = random_id();
        let redirect_url = format!("{}://{CALLBACK_HOST}?flow={id}", self.scheme);
        let lifetime = u64::try_from(self.lifetime.as_millis()).unwrap_or(u64::MAX);
        let mut pending = self.pending();
        pending.retain(|_, flow| flow.expires_at > now);
        pending.insert(
            id.clone(),
            PendingFlow { kind, sign_in_id: None, expires_at: now.saturating_add(lifetime) },
        );
        self.persist(&pending);
        (id, redirect_url)
    }

    /// Records the sign-in a sign-in flow created, to read its result when the callback comes.
    pub fn attach_sign_in(&self, flow_id: &str, sign_in_id: &str) {
        let mut pending = self.pending();
        if let Some(flow) = pending.get_mut(flow_id) {
            flow.sign_in_id = Some(sign_in_id.to_owned());
            self.persist(&pending);
        }
    }

    /// Forgets a flow the person cancelled; its callback, should it come, is refused.
    pub fn cancel(&self, flow_id: &str) -> bool {
        let mut pending = self.pending();
        let removed = pending.remove(flow_id).is_some();
        self.persist(&pending);
        removed
    }

    /// `true` when `callback` names a flow pending here: of the app's several registries (one per
    /// account), the one that started the flow completes it.
    pub fn holds(&self, callback: &str) -> bool {
        let Ok(url) = Url::parse(callback) else { return false };
        let mut flows = url.query_pairs().filter(|(key, _)| key == "flow");
        match (flows.next(), flows.next()) {
            (Some((_, id)), None) => self.pending().contains_key(id.as_ref()),
            _ => false,
        }
    }

    /// Forgets every pending flow and deletes the registry's file (its account was removed).
    pub fn discard(&self) {
        self.pending().clear();
        if let Some(file) = &self.file {
            let _ = std::fs::remove_file(file);
        }
    }

    /// Checks a callback URL and, if it names a pending flow, completes that flow (once).
    pub fn accept(&self, callback: &str) -> Result<CompletedFlow, CallbackRejected> {
        self.accept_at(callback, now_ms())
    }

    fn accept_at(&self, callback: &str, now: u64) -> Result<CompletedFlow, CallbackRejected> {
        if callback.len() > MAX_CALLBACK_LENGTH {
            return Err(CallbackRejected::TooLong);
        }
        let url = Url::parse(callback).map_err(|_| CallbackRejected::Malformed)?;
        if url.scheme() != self.scheme {
            return Err(CallbackRejected::WrongScheme);
        }
        let path_is_empty = matches!(url.path(), "" | "/");
        if url.host_str() != Some(CALLBACK_HOST)
            || !path_is_empty
            || url.port().is_some()
            || url.fragment().is_some()
        {
            return Err(CallbackRejected::WrongTarget);
        }
        let mut parameters: HashMap<String, String> = HashMap::new();
        for (key, value) in url.query_pairs() {
            if parameters.insert(key.to_string(), value.to_string()).is_some() {
                return Err(CallbackRejected::DuplicateParameter(key.to_string()));
            }
        }
        let id = parameters.get("flow").ok_or(CallbackRejected::MissingFlow)?;
        let outcome = match parameters.get("__clerk_status").map(String::as_str) {
            None | Some("verified") | Some("complete") => FlowOutcome::Completed {
                rotating_token_nonce: parameters.get("rotating_token_nonce").cloned(),
            },
            Some("failed") => FlowOutcome::Failed {
                error_code: parameters
                    .get("__clerk_error_code")
                    .filter(|code| is_error_code(code))
                    .cloned()
                    .ok_or(CallbackRejected::BadStatus)?,
            },
            Some(_) => return Err(CallbackRejected::BadStatus),
        };
        // Taken out before anything else: a flow completes once, whatever happens next.
        let flow = {
            let mut pending = self.pending();
            let flow = pending.remove(id).ok_or(CallbackRejected::UnknownFlow)?;
            self.persist(&pending);
            flow
        };
        if flow.expires_at <= now {
            return Err(CallbackRejected::Expired);
        }
        Ok(CompletedFlow { id: id.clone(), kind: flow.kind, sign_in_id: flow.sign_in_id, outcome })
    }

    fn persist(&self, pending: &HashMap<String, PendingFlow>) {
        let Some(file) = &self.file else { return };
        let written = serde_json::to_vec(pending)
            .map_err(std::io::Error::other)
            .and_then(|bytes| crate::private_file::write(file, &bytes));
        if let Err(error) = written {
            // The flow still works in this process; only a restart mid-flow would lose it.
            tracing::warn!("cannot save pending sign-in flows to {}: {error}", file.display());
        }
    }

    fn pending(&self) -> MutexGuard<'_, HashMap<String, PendingFlow>> {
        // The map holds plain data; a panic elsewhere cannot leave an entry half-written.
        self.pending.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| u64::try_from(elapsed.as_millis()).unwrap_or(u64::MAX))
}

fn is_error_code(code: &str) -> bool {
    !code.is_empty()
        && code.len() <= 100
        && code.chars().all(|c| c.is_ascii_lowercase() || c == '_' || c.is_ascii_digit())
}

/// 128 random bits, URL-safe.
fn random_id() -> String {
    let mut bytes = [0u8; 16];
    // The OS random source failing means the machine cannot do cryptography at all.
    if let Err(error) = getrandom::fill(&mut bytes) {
        panic!("the operating system's random source failed: {error}");
    }
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SCHEME: &str = "dev.userdesk.app";

    fn registry() -> FlowRegistry {
        FlowRegistry::new(SCHEME, Duration::from_secs(60))
    }

    fn connect() -> FlowKind {
        FlowKind::Connect { strategy: "oauth_github".into() }
    }

    #[test]
    fn a_started_flow_completes_once_with_its_nonce() {
        let flows = registry();
        let (id, redirect) = flows.start(connect());
        assert_eq!(redirect, format!("dev.userdesk.app://oauth-callback?flow={id}"));
        let callback = format!("{redirect}&rotating_token_nonce=n0nce");
        let done = flows.accept(&callback).expect("accepted");
        assert_eq!(done.kind, connect());
        assert_eq!(done.outcome, FlowOutcome::Completed { rotating_token_nonce: Some("n0nce".into()) });
        assert_eq!(flows.accept(&callback), Err(CallbackRejected::UnknownFlow), "a replay is refused");
    }

    #[test]
    fn only_the_registry_that_started_a_flow_holds_its_link() {
        let (first, second) = (registry(), registry());
        let (_, redirect) = first.start(connect());
        assert!(first.holds(&redirect));
        assert!(!second.holds(&redirect), "another account's registry");
        assert!(!first.holds(&format!("{redirect}&flow=other")), "two flow parameters");
        first.accept(&redirect).expect("accepted");
        assert!(!first.holds(&redirect), "completed flows are gone");
    }

    #[test]
    fn failures_carry_clerks_error_code() {
        let flows = registry();
        let (_, redirect) = flows.start(connect());
        let done =
            flows.accept(&format!("{redirect}&__clerk_status=failed&__clerk_error_code=oauth_access_denied"));
        assert_eq!(
            done.map(|d| d.outcome),
            Ok(FlowOutcome::Failed { error_code: "oauth_access_denied".into() })
        );
    }

    #[test]
    fn forged_flows_are_refused() {
        let flows = registry();
        flows.start(connect());
        let forged = "dev.userdesk.app://oauth-callback?flow=AAAAAAAAAAAAAAAAAAAAAA&rotating_token_nonce=x";
        assert_eq!(flows.accept(forged), Err(CallbackRejected::UnknownFlow));
        assert_eq!(
            flows.accept("dev.userdesk.app://oauth-callback?rotating_token_nonce=x"),
            Err(CallbackRejected::MissingFlow)
        );
    }

    #[test]
    fn expired_and_cancelled_flows_are_refused() {
        let flows = registry();
        let start = now_ms();
        let (_, redirect) = flows.start_at(connect(), start);
        assert_eq!(flows.accept_at(&redirect, start + 61_000), Err(CallbackRejected::Expired));
        assert_eq!(
            flows.accept_at(&redirect, start),
            Err(CallbackRejected::UnknownFlow),
            "an expired flow is gone"
        );

        let (id, redirect) = flows.start(connect());
        assert!(flows.cancel(&id));
        assert_eq!(flows.accept(&redirect), Err(CallbackRejected::UnknownFlow));
    }

    #[test]
    fn other_schemes_hosts_and_paths_are_refused_and_leave_the_flow_pending() {
        let flows = registry();
        let (id, _) = flows.start(connect());
        for (url, reason) in [
            (format!("evil.app://oauth-callback?flow={id}"), CallbackRejected::WrongScheme),
            (format!("https://oauth-callback/?flow={id}"), CallbackRejected::WrongScheme),
            (format!("dev.userdesk.app://other?flow={id}"), CallbackRejected::WrongTarget),
            (format!("dev.userdesk.app://oauth-callback/extra?flow={id}"), CallbackRejected::WrongTarget),
            (format!("dev.userdesk.app://oauth-callback?flow={id}#frag"), CallbackRejected::WrongTarget),
            ("not a url".to_owned(), CallbackRejected::Malformed),
        ] {
            assert_eq!(flows.accept(&url), Err(reason), "{url}");
        }
        assert!(
            flows.accept(&format!("dev.userdesk.app://oauth-callback?flow={id}")).is_ok(),
            "still pending"
        );
    }

    #[test]
    fn duplicated_parameters_and_very_long_urls_are_refused() {
        let flows = registry();
        let (id, redirect) = flows.start(connect());
        assert_eq!(
            flows.accept(&format!("{redirect}&flow={id}")),
            Err(CallbackRejected::DuplicateParameter("flow".into()))
        );
        assert_eq!(
            flows.accept(&format!("{redirect}&rotating_token_nonce=a&rotating_token_nonce=b")),
            Err(CallbackRejected::DuplicateParameter("rotating_token_nonce".into()))
        );
        let long = format!("{redirect}&pad={}", "x".repeat(MAX_CALLBACK_LENGTH));
        assert_eq!(flows.accept(&long), Err(CallbackRejected::TooLong));
        assert!(flows.accept(&format!("{redirect}&unrelated=1")).is_ok(), "unknown parameters are ignored");
    }

    #[test]
    fn malformed_statuses_are_refused() {
        let flows = registry();
        let (_, redirect) = flows.start(connect());
        assert_eq!(
            flows.accept(&format!("{redirect}&__clerk_status=failed")),
            Err(CallbackRejected::BadStatus)
        );
        assert_eq!(
            flows.accept(&format!("{redirect}&__clerk_status=failed&__clerk_error_code=%3Cscript%3E")),
            Err(CallbackRejected::BadStatus)
        );
        assert_eq!(
            flows.accept(&format!("{redirect}&__clerk_status=weird")),
            Err(CallbackRejected::BadStatus)
        );
    }

    #[test]
    fn sign_in_flows_remember_their_sign_in() {
        let flows = registry();
        let (id, redirect) = flows.start(FlowKind::SignIn { strategy: "oauth_google".into() });
        flows.attach_sign_in(&id, "sia_123");
        assert_eq!(flows.accept(&redirect).ok().and_then(|d| d.sign_in_id).as_deref(), Some("sia_123"));
    }

    #[test]
    fn pending_flows_survive_a_restart_and_still_complete_once() {
        let dir = tempfile::tempdir().expect("temp dir");
        let file = dir.path().join("flows.json");
        let (_, redirect) =
            FlowRegistry::persistent(SCHEME, Duration::from_secs(60), file.clone()).start(connect());
        let restarted = FlowRegistry::persistent(SCHEME, Duration::from_secs(60), file.clone());
        assert!(restarted.accept(&redirect).is_ok());
        let again = FlowRegistry::persistent(SCHEME, Duration::from_secs(60), file.clone());
        assert_eq!(
            again.accept(&redirect),
            Err(CallbackRejected::UnknownFlow),
            "completed flows stay completed"
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&file).map(|m| m.permissions().mode() & 0o777).ok();
            assert_eq!(mode, Some(0o600));
        }
    }

    #[test]
    fn a_corrupt_flow_file_counts_as_empty() {
        let dir = tempfile::tempdir().expect("temp dir");
        let file = dir.path().join("flows.json");
        std::fs::write(&file, b"{not json").expect("write");
        let flows = FlowRegistry::persistent(SCHEME, Duration::from_secs(60), file);
        let (_, redirect) = flows.start(connect());
        assert!(flows.accept(&redirect).is_ok());
    }

    #[test]
    fn flow_ids_are_unguessable() {
        let flows = registry();
        let (a, _) = flows.start(connect());
        let (b, _) = flows.start(connect());
        assert_ne!(a, b);
        assert_eq!(a.len(), 22);
    }
}
