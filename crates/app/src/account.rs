//! The signed-in account: profile and metadata, email addresses, phone numbers, devices, tokens
//! for integrations, two-step verification and the password.

use std::sync::Arc;

use serde::{Deserialize, Serialize};
use serde_json::Value;
use ts_rs::TS;
use userdesk_fapi::models::{BackupCodes, EmailAddress, PhoneNumber, SessionWithActivities, Totp, User};
use userdesk_fapi::{EmailVerification, TokenInspection, TokenService, UpdateUserParams};

use crate::accounts::AccountSummary;
use crate::controller::Controller;
use crate::error::{CommandError, CommandResult};
use crate::shell::Shell;

/// How to verify an email address, as the UI asks for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum VerificationStrategy {
    EmailCode,
    EmailLink,
}

/// The instance's rules for changing the account, for the forms to ask exactly what it needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
pub struct AccountRules {
    /// Sensitive changes need a recently verified session (the app asks when the instance says
    /// so); the current password is then not asked on a password change (Clerk's rule).
    pub reverification: bool,
}

/// The person's sessions on every device.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct Devices {
    /// This device's session.
    pub current_session_id: Option<String>,
    pub sessions: Vec<SessionWithActivities>,
}

impl<S: Shell> Controller<S> {
    pub async fn account_rules(&self) -> CommandResult<AccountRules> {
        let environment = self.client().await?.environment().await?;
        Ok(AccountRules { reverification: environment.reverification_enabled() })
    }

    pub async fn update_profile(&self, params: &UpdateUserParams) -> CommandResult<User> {
        Ok(self.client().await?.update_user(params).await?)
    }

    /// Makes the unsafe metadata equal `metadata`, which must be a JSON object.
    pub async fn set_unsafe_metadata(&self, metadata: Value) -> CommandResult<User> {
        let metadata = metadata_object(metadata)?;
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

    /// This device's session and every active one, for the Devices section.
    pub async fn devices(&self) -> CommandResult<Devices> {
        let account = self.account().await?;
        let sessions = account.client.get_sessions().await?;
        let devices = Devices { current_session_id: account.client.session_id(), sessions };
        self.remember_devices(&account, &devices).await;
        Ok(devices)
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
    pub async fn get_token(self: &Arc<Self>, service: TokenService) -> CommandResult<TokenInspection> {
        let account = self.account().await?;
        let jwt = account.client.get_token(service).await?;
        let inspection = account.client.inspect_token(&jwt).await?;
        if let Some(expires_at) = inspection.expires_at {
            self.watch_token(account.id, service, expires_at);
        }
        Ok(inspection)
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

    /// Asks where to save the backup codes (the system's dialog) and writes them there, readable
    /// by this user only. Returns `false` when the person cancelled.
    pub async fn save_backup_codes(&self, codes: &[String]) -> CommandResult<bool> {
        let Some(path) = self.shell.choose_save_path("userdesk-backup-codes.txt").await? else {
            return Ok(false);
        };
        let text = format!(
            "Userdesk backup codes. Each works once, in place of a two-step verification code.\n\n{}\n",
            codes.join("\n")
        );
        userdesk_fapi::private_file::write(&path, text.as_bytes()).map_err(|e| {
            CommandError::new("file_not_saved", format!("Could not save {}: {e}", path.display()))
        })?;
        Ok(true)
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

    /// Deletes the shown account on its instance, then removes it from the app: the account used
    /// most recently is shown, or the sign-in screen.
    pub async fn delete_account(&self) -> CommandResult<Vec<AccountSummary>> {
        let account = self.account().await?;
        account.client.delete_user().await?;
        self.remove_account(&account.id).await
    }
}

/// Unsafe metadata as the server stores it: a JSON object, refused before any request otherwise.
pub(crate) fn metadata_object(metadata: Value) -> CommandResult<serde_json::Map<String, Value>> {
    match metadata {
        Value::Object(metadata) => Ok(metadata),
        _ => Err(CommandError::new(
            "invalid_json",
            "Unsafe metadata must be a JSON object, like {\"key\": \"value\"}.",
        )
        .at_field("unsafe_metadata")),
    }
}
