//! Signing in with a code or an emailed link instead of the password, and resetting a forgotten
//! password: all start with the identifier alone, send a one-time code (or link) to a verified
//! address (or phone) of the account, and go on by what the instance answers — signed in, a
//! second factor, or (for a reset) a new password.
//!
//! A link is opened in a browser, not in the app: the app learns of it by reading the sign-in
//! ([`Controller::check_link_sign_in`]) every few seconds while its screen is open, as Clerk's
//! SDKs poll.

use serde::{Deserialize, Serialize};
use ts_rs::TS;
use userdesk_fapi::models::{SignIn, SignInFactor, SignInStatus, VerificationStatus};
use userdesk_fapi::{CodeFactor, TrustFactor};

use crate::controller::Controller;
use crate::error::{CommandError, CommandResult};
use crate::shell::Shell;
use crate::sign_in::{SecondFactorStep, SignInResult};

/// How the instance lets people sign in, for the sign-in screen to offer exactly that.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
pub struct SignInOptions {
    /// The password field (else the identifier leads to a code).
    pub password: bool,
    /// "Email me a code instead" (or a text).
    pub code: bool,
    /// "Email me a sign-in link".
    pub link: bool,
    /// "Forgot password?".
    pub reset_password: bool,
    /// Usernames identify people too.
    pub username: bool,
    /// Phone numbers identify people too.
    pub phone_number: bool,
    /// "Sign in with a passkey".
    pub passkey: bool,
}

/// What the code is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum CodePurpose {
    /// Signing in without the password.
    SignIn,
    /// The password is forgotten: the code lets the person set a new one.
    ResetPassword,
    /// The password was right, but the instance does not know this device yet
    /// (`needs_client_trust`): a code proves the person has the account's address.
    ClientTrust,
}

impl CodePurpose {
    /// The first factors that serve it, the emailed one first (none for the new-device check,
    /// whose code is a second factor).
    fn factors(self) -> &'static [CodeFactor] {
        match self {
            CodePurpose::SignIn => &[CodeFactor::EmailCode, CodeFactor::PhoneCode],
            CodePurpose::ResetPassword => {
                &[CodeFactor::ResetPasswordEmailCode, CodeFactor::ResetPasswordPhoneCode]
            }
            CodePurpose::ClientTrust => &[],
        }
    }
}

/// A code on its way.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct CodeSent {
    pub sign_in_id: String,
    /// Where it went, partly masked as the instance shows it.
    pub sent_to: String,
    /// `true` for a text message, `false` for an email.
    pub by_sms: bool,
}

/// A sign-in link on its way.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct LinkSent {
    pub sign_in_id: String,
    /// The address it went to, partly masked as the instance shows it.
    pub sent_to: String,
}

/// A way a started sign-in can go on instead ("Use another method"): one per first factor the
/// sign-in offers this account that the app can take, as the instance lists them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct SignInMethod {
    /// `password`, `email_code`, `phone_code`, `email_link` or `passkey`.
    pub strategy: String,
    /// Where a code or link goes, partly masked as the instance shows it.
    pub safe_identifier: Option<String>,
    /// The email address or phone number it goes to.
    pub target_id: Option<String>,
}

/// The first factors "Use another method" offers, in the sign-in's own order.
const OTHER_METHODS: [&str; 5] = ["password", "email_code", "phone_code", "email_link", "passkey"];

/// Where a sign-in by email link stands, each time the app looks.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum LinkSignInState {
    /// The link was not opened yet.
    Waiting,
    /// The link expired unopened (or was replaced): only a new one signs in.
    Expired,
    /// The link was opened: signed in.
    Complete { user: Box<userdesk_fapi::models::User> },
    /// The link was opened; the account asks its second factor next.
    NeedsSecondFactor(SecondFactorStep),
}

/// Where a sign-in stands after its code.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum CodeSignInResult {
    Complete {
        user: Box<userdesk_fapi::models::User>,
    },
    NeedsSecondFactor(SecondFactorStep),
    /// A reset code was right: set the new password with `reset_password`.
    NeedsNewPassword {
        sign_in_id: String,
    },
}

impl<S: Shell> Controller<S> {
    /// What the instance's environment enables for signing in.
    pub async fn sign_in_options(&self) -> CommandResult<SignInOptions> {
        let environment = self.client().await?.environment().await?;
        let factors = environment.first_factors();
        let has = |name: &str| factors.iter().any(|factor| factor == name);
        let identifiers = environment.identification_strategies();
        let identifies = |name: &str| identifiers.iter().any(|strategy| strategy == name);
        Ok(SignInOptions {
            password: environment.password_enabled() && has("password"),
            code: has("email_code") || has("phone_code"),
            link: has("email_link"),
            reset_password: has("reset_password_email_code") || has("reset_password_phone_code"),
            username: identifies("username"),
            phone_number: identifies("phone_number"),
            passkey: has("passkey"),
        })
    }

    /// Starts a sign-in with `identifier` and sends the code `purpose` needs.
    pub async fn start_code_sign_in(
        &self,
        identifier: &str,
        purpose: CodePurpose,
    ) -> CommandResult<CodeSent> {
        let client = self.client().await?;
        let (sign_in, offered) = identify(&client, identifier).await?;
        let usable: Vec<(CodeFactor, &SignInFactor)> = purpose
            .factors()
            .iter()
            .flat_map(|&factor| {
                offered
                    .iter()
                    .filter(move |offer| offer.strategy == factor.strategy())
                    .map(move |o| (factor, o))
            })
            .collect();
        // The code goes where the person said (a phone number typed gets a text), else by email.
        let typed = usable.iter().find(|(_, offer)| {
            offer.safe_identifier.is_some() && offer.safe_identifier == sign_in.identifier
        });
        let Some((factor, target)) = typed.or(usable.first()).map(|&(factor, offer)| (factor, offer.clone()))
        else {
            let message = match purpose {
                CodePurpose::SignIn => "This account cannot sign in with a code here. Use your password.",
                CodePurpose::ResetPassword => "This account cannot reset its password here.",
                // The new-device check starts from a password sign-in, never from here.
                CodePurpose::ClientTrust => "Sign in with your password first.",
            };
            return Err(CommandError::new("strategy_for_user_invalid", message));
        };
        let sign_in = client.prepare_first_factor(&sign_in.id, factor, target_id(&target)).await?;
        Ok(CodeSent {
            sign_in_id: sign_in.id,
            sent_to: target.safe_identifier.unwrap_or_default(),
            by_sms: matches!(factor, CodeFactor::PhoneCode | CodeFactor::ResetPasswordPhoneCode),
        })
    }

    /// Starts a sign-in with `identifier` and emails its sign-in link.
    pub async fn start_link_sign_in(&self, identifier: &str) -> CommandResult<LinkSent> {
        let client = self.client().await?;
        let (sign_in, offered) = identify(&client, identifier).await?;
        let Some(target) = link_target(&offered, sign_in.identifier.as_deref()) else {
            return Err(CommandError::new(
                "strategy_for_user_invalid",
                "This account cannot sign in with an emailed link here. Use a code or your password.",
            ));
        };
        let sign_in =
            client.prepare_email_link(&sign_in.id, target.email_address_id.as_deref(), None).await?;
        Ok(LinkSent { sign_in_id: sign_in.id, sent_to: target.safe_identifier.unwrap_or_default() })
    }

    /// Emails the sign-in link again (the earlier one stops working).
    pub async fn resend_sign_in_link(&self, sign_in_id: &str) -> CommandResult<()> {
        let client = self.client().await?;
        let sign_in = client.get_sign_in(sign_in_id).await?;
        let to = sign_in.first_factor_verification.as_ref().map(|v| v.strategy.as_str());
        if to != Some("email_link") {
            return Err(CommandError::new("verification_missing", "No link was sent for this sign-in."));
        }
        let offered = sign_in.supported_first_factors.clone().unwrap_or_default();
        let target = link_target(&offered, sign_in.identifier.as_deref());
        client
            .prepare_email_link(sign_in_id, target.as_ref().and_then(|t| t.email_address_id.as_deref()), None)
            .await?;
        Ok(())
    }

    /// Reads the sign-in whose link was emailed: still waiting, expired, or signed in by it.
    pub async fn check_link_sign_in(&self, sign_in_id: &str) -> CommandResult<LinkSignInState> {
        let client = self.client().await?;
        let sign_in = client.get_sign_in(sign_in_id).await?;
        match sign_in.status {
            SignInStatus::Complete => Ok(LinkSignInState::Complete { user: Box::new(client.me().await?) }),
            SignInStatus::NeedsSecondFactor => {
                Ok(LinkSignInState::NeedsSecondFactor(SecondFactorStep::of(sign_in)))
            }
            SignInStatus::NeedsFirstFactor => {
                let link = sign_in.first_factor_verification.filter(|v| v.strategy == "email_link");
                Ok(match link.map(|v| v.status) {
                    Some(VerificationStatus::Unverified) => LinkSignInState::Waiting,
                    _ => LinkSignInState::Expired,
                })
            }
            other => Err(incomplete(other)),
        }
    }

    /// The ways the started sign-in can go on instead of the one under way.
    pub async fn sign_in_methods(&self, sign_in_id: &str) -> CommandResult<Vec<SignInMethod>> {
        let sign_in = self.client().await?.get_sign_in(sign_in_id).await?;
        Ok(sign_in
            .supported_first_factors
            .unwrap_or_default()
            .into_iter()
            .filter(|factor| OTHER_METHODS.contains(&factor.strategy.as_str()))
            .map(|factor| SignInMethod {
                target_id: target_id(&factor).map(str::to_owned),
                strategy: factor.strategy,
                safe_identifier: factor.safe_identifier,
            })
            .collect())
    }

    /// Sends the started sign-in's code by `method` (an email or a text) instead of the one sent.
    pub async fn use_sign_in_code(&self, sign_in_id: &str, method: SignInMethod) -> CommandResult<CodeSent> {
        let factor = match method.strategy.as_str() {
            "email_code" => CodeFactor::EmailCode,
            "phone_code" => CodeFactor::PhoneCode,
            other => {
                return Err(CommandError::new(
                    "strategy_for_user_invalid",
                    format!("`{other}` sends no code."),
                ))
            }
        };
        let client = self.client().await?;
        let sign_in = client.prepare_first_factor(sign_in_id, factor, method.target_id.as_deref()).await?;
        Ok(CodeSent {
            sign_in_id: sign_in.id,
            sent_to: method.safe_identifier.unwrap_or_default(),
            by_sms: matches!(factor, CodeFactor::PhoneCode),
        })
    }

    /// Emails the started sign-in's link to `method`'s address instead of sending a code.
    pub async fn use_sign_in_link(&self, sign_in_id: &str, method: SignInMethod) -> CommandResult<LinkSent> {
        if method.strategy != "email_link" {
            return Err(CommandError::new(
                "strategy_for_user_invalid",
                format!("`{}` sends no link.", method.strategy),
            ));
        }
        let client = self.client().await?;
        let sign_in = client.prepare_email_link(sign_in_id, method.target_id.as_deref(), None).await?;
        Ok(LinkSent { sign_in_id: sign_in.id, sent_to: method.safe_identifier.unwrap_or_default() })
    }

    /// Sends the code again.
    pub async fn resend_sign_in_code(&self, sign_in_id: &str, purpose: CodePurpose) -> CommandResult<()> {
        let client = self.client().await?;
        let sign_in = client.get_sign_in(sign_in_id).await?;
        if purpose == CodePurpose::ClientTrust {
            let (factor, target) = trust_factor(&sign_in)?;
            client.prepare_client_trust(sign_in_id, factor, target_id(&target)).await?;
        } else {
            let factor = code_factor(&sign_in, purpose)?;
            client.prepare_first_factor(sign_in_id, factor, None).await?;
        }
        Ok(())
    }

    /// Answers the code.
    pub async fn attempt_code_sign_in(
        &self,
        sign_in_id: &str,
        purpose: CodePurpose,
        code: &str,
    ) -> CommandResult<CodeSignInResult> {
        let client = self.client().await?;
        let current = client.get_sign_in(sign_in_id).await?;
        let sign_in = if purpose == CodePurpose::ClientTrust {
            let (factor, _) = trust_factor(&current)?;
            client.attempt_client_trust(sign_in_id, factor, code).await?
        } else {
            let factor = code_factor(&current, purpose)?;
            client.attempt_first_factor(sign_in_id, factor, code).await?
        };
        match sign_in.status {
            SignInStatus::Complete => Ok(CodeSignInResult::Complete { user: Box::new(client.me().await?) }),
            SignInStatus::NeedsSecondFactor => {
                Ok(CodeSignInResult::NeedsSecondFactor(SecondFactorStep::of(sign_in)))
            }
            SignInStatus::NeedsNewPassword => {
                Ok(CodeSignInResult::NeedsNewPassword { sign_in_id: sign_in.id })
            }
            other => Err(incomplete(other)),
        }
    }

    /// Sets the new password of a reset; signed in after (or at the second factor).
    pub async fn reset_password(
        &self,
        sign_in_id: &str,
        password: &str,
        sign_out_of_other_sessions: bool,
    ) -> CommandResult<SignInResult> {
        let client = self.client().await?;
        let sign_in = client.reset_password(sign_in_id, password, sign_out_of_other_sessions).await?;
        match sign_in.status {
            SignInStatus::Complete => Ok(SignInResult::Complete { user: Box::new(client.me().await?) }),
            SignInStatus::NeedsSecondFactor => {
                Ok(SignInResult::NeedsSecondFactor(SecondFactorStep::of(sign_in)))
            }
            other => Err(incomplete(other)),
        }
    }
}

/// Starts a sign-in with the identifier alone; with the first factors it offers.
async fn identify(
    client: &userdesk_fapi::Client,
    identifier: &str,
) -> CommandResult<(SignIn, Vec<SignInFactor>)> {
    let identifier = identifier.trim();
    if identifier.is_empty() {
        return Err(CommandError::new("form_param_missing", "Enter your email address or username.")
            .at_field("identifier"));
    }
    let sign_in = client.sign_in_with_identifier(identifier).await?;
    let offered = sign_in.supported_first_factors.clone().unwrap_or_default();
    Ok((sign_in, offered))
}

/// The address a sign-in link goes to: the one the sign-in was identified by (the instance shows
/// it as typed), else the primary, else the first offered.
fn link_target(offered: &[SignInFactor], identifier: Option<&str>) -> Option<SignInFactor> {
    let links: Vec<&SignInFactor> = offered.iter().filter(|f| f.strategy == "email_link").collect();
    links
        .iter()
        .find(|f| identifier.is_some() && f.safe_identifier.as_deref() == identifier)
        .or_else(|| links.iter().find(|f| f.primary == Some(true)))
        .or(links.first())
        .map(|f| (*f).clone())
}

/// Sends the code of the new-device check a password sign-in ended in (`needs_client_trust`).
pub(crate) async fn start_client_trust(
    client: &userdesk_fapi::Client,
    sign_in: SignIn,
) -> CommandResult<CodeSent> {
    let (factor, target) = trust_factor(&sign_in)?;
    let sent = client.prepare_client_trust(&sign_in.id, factor, target_id(&target)).await?;
    Ok(CodeSent {
        sign_in_id: sent.id,
        sent_to: target.safe_identifier.unwrap_or_default(),
        by_sms: factor == TrustFactor::PhoneCode,
    })
}

/// The code the new-device check can send, the emailed one first.
fn trust_factor(sign_in: &SignIn) -> CommandResult<(TrustFactor, SignInFactor)> {
    let offered = sign_in.supported_second_factors.as_deref().unwrap_or_default();
    [(TrustFactor::EmailCode, "email_code"), (TrustFactor::PhoneCode, "phone_code")]
        .into_iter()
        .find_map(|(factor, strategy)| {
            offered.iter().find(|o| o.strategy == strategy).map(|o| (factor, o.clone()))
        })
        .ok_or_else(|| {
            CommandError::new(
                "strategy_for_user_invalid",
                "This device cannot be confirmed with a code here.",
            )
        })
}

fn target_id(factor: &SignInFactor) -> Option<&str> {
    factor.email_address_id.as_deref().or(factor.phone_number_id.as_deref())
}

/// The factor the sign-in's code was sent by, for `purpose`.
fn code_factor(sign_in: &SignIn, purpose: CodePurpose) -> CommandResult<CodeFactor> {
    let sent = sign_in.first_factor_verification.as_ref().map(|verification| verification.strategy.as_str());
    purpose.factors().iter().copied().find(|factor| Some(factor.strategy()) == sent).ok_or_else(|| {
        CommandError::new("verification_missing", "No code was sent for this sign-in. Ask for a new one.")
    })
}

fn incomplete(status: SignInStatus) -> CommandError {
    CommandError::new(
        "sign_in_incomplete",
        format!("This account needs another step to sign in ({status:?}), which Userdesk cannot do yet."),
    )
}
