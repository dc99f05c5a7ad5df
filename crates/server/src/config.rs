//! How the embedding application (or the binary) configures the server.

use std::net::{Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::time::Duration;

use crate::clock::Clock;
use crate::desktop::DesktopSecret;
use crate::keys::AtRestSecret;
use crate::oauth::OAuthProviderConfig;
pub use crate::rate_limit::RateLimit;
pub use crate::sign_in_policy::FirstFactors;
use crate::sign_up_policy::SignUpSettings;
use crate::tokens::{default_jwt_templates, JwtTemplate};

/// How long a one-time code holds by default (10 minutes, email and SMS alike: long enough to
/// switch to the mail app and back, short enough that a leaked code soon stops working).
pub const DEFAULT_CODE_LIFETIME: Duration = Duration::from_secs(10 * 60);
/// How long an email verification link holds by default (10 minutes, as codes).
pub const DEFAULT_LINK_LIFETIME: Duration = Duration::from_secs(10 * 60);
/// How long after a code or link was sent another may be sent to the same address (30 s).
pub const DEFAULT_RESEND_COOLDOWN: Duration = Duration::from_secs(30);
/// The region a phone number without a `+country code` is read in.
pub const DEFAULT_REGION: &str = "US";
/// URL schemes of the app that an email link may redirect to after verifying (besides loopback
/// `http(s)` pages): the reverse-domain scheme RFC 8252 §7.1 recommends, and the short one.
pub const DEFAULT_REDIRECT_SCHEMES: [&str; 2] = ["dev.userdesk.app", "userdesk"];

/// How long an OAuth round trip's `state` holds by default (10 minutes: consent can take a
/// while, a leaked state soon stops working).
pub const DEFAULT_OAUTH_STATE_LIFETIME: Duration = Duration::from_secs(10 * 60);
/// How long the `rotating_token_nonce` of a finished round trip holds (2 minutes: the app reads
/// it as soon as the deep link arrives).
pub const DEFAULT_OAUTH_NONCE_LIFETIME: Duration = Duration::from_secs(2 * 60);
/// How long the server waits for an OAuth provider's answer (discovery, token, user info).
pub const DEFAULT_OAUTH_HTTP_TIMEOUT: Duration = Duration::from_secs(5);

/// How long a client with nothing in it (no session, nothing under way) may go unused before
/// it is deleted (24 h): clients are made by anyone who starts a sign-in, so abandoned ones must
/// not pile up.
pub const DEFAULT_CLIENT_IDLE_LIFETIME: Duration = Duration::from_secs(24 * 60 * 60);
/// How often unused clients are looked for, besides at start (1 h).
pub const DEFAULT_CLIENT_SWEEP_INTERVAL: Duration = Duration::from_secs(60 * 60);
/// How long a connection may take to send a request's headers, and how long it may stay open
/// between requests (15 s): a client that sends nothing, or a byte at a time, is dropped.
pub const DEFAULT_HEADER_READ_TIMEOUT: Duration = Duration::from_secs(15);
/// How long a request may take, body included (30 s): three calls to an OAuth provider at
/// [`DEFAULT_OAUTH_HTTP_TIMEOUT`] each fit.
pub const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
/// How long a profile-image upload may take (5 minutes: 10 MiB over a slow uplink, as the app's
/// client allows).
pub const DEFAULT_UPLOAD_TIMEOUT: Duration = Duration::from_secs(5 * 60);

/// Failed sign-in verifications (passwords, second-factor codes) that lock a user: Clerk's
/// default of 100.
pub const DEFAULT_LOCKOUT_MAX_ATTEMPTS: u32 = 100;
/// How long a lock lasts: Clerk's default of 1 hour.
pub const DEFAULT_LOCKOUT_DURATION: Duration = Duration::from_secs(60 * 60);
/// How long a session's last verification lets it take sensitive actions (Clerk's `strict`
/// reverification window: 10 minutes).
pub const DEFAULT_REVERIFICATION_WINDOW: Duration = Duration::from_secs(10 * 60);
/// Sign-in attempts per identifier: 5 per 10 s (Clerk's limit on creating sign-ins), one more
/// every 2 s.
pub const DEFAULT_SIGN_IN_RATE_LIMIT_PER_IDENTIFIER: RateLimit = RateLimit::new(5, Duration::from_secs(10));
/// Sign-in attempts per client: 10 per 10 s, so one device can still try a second account.
pub const DEFAULT_SIGN_IN_RATE_LIMIT_PER_CLIENT: RateLimit = RateLimit::new(10, Duration::from_secs(10));

/// Whether the instance behaves as a Clerk development or production instance.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Mode {
    /// The embedded default: a demo account is created in an empty database, the environment
    /// says `development`, and generated secret keys start with `sk_test_`.
    #[default]
    Development,
    /// No demo account; the environment says `production`, generated keys start with `sk_live_`.
    Production,
    /// What the app embeds: development behaviour (outbox, development OAuth provider, demo
    /// account) for this app alone. Every request must carry the per-launch secret
    /// ([`Config::desktop_secret`]); browser pages need the one-time capability in the URL the
    /// server handed out; the outbox is read in-process only ([`crate::RunningServer::outbox`]).
    Desktop,
}

impl Mode {
    /// The value of `display_config.instance_environment_type`.
    pub fn environment_type(self) -> &'static str {
        match self {
            Mode::Development | Mode::Desktop => "development",
            Mode::Production => "production",
        }
    }

    /// The prefix of generated Backend API secret keys.
    pub fn secret_key_prefix(self) -> &'static str {
        match self {
            Mode::Development | Mode::Desktop => "sk_test_",
            Mode::Production => "sk_live_",
        }
    }

    /// Development behaviour: the outbox instead of delivery, the development OAuth provider, the
    /// demo account. Desktop mode is development, but private.
    pub fn is_development(self) -> bool {
        matches!(self, Mode::Development | Mode::Desktop)
    }
}

/// Everything [`crate::start`] needs.
#[derive(Debug, Clone)]
pub struct Config {
    /// Where the database (`userdesk.db`) and the generated secret key (`secret_key`) live.
    /// Created if missing.
    pub data_dir: PathBuf,
    /// The address to listen on. Must be a loopback address; port 0 picks a free port.
    pub addr: SocketAddr,
    /// The Backend API secret key. `None` uses the key kept in `data_dir`, generating it once.
    pub secret_key: Option<String>,
    /// Development or production behaviour. In development every email and SMS the server would
    /// send is recorded in the development outbox instead ([`crate::RunningServer::outbox`],
    /// `GET /dev/outbox`); production has no outbox and no delivery yet, so preparing a
    /// verification there is refused (`delivery_not_configured`).
    pub mode: Mode,
    /// How long a verification code (email or SMS) holds ([`DEFAULT_CODE_LIFETIME`]).
    pub code_lifetime: Duration,
    /// How long an email verification link holds ([`DEFAULT_LINK_LIFETIME`]).
    pub link_lifetime: Duration,
    /// The least time between two codes or links sent to one address
    /// ([`DEFAULT_RESEND_COOLDOWN`]); sooner is answered 429 `too_many_requests`.
    pub resend_cooldown: Duration,
    /// The ISO 3166 region (`US`, `GB`, `DE`, …) phone numbers written without a `+country code`
    /// are read in ([`DEFAULT_REGION`]). An unknown region is refused at start.
    pub default_region: String,
    /// App URL schemes (without `:`) an email link may redirect to after verifying, besides
    /// loopback `http(s)` pages ([`DEFAULT_REDIRECT_SCHEMES`]).
    pub redirect_schemes: Vec<String>,
    /// The time authenticator (TOTP) codes are checked against and issued tokens carry
    /// ([`Clock::system`]); a [`Clock::manual`] one lets tests move time without waiting.
    pub clock: Clock,
    /// JWT templates (`POST /v1/client/sessions/{id}/tokens/{name}`, and `POST /v1/me/tokens`
    /// for `clerk`, `firebase`, `hasura`): by default [`JwtTemplate::clerk`],
    /// [`JwtTemplate::hasura`] and [`JwtTemplate::firebase`]. Unusable ones are refused at start.
    pub jwt_templates: Vec<JwtTemplate>,
    /// A Firebase service-account JSON file (Google's format) whose key signs Firebase custom
    /// tokens. `None` uses a development account generated once in `data_dir`
    /// ([`crate::FIREBASE_SERVICE_ACCOUNT_FILE`]).
    pub firebase_service_account: Option<PathBuf>,
    /// OAuth providers people can connect and sign in with: client credentials and endpoints
    /// (OIDC discovery or explicit URLs). Checked at start ([`crate::Error::InvalidConfig`]).
    pub oauth_providers: Vec<OAuthProviderConfig>,
    /// In development mode, every seed provider (`oauth_github`, `oauth_google`, …) not in
    /// `oauth_providers` is served by the built-in development provider (`/dev/oauth/…`). On by
    /// default; ignored in production, which has only configured providers.
    pub oauth_development_providers: bool,
    /// How long an OAuth round trip's `state` holds ([`DEFAULT_OAUTH_STATE_LIFETIME`]).
    pub oauth_state_lifetime: Duration,
    /// How long a `rotating_token_nonce` holds ([`DEFAULT_OAUTH_NONCE_LIFETIME`]).
    pub oauth_nonce_lifetime: Duration,
    /// The timeout of every request to an OAuth provider ([`DEFAULT_OAUTH_HTTP_TIMEOUT`]).
    pub oauth_http_timeout: Duration,
    /// The per-launch secret every request must carry in [`Mode::Desktop`] (header
    /// [`crate::DESKTOP_SECRET_HEADER`]); required there, ignored otherwise. [`Config::desktop`]
    /// generates one.
    pub desktop_secret: Option<DesktopSecret>,
    /// The key that encrypts TOTP secrets and keys backup-code hashes, kept by the embedding app
    /// (the OS keychain). `None` keeps it in `data_dir` ([`crate::AT_REST_KEY_FILE`], made once).
    pub at_rest_key: Option<AtRestSecret>,
    /// Failed sign-in verifications (wrong passwords and second-factor codes, counted per user
    /// across sign-ins) that lock the user ([`DEFAULT_LOCKOUT_MAX_ATTEMPTS`]; at least 1).
    pub lockout_max_attempts: u32,
    /// How long a lock lasts ([`DEFAULT_LOCKOUT_DURATION`]), on [`Config::clock`].
    pub lockout_duration: Duration,
    /// Sign-in attempts one identifier may take ([`DEFAULT_SIGN_IN_RATE_LIMIT_PER_IDENTIFIER`]);
    /// more is 429 `too_many_requests`. Measured on [`Config::clock`].
    pub sign_in_rate_limit_per_identifier: RateLimit,
    /// Sign-in attempts one client may take ([`DEFAULT_SIGN_IN_RATE_LIMIT_PER_CLIENT`]).
    pub sign_in_rate_limit_per_client: RateLimit,
    /// How long a client that holds nothing (no session in any state, no sign-in, sign-up or
    /// OAuth round trip under way) may go unused before it is deleted
    /// ([`DEFAULT_CLIENT_IDLE_LIFETIME`]); measured on [`Config::clock`].
    pub client_idle_lifetime: Duration,
    /// How often unused clients are deleted, besides at start ([`DEFAULT_CLIENT_SWEEP_INTERVAL`]).
    pub client_sweep_interval: Duration,
    /// How long a connection may take to send a request's headers, and may stay idle between
    /// requests ([`DEFAULT_HEADER_READ_TIMEOUT`]); then it is closed.
    pub header_read_timeout: Duration,
    /// How long a request may take, reading its body included ([`DEFAULT_REQUEST_TIMEOUT`]);
    /// then it is answered 408 `request_timeout`.
    pub request_timeout: Duration,
    /// [`Config::request_timeout`] for `POST /v1/me/profile_image` ([`DEFAULT_UPLOAD_TIMEOUT`]).
    pub upload_timeout: Duration,
    /// Reverification (step-up, `auth_config.reverification`): sensitive actions answer 403
    /// `session_reverification_required` when the session's last verification is older than
    /// [`Config::reverification_window`], and changing the password no longer asks for the
    /// current one. On in every mode, as on Clerk's instances (its default since 2025).
    pub reverification: bool,
    /// How recent a session's verification must be for a sensitive action
    /// ([`DEFAULT_REVERIFICATION_WINDOW`]), on [`Config::clock`].
    pub reverification_window: Duration,
    /// The first factors people may sign in with ([`FirstFactors::default`]: password, email
    /// code, forgot password); `user_settings` in the environment says the same.
    pub first_factors: FirstFactors,
    /// Clerk's new-device check: a right password from a client that never completed a sign-in
    /// for the user gives `needs_client_trust`, and a code to their email (or phone) finishes it.
    /// Off by default.
    pub client_trust: bool,
    /// Clerk's multi-session mode: one client holds a session for each person signed in on it
    /// (`single_session_mode: false` in the environment), and signing in again does not sign out
    /// the others. Off by default, as on a new Clerk instance.
    pub multi_session: bool,
    /// What a sign-up asks ([`SignUpSettings::default`]: an email address verified by code and a
    /// password); `user_settings` in the environment says the same. Without password sign-in in
    /// [`Config::first_factors`] a sign-up takes no password; settings with which nobody could
    /// sign in are refused at start.
    pub sign_up: SignUpSettings,
    /// Passkeys: people may register them (`/v1/me/passkeys`) and sign in with them
    /// (`strategy=passkey`, with or without an identifier). On by default.
    pub passkeys: bool,
    /// The WebAuthn relying-party id passkeys are bound to: a domain, the origins' own or a
    /// parent of theirs ([`crate::passkeys::DEFAULT_RP_ID`], `localhost`). Passkeys made for one
    /// id do not work with another, so it must not change once people have them.
    pub passkey_rp_id: String,
    /// The origins a passkey's client may present (`clientDataJSON.origin`), each on
    /// [`Config::passkey_rp_id`] ([`crate::passkeys::DEFAULT_ORIGIN`], `http://localhost`; with the
    /// rp id `localhost` any port, so `http://localhost:{port}`, what the app presents to the
    /// embedded server). Checked at start.
    pub passkey_origins: Vec<String>,
    /// Whether signing in with a passkey (user-verified) also stands for the second factor
    /// (`passkey_settings.satisfies_second_factor`; Clerk's default, on).
    pub passkey_satisfies_second_factor: bool,
}

impl Config {
    /// A development-mode configuration on `127.0.0.1:0` with a generated secret key.
    pub fn new(data_dir: impl Into<PathBuf>) -> Self {
        Self {
            data_dir: data_dir.into(),
            addr: SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
            secret_key: None,
            mode: Mode::Development,
            code_lifetime: DEFAULT_CODE_LIFETIME,
            link_lifetime: DEFAULT_LINK_LIFETIME,
            resend_cooldown: DEFAULT_RESEND_COOLDOWN,
            default_region: DEFAULT_REGION.to_owned(),
            redirect_schemes: DEFAULT_REDIRECT_SCHEMES.iter().map(|s| (*s).to_owned()).collect(),
            clock: Clock::system(),
            jwt_templates: default_jwt_templates(),
            firebase_service_account: None,
            oauth_providers: Vec::new(),
            oauth_development_providers: true,
            oauth_state_lifetime: DEFAULT_OAUTH_STATE_LIFETIME,
            oauth_nonce_lifetime: DEFAULT_OAUTH_NONCE_LIFETIME,
            oauth_http_timeout: DEFAULT_OAUTH_HTTP_TIMEOUT,
            desktop_secret: None,
            at_rest_key: None,
            lockout_max_attempts: DEFAULT_LOCKOUT_MAX_ATTEMPTS,
            lockout_duration: DEFAULT_LOCKOUT_DURATION,
            sign_in_rate_limit_per_identifier: DEFAULT_SIGN_IN_RATE_LIMIT_PER_IDENTIFIER,
            sign_in_rate_limit_per_client: DEFAULT_SIGN_IN_RATE_LIMIT_PER_CLIENT,
            client_idle_lifetime: DEFAULT_CLIENT_IDLE_LIFETIME,
            client_sweep_interval: DEFAULT_CLIENT_SWEEP_INTERVAL,
            header_read_timeout: DEFAULT_HEADER_READ_TIMEOUT,
            request_timeout: DEFAULT_REQUEST_TIMEOUT,
            upload_timeout: DEFAULT_UPLOAD_TIMEOUT,
            reverification: true,
            reverification_window: DEFAULT_REVERIFICATION_WINDOW,
            first_factors: FirstFactors::default(),
            client_trust: false,
            multi_session: false,
            sign_up: SignUpSettings::default(),
            passkeys: true,
            passkey_rp_id: crate::passkeys::DEFAULT_RP_ID.to_owned(),
            passkey_origins: vec![crate::passkeys::DEFAULT_ORIGIN.to_owned()],
            passkey_satisfies_second_factor: true,
        }
    }

    /// A desktop-mode configuration (what the app embeds) on `127.0.0.1:0`, with a new random
    /// secret: give [`Config::desktop_secret`] to the app's client, and to nothing else.
    pub fn desktop(data_dir: impl Into<PathBuf>) -> Self {
        Self { mode: Mode::Desktop, desktop_secret: Some(DesktopSecret::generate()), ..Self::new(data_dir) }
    }

    /// The secret requests must carry, for a desktop-mode configuration.
    pub fn desktop_secret(&self) -> Option<&str> {
        self.desktop_secret.as_ref().map(DesktopSecret::expose)
    }
}
