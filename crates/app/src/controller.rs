//! The controller the shell's commands call: what the app is connected to, its settings, and the
//! pieces each behaviour needs. Each behaviour's methods live in their own module.

use std::path::PathBuf;
use std::sync::Arc;

use serde::Serialize;
use tokio::runtime::Handle;
use tokio::sync::{Mutex, RwLock};
use tokio::task::JoinHandle;
use ts_rs::TS;
use userdesk_fapi::Client;
use userdesk_server::OutboxMessage;

use crate::accounts::{AccountRef, Accounts};
use crate::authenticator::{self, Authenticator};
use crate::avatar::Avatars;
use crate::connection::{self, Connection, DemoAccount, InstanceInfo, TokenStorage};
use crate::error::{CommandError, CommandResult};
use crate::oauth::OAuthFinished;
use crate::passkeys::Ceremonies;
use crate::settings::{InstanceSetting, Settings};
use crate::shell::Shell;

/// What the UI shows about the app and the instance in use.
#[derive(Debug, Clone, Serialize, TS)]
pub struct AppInfo {
    pub version: String,
    pub instance: InstanceInfo,
    pub demo_account: Option<DemoAccount>,
    pub token_storage: TokenStorage,
    /// Where the embedded server's key for two-step secrets is kept; `null` for other instances.
    pub server_key_storage: Option<TokenStorage>,
    /// `true` when the embedded server's development outbox can be read (`dev_outbox`).
    pub dev_outbox: bool,
}

pub struct Controller<S: Shell> {
    pub(crate) shell: Arc<S>,
    /// The accounts, and the instances they are on. Held for writing while the shown account's
    /// instance opens at start, so commands wait for it rather than fail.
    pub(crate) accounts: Arc<RwLock<Result<Accounts, CommandError>>>,
    settings: Mutex<Settings>,
    pub(crate) data_dir: PathBuf,
    /// The app's deep-link scheme, for each account's registry of round trips.
    scheme: String,
    user_agent: String,
    /// The completion of the flow whose link started the app: its result waits here until the UI
    /// is up to collect it (an event sent before the page listens reaches no one).
    pub(crate) launch_flow: std::sync::Mutex<Option<JoinHandle<Option<OAuthFinished>>>>,
    pub(crate) avatars: Avatars,
    /// Where background work runs: window events arrive on the GUI's thread, outside any runtime.
    pub(crate) runtime: Handle,
    /// The WebAuthn client passkeys are made and used with.
    pub(crate) authenticator: Arc<dyn Authenticator>,
    pub(crate) ceremonies: Ceremonies,
    /// What the app watches over the account in the background, and the files it keeps of it.
    pub(crate) watch: crate::watch::Watch,
}

impl<S: Shell> Controller<S> {
    /// A controller for the instance `settings` name. Connecting (for the embedded server: its
    /// first start makes keys and the database) runs in the background on the Tokio runtime this
    /// is called in, which the controller keeps, so the window draws at once; commands wait for
    /// it. Deep links come back as `<scheme>://oauth-callback?…`;
    /// pending round trips are kept under `data_dir` so a link that starts the app can still
    /// complete.
    pub async fn open(shell: S, settings: Settings, data_dir: PathBuf, scheme: &str) -> Arc<Self> {
        let user_agent = connection::user_agent();
        let accounts = Accounts::load(&settings.instance, &data_dir, scheme, &user_agent);
        let mut settings = settings;
        if let Some(shown) = accounts.as_ref().ok().and_then(Accounts::active_setting) {
            // The shown account's instance is the one Settings shows.
            settings.instance = shown;
        }
        let opening = Err(CommandError::new("internal", "The instance is still being opened."));
        let slot = Arc::new(RwLock::new(opening));
        let mut opened = slot.clone().write_owned().await;
        let runtime = Handle::current();
        let controller = Arc::new(Self {
            shell: Arc::new(shell),
            accounts: slot,
            settings: Mutex::new(settings.clone()),
            data_dir: data_dir.clone(),
            scheme: scheme.to_owned(),
            user_agent,
            launch_flow: std::sync::Mutex::new(None),
            avatars: Avatars::default(),
            runtime: runtime.clone(),
            authenticator: authenticator::from_environment(),
            ceremonies: Ceremonies::default(),
            watch: Default::default(),
        });
        let weak = Arc::downgrade(&controller);
        runtime.spawn(async move {
            let mut accounts = match accounts {
                Ok(accounts) => accounts,
                Err(error) => {
                    *opened = Err(error);
                    return;
                }
            };
            if let Some(setting) = &accounts.active_setting() {
                let Some(controller) = weak.upgrade() else { return };
                match Connection::open(setting, &data_dir, &*controller.shell).await {
                    Ok(connection) => {
                        if let Some(extra) = accounts.attach(connection, &*controller.shell) {
                            extra.close().await;
                        }
                    }
                    Err(error) => {
                        tracing::error!("cannot open the instance: {}", error.message);
                        *opened = Err(error);
                        return;
                    }
                }
            }
            *opened = Ok(accounts);
            drop(opened);
            // Then who each account is, and the instances of the other accounts.
            let Some(controller) = weak.upgrade() else { return };
            controller.recall_people().await;
            controller.open_other_instances().await;
        });
        controller
    }

    /// Opens the instances of accounts not shown, so that they are watched and switch at once.
    async fn open_other_instances(&self) {
        let unopened = match self.accounts.read().await.as_ref() {
            Ok(accounts) => accounts.unopened(),
            Err(_) => return,
        };
        for (_, setting) in unopened {
            match Connection::open(&setting, &self.data_dir, &*self.shell).await {
                Ok(connection) => {
                    let extra = match self.accounts.write().await.as_mut() {
                        Ok(accounts) => accounts.attach(connection, &*self.shell),
                        Err(_) => Some(connection),
                    };
                    if let Some(extra) = extra {
                        extra.close().await;
                    }
                }
                Err(error) => tracing::warn!("an account's instance could not be opened: {}", error.message),
            }
        }
    }

    pub async fn app_info(&self) -> CommandResult<AppInfo> {
        let accounts = self.accounts.read().await;
        let accounts = accounts.as_ref().map_err(Clone::clone)?;
        let connection = accounts.active_connection()?;
        Ok(AppInfo {
            version: env!("CARGO_PKG_VERSION").to_owned(),
            instance: connection.info.clone(),
            demo_account: connection.demo_account.clone(),
            token_storage: accounts.active_token_storage().unwrap_or(TokenStorage::Keychain),
            server_key_storage: connection.server_key_storage.clone(),
            dev_outbox: connection.has_dev_outbox(),
        })
    }

    /// The latest messages of the embedded server's development outbox, newest first.
    pub async fn dev_outbox(&self, limit: Option<usize>) -> CommandResult<Vec<OutboxMessage>> {
        let accounts = self.accounts.read().await;
        let connection = accounts.as_ref().map_err(Clone::clone)?.active_connection()?;
        connection.dev_outbox(limit.unwrap_or(50).clamp(1, 500)).await
    }

    pub async fn settings(&self) -> CommandResult<Settings> {
        Ok(self.settings.lock().await.clone())
    }

    /// Saves the settings. A new instance shows its most recent account, or its sign-in screen to
    /// add one; the other accounts stay. It is connected to (and checked) before anything is
    /// saved, so a mistyped key leaves the app as it was.
    pub async fn save_settings(&self, new: Settings) -> CommandResult<AppInfo> {
        let mut settings = self.settings.lock().await;
        if self.accounts.read().await.is_err() {
            // Nothing opened at start (a mistyped key, an embedded server that could not start):
            // the accounts are read again for the new setting.
            let accounts = Accounts::load(&new.instance, &self.data_dir, &self.scheme, &self.user_agent)?;
            *self.accounts.write().await = Ok(accounts);
        }
        let shown = self.accounts.read().await.as_ref().ok().and_then(|a| a.active_setting());
        if shown.as_ref() != Some(&new.instance) || self.app_info().await.is_err() {
            self.use_instance(&new.instance).await?;
        }
        self.shell.save_settings(&new).map_err(|e| CommandError::new("settings_not_saved", e))?;
        *settings = new;
        drop(settings);
        self.app_info().await
    }

    /// Settings follow the shown account's instance (another account was shown).
    pub(crate) async fn keep_instance_setting(&self, instance: InstanceSetting) {
        let mut settings = self.settings.lock().await;
        if settings.instance == instance {
            return;
        }
        settings.instance = instance;
        if let Err(error) = self.shell.save_settings(&settings) {
            tracing::warn!("the settings were not saved: {error}");
        }
    }

    /// Closes every connection, stopping the embedded server cleanly.
    pub async fn shut_down(&self) {
        let old = std::mem::replace(
            &mut *self.accounts.write().await,
            Err(CommandError::new("shutting_down", "Userdesk is quitting.")),
        );
        if let Ok(mut accounts) = old {
            for connection in accounts.take_connections() {
                connection.close().await;
            }
        }
    }

    pub(crate) async fn connect_checked(&self, setting: &InstanceSetting) -> CommandResult<Connection> {
        let field = match setting {
            InstanceSetting::Embedded => None,
            InstanceSetting::PublishableKey { .. } => Some("key"),
            InstanceSetting::FapiUrl { .. } => Some("url"),
        };
        let connection = Connection::open(setting, &self.data_dir, &*self.shell).await?;
        if let Some(field) = field {
            if let Err(error) = connection.check(&self.user_agent).await {
                let message =
                    format!("No Clerk-compatible instance answered at {}: {error}", connection.info.fapi_url);
                connection.close().await;
                return Err(CommandError::new(error.code(), message).at_field(field));
            }
        }
        Ok(connection)
    }

    /// The account shown, ready for a command.
    pub(crate) async fn account(&self) -> CommandResult<AccountRef> {
        self.account_of(None).await
    }

    /// Account `id` (the shown one when `None`), as it is now.
    pub(crate) async fn account_of(&self, id: Option<&str>) -> CommandResult<AccountRef> {
        self.accounts.read().await.as_ref().map_err(Clone::clone)?.account(id)
    }

    pub(crate) async fn client(&self) -> CommandResult<Arc<Client>> {
        self.account().await.map(|account| account.client)
    }
}
