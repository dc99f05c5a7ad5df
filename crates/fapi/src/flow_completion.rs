//! What happens after a browser round trip's deep link was accepted by the
//! [`FlowRegistry`](crate::native_flow::FlowRegistry): reading the result with the nonce the link
//! carried (FIELD-NOTES: `GET /v1/me?rotating_token_nonce=…` or the sign-in), as the seed's
//! "reload the user and find the entry of that strategy" describes.

use crate::models::{
    ClerkError, ExternalAccount, SignIn, SignInStatus, SignUpStatus, User, VerificationStatus,
};
use crate::native_flow::{CompletedFlow, FlowKind, FlowOutcome};
use crate::{Client, Result};

/// How a browser round trip ended for the person.
#[derive(Debug, Clone, PartialEq)]
pub enum FlowResult {
    /// The external account is connected and verified.
    AccountVerified {
        /// The user, reloaded.
        user: User,
        /// The account the flow was about.
        external_account: ExternalAccount,
    },
    /// Connecting or reauthorizing failed; the account (if the server kept one) carries the error.
    AccountFailed {
        /// The user, reloaded.
        user: User,
        /// The account the flow was about, where it still exists.
        external_account: Option<ExternalAccount>,
        /// What to tell the person.
        error: ClerkError,
    },
    /// The person is signed in (`new_user` when the identity made a new account).
    SignedIn {
        /// The signed-in user.
        user: User,
        /// `true` when the sign-in became a sign-up.
        new_user: bool,
    },
    /// The provider confirmed who the person is, and the account asks for its second factor:
    /// finish with [`Client::attempt_second_factor`](crate::Client::attempt_second_factor).
    NeedsSecondFactor {
        /// The sign-in waiting for its second factor, with the factors the account supports.
        sign_in: Box<SignIn>,
    },
    /// Signing in through the provider failed.
    SignInFailed {
        /// What to tell the person.
        error: ClerkError,
    },
}

impl Client {
    /// Reads the result of a completed flow from the server.
    pub async fn complete_flow(&self, flow: &CompletedFlow) -> Result<FlowResult> {
        let nonce = match &flow.outcome {
            FlowOutcome::Completed { rotating_token_nonce } => rotating_token_nonce.as_deref(),
            FlowOutcome::Failed { .. } => None,
        };
        match &flow.kind {
            FlowKind::Connect { strategy } => {
                let user = self.me_after_redirect(nonce).await?;
                // The newest account of that provider is the one this flow created.
                let account = user
                    .external_accounts
                    .iter()
                    .filter(|account| &account.provider == strategy)
                    .max_by_key(|account| account.updated_at)
                    .cloned();
                Ok(account_result(user, account, &flow.outcome))
            }
            FlowKind::Reauthorize { external_account_id } => {
                let user = self.me_after_redirect(nonce).await?;
                let account =
                    user.external_accounts.iter().find(|account| &account.id == external_account_id).cloned();
                Ok(account_result(user, account, &flow.outcome))
            }
            FlowKind::SignIn { .. } => self.complete_sign_in(flow, nonce).await,
        }
    }

    async fn complete_sign_in(&self, flow: &CompletedFlow, nonce: Option<&str>) -> Result<FlowResult> {
        if let FlowOutcome::Failed { error_code } = &flow.outcome {
            // The server keeps the error on the sign-in's verification, with its own words.
            let reported = match flow.sign_in_id.as_deref() {
                Some(id) => self
                    .sign_in_after_redirect(id, None)
                    .await
                    .ok()
                    .and_then(|sign_in| sign_in.first_factor_verification)
                    .and_then(|verification| verification.error),
                None => None,
            };
            return Ok(FlowResult::SignInFailed {
                error: reported.unwrap_or_else(|| error_for_code(error_code)),
            });
        }
        let Some(sign_in_id) = flow.sign_in_id.as_deref() else {
            return Ok(FlowResult::SignInFailed { error: error_for_code("sign_in_unknown") });
        };
        let sign_in = self.sign_in_after_redirect(sign_in_id, nonce).await?;
        match sign_in.status {
            SignInStatus::Complete => {
                return Ok(FlowResult::SignedIn { user: self.me().await?, new_user: false })
            }
            SignInStatus::NeedsSecondFactor => {
                return Ok(FlowResult::NeedsSecondFactor { sign_in: Box::new(sign_in) })
            }
            _ => {}
        }
        let verification = sign_in.first_factor_verification.as_ref();
        if verification.map(|v| v.status) == Some(VerificationStatus::Transferable) {
            // An identity no user has: it becomes a new account (Clerk's transfer).
            let sign_up = match self.transfer_to_sign_up().await {
                Ok(sign_up) => sign_up,
                Err(error) => match error.clerk_error() {
                    // The server refused the new account (e.g. its email belongs to someone).
                    Some(refusal) => return Ok(FlowResult::SignInFailed { error: refusal.clone() }),
                    None => return Err(error),
                },
            };
            if sign_up.status == SignUpStatus::Complete {
                return Ok(FlowResult::SignedIn { user: self.me().await?, new_user: true });
            }
            let missing = sign_up.missing_fields.join(", ");
            let error = ClerkError::new(
                "sign_up_missing_requirements",
                "More details are needed to create the account",
                format!("The account cannot be created without: {missing}."),
            );
            return Ok(FlowResult::SignInFailed { error });
        }
        let error = verification
            .and_then(|v| v.error.clone())
            .unwrap_or_else(|| error_for_code("sign_in_incomplete"));
        Ok(FlowResult::SignInFailed { error })
    }
}

fn account_result(user: User, account: Option<ExternalAccount>, outcome: &FlowOutcome) -> FlowResult {
    match (account, outcome) {
        (Some(account), FlowOutcome::Completed { .. }) if account.is_verified() => {
            FlowResult::AccountVerified { user, external_account: account }
        }
        (account, outcome) => {
            let reported =
                account.as_ref().and_then(|a| a.verification.as_ref()).and_then(|v| v.error.clone());
            let error = reported.unwrap_or_else(|| match outcome {
                FlowOutcome::Failed { error_code } => error_for_code(error_code),
                FlowOutcome::Completed { .. } => error_for_code("external_account_not_verified"),
            });
            FlowResult::AccountFailed { user, external_account: account, error }
        }
    }
}

/// Clerk's codes for failed round trips, explained for a person.
pub fn error_for_code(code: &str) -> ClerkError {
    let (message, long_message) = match code {
        "oauth_access_denied" => {
            ("Access denied", "You declined access at the provider, so nothing was connected.")
        }
        "oauth_token_exchange_error" => (
            "The provider did not complete the sign-in",
            "The provider refused to exchange the authorization code. Try again.",
        ),
        "oauth_fetch_user_error" => (
            "The provider did not share your profile",
            "Your profile could not be read from the provider. Try again.",
        ),
        "external_account_exists" => (
            "Already connected to another account",
            "This account at the provider is already connected to another user.",
        ),
        "external_account_not_verified" => {
            ("Not verified", "The provider's answer did not verify the account. Try connecting again.")
        }
        "sign_in_unknown" | "sign_in_incomplete" => {
            ("Sign-in not completed", "The sign-in through the provider did not complete. Try again.")
        }
        "oauth_provider_error" => {
            ("The provider reported an error", "The provider could not complete the request. Try again.")
        }
        "external_account_identity_mismatch" => (
            "A different account at the provider",
            "You came back as another person at the provider than the one connected. Nothing was changed.",
        ),
        "verification_expired" => ("The request expired", "The round trip took too long. Start again."),
        "session_exists" => ("Already signed in", "This device is already signed in. Sign out first."),
        "identifier_already_signed_in" => {
            ("Already signed in", "This account is already signed in on this device. Switch to it instead.")
        }
        _ => ("The provider round trip failed", "The sign-in through the provider failed. Try again."),
    };
    ClerkError::new(code, message, long_message)
}
