//! Proving again who uses the session before a sensitive action, as an instance with
//! reverification asks (403 `session_reverification_required`). The UI answers such a refusal as
//! Clerk's `useReverification` does: a dialog walks through these steps, then the action that was
//! refused is tried once more.

use serde::Serialize;
use ts_rs::TS;
use userdesk_fapi::models::{ReverificationLevel, ReverificationStatus, SessionReverification, SignInFactor};
use userdesk_fapi::SecondFactor;

use crate::controller::Controller;
use crate::error::{CommandError, CommandResult};
use crate::shell::Shell;

/// A first factor the person can prove again with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(tag = "strategy", rename_all = "snake_case")]
pub enum ReverificationFirstFactor {
    Password,
    /// One of the account's passkeys, on this machine's authenticator
    /// ([`Controller::reverify_with_passkey`]).
    Passkey,
    /// A code sent to this verified address.
    EmailCode {
        email_address_id: String,
        safe_identifier: String,
    },
}

/// A second factor the person can prove again with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct ReverificationSecondFactor {
    pub strategy: SecondFactor,
    /// The phone a `phone_code` goes to.
    pub phone_number_id: Option<String>,
    pub safe_identifier: Option<String>,
}

/// Where a reverification stands, and what the person can answer it with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct ReverificationStep {
    pub level: ReverificationLevel,
    pub status: ReverificationStatus,
    pub first_factors: Vec<ReverificationFirstFactor>,
    pub second_factors: Vec<ReverificationSecondFactor>,
}

impl From<SessionReverification> for ReverificationStep {
    fn from(found: SessionReverification) -> Self {
        let first_factors = found
            .supported_first_factors
            .unwrap_or_default()
            .into_iter()
            .filter_map(|factor| match factor.strategy.as_str() {
                "password" => Some(ReverificationFirstFactor::Password),
                "passkey" => Some(ReverificationFirstFactor::Passkey),
                "email_code" => Some(ReverificationFirstFactor::EmailCode {
                    email_address_id: factor.email_address_id?,
                    safe_identifier: factor.safe_identifier.unwrap_or_default(),
                }),
                // Enterprise SSO is not offered by this app (yet).
                _ => None,
            })
            .collect();
        let second_factors = found
            .supported_second_factors
            .unwrap_or_default()
            .into_iter()
            .filter_map(second_factor)
            .collect();
        Self { level: found.level, status: found.status, first_factors, second_factors }
    }
}

fn second_factor(factor: SignInFactor) -> Option<ReverificationSecondFactor> {
    let strategy = match factor.strategy.as_str() {
        "totp" => SecondFactor::Totp,
        "phone_code" => SecondFactor::PhoneCode,
        "backup_code" => SecondFactor::BackupCode,
        _ => return None,
    };
    Some(ReverificationSecondFactor {
        strategy,
        phone_number_id: factor.phone_number_id,
        safe_identifier: factor.safe_identifier,
    })
}

impl<S: Shell> Controller<S> {
    /// Starts proving again who uses the session, at the level the refusal named.
    pub async fn start_reverification(
        &self,
        level: ReverificationLevel,
    ) -> CommandResult<ReverificationStep> {
        Ok(self.client().await?.start_reverification(level).await?.into())
    }

    /// Sends a code to one of the person's verified addresses.
    pub async fn prepare_reverification_email_code(
        &self,
        email_address_id: &str,
    ) -> CommandResult<ReverificationStep> {
        Ok(self.client().await?.prepare_reverification_email_code(email_address_id).await?.into())
    }

    /// Answers the first factor: the password, or the emailed code.
    pub async fn attempt_reverification_first_factor(
        &self,
        strategy: &str,
        secret: &str,
    ) -> CommandResult<ReverificationStep> {
        if !matches!(strategy, "password" | "email_code") {
            return Err(CommandError::new(
                "strategy_unsupported",
                format!("“{strategy}” cannot verify you here."),
            ));
        }
        Ok(self.client().await?.attempt_reverification_first_factor(strategy, secret).await?.into())
    }

    /// Sends the SMS of a `phone_code` second factor.
    pub async fn prepare_reverification_second_factor(
        &self,
        phone_number_id: &str,
    ) -> CommandResult<ReverificationStep> {
        Ok(self.client().await?.prepare_reverification_second_factor(phone_number_id).await?.into())
    }

    /// Answers the second factor.
    pub async fn attempt_reverification_second_factor(
        &self,
        factor: SecondFactor,
        code: &str,
    ) -> CommandResult<ReverificationStep> {
        Ok(self.client().await?.attempt_reverification_second_factor(factor, code).await?.into())
    }
}
