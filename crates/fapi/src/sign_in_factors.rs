//! Signing in as the instance configures it: starting with an identifier alone, first factors by
//! code (email, SMS), forgot password, and the new-device check (`needs_client_trust`).

use reqwest::Method;

use crate::client::path_id;
use crate::models::SignIn;
use crate::{Client, Result};

/// A first factor that is a code sent to the person (`prepare_first_factor`, then
/// `attempt_first_factor` with the code).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum CodeFactor {
    /// A code emailed to a verified address (`email_address_id`).
    EmailCode,
    /// A code sent by SMS to a verified phone number (`phone_number_id`).
    PhoneCode,
    /// Forgot password: an emailed code; the sign-in then needs a new password.
    ResetPasswordEmailCode,
    /// Forgot password: an SMS code; the sign-in then needs a new password.
    ResetPasswordPhoneCode,
}

impl CodeFactor {
    /// As Clerk names it (`strategy`).
    pub fn strategy(self) -> &'static str {
        match self {
            CodeFactor::EmailCode => "email_code",
            CodeFactor::PhoneCode => "phone_code",
            CodeFactor::ResetPasswordEmailCode => "reset_password_email_code",
            CodeFactor::ResetPasswordPhoneCode => "reset_password_phone_code",
        }
    }

    /// The form field naming where the code goes.
    fn target_param(self) -> &'static str {
        match self {
            CodeFactor::EmailCode | CodeFactor::ResetPasswordEmailCode => "email_address_id",
            CodeFactor::PhoneCode | CodeFactor::ResetPasswordPhoneCode => "phone_number_id",
        }
    }
}

/// The second factor of the new-device check (`needs_client_trust`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum TrustFactor {
    /// A code emailed to a verified address.
    EmailCode,
    /// A code sent by SMS to a verified phone number.
    PhoneCode,
}

impl TrustFactor {
    fn strategy(self) -> &'static str {
        match self {
            TrustFactor::EmailCode => "email_code",
            TrustFactor::PhoneCode => "phone_code",
        }
    }

    fn target_param(self) -> &'static str {
        match self {
            TrustFactor::EmailCode => "email_address_id",
            TrustFactor::PhoneCode => "phone_number_id",
        }
    }
}

impl Client {
    /// Starts a sign-in with an identifier alone (`POST /v1/client/sign_ins`): an email address,
    /// username or phone number. The answer is `needs_first_factor` with the user's
    /// `supported_first_factors`.
    pub async fn sign_in_with_identifier(&self, identifier: &str) -> Result<SignIn> {
        let form = vec![("identifier", identifier.to_owned())];
        self.send_enveloped(Method::POST, "v1/client/sign_ins", Some(form)).await
    }

    /// The sign-in as it stands (`GET /v1/client/sign_ins/{id}`); what a client polls while the
    /// person opens an email link.
    pub async fn get_sign_in(&self, sign_in_id: &str) -> Result<SignIn> {
        let path = format!("v1/client/sign_ins/{}", path_id(sign_in_id)?);
        self.send_enveloped(Method::GET, &path, None).await
    }

    /// Sends a first-factor code (`POST …/prepare_first_factor`) to `target_id` (an
    /// `email_address_id` or `phone_number_id` from `supported_first_factors`), or, with `None`,
    /// to the identifier the sign-in started with (else the primary one).
    pub async fn prepare_first_factor(
        &self,
        sign_in_id: &str,
        factor: CodeFactor,
        target_id: Option<&str>,
    ) -> Result<SignIn> {
        let mut form = vec![("strategy", factor.strategy().to_owned())];
        form.extend(target_id.map(|id| (factor.target_param(), id.to_owned())));
        let path = format!("v1/client/sign_ins/{}/prepare_first_factor", path_id(sign_in_id)?);
        self.send_enveloped(Method::POST, &path, Some(form)).await
    }

    /// Emails a sign-in link (`POST …/prepare_first_factor`, `email_link`) to `email_address_id`
    /// (from `supported_first_factors`), or with `None` to the identifier the sign-in started
    /// with (else the primary address). The person opens it in a browser; the sign-in is then
    /// `complete` ([`Client::get_sign_in`] tells), with a session on this client.
    pub async fn prepare_email_link(
        &self,
        sign_in_id: &str,
        email_address_id: Option<&str>,
        redirect_url: Option<&str>,
    ) -> Result<SignIn> {
        let mut form = vec![("strategy", "email_link".to_owned())];
        form.extend(email_address_id.map(|id| ("email_address_id", id.to_owned())));
        form.extend(redirect_url.map(|url| ("redirect_url", url.to_owned())));
        let path = format!("v1/client/sign_ins/{}/prepare_first_factor", path_id(sign_in_id)?);
        self.send_enveloped(Method::POST, &path, Some(form)).await
    }

    /// Answers a first-factor code (`POST …/attempt_first_factor`). Signed in when the answer is
    /// `complete`; a reset code gives `needs_new_password` ([`Client::reset_password`]).
    pub async fn attempt_first_factor(
        &self,
        sign_in_id: &str,
        factor: CodeFactor,
        code: &str,
    ) -> Result<SignIn> {
        let form = vec![("strategy", factor.strategy().to_owned()), ("code", code.to_owned())];
        let path = format!("v1/client/sign_ins/{}/attempt_first_factor", path_id(sign_in_id)?);
        self.send_enveloped(Method::POST, &path, Some(form)).await
    }

    /// Answers the first factor with the password (`POST …/attempt_first_factor`, `password`),
    /// for a sign-in started with [`Client::sign_in_with_identifier`].
    pub async fn attempt_password(&self, sign_in_id: &str, password: &str) -> Result<SignIn> {
        let form = vec![("strategy", "password".to_owned()), ("password", password.to_owned())];
        let path = format!("v1/client/sign_ins/{}/attempt_first_factor", path_id(sign_in_id)?);
        self.send_enveloped(Method::POST, &path, Some(form)).await
    }

    /// Sets a new password after a reset code (`POST …/reset_password`); with
    /// `sign_out_of_other_sessions` every other session of the user ends.
    pub async fn reset_password(
        &self,
        sign_in_id: &str,
        password: &str,
        sign_out_of_other_sessions: bool,
    ) -> Result<SignIn> {
        let form = vec![
            ("password", password.to_owned()),
            ("sign_out_of_other_sessions", sign_out_of_other_sessions.to_string()),
        ];
        let path = format!("v1/client/sign_ins/{}/reset_password", path_id(sign_in_id)?);
        self.send_enveloped(Method::POST, &path, Some(form)).await
    }

    /// Sends the code of the new-device check (`needs_client_trust`; `POST
    /// …/prepare_second_factor`) to `target_id`, or with `None` to the identifier used.
    pub async fn prepare_client_trust(
        &self,
        sign_in_id: &str,
        factor: TrustFactor,
        target_id: Option<&str>,
    ) -> Result<SignIn> {
        let mut form = vec![("strategy", factor.strategy().to_owned())];
        form.extend(target_id.map(|id| (factor.target_param(), id.to_owned())));
        let path = format!("v1/client/sign_ins/{}/prepare_second_factor", path_id(sign_in_id)?);
        self.send_enveloped(Method::POST, &path, Some(form)).await
    }

    /// Answers the new-device check with its code (`POST …/attempt_second_factor`).
    pub async fn attempt_client_trust(
        &self,
        sign_in_id: &str,
        factor: TrustFactor,
        code: &str,
    ) -> Result<SignIn> {
        let form = vec![("strategy", factor.strategy().to_owned()), ("code", code.to_owned())];
        let path = format!("v1/client/sign_ins/{}/attempt_second_factor", path_id(sign_in_id)?);
        self.send_enveloped(Method::POST, &path, Some(form)).await
    }
}
