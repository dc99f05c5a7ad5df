use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::Verification;

/// Where a sign-up stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SignUpStatus {
    /// Given up.
    Abandoned,
    /// Fields are missing or unverified.
    MissingRequirements,
    /// The user exists: `created_user_id` and `created_session_id` name them.
    Complete,
}

/// The verifications a sign-up needs, one per identification.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SignUpVerifications {
    /// The email address's.
    pub email_address: Option<Verification>,
    /// The phone number's.
    pub phone_number: Option<Verification>,
    /// A web3 wallet's (Userdesk does not use them).
    pub web3_wallet: Option<Verification>,
    /// The external account's, for OAuth sign-ups.
    pub external_account: Option<Verification>,
}

/// A sign-up attempt (`SignUp`, object `sign_up_attempt`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SignUp {
    /// Always `sign_up_attempt`.
    pub object: String,
    /// Its id (`sua_…`).
    pub id: String,
    /// Where it stands.
    pub status: SignUpStatus,
    /// Fields the instance requires.
    pub required_fields: Vec<String>,
    /// Fields the instance accepts.
    pub optional_fields: Vec<String>,
    /// Required fields still missing.
    pub missing_fields: Vec<String>,
    /// Identifications still to verify.
    pub unverified_fields: Vec<String>,
    /// Their verifications.
    pub verifications: SignUpVerifications,
    /// The username given.
    pub username: Option<String>,
    /// The email address given.
    pub email_address: Option<String>,
    /// The phone number given.
    pub phone_number: Option<String>,
    /// A web3 wallet given.
    pub web3_wallet: Option<String>,
    /// `true` when a password was given.
    pub password_enabled: bool,
    /// The first name given.
    pub first_name: Option<String>,
    /// The last name given.
    pub last_name: Option<String>,
    /// Copied to the user's unsafe metadata when the sign-up completes.
    #[serde(default)]
    pub unsafe_metadata: Map<String, Value>,
    /// Copied to the user's public metadata when the sign-up completes.
    #[serde(default)]
    pub public_metadata: Map<String, Value>,
    /// Whether a custom flow drives it.
    pub custom_action: bool,
    /// An id in another system.
    pub external_id: Option<String>,
    /// The session created on completion.
    pub created_session_id: Option<String>,
    /// The user created on completion.
    pub created_user_id: Option<String>,
    /// When the attempt lapses (Unix ms).
    pub abandon_at: i64,
    /// When the person accepted the legal terms (Unix ms).
    pub legal_accepted_at: Option<i64>,
}
