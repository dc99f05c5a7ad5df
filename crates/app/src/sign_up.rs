//! Creating an account as the instance asks: the form's fields from its environment, then one
//! verification per email address or phone number given (a code, or an email link the app
//! learns of by reading the sign-up again), then signed in.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use ts_rs::TS;
use userdesk_fapi::models::{Environment, SignUp, SignUpStatus, User, VerificationStatus};
use userdesk_fapi::{Client, SignUpParams, SignUpVerification};

use crate::account::metadata_object;
use crate::controller::Controller;
use crate::error::{CommandError, CommandResult};
use crate::shell::Shell;

/// Whether the sign-up form shows a field, and whether it must be filled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum FieldRule {
    Off,
    Optional,
    Required,
}

/// The instance's legal terms, which a sign-up must accept.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct LegalConsent {
    pub terms_url: Option<String>,
    pub privacy_policy_url: Option<String>,
}

/// A page of the instance's legal terms.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum LegalDocument {
    Terms,
    PrivacyPolicy,
}

/// What the instance asks of a new account, for the create-account form to ask exactly that.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct SignUpOptions {
    pub email_address: FieldRule,
    pub phone_number: FieldRule,
    pub username: FieldRule,
    pub first_name: FieldRule,
    pub last_name: FieldRule,
    pub password: FieldRule,
    /// `Some`: a checkbox accepting these terms.
    pub legal_consent: Option<LegalConsent>,
}

impl SignUpOptions {
    /// Read from `user_settings` (attributes, `sign_up.legal_consent_enabled`) and
    /// `display_config` (the terms' links).
    pub fn of(environment: &Environment) -> Self {
        let rule = |name: &str| {
            let attribute = environment.user_settings.attributes.get(name);
            let flag =
                |key: &str| attribute.and_then(|a| a.get(key)).and_then(Value::as_bool).unwrap_or(false);
            match (flag("enabled"), flag("required")) {
                (false, _) => FieldRule::Off,
                (true, false) => FieldRule::Optional,
                (true, true) => FieldRule::Required,
            }
        };
        let consent = environment
            .user_settings
            .other
            .get("sign_up")
            .and_then(|sign_up| sign_up.get("legal_consent_enabled"))
            .and_then(Value::as_bool)
            .unwrap_or(false);
        let link = |name: &str| {
            environment
                .display_config
                .other
                .get(name)
                .and_then(Value::as_str)
                .filter(|url| !url.is_empty())
                .map(str::to_owned)
        };
        Self {
            email_address: rule("email_address"),
            phone_number: rule("phone_number"),
            username: rule("username"),
            first_name: rule("first_name"),
            last_name: rule("last_name"),
            password: rule("password"),
            legal_consent: consent.then(|| LegalConsent {
                terms_url: link("terms_url"),
                privacy_policy_url: link("privacy_policy_url"),
            }),
        }
    }
}

/// What the create-account screen sends: the fields it showed, empty ones left out.
#[derive(Debug, Clone, Default, Deserialize, TS)]
pub struct SignUpForm {
    pub email_address: Option<String>,
    pub phone_number: Option<String>,
    pub username: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub password: Option<String>,
    /// A JSON object copied onto the new account's unsafe metadata.
    pub unsafe_metadata: Option<Value>,
    pub legal_accepted: bool,
}

/// How the field in verification is verified.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum SignUpStrategy {
    EmailCode,
    EmailLink,
    PhoneCode,
}

impl SignUpStrategy {
    fn verification(self) -> SignUpVerification {
        match self {
            SignUpStrategy::EmailCode => SignUpVerification::EmailCode,
            SignUpStrategy::EmailLink => SignUpVerification::EmailLink { redirect_url: None },
            SignUpStrategy::PhoneCode => SignUpVerification::PhoneCode,
        }
    }
}

/// Where a sign-up stands.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum SignUpStep {
    /// Signed in as the new account.
    Complete { user: Box<User> },
    /// A code (or a link) went to `to`: enter the code, or open the link and wait.
    NeedsVerification {
        sign_up_id: String,
        strategy: SignUpStrategy,
        /// The email address or phone number, as the instance keeps it.
        to: String,
    },
}

/// Where `sign_up` stands once what it lacks next is asked for: the first unverified field gets
/// its code or link (`send`: `false` when one is already on its way). Fields still missing are an
/// error naming the first of them, for the form to show beside it.
async fn next_step(client: &Client, sign_up: SignUp, send: bool) -> CommandResult<SignUpStep> {
    if sign_up.status == SignUpStatus::Complete {
        return Ok(SignUpStep::Complete { user: Box::new(client.me().await?) });
    }
    if sign_up.status == SignUpStatus::Abandoned {
        return Err(CommandError::new("sign_up_abandoned", "This sign-up has lapsed. Start again."));
    }
    if let Some(field) = sign_up.missing_fields.first() {
        let message = match field.as_str() {
            "legal_accepted" => "Accept the terms to create your account.".to_owned(),
            other => format!("Enter your {}.", other.replace('_', " ")),
        };
        return Err(CommandError::new("form_param_missing", message).at_field(field));
    }
    let Some(field) = sign_up.unverified_fields.first() else {
        return Err(CommandError::new(
            "sign_up_incomplete",
            "The account needs a step Userdesk cannot take.",
        ));
    };
    let (verification, to) = match field.as_str() {
        "email_address" => (sign_up.verifications.email_address.as_ref(), sign_up.email_address.clone()),
        _ => (sign_up.verifications.phone_number.as_ref(), sign_up.phone_number.clone()),
    };
    // One already sent (and not failed or expired) is kept when reading again.
    let kept = verification
        .filter(|sent| !send && sent.status == VerificationStatus::Unverified)
        .and_then(|sent| serde_json::from_value(Value::String(sent.strategy.clone())).ok());
    let strategy = match kept {
        Some(strategy) => strategy,
        None => {
            let strategy = offered_strategy(client, field).await?;
            client.prepare_sign_up_verification(&sign_up.id, &strategy.verification()).await?;
            strategy
        }
    };
    Ok(SignUpStep::NeedsVerification { sign_up_id: sign_up.id, strategy, to: to.unwrap_or_default() })
}

/// The strategy the instance offers for `field`: a phone's code; for an email address its code,
/// else its link.
async fn offered_strategy(client: &Client, field: &str) -> CommandResult<SignUpStrategy> {
    if field == "phone_number" {
        return Ok(SignUpStrategy::PhoneCode);
    }
    let environment = client.environment().await?;
    let offered = environment
        .user_settings
        .attributes
        .get("email_address")
        .and_then(|email| email.get("verifications"))
        .and_then(Value::as_array)
        .map(|list| list.iter().filter_map(Value::as_str).map(str::to_owned).collect::<Vec<_>>())
        .unwrap_or_default();
    if offered.iter().any(|s| s == "email_code") {
        Ok(SignUpStrategy::EmailCode)
    } else if offered.iter().any(|s| s == "email_link") {
        Ok(SignUpStrategy::EmailLink)
    } else {
        Err(CommandError::new(
            "sign_up_incomplete",
            "This instance offers no way to verify an email address.",
        ))
    }
}

/// `value` trimmed, `None` when blank.
fn given(value: Option<String>) -> Option<String> {
    value.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty())
}

impl<S: Shell> Controller<S> {
    /// What the instance asks of a new account.
    pub async fn sign_up_options(&self) -> CommandResult<SignUpOptions> {
        Ok(SignUpOptions::of(&self.client().await?.environment().await?))
    }

    /// Starts a sign-up with the form and sends what verifies its first unverified field.
    pub async fn start_sign_up(&self, form: SignUpForm) -> CommandResult<SignUpStep> {
        let unsafe_metadata = form.unsafe_metadata.map(metadata_object).transpose()?;
        let params = SignUpParams {
            email_address: given(form.email_address),
            phone_number: given(form.phone_number),
            username: given(form.username),
            first_name: given(form.first_name),
            last_name: given(form.last_name),
            // A password is not trimmed: its spaces are part of it.
            password: form.password.filter(|password| !password.is_empty()),
            unsafe_metadata,
            legal_accepted: form.legal_accepted,
        };
        let client = self.client().await?;
        let sign_up = client.sign_up(&params).await?;
        next_step(&client, sign_up, true).await
    }

    /// Verifies the field in verification with its code; then the next field, or signed in.
    pub async fn verify_sign_up(
        &self,
        sign_up_id: &str,
        strategy: SignUpStrategy,
        code: &str,
    ) -> CommandResult<SignUpStep> {
        let client = self.client().await?;
        let sign_up = client.attempt_sign_up_verification(sign_up_id, &strategy.verification(), code).await?;
        next_step(&client, sign_up, true).await
    }

    /// Reads the sign-up again: how the app learns that an email link was opened.
    pub async fn check_sign_up(&self, sign_up_id: &str) -> CommandResult<SignUpStep> {
        let client = self.client().await?;
        let sign_up = client.get_sign_up(sign_up_id).await?;
        next_step(&client, sign_up, false).await
    }

    /// Opens the instance's terms or privacy policy in the browser (the URL from its environment,
    /// never from the webview).
    pub async fn open_legal_document(&self, document: LegalDocument) -> CommandResult<()> {
        let consent = self.sign_up_options().await?.legal_consent;
        let url = consent.and_then(|consent| match document {
            LegalDocument::Terms => consent.terms_url,
            LegalDocument::PrivacyPolicy => consent.privacy_policy_url,
        });
        let url = url.ok_or_else(|| CommandError::new("not_found", "This instance links no such page."))?;
        crate::oauth::check_browser_url(&url)?;
        self.shell.open_in_browser(&url).map_err(|error| {
            CommandError::new("browser_unavailable", format!("Could not open the web browser: {error}"))
        })
    }

    /// Sends the code or link of the field in verification again.
    pub async fn resend_sign_up_verification(
        &self,
        sign_up_id: &str,
        strategy: SignUpStrategy,
    ) -> CommandResult<()> {
        self.client().await?.prepare_sign_up_verification(sign_up_id, &strategy.verification()).await?;
        Ok(())
    }
}
