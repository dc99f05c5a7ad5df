use serde::{Deserialize, Serialize};

use super::Verification;

/// Where a sign-in attempt stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SignInStatus {
    /// Given up.
    Abandoned,
    /// Waiting for an identifier.
    NeedsIdentifier,
    /// Waiting for the first factor (e.g. a password).
    NeedsFirstFactor,
    /// Waiting for the second factor.
    NeedsSecondFactor,
    /// Waiting for this client to be trusted.
    NeedsClientTrust,
    /// Waiting for a new password.
    NeedsNewPassword,
    /// Waiting for a bot check.
    NeedsProtectCheck,
    /// Signed in: `created_session_id` names the session.
    Complete,
}

/// A way to complete a sign-in step (`SignInFactor`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignInFactor {
    /// The strategy, e.g. `password`, `email_code`, `totp`.
    pub strategy: String,
    /// The identifier, partly masked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub safe_identifier: Option<String>,
    /// The email address it uses.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email_address_id: Option<String>,
    /// The phone number it uses.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone_number_id: Option<String>,
    /// The passkey it uses (`passkey`; absent when any of the user's passkeys will do).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub passkey_id: Option<String>,
    /// `true` for the primary identification.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub primary: Option<bool>,
    /// `true` for the default second factor.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<bool>,
}

/// What a sign-in knows of the user before it completes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignInUserData {
    /// First name.
    pub first_name: Option<String>,
    /// Last name.
    pub last_name: Option<String>,
    /// The profile image.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_url: Option<String>,
    /// `true` when the person uploaded a profile image.
    pub has_image: bool,
}

/// A sign-in attempt (`SignIn`, object `sign_in_attempt`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SignIn {
    /// Always `sign_in_attempt`.
    pub object: String,
    /// Its id (`sia_…`).
    pub id: String,
    /// Where it stands.
    pub status: SignInStatus,
    /// Identifiers the instance accepts.
    pub supported_identifiers: Vec<String>,
    /// First factors the identified user can use.
    pub supported_first_factors: Option<Vec<SignInFactor>>,
    /// Second factors the identified user can use.
    pub supported_second_factors: Option<Vec<SignInFactor>>,
    /// The first factor's verification.
    pub first_factor_verification: Option<Verification>,
    /// The second factor's verification.
    pub second_factor_verification: Option<Verification>,
    /// The identifier given.
    pub identifier: Option<String>,
    /// What is known of the user so far.
    pub user_data: Option<SignInUserData>,
    /// The session created when the sign-in completed.
    pub created_session_id: Option<String>,
    /// When the attempt lapses (Unix ms).
    pub abandon_at: i64,
    /// Whether the user had a session on this client before (`pending`, `new`, `known`);
    /// servers that do not say leave it out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_trust_state: Option<String>,
}
