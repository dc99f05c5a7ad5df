//! The instance the app talks to: the embedded account server it starts itself, or a remote
//! Clerk-compatible instance named in Settings.

use std::path::Path;
use std::sync::Arc;

use serde::Serialize;
use ts_rs::TS;
use url::Url;
use userdesk_fapi::{fapi_url_from_publishable_key, parse_fapi_url, Client};
use userdesk_server::{OutboxMessage, RunningServer};

use crate::error::{CommandError, CommandResult};
use crate::server_key;
use crate::settings::InstanceSetting;
use crate::shell::Shell;

/// Debug builds only: the embedded server's reverification window, in seconds, for tests.
#[cfg(debug_assertions)]
pub const TEST_REVERIFICATION_SECONDS: &str = "USERDESK_TEST_REVERIFICATION_SECONDS";
/// Debug builds only: set, the embedded server is a passwordless instance (email codes only).
#[cfg(debug_assertions)]
pub const TEST_PASSWORDLESS: &str = "USERDESK_TEST_PASSWORDLESS";
/// Debug builds only: set, the embedded server also signs people in with an emailed link.
#[cfg(debug_assertions)]
pub const TEST_EMAIL_LINK: &str = "USERDESK_TEST_EMAIL_LINK";
/// Debug builds only: set, the embedded server's sign-up also requires a username and the
/// acceptance of (example.com's) terms and privacy policy.
#[cfg(debug_assertions)]
pub const TEST_SIGN_UP_STRICT: &str = "USERDESK_TEST_SIGN_UP_STRICT";

/// Which kind of instance is in use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum InstanceKind {
    Embedded,
    Clerk,
    Url,
}

/// The instance in use, for the UI to show.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct InstanceInfo {
    pub kind: InstanceKind,
    pub fapi_url: String,
    /// A short name: "Embedded account server" or the host.
    pub label: String,
}

/// The embedded server's demo account, shown on the sign-in screen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct DemoAccount {
    pub email: String,
    pub password: String,
}

/// Where a secret (the client token, the embedded server's key) is kept, for Settings to show.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum TokenStorage {
    /// The OS keychain (Secret Service, macOS Keychain, Windows Credential Manager).
    Keychain,
    /// A file only this user can read, because the keychain is unavailable.
    File { path: String, reason: String },
}

/// A live connection to one instance, which every account on it uses: each account has a client
/// of its own ([`Connection::client`]).
pub struct Connection {
    pub info: InstanceInfo,
    pub demo_account: Option<DemoAccount>,
    /// Where the embedded server's key for secrets at rest is kept; `None` for other instances.
    pub server_key_storage: Option<TokenStorage>,
    /// Names the instance among the app's accounts (its first token's keychain entry): stable
    /// across runs, unlike the embedded server's port.
    pub instance_key: String,
    url: Url,
    /// The embedded server's per-launch secret, sent by every client of this app.
    secret: Option<String>,
    server: Option<RunningServer>,
}

/// The name of `setting`'s instance among the app's accounts, without connecting: `embedded`, or
/// the Frontend API's URL.
pub fn instance_key(setting: &InstanceSetting) -> CommandResult<String> {
    Ok(match setting {
        // The embedded server's port changes every run; its name does not.
        InstanceSetting::Embedded => "embedded".to_owned(),
        InstanceSetting::PublishableKey { key } => {
            fapi_url_from_publishable_key(key).map_err(|e| invalid_setting(e, "key"))?.to_string()
        }
        InstanceSetting::FapiUrl { url } => {
            parse_fapi_url(url).map_err(|e| invalid_setting(e, "url"))?.to_string()
        }
    })
}

impl Connection {
    /// Connects to the instance `setting` names: for the embedded one, starts the server with its
    /// data under `data_dir`.
    pub async fn open(setting: &InstanceSetting, data_dir: &Path, shell: &impl Shell) -> CommandResult<Self> {
        // The embedded server's per-launch secret: it stays in this process (the client's
        // default header), never in an IPC type, so the webview and other processes never see it.
        let mut secret = None;
        let mut server_key_storage = None;
        let (url, kind, server) = match setting {
            InstanceSetting::Embedded => {
                // Desktop mode: development behaviour for this app alone.
                let server_dir = data_dir.join("server");
                let (at_rest_key, storage) = server_key::resolve(shell, &server_dir);
                server_key_storage = Some(storage);
                #[allow(unused_mut)] // changed by tests only
                let mut config =
                    userdesk_server::Config { at_rest_key, ..userdesk_server::Config::desktop(server_dir) };
                // Tests see the reverification window close in seconds instead of ten minutes,
                // or a passwordless instance; a release build has no such switches.
                #[cfg(debug_assertions)]
                if let Some(seconds) =
                    std::env::var(TEST_REVERIFICATION_SECONDS).ok().and_then(|value| value.parse().ok())
                {
                    config.reverification_window = std::time::Duration::from_secs(seconds);
                }
                #[cfg(debug_assertions)]
                if std::env::var_os(TEST_PASSWORDLESS).is_some() {
                    config.first_factors = userdesk_server::FirstFactors::email_code_only();
                }
                #[cfg(debug_assertions)]
                if std::env::var_os(TEST_EMAIL_LINK).is_some() {
                    config.first_factors.email_link = true;
                }
                #[cfg(debug_assertions)]
                if std::env::var_os(TEST_SIGN_UP_STRICT).is_some() {
                    config.sign_up.username = userdesk_server::Requirement::Required;
                    config.sign_up.legal_consent = Some(userdesk_server::LegalConsent {
                        terms_url: Some("https://example.com/terms".into()),
                        privacy_policy_url: Some("https://example.com/privacy".into()),
                    });
                }
                secret = config.desktop_secret().map(str::to_owned);
                let server = userdesk_server::start(config).await.map_err(|error| {
                    CommandError::new(
                        "embedded_server",
                        format!("The embedded account server could not start: {error}"),
                    )
                })?;
                let url = Url::parse(&server.url())
                    .map_err(|e| CommandError::new("embedded_server", format!("bad server URL: {e}")))?;
                (url, InstanceKind::Embedded, Some(server))
            }
            InstanceSetting::PublishableKey { key } => {
                let url = fapi_url_from_publishable_key(key).map_err(|e| invalid_setting(e, "key"))?;
                (url, InstanceKind::Clerk, None)
            }
            InstanceSetting::FapiUrl { url } => {
                let url = parse_fapi_url(url).map_err(|e| invalid_setting(e, "url"))?;
                (url, InstanceKind::Url, None)
            }
        };
        let label = match kind {
            InstanceKind::Embedded => "Embedded account server".to_owned(),
            _ => url.host_str().unwrap_or_default().to_owned(),
        };
        // Offered only while it exists: it comes with a new database and, once removed, stays gone.
        let has_demo = match &server {
            Some(server) => server.has_demo_account().await.unwrap_or(false),
            None => false,
        };
        let demo_account = has_demo.then(|| DemoAccount {
            email: userdesk_server::DEMO_EMAIL.to_owned(),
            password: userdesk_server::DEMO_PASSWORD.to_owned(),
        });
        Ok(Self {
            info: InstanceInfo { kind, fapi_url: url.to_string(), label },
            demo_account,
            server_key_storage,
            instance_key: instance_key(setting)?,
            url,
            secret,
            server,
        })
    }

    /// Asks the instance for its configuration with a client of no account: `Err` when nothing
    /// Clerk-compatible answers.
    pub async fn check(&self, user_agent: &str) -> Result<(), userdesk_fapi::Error> {
        let client = Client::builder(self.url.clone()).user_agent(user_agent).build()?;
        client.environment().await.map(drop)
    }

    /// A client of this instance whose token is kept under the keychain entry `token_entry` (a
    /// file in `data_dir` where there is no keychain).
    pub fn client(
        &self,
        token_entry: &str,
        data_dir: &Path,
        user_agent: &str,
        shell: &impl Shell,
    ) -> CommandResult<(Arc<Client>, TokenStorage)> {
        let (store, token_storage) = shell.token_store(token_entry, data_dir);
        let mut builder = Client::builder(self.url.clone()).token_store(store).user_agent(user_agent);
        if let Some(secret) = &self.secret {
            builder = builder.header(userdesk_server::DESKTOP_SECRET_HEADER, secret);
        }
        Ok((Arc::new(builder.build()?), token_storage))
    }

    /// `true` when the embedded server records mail and SMS in its development outbox.
    pub fn has_dev_outbox(&self) -> bool {
        self.server.is_some()
    }

    /// The latest messages of the embedded server's development outbox.
    pub async fn dev_outbox(&self, limit: usize) -> CommandResult<Vec<OutboxMessage>> {
        let server = self.server.as_ref().ok_or_else(|| {
            CommandError::new("no_outbox", "Only the embedded account server has an outbox.")
        })?;
        server.outbox(limit).await.map_err(|error| CommandError::new("internal", error.to_string()))
    }

    /// Stops the embedded server, if this connection started one, letting it finish its writes.
    pub async fn close(self) {
        if let Some(server) = self.server {
            server.shutdown().await;
        }
    }
}

fn invalid_setting(error: userdesk_fapi::Error, field: &str) -> CommandError {
    CommandError::new("invalid_settings", error.to_string()).at_field(field)
}

/// `Userdesk/<version> (<OS>)`: how the person's list of devices names this app.
pub fn user_agent() -> String {
    let os = match std::env::consts::OS {
        "linux" => "Linux",
        "macos" => "macOS",
        "windows" => "Windows",
        other => other,
    };
    format!("Userdesk/{} ({os})", env!("CARGO_PKG_VERSION"))
}
