//! What the commands act on: the connection to the instance in use and the settings.

use std::path::PathBuf;
use std::sync::Arc;

use serde::Serialize;
use serde_json::Value;
use tauri::{AppHandle, Runtime};
use tokio::sync::{Mutex, RwLock};
use ts_rs::TS;
use userdesk_fapi::models::{EmailAddress, PhoneNumber, SignInStatus, User};
use userdesk_fapi::{Client, EmailVerification, UpdateUserParams};

use crate::connection::{Connection, DemoAccount, InstanceInfo};
use crate::error::{CommandError, CommandResult};
use crate::settings::{self, InstanceSetting, Settings};
use crate::token_store::TokenStorage;

/// What the UI shows about the app and the instance in use.
#[derive(Debug, Clone, Serialize, TS)]
pub struct AppInfo {
    pub version: String,
    pub instance: InstanceInfo,
    pub demo_account: Option<DemoAccount>,
    pub token_storage: TokenStorage,
}

/// How to verify an email address, as the UI asks for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum VerificationStrategy {
    EmailCode,
    EmailLink,
}

pub struct AppState {
    /// `Err` when the instance could not be opened at start; Settings can still change it.
    connection: RwLock<Result<Connection, CommandError>>,
    settings: Mutex<Settings>,
    data_dir: PathBuf,
    user_agent: String,
}

impl AppState {
    pub async fn open(settings: Settings, data_dir: PathBuf) -> Self {
        let user_agent = user_agent();
        let connection = Connection::open(&settings.instance, &data_dir, &user_agent).await;
        if let Err(error) = &connection {
            tracing::error!("cannot open the instance: {}", error.message);
        }
        Self { connection: RwLock::new(connection), settings: Mutex::new(settings), data_dir, user_agent }
    }

    pub async fn app_info(&self) -> CommandResult<AppInfo> {
        let connection = self.connection.read().await;
        let connection = connection.as_ref().map_err(Clone::clone)?;
        Ok(AppInfo {
            version: env!("CARGO_PKG_VERSION").to_owned(),
            instance: connection.info.clone(),
            demo_account: connection.demo_account.clone(),
            token_storage: connection.token_storage.clone(),
        })
    }

    /// The signed-in user, or `None` when this device is signed out.
    pub async fn current_user(&self) -> CommandResult<Option<User>> {
        let client = self.client().await?;
        if !client.has_token() {
            return Ok(None);
        }
        match client.me().await {
            Ok(user) => Ok(Some(user)),
            Err(error) if error.is_signed_out() => Ok(None),
            Err(error) => Err(error.into()),
        }
    }

    pub async fn sign_in(&self, identifier: &str, password: &str) -> CommandResult<User> {
        let client = self.client().await?;
        let sign_in = client.sign_in_with_password(identifier, password).await?;
        if sign_in.status != SignInStatus::Complete {
            return Err(CommandError::new(
                "sign_in_incomplete",
                "This account needs another step to sign in, which Userdesk cannot do yet.",
            ));
        }
        Ok(client.me().await?)
    }

    pub async fn sign_out(&self) -> CommandResult<()> {
        match self.client().await?.sign_out().await {
            Err(error) if !error.is_signed_out() => Err(error.into()),
            _ => Ok(()),
        }
    }

    pub async fn update_profile(&self, params: &UpdateUserParams) -> CommandResult<User> {
        Ok(self.client().await?.update_user(params).await?)
    }

    /// Makes the unsafe metadata equal `metadata`, which must be a JSON object.
    pub async fn set_unsafe_metadata(&self, metadata: Value) -> CommandResult<User> {
        let Value::Object(metadata) = metadata else {
            return Err(CommandError::new(
                "invalid_json",
                "Unsafe metadata must be a JSON object, like {\"key\": \"value\"}.",
            )
            .at_field("unsafe_metadata"));
        };
        let client = self.client().await?;
        let current = client.me().await?;
        Ok(client.replace_unsafe_metadata(&current.unsafe_metadata, &metadata).await?)
    }

    pub async fn create_email_address(&self, email_address: &str) -> CommandResult<EmailAddress> {
        Ok(self.client().await?.create_email_address(email_address).await?)
    }

    pub async fn prepare_email_verification(
        &self,
        id: &str,
        strategy: VerificationStrategy,
    ) -> CommandResult<EmailAddress> {
        let strategy = match strategy {
            VerificationStrategy::EmailCode => EmailVerification::Code,
            // Without a redirect the server's own page says the address is verified; the app
            // sees it on its next refresh.
            VerificationStrategy::EmailLink => EmailVerification::Link { redirect_url: None },
        };
        Ok(self.client().await?.prepare_email_verification(id, &strategy).await?)
    }

    pub async fn attempt_email_verification(&self, id: &str, code: &str) -> CommandResult<EmailAddress> {
        Ok(self.client().await?.attempt_email_verification(id, code).await?)
    }

    pub async fn destroy_email_address(&self, id: &str) -> CommandResult<()> {
        self.client().await?.destroy_email_address(id).await?;
        Ok(())
    }

    pub async fn create_phone_number(&self, phone_number: &str) -> CommandResult<PhoneNumber> {
        Ok(self.client().await?.create_phone_number(phone_number).await?)
    }

    pub async fn prepare_phone_verification(&self, id: &str) -> CommandResult<PhoneNumber> {
        Ok(self.client().await?.prepare_phone_verification(id).await?)
    }

    pub async fn attempt_phone_verification(&self, id: &str, code: &str) -> CommandResult<PhoneNumber> {
        Ok(self.client().await?.attempt_phone_verification(id, code).await?)
    }

    pub async fn set_reserved_for_second_factor(
        &self,
        id: &str,
        reserved: bool,
    ) -> CommandResult<PhoneNumber> {
        Ok(self.client().await?.set_reserved_for_second_factor(id, reserved).await?)
    }

    pub async fn make_default_second_factor(&self, id: &str) -> CommandResult<PhoneNumber> {
        Ok(self.client().await?.make_default_second_factor(id).await?)
    }

    pub async fn destroy_phone_number(&self, id: &str) -> CommandResult<()> {
        self.client().await?.destroy_phone_number(id).await?;
        Ok(())
    }

    pub async fn settings(&self) -> Settings {
        self.settings.lock().await.clone()
    }

    /// Saves the settings; a new instance is connected to (and checked) before anything is saved,
    /// so a mistyped key leaves the app as it was.
    pub async fn save_settings<R: Runtime>(
        &self,
        app: &AppHandle<R>,
        new: Settings,
    ) -> CommandResult<AppInfo> {
        let mut settings = self.settings.lock().await;
        let instance_changed = settings.instance != new.instance || self.connection.read().await.is_err();
        if instance_changed {
            let connection = self.connect_checked(&new.instance).await?;
            let old = std::mem::replace(&mut *self.connection.write().await, Ok(connection));
            if let Ok(old) = old {
                old.close().await;
            }
        }
        settings::save(app, &new).map_err(|e| CommandError::new("settings_not_saved", e))?;
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
        let connection = Connection::open(setting, &self.data_dir, &self.user_agent).await?;
        if let Some(field) = field {
            if let Err(error) = connection.client.environment().await {
                let message =
                    format!("No Clerk-compatible instance answered at {}: {error}", connection.info.fapi_url);
                return Err(CommandError::new(error.code(), message).at_field(field));
            }
        }
        Ok(connection)
    }

    async fn client(&self) -> CommandResult<Arc<Client>> {
        let connection = self.connection.read().await;
        connection.as_ref().map(|c| c.client.clone()).map_err(Clone::clone)
    }
}

/// `Userdesk/<version> (<OS>)`: how the person's list of devices names this app.
fn user_agent() -> String {
    let os = match std::env::consts::OS {
        "linux" => "Linux",
        "macos" => "macOS",
        "windows" => "Windows",
        other => other,
    };
    format!("Userdesk/{} ({os})", env!("CARGO_PKG_VERSION"))
}
