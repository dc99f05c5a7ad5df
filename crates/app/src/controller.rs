//! The controller the shell's commands call: what the app is connected to, its settings, and the
//! pieces each behaviour needs. Each behaviour's methods live in their own module.

use std::path::PathBuf;
use std::sync::Arc;

use serde::Serialize;
use tokio::runtime::Handle;
use tokio::sync::{Mutex, RwLock};
use tokio::task::JoinHandle;
use ts_rs::TS;
use userdesk_fapi::native_flow::{FlowRegistry, DEFAULT_FLOW_LIFETIME};
use userdesk_fapi::Client;
use userdesk_server::OutboxMessage;

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
    /// `Err` when the instance could not be opened at start; Settings can still change it. Held
    /// for writing while it opens, so commands wait for it rather than fail.
    connection: Arc<RwLock<Result<Connection, CommandError>>>,
    pub(crate) flows: FlowRegistry,
    settings: Mutex<Settings>,
    pub(crate) data_dir: PathBuf,
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
        let flows =
            FlowRegistry::persistent(scheme, DEFAULT_FLOW_LIFETIME, data_dir.join("pending-flows.json"));
        let opening = Err(CommandError::new("internal", "The instance is still being opened."));
        let connection = Arc::new(RwLock::new(opening));
        let mut opened = connection.clone().write_owned().await;
        let runtime = Handle::current();
        let controller = Arc::new(Self {
            shell: Arc::new(shell),
            connection,
            flows,
            settings: Mutex::new(settings.clone()),
            data_dir: data_dir.clone(),
            user_agent: connection::user_agent(),
            launch_flow: std::sync::Mutex::new(None),
            avatars: Avatars::default(),
            runtime: runtime.clone(),
            authenticator: authenticator::from_environment(),
            ceremonies: Ceremonies::default(),
            watch: Default::default(),
        });
        let shell = controller.shell.clone();
        let user_agent = controller.user_agent.clone();
        runtime.spawn(async move {
            let connection = Connection::open(&settings.instance, &data_dir, &user_agent, &*shell).await;
            if let Err(error) = &connection {
                tracing::error!("cannot open the instance: {}", error.message);
            }
            *opened = connection;
        });
        controller
    }

    pub async fn app_info(&self) -> CommandResult<AppInfo> {
        let connection = self.connection.read().await;
        let connection = connection.as_ref().map_err(Clone::clone)?;
        Ok(AppInfo {
            version: env!("CARGO_PKG_VERSION").to_owned(),
            instance: connection.info.clone(),
            demo_account: connection.demo_account.clone(),
            token_storage: connection.token_storage.clone(),
            server_key_storage: connection.server_key_storage.clone(),
            dev_outbox: connection.has_dev_outbox(),
        })
    }

    /// The latest messages of the embedded server's development outbox, newest first.
    pub async fn dev_outbox(&self, limit: Option<usize>) -> CommandResult<Vec<OutboxMessage>> {
        let connection = self.connection.read().await;
        connection.as_ref().map_err(Clone::clone)?.dev_outbox(limit.unwrap_or(50).clamp(1, 500)).await
    }

    pub async fn settings(&self) -> CommandResult<Settings> {
        Ok(self.settings.lock().await.clone())
    }

    /// Saves the settings; a new instance is connected to (and checked) before anything is saved,
    /// so a mistyped key leaves the app as it was.
    pub async fn save_settings(&self, new: Settings) -> CommandResult<AppInfo> {
        let mut settings = self.settings.lock().await;
        let instance_changed = settings.instance != new.instance || self.connection.read().await.is_err();
        if instance_changed {
            let connection = self.connect_checked(&new.instance).await?;
            let old = std::mem::replace(&mut *self.connection.write().await, Ok(connection));
            if let Ok(old) = old {
                old.close().await;
            }
        }
        self.shell.save_settings(&new).map_err(|e| CommandError::new("settings_not_saved", e))?;
        *settings = new;
        drop(settings);
        self.app_info().await
    }

    /// Closes the connection, stopping the embedded server cleanly.
    pub async fn shut_down(&self) {
        let old = std::mem::replace(
            &mut *self.connection.write().await,
            Err(CommandError::new("shutting_down", "Userdesk is quitting.")),
        );
        if let Ok(connection) = old {
            connection.close().await;
        }
    }

    async fn connect_checked(&self, setting: &InstanceSetting) -> CommandResult<Connection> {
        let field = match setting {
            InstanceSetting::Embedded => None,
            InstanceSetting::PublishableKey { .. } => Some("key"),
            InstanceSetting::FapiUrl { .. } => Some("url"),
        };
        let connection = Connection::open(setting, &self.data_dir, &self.user_agent, &*self.shell).await?;
        if let Some(field) = field {
            if let Err(error) = connection.client.environment().await {
                let message =
                    format!("No Clerk-compatible instance answered at {}: {error}", connection.info.fapi_url);
                connection.close().await;
                return Err(CommandError::new(error.code(), message).at_field(field));
            }
        }
        Ok(connection)
    }

    /// The client and the instance's key among the app's accounts.
    pub(crate) async fn client_and_instance(&self) -> CommandResult<(Arc<Client>, String)> {
        let connection = self.connection.read().await;
        connection.as_ref().map(|c| (c.client.clone(), c.instance_key.clone())).map_err(Clone::clone)
    }

    pub(crate) async fn client(&self) -> CommandResult<Arc<Client>> {
        let connection = self.connection.read().await;
        connection.as_ref().map(|c| c.client.clone()).map_err(Clone::clone)
    }
}
