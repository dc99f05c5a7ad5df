//! What the commands act on: the connection to the instance in use and the settings.

use std::path::PathBuf;
use std::sync::Arc;

use serde::Serialize;
use serde_json::Value;
use tauri::{AppHandle, Runtime};
use tokio::sync::{Mutex, RwLock};
use ts_rs::TS;
use userdesk_fapi::models::ClerkError;
use userdesk_fapi::models::{
    BackupCodes, EmailAddress, PhoneNumber, SessionWithActivities, SignIn, SignInStatus, SignUpStatus, Totp,
    User,
};
use userdesk_fapi::native_flow::{FlowKind, FlowRegistry, DEFAULT_FLOW_LIFETIME};
use userdesk_fapi::{
    Client, EmailVerification, FlowResult, SecondFactor, SignUpParams, TokenInspection, TokenService,
    UpdateUserParams,
};

use crate::connection::{Connection, DemoAccount, InstanceInfo};
use crate::error::{CommandError, CommandResult};
use crate::settings::{self, InstanceSetting, Settings};
use crate::token_store::TokenStorage;
use userdesk_server::OutboxMessage;

/// What the UI shows about the app and the instance in use.
#[derive(Debug, Clone, Serialize, TS)]
pub struct AppInfo {
    pub version: String,
    pub instance: InstanceInfo,
    pub demo_account: Option<DemoAccount>,
    pub token_storage: TokenStorage,
    /// `true` when the embedded server's development outbox can be read (`dev_outbox`).
    pub dev_outbox: bool,
}

/// How to verify an email address, as the UI asks for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum VerificationStrategy {
    EmailCode,
    EmailLink,
}

/// The outcome of a password sign-in.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum SignInResult {
    Complete {
        user: Box<User>,
    },
    /// Two-factor is on: finish with `attempt_second_factor`.
    NeedsSecondFactor(SecondFactorStep),
}

/// A sign-in whose first factor (password or provider) passed, waiting for the second.
#[derive(Debug, Clone, Serialize, TS)]
pub struct SecondFactorStep {
    pub sign_in_id: String,
    /// `totp`, `phone_code`, `backup_code`, as the account allows.
    pub strategies: Vec<String>,
    pub phone: Option<SecondFactorPhone>,
}

impl SecondFactorStep {
    fn of(sign_in: SignIn) -> Self {
        let factors = sign_in.supported_second_factors.unwrap_or_default();
        Self {
            sign_in_id: sign_in.id,
            strategies: factors.iter().map(|factor| factor.strategy.clone()).collect(),
            phone: factors.iter().find(|factor| factor.strategy == "phone_code").and_then(|factor| {
                Some(SecondFactorPhone {
                    phone_number_id: factor.phone_number_id.clone()?,
                    safe_identifier: factor.safe_identifier.clone().unwrap_or_default(),
                })
            }),
        }
    }
}

/// The phone a second-factor SMS goes to, partly masked.
#[derive(Debug, Clone, Serialize, TS)]
pub struct SecondFactorPhone {
    pub phone_number_id: String,
    pub safe_identifier: String,
}

/// The person's sessions on every device.
#[derive(Debug, Clone, Serialize, TS)]
pub struct Devices {
    /// This device's session.
    pub current_session_id: Option<String>,
    pub sessions: Vec<SessionWithActivities>,
}

/// What the create-account screen sends.
#[derive(Debug, Clone, serde::Deserialize, TS)]
pub struct SignUpForm {
    pub email_address: String,
    pub password: String,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    /// A JSON object copied onto the new account's unsafe metadata.
    pub unsafe_metadata: Option<Value>,
}

/// A browser round trip the app started; the UI shows a waiting state until it finishes.
#[derive(Debug, Clone, Serialize, TS)]
pub struct OAuthStarted {
    pub flow_id: String,
    /// Where the system browser was sent.
    pub authorization_url: String,
}

/// How a round trip ended, sent to the UI as the `oauth-finished` event.
#[derive(Debug, Clone, Serialize, TS)]
pub struct OAuthFinished {
    pub flow_id: String,
    pub kind: OAuthFlowKind,
    /// The provider's strategy (`oauth_github`); `None` for a reauthorization, whose account says.
    pub strategy: Option<String>,
    pub status: OAuthStatus,
    /// The user after the round trip, when the app is signed in.
    pub user: Option<User>,
    /// The external account the flow was about.
    pub external_account_id: Option<String>,
    pub error: Option<CommandError>,
    /// `true` when an OAuth sign-in created a new account.
    pub new_user: bool,
    /// With `needs_second_factor`: the sign-in to finish with `attempt_second_factor`.
    pub second_factor: Option<SecondFactorStep>,
}

/// What a round trip was for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum OAuthFlowKind {
    Connect,
    Reauthorize,
    SignIn,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum OAuthStatus {
    AccountVerified,
    AccountFailed,
    SignedIn,
    /// The provider vouched for the person; the account's second factor is still asked.
    NeedsSecondFactor,
    SignInFailed,
    /// The flow's result could not be read (server down, …): `error` says why.
    Error,
}

pub struct AppState {
    /// `Err` when the instance could not be opened at start; Settings can still change it.
    connection: RwLock<Result<Connection, CommandError>>,
    flows: FlowRegistry,
    settings: Mutex<Settings>,
    data_dir: PathBuf,
    user_agent: String,
    /// The completion of the flow whose link started the app: its result waits here until the UI
    /// is up to collect it (an event sent before the page listens reaches no one).
    launch_flow: std::sync::Mutex<Option<tauri::async_runtime::JoinHandle<Option<OAuthFinished>>>>,
}

impl AppState {
    pub async fn open(settings: Settings, data_dir: PathBuf, scheme: &str) -> Self {
        let flows =
            FlowRegistry::persistent(scheme, DEFAULT_FLOW_LIFETIME, data_dir.join("pending-flows.json"));
        let user_agent = user_agent();
        let connection = Connection::open(&settings.instance, &data_dir, &user_agent).await;
        if let Err(error) = &connection {
            tracing::error!("cannot open the instance: {}", error.message);
        }
        Self {
            connection: RwLock::new(connection),
            flows,
            settings: Mutex::new(settings),
            data_dir,
            user_agent,
            launch_flow: std::sync::Mutex::new(None),
        }
    }

    /// Keeps the completion of the flow the app was started by, for [`Self::launch_oauth_result`].
    pub fn set_launch_flow(&self, completion: tauri::async_runtime::JoinHandle<Option<OAuthFinished>>) {
        *self.launch_flow.lock().unwrap_or_else(|poisoned| poisoned.into_inner()) = Some(completion);
    }

    /// How the flow whose link started the app ended, once; `None` when no link started it (or
    /// the link named no flow of this app).
    pub async fn launch_oauth_result(&self) -> Option<OAuthFinished> {
        let completion = self.launch_flow.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).take()?;
        match completion.await {
            Ok(finished) => finished,
            Err(error) => {
                tracing::error!("the link that started the app could not be completed: {error}");
                None
            }
        }
    }

    pub async fn app_info(&self) -> CommandResult<AppInfo> {
        let connection = self.connection.read().await;
        let connection = connection.as_ref().map_err(Clone::clone)?;
        Ok(AppInfo {
            version: env!("CARGO_PKG_VERSION").to_owned(),
            instance: connection.info.clone(),
            demo_account: connection.demo_account.clone(),
            token_storage: connection.token_storage.clone(),
            dev_outbox: connection.has_dev_outbox(),
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

    pub async fn sign_in(&self, identifier: &str, password: &str) -> CommandResult<SignInResult> {
        let client = self.client().await?;
        let sign_in = client.sign_in_with_password(identifier, password).await?;
        match sign_in.status {
            SignInStatus::Complete => Ok(SignInResult::Complete { user: Box::new(client.me().await?) }),
            SignInStatus::NeedsSecondFactor => {
                Ok(SignInResult::NeedsSecondFactor(SecondFactorStep::of(sign_in)))
            }
            other => Err(CommandError::new(
                "sign_in_incomplete",
                format!(
                    "This account needs another step to sign in ({other:?}), which Userdesk cannot do yet."
                ),
            )),
        }
    }

    /// Sends the SMS code of a sign-in's second factor.
    pub async fn prepare_second_factor(&self, sign_in_id: &str, phone_number_id: &str) -> CommandResult<()> {
        let client = self.client().await?;
        client.prepare_second_factor(sign_in_id, SecondFactor::PhoneCode, Some(phone_number_id)).await?;
        Ok(())
    }

    /// Completes a sign-in with its second factor.
    pub async fn attempt_second_factor(
        &self,
        sign_in_id: &str,
        factor: SecondFactor,
        code: &str,
    ) -> CommandResult<User> {
        let client = self.client().await?;
        let sign_in = client.attempt_second_factor(sign_in_id, factor, code).await?;
        if sign_in.status != SignInStatus::Complete {
            return Err(CommandError::new("sign_in_incomplete", "The sign-in did not complete. Try again."));
        }
        Ok(client.me().await?)
    }

    /// This device's session and every active one, for the Devices section.
    pub async fn devices(&self) -> CommandResult<Devices> {
        let client = self.client().await?;
        let sessions = client.get_sessions().await?;
        Ok(Devices { current_session_id: client.session_id(), sessions })
    }

    pub async fn revoke_session(&self, id: &str) -> CommandResult<()> {
        self.client().await?.revoke_session(id).await?;
        Ok(())
    }

    /// Signs out every device but this one; returns how many were signed out.
    pub async fn revoke_other_sessions(&self) -> CommandResult<usize> {
        Ok(self.client().await?.revoke_other_sessions().await?)
    }

    /// A token for an integration, taken apart and checked against the instance's keys.
    pub async fn get_token(&self, service: TokenService) -> CommandResult<TokenInspection> {
        let client = self.client().await?;
        let jwt = client.get_token(service).await?;
        Ok(client.inspect_token(&jwt).await?)
    }

    pub async fn create_totp(&self) -> CommandResult<Totp> {
        Ok(self.client().await?.create_totp().await?)
    }

    pub async fn verify_totp(&self, code: &str) -> CommandResult<Totp> {
        Ok(self.client().await?.attempt_totp_verification(code).await?)
    }

    pub async fn delete_totp(&self) -> CommandResult<()> {
        self.client().await?.delete_totp().await?;
        Ok(())
    }

    pub async fn create_backup_codes(&self) -> CommandResult<BackupCodes> {
        Ok(self.client().await?.create_backup_codes().await?)
    }

    pub async fn change_password(
        &self,
        current: &str,
        new: &str,
        sign_out_others: bool,
    ) -> CommandResult<User> {
        Ok(self.client().await?.change_password(current, new, sign_out_others).await?)
    }

    pub async fn remove_password(&self, current: &str) -> CommandResult<User> {
        Ok(self.client().await?.remove_password(current).await?)
    }

    /// Creates an account and sends the code that verifies its email; returns the sign-up's id.
    pub async fn start_sign_up(&self, form: SignUpForm) -> CommandResult<String> {
        let unsafe_metadata = form.unsafe_metadata.map(metadata_object).transpose()?;
        let params = SignUpParams {
            email_address: Some(form.email_address),
            password: Some(form.password),
            first_name: form.first_name.filter(|name| !name.trim().is_empty()),
            last_name: form.last_name.filter(|name| !name.trim().is_empty()),
            username: None,
            unsafe_metadata,
        };
        let client = self.client().await?;
        let sign_up = client.sign_up(&params).await?;
        client.prepare_sign_up_verification(&sign_up.id).await?;
        Ok(sign_up.id)
    }

    /// Verifies the new account's email; the account is signed in when this succeeds.
    pub async fn verify_sign_up(&self, sign_up_id: &str, code: &str) -> CommandResult<User> {
        let client = self.client().await?;
        let sign_up = client.attempt_sign_up_verification(sign_up_id, code).await?;
        if sign_up.status != SignUpStatus::Complete {
            let missing = sign_up.missing_fields.join(", ");
            return Err(CommandError::new(
                "sign_up_incomplete",
                format!("The account still needs: {missing}."),
            ));
        }
        Ok(client.me().await?)
    }

    pub async fn delete_account(&self) -> CommandResult<()> {
        self.client().await?.delete_user().await?;
        Ok(())
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

    /// The OAuth strategies the instance has enabled, e.g. `oauth_github`.
    pub async fn oauth_strategies(&self) -> CommandResult<Vec<String>> {
        Ok(self.client().await?.environment().await?.enabled_oauth_strategies())
    }

    /// Starts connecting an account; the caller sends the browser to the returned URL.
    pub async fn connect_external_account(
        &self,
        strategy: &str,
        scopes: &[String],
    ) -> CommandResult<OAuthStarted> {
        let client = self.client().await?;
        let (flow_id, redirect_url) = self.flows.start(FlowKind::Connect { strategy: strategy.to_owned() });
        let account = client.create_external_account(strategy, &redirect_url, scopes).await;
        self.started(
            flow_id,
            account.map(|a| a.verification.and_then(|v| v.external_verification_redirect_url)),
        )
    }

    /// Starts asking a connected account for more scopes.
    pub async fn reauthorize_external_account(
        &self,
        id: &str,
        scopes: &[String],
    ) -> CommandResult<OAuthStarted> {
        let client = self.client().await?;
        let (flow_id, redirect_url) =
            self.flows.start(FlowKind::Reauthorize { external_account_id: id.to_owned() });
        let account = client.reauthorize_external_account(id, scopes, &redirect_url).await;
        self.started(
            flow_id,
            account.map(|a| a.verification.and_then(|v| v.external_verification_redirect_url)),
        )
    }

    /// Starts signing in through a provider.
    pub async fn sign_in_with_oauth(&self, strategy: &str) -> CommandResult<OAuthStarted> {
        let client = self.client().await?;
        let (flow_id, redirect_url) = self.flows.start(FlowKind::SignIn { strategy: strategy.to_owned() });
        let sign_in = client.sign_in_with_oauth(strategy, &redirect_url).await;
        if let Ok(sign_in) = &sign_in {
            self.flows.attach_sign_in(&flow_id, &sign_in.id);
        }
        self.started(
            flow_id,
            sign_in.map(|s| s.first_factor_verification.and_then(|v| v.external_verification_redirect_url)),
        )
    }

    pub async fn destroy_external_account(&self, id: &str) -> CommandResult<()> {
        self.client().await?.destroy_external_account(id).await?;
        Ok(())
    }

    /// Forgets a flow the person cancelled: its callback, if it still comes, is dropped.
    pub fn cancel_oauth(&self, flow_id: &str) {
        self.flows.cancel(flow_id);
    }

    /// Completes the flow a deep link names. Links that name no pending flow are dropped here,
    /// before any request: the app acts only on round trips it started.
    pub async fn complete_oauth(&self, url: &str) -> Option<OAuthFinished> {
        let flow = match self.flows.accept(url) {
            Ok(flow) => flow,
            Err(reason) => {
                tracing::warn!("dropped a deep link: {reason}");
                return None;
            }
        };
        let result = match self.client().await {
            Ok(client) => client.complete_flow(&flow).await.map_err(CommandError::from),
            Err(error) => Err(error),
        };
        let (kind, strategy) = match &flow.kind {
            FlowKind::Connect { strategy } => (OAuthFlowKind::Connect, Some(strategy.clone())),
            FlowKind::Reauthorize { .. } => (OAuthFlowKind::Reauthorize, None),
            FlowKind::SignIn { strategy } => (OAuthFlowKind::SignIn, Some(strategy.clone())),
        };
        let finished = |status, user, external_account_id, error, new_user| OAuthFinished {
            flow_id: flow.id.clone(),
            kind,
            strategy: strategy.clone(),
            status,
            user,
            external_account_id,
            error,
            new_user,
            second_factor: None,
        };
        Some(match result {
            Ok(FlowResult::AccountVerified { user, external_account }) => {
                finished(OAuthStatus::AccountVerified, Some(user), Some(external_account.id), None, false)
            }
            Ok(FlowResult::AccountFailed { user, external_account, error }) => finished(
                OAuthStatus::AccountFailed,
                Some(user),
                external_account.map(|a| a.id),
                Some(clerk_error(error)),
                false,
            ),
            Ok(FlowResult::SignedIn { user, new_user }) => {
                finished(OAuthStatus::SignedIn, Some(user), None, None, new_user)
            }
            Ok(FlowResult::NeedsSecondFactor { sign_in }) => OAuthFinished {
                second_factor: Some(SecondFactorStep::of(*sign_in)),
                ..finished(OAuthStatus::NeedsSecondFactor, None, None, None, false)
            },
            Ok(FlowResult::SignInFailed { error }) => {
                finished(OAuthStatus::SignInFailed, None, None, Some(clerk_error(error)), false)
            }
            Err(error) => finished(OAuthStatus::Error, None, None, Some(error), false),
        })
    }

    fn started(
        &self,
        flow_id: String,
        authorization_url: Result<Option<String>, userdesk_fapi::Error>,
    ) -> CommandResult<OAuthStarted> {
        match authorization_url {
            Ok(Some(authorization_url)) => Ok(OAuthStarted { flow_id, authorization_url }),
            Ok(None) => {
                self.flows.cancel(&flow_id);
                Err(CommandError::new(
                    "oauth_no_redirect",
                    "The server did not say where to continue in the browser.",
                ))
            }
            Err(error) => {
                self.flows.cancel(&flow_id);
                Err(error.into())
            }
        }
    }

    pub async fn dev_outbox(&self, limit: usize) -> CommandResult<Vec<OutboxMessage>> {
        let connection = self.connection.read().await;
        connection.as_ref().map_err(Clone::clone)?.dev_outbox(limit).await
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

    pub(crate) async fn client(&self) -> CommandResult<Arc<Client>> {
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

/// Unsafe metadata as the server stores it: a JSON object, refused before any request otherwise.
fn metadata_object(metadata: Value) -> CommandResult<serde_json::Map<String, Value>> {
    match metadata {
        Value::Object(metadata) => Ok(metadata),
        _ => Err(CommandError::new(
            "invalid_json",
            "Unsafe metadata must be a JSON object, like {\"key\": \"value\"}.",
        )
        .at_field("unsafe_metadata")),
    }
}

fn clerk_error(error: ClerkError) -> CommandError {
    CommandError {
        field: error.param_name().map(str::to_owned),
        code: error.code,
        message: error.long_message,
    }
}
