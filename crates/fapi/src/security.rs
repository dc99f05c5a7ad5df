//! Sessions on other devices, two-factor, passwords and sign-ups.

use reqwest::Method;
use serde_json::{Map, Value};

use crate::client::{path_id, RequestBody};
use crate::models::{
    BackupCodes, DeletedObject, Envelope, ReverificationLevel, Session, SessionReverification,
    SessionWithActivities, SignIn, SignUp, Totp, User,
};
use crate::{Client, Result};

/// What a person gives to create an account (`POST /v1/client/sign_ups`), or adds to it
/// (`PATCH`): `None` leaves a field out.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SignUpParams {
    /// The email address to sign in with.
    pub email_address: Option<String>,
    /// The phone number (E.164, or national in the instance's region).
    pub phone_number: Option<String>,
    /// The password.
    pub password: Option<String>,
    /// First name.
    pub first_name: Option<String>,
    /// Last name.
    pub last_name: Option<String>,
    /// Username.
    pub username: Option<String>,
    /// Copied onto the new user's unsafe metadata when the sign-up completes.
    pub unsafe_metadata: Option<Map<String, Value>>,
    /// `true`: the person accepts the instance's legal terms (`legal_accepted`).
    pub legal_accepted: bool,
}

impl SignUpParams {
    fn form(&self) -> Vec<(&'static str, String)> {
        let mut form: Vec<(&str, String)> = [
            ("email_address", &self.email_address),
            ("phone_number", &self.phone_number),
            ("password", &self.password),
            ("first_name", &self.first_name),
            ("last_name", &self.last_name),
            ("username", &self.username),
        ]
        .into_iter()
        .filter_map(|(name, value)| value.clone().map(|value| (name, value)))
        .collect();
        if let Some(metadata) = &self.unsafe_metadata {
            form.push(("unsafe_metadata", Value::Object(metadata.clone()).to_string()));
        }
        if self.legal_accepted {
            form.push(("legal_accepted", "true".to_owned()));
        }
        form
    }
}

/// How a sign-up's email address or phone number is verified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignUpVerification {
    /// A code emailed to the address (`email_code`).
    EmailCode,
    /// A link emailed to the address (`email_link`); opened in a browser, it verifies the address
    /// (and completes the sign-up when that was all it lacked), then goes to `redirect_url`.
    EmailLink {
        /// Where the browser goes once the link verified the address.
        redirect_url: Option<String>,
    },
    /// A code texted to the phone number (`phone_code`).
    PhoneCode,
}

impl SignUpVerification {
    /// As Clerk names it (`strategy`).
    pub fn strategy(&self) -> &'static str {
        match self {
            SignUpVerification::EmailCode => "email_code",
            SignUpVerification::EmailLink { .. } => "email_link",
            SignUpVerification::PhoneCode => "phone_code",
        }
    }
}

/// A second factor at sign-in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum SecondFactor {
    /// A code from an authenticator app.
    Totp,
    /// A code sent by SMS to a phone reserved for two-factor.
    PhoneCode,
    /// One of the backup codes.
    BackupCode,
}

impl SecondFactor {
    fn strategy(self) -> &'static str {
        match self {
            SecondFactor::Totp => "totp",
            SecondFactor::PhoneCode => "phone_code",
            SecondFactor::BackupCode => "backup_code",
        }
    }
}

impl Client {
    /// The user's active sessions on every device (`GET /v1/me/sessions/active`; the seed's
    /// `getSessions()`).
    pub async fn get_sessions(&self) -> Result<Vec<SessionWithActivities>> {
        self.send(Method::GET, "v1/me/sessions/active", None).await
    }

    /// Signs every other device out, keeping this one; returns how many were signed out.
    pub async fn revoke_other_sessions(&self) -> Result<usize> {
        let current = self.session_id();
        let others: Vec<String> = self
            .get_sessions()
            .await?
            .into_iter()
            .map(|session| session.id)
            .filter(|id| Some(id) != current.as_ref())
            .collect();
        for id in &others {
            self.revoke_session(id).await?;
        }
        Ok(others.len())
    }

    /// Signs another device out (`POST /v1/me/sessions/{id}/revoke`).
    pub async fn revoke_session(&self, session_id: &str) -> Result<Session> {
        let path = format!("v1/me/sessions/{}/revoke", path_id(session_id)?);
        self.send_enveloped(Method::POST, &path, None).await
    }

    /// Starts enrolling an authenticator app (`POST /v1/me/totp`): the secret and its URI.
    pub async fn create_totp(&self) -> Result<Totp> {
        self.send_enveloped(Method::POST, "v1/me/totp", None).await
    }

    /// Confirms the enrolment with a first code (`POST /v1/me/totp/attempt_verification`).
    pub async fn attempt_totp_verification(&self, code: &str) -> Result<Totp> {
        self.send_enveloped(
            Method::POST,
            "v1/me/totp/attempt_verification",
            Some(vec![("code", code.to_owned())]),
        )
        .await
    }

    /// Turns the authenticator app off (`DELETE /v1/me/totp`).
    pub async fn delete_totp(&self) -> Result<DeletedObject> {
        self.send_enveloped(Method::DELETE, "v1/me/totp", None).await
    }

    /// A new set of backup codes, replacing the old ones (`POST /v1/me/backup_codes`).
    pub async fn create_backup_codes(&self) -> Result<BackupCodes> {
        self.send_enveloped(Method::POST, "v1/me/backup_codes", None).await
    }

    /// Changes the password (`POST /v1/me/change_password`).
    pub async fn change_password(
        &self,
        current_password: &str,
        new_password: &str,
        sign_out_of_other_sessions: bool,
    ) -> Result<User> {
        let form = vec![
            ("current_password", current_password.to_owned()),
            ("new_password", new_password.to_owned()),
            ("sign_out_of_other_sessions", sign_out_of_other_sessions.to_string()),
        ];
        self.send_enveloped(Method::POST, "v1/me/change_password", Some(form)).await
    }

    /// Removes the password, where another way to sign in exists (`POST /v1/me/remove_password`).
    pub async fn remove_password(&self, current_password: &str) -> Result<User> {
        let form = vec![("current_password", current_password.to_owned())];
        self.send_enveloped(Method::POST, "v1/me/remove_password", Some(form)).await
    }

    /// Starts creating an account (`POST /v1/client/sign_ups`).
    pub async fn sign_up(&self, params: &SignUpParams) -> Result<SignUp> {
        self.send_enveloped(Method::POST, "v1/client/sign_ups", Some(params.form())).await
    }

    /// Adds to or changes a sign-up (`PATCH /v1/client/sign_ups/{id}`).
    pub async fn update_sign_up(&self, sign_up_id: &str, params: &SignUpParams) -> Result<SignUp> {
        let path = format!("v1/client/sign_ups/{}", path_id(sign_up_id)?);
        self.send_enveloped(Method::PATCH, &path, Some(params.form())).await
    }

    /// Reads a sign-up again (`GET /v1/client/sign_ups/{id}`): how a client learns that an email
    /// link completed it.
    pub async fn get_sign_up(&self, sign_up_id: &str) -> Result<SignUp> {
        let path = format!("v1/client/sign_ups/{}", path_id(sign_up_id)?);
        self.send_enveloped(Method::GET, &path, None).await
    }

    /// Sends the sign-up's code or link (`POST …/prepare_verification`).
    pub async fn prepare_sign_up_verification(
        &self,
        sign_up_id: &str,
        verification: &SignUpVerification,
    ) -> Result<SignUp> {
        let path = format!("v1/client/sign_ups/{}/prepare_verification", path_id(sign_up_id)?);
        let mut form = vec![("strategy", verification.strategy().to_owned())];
        if let SignUpVerification::EmailLink { redirect_url: Some(url) } = verification {
            form.push(("redirect_url", url.clone()));
        }
        self.send_enveloped(Method::POST, &path, Some(form)).await
    }

    /// Verifies the sign-up's email address (`EmailCode`) or phone number (`PhoneCode`) with its
    /// code (`POST …/attempt_verification`).
    pub async fn attempt_sign_up_verification(
        &self,
        sign_up_id: &str,
        verification: &SignUpVerification,
        code: &str,
    ) -> Result<SignUp> {
        let path = format!("v1/client/sign_ups/{}/attempt_verification", path_id(sign_up_id)?);
        let form = vec![("strategy", verification.strategy().to_owned()), ("code", code.to_owned())];
        self.send_enveloped(Method::POST, &path, Some(form)).await
    }

    /// Asks for a second factor at sign-in (`POST …/prepare_second_factor`); needed for
    /// `phone_code`, which sends the SMS.
    pub async fn prepare_second_factor(
        &self,
        sign_in_id: &str,
        factor: SecondFactor,
        phone_number_id: Option<&str>,
    ) -> Result<SignIn> {
        let mut form = vec![("strategy", factor.strategy().to_owned())];
        form.extend(phone_number_id.map(|id| ("phone_number_id", id.to_owned())));
        let path = format!("v1/client/sign_ins/{}/prepare_second_factor", path_id(sign_in_id)?);
        self.send_enveloped(Method::POST, &path, Some(form)).await
    }

    /// Completes sign-in with a second factor (`POST …/attempt_second_factor`).
    pub async fn attempt_second_factor(
        &self,
        sign_in_id: &str,
        factor: SecondFactor,
        code: &str,
    ) -> Result<SignIn> {
        let form = vec![("strategy", factor.strategy().to_owned()), ("code", code.to_owned())];
        let path = format!("v1/client/sign_ins/{}/attempt_second_factor", path_id(sign_in_id)?);
        self.send_enveloped(Method::POST, &path, Some(form)).await
    }

    /// Starts proving again who uses this client's session, as an action answered
    /// [`crate::Error::needs_reverification`] asks (`POST /v1/client/sessions/{id}/verify`).
    pub async fn start_reverification(&self, level: ReverificationLevel) -> Result<SessionReverification> {
        let form = vec![("level", level_name(level).to_owned())];
        self.send_enveloped(Method::POST, &self.reverification_path("")?, Some(form)).await
    }

    /// Sends the code of a reverification's first factor to the email address
    /// `email_address_id` (`…/verify/prepare_first_factor`, strategy `email_code`).
    pub async fn prepare_reverification_email_code(
        &self,
        email_address_id: &str,
    ) -> Result<SessionReverification> {
        let form =
            vec![("strategy", "email_code".to_owned()), ("email_address_id", email_address_id.to_owned())];
        self.send_enveloped(Method::POST, &self.reverification_path("/prepare_first_factor")?, Some(form))
            .await
    }

    /// Answers a reverification's first factor: `strategy` `password` with the password, or
    /// `email_code` with the code sent (`…/verify/attempt_first_factor`).
    pub async fn attempt_reverification_first_factor(
        &self,
        strategy: &str,
        secret: &str,
    ) -> Result<SessionReverification> {
        let field = if strategy == "password" { "password" } else { "code" };
        let form = vec![("strategy", strategy.to_owned()), (field, secret.to_owned())];
        self.send_enveloped(Method::POST, &self.reverification_path("/attempt_first_factor")?, Some(form))
            .await
    }

    /// Starts a passkey ceremony for a reverification's first factor
    /// (`…/verify/prepare_first_factor`, strategy `passkey`): the request options, naming the
    /// user's passkeys, in `first_factor_verification.nonce`.
    pub async fn prepare_reverification_passkey(&self) -> Result<SessionReverification> {
        let form = vec![("strategy", "passkey".to_owned())];
        self.send_enveloped(Method::POST, &self.reverification_path("/prepare_first_factor")?, Some(form))
            .await
    }

    /// Answers a reverification's first factor with the authenticator's assertion
    /// (`…/verify/attempt_first_factor`, `public_key_credential` = the JSON-serialised
    /// PublicKeyCredential). `origin` is the one the assertion was made for (sent as `Origin`).
    pub async fn attempt_reverification_passkey(
        &self,
        origin: &str,
        public_key_credential_json: &str,
    ) -> Result<SessionReverification> {
        let form = vec![
            ("strategy", "passkey".to_owned()),
            ("public_key_credential", public_key_credential_json.to_owned()),
        ];
        let path = self.reverification_path("/attempt_first_factor")?;
        // An origin is scheme, host and port: a URL's trailing slash is not part of it.
        let origin = origin.trim_end_matches('/');
        let envelope: Envelope<SessionReverification> =
            self.send_body(Method::POST, &path, RequestBody::Form(form), Some(origin)).await?;
        Ok(envelope.response)
    }

    /// Sends the SMS of a reverification's second factor (`…/verify/prepare_second_factor`).
    pub async fn prepare_reverification_second_factor(
        &self,
        phone_number_id: &str,
    ) -> Result<SessionReverification> {
        let form =
            vec![("strategy", "phone_code".to_owned()), ("phone_number_id", phone_number_id.to_owned())];
        self.send_enveloped(Method::POST, &self.reverification_path("/prepare_second_factor")?, Some(form))
            .await
    }

    /// Answers a reverification's second factor (`…/verify/attempt_second_factor`).
    pub async fn attempt_reverification_second_factor(
        &self,
        factor: SecondFactor,
        code: &str,
    ) -> Result<SessionReverification> {
        let form = vec![("strategy", factor.strategy().to_owned()), ("code", code.to_owned())];
        self.send_enveloped(Method::POST, &self.reverification_path("/attempt_second_factor")?, Some(form))
            .await
    }

    fn reverification_path(&self, step: &str) -> Result<String> {
        let session_id = self.session_id().ok_or(crate::Error::SignedOut)?;
        Ok(format!("v1/client/sessions/{}/verify{step}", path_id(&session_id)?))
    }
}

fn level_name(level: ReverificationLevel) -> &'static str {
    match level {
        ReverificationLevel::FirstFactor => "first_factor",
        ReverificationLevel::SecondFactor => "second_factor",
        ReverificationLevel::MultiFactor => "multi_factor",
    }
}
