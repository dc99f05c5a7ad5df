//! How the embedding application (or the binary) configures the server.

use std::net::{Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::time::Duration;

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

/// Whether the instance behaves as a Clerk development or production instance.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Mode {
    /// The embedded default: a demo account is created in an empty database, the environment
    /// says `development`, and generated secret keys start with `sk_test_`.
    #[default]
    Development,
    /// No demo account; the environment says `production`, generated keys start with `sk_live_`.
    Production,
}

impl Mode {
    /// The value of `display_config.instance_environment_type`.
    pub fn environment_type(self) -> &'static str {
        match self {
            Mode::Development => "development",
            Mode::Production => "production",
        }
    }

    /// The prefix of generated Backend API secret keys.
    pub fn secret_key_prefix(self) -> &'static str {
        match self {
            Mode::Development => "sk_test_",
            Mode::Production => "sk_live_",
        }
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
        }
    }
}
