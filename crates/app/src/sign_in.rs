//! Signing in (password, then a second factor when the account has one), and signing out.

use serde::Serialize;
use serde_json::Value;
use ts_rs::TS;
use userdesk_fapi::models::{SignIn, SignInStatus, User};
use userdesk_fapi::{Client, SecondFactor};

use crate::accounts::AccountSummary;
use crate::controller::Controller;
use crate::error::{CommandError, CommandResult};
use crate::shell::Shell;

/// The outcome of a password sign-in.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum SignInResult {
    Complete {
        user: Box<User>,
    },
    /// Two-factor is on: finish with `attempt_second_factor`.
    NeedsSecondFactor(SecondFactorStep),
    /// The instance does not know this device yet: a code went out; finish with
    /// `attempt_code_sign_in` (purpose `client_trust`).
    NeedsClientTrust(crate::code_sign_in::CodeSent),
}

/// A sign-in whose first factor (password or provider) passed, waiting for the second.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct SecondFactorStep {
    pub sign_in_id: String,
    /// What the account allows, in the server's order (its default first).
    pub strategies: Vec<SecondFactor>,
    pub phone: Option<SecondFactorPhone>,
}

impl SecondFactorStep {
    pub(crate) fn of(sign_in: SignIn) -> Self {
        let factors = sign_in.supported_second_factors.unwrap_or_default();
        Self {
            sign_in_id: sign_in.id,
            // A factor this app cannot answer (Clerk may add some) is left out.
            strategies: factors
                .iter()
                .filter_map(|factor| serde_json::from_value(Value::String(factor.strategy.clone())).ok())
                .collect(),
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
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct SecondFactorPhone {
    pub phone_number_id: String,
    pub safe_identifier: String,
}

/// Where a sign-in stands after its first factor (the password, a passkey).
pub(crate) async fn outcome(client: &Client, sign_in: SignIn) -> CommandResult<SignInResult> {
    match sign_in.status {
        SignInStatus::Complete => Ok(SignInResult::Complete { user: Box::new(client.me().await?) }),
        SignInStatus::NeedsSecondFactor => Ok(SignInResult::NeedsSecondFactor(SecondFactorStep::of(sign_in))),
        SignInStatus::NeedsClientTrust => Ok(SignInResult::NeedsClientTrust(
            crate::code_sign_in::start_client_trust(client, sign_in).await?,
        )),
        other => Err(CommandError::new(
            "sign_in_incomplete",
            format!("This account needs another step to sign in ({other:?}), which Userdesk cannot do yet."),
        )),
    }
}

impl<S: Shell> Controller<S> {
    /// The signed-in user, or `None` when this device is signed out.
    pub async fn current_user(&self) -> CommandResult<Option<User>> {
        let account = self.account().await?;
        if !account.client.has_token() {
            return Ok(None);
        }
        match account.client.me().await {
            Ok(user) => {
                self.remember_user(&account, &user).await;
                Ok(Some(user))
            }
            Err(error) if error.is_signed_out() => {
                self.note_session_ended(&account).await;
                Ok(None)
            }
            Err(error) => Err(error.into()),
        }
    }

    pub async fn sign_in(&self, identifier: &str, password: &str) -> CommandResult<SignInResult> {
        let client = self.client().await?;
        let sign_in = match client.sign_in_with_password(identifier, password).await {
            Ok(sign_in) => sign_in,
            Err(error) => match self.show_holder_of(&error).await {
                Some(user) => return Ok(SignInResult::Complete { user: Box::new(user) }),
                None => return Err(error.into()),
            },
        };
        outcome(&client, sign_in).await
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

    /// Signs the shown account out of this device. It stays in the switcher, signed out, with its
    /// client (so the instance still knows this device: no code to trust it again), and the
    /// signed-in account used most recently is shown, or its sign-in screen when there is none.
    /// Refused while the instance cannot be reached, so that no session is left running unseen.
    pub async fn sign_out(&self) -> CommandResult<Vec<AccountSummary>> {
        let account = self.account().await?;
        match account.client.sign_out().await {
            Err(error) if !error.is_signed_out() => return Err(error.into()),
            _ => {}
        }
        self.note_signed_out(&account.id).await;
        self.show_signed_in_account().await
    }
}
