//! What every handler can reach: the database, the settings, the OAuth providers. Kept out of
//! `api` so that leaves (`http`, `oauth`'s development provider) can name it without importing
//! the handlers.

use std::sync::Arc;
use std::time::Duration;

use crate::config::Mode;
use crate::render::client::LiveSessions;
use crate::render::LoadedUser;
use crate::store::clients::ClientRow;
use crate::store::memo::Memo;
use crate::store::sessions::SessionRow;
use crate::store::Db;

/// What every handler can reach: one shared [`SharedState`]. Cloned for every layer and extractor of
/// every request, so a clone is one reference count (a struct of a dozen `Arc`s cost as many
/// atomic updates each time, and each drop as many again: an eighth of the server's CPU under
/// load, as measured).
#[derive(Debug, Clone)]
pub struct AppState(Arc<SharedState>);

impl AppState {
    /// The state of a server with these settings.
    pub fn new(shared: SharedState) -> Self {
        Self(Arc::new(shared))
    }
}

impl std::ops::Deref for AppState {
    type Target = SharedState;

    fn deref(&self) -> &SharedState {
        &self.0
    }
}

/// The server's settings and shared parts, behind [`AppState`].
#[derive(Debug)]
pub struct SharedState {
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
    /// Desktop mode's secret and capabilities (`None` in the other modes).
    pub desktop: Option<Arc<crate::desktop::Desktop>>,
    /// When failed sign-in verifications lock a user.
    pub lockout: Arc<crate::lockout::LockoutPolicy>,
    /// Sign-in attempts per identifier and per client.
    pub sign_in_limits: Arc<crate::rate_limit::SignInLimits>,
    /// How long requests may take.
    pub timeouts: RequestTimeouts,
    /// When sensitive actions ask the session to verify again.
    pub reverification: ReverificationPolicy,
    /// How people may sign in.
    pub sign_in: SignInPolicy,
    /// What a sign-up asks, as applied beside the first factors.
    pub sign_up: Arc<crate::sign_up_policy::SignUpSettings>,
    /// Reads kept while the database does not change.
    pub kept: Arc<KeptReads>,
    /// Passkeys: on or off, and the WebAuthn relying party.
    pub passkeys: Arc<crate::passkeys::Passkeys>,
}

/// What the most frequent reads found, kept until the next commit ([`crate::store::memo`]): a
/// signed-in `GET /v1/me` whose rows have not changed reads none again.
#[derive(Debug, Default)]
pub struct KeptReads {
    /// A client token's SHA-256 → its client.
    pub clients: Memo<String, Arc<ClientRow>>,
    /// (client, `_clerk_session_id`) → the session a signed-in request acts on, whatever its
    /// status (the request checks that it is active, on its own clock).
    pub selected_sessions: Memo<(String, Option<String>), Option<Arc<SessionRow>>>,
    /// (client, user) → what `GET /v1/me` shows: the user, the client's live sessions.
    pub me: Memo<(String, String), Arc<(LoadedUser, LiveSessions)>>,
    /// (client, user) → `GET /v1/me`'s answer as sent, until the first moment it would read
    /// otherwise (`crate::api::me`).
    pub me_answers: Memo<(String, String), Arc<KeptAnswer>>,
}

/// An answer's body, kept while the rows it was made of are current, until `stale_at`.
#[derive(Debug)]
pub struct KeptAnswer {
    /// The JSON body.
    pub body: axum::body::Bytes,
    /// When the clock alone would change it (Unix ms).
    pub stale_at: i64,
}

/// How people may sign in, as configured.
#[derive(Debug, Clone, Copy)]
pub struct SignInPolicy {
    /// The first factors the instance enables.
    pub first_factors: crate::sign_in_policy::FirstFactors,
    /// The new-device check (`needs_client_trust`).
    pub client_trust: bool,
    /// One session per client, or one per person ([`Config::multi_session`]).
    pub session_mode: crate::domain::sessions::SessionMode,
}

/// Reverification (step-up), as configured.
#[derive(Debug, Clone, Copy)]
pub struct ReverificationPolicy {
    /// `false`: no action asks for it.
    pub enabled: bool,
    /// How recent the session's verification must be.
    pub window: Duration,
}

/// How long a request may take before it is answered 408.
#[derive(Debug, Clone, Copy)]
pub struct RequestTimeouts {
    /// Every request but uploads.
    pub request: std::time::Duration,
    /// Profile-image uploads.
    pub upload: std::time::Duration,
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
