//! How the embedding application (or the binary) configures the server.

use std::net::{Ipv4Addr, SocketAddr};
use std::path::PathBuf;

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
    /// Development or production behaviour.
    pub mode: Mode,
}

impl Config {
    /// A development-mode configuration on `127.0.0.1:0` with a generated secret key.
    pub fn new(data_dir: impl Into<PathBuf>) -> Self {
        Self {
            data_dir: data_dir.into(),
            addr: SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
            secret_key: None,
            mode: Mode::Development,
        }
    }
}
