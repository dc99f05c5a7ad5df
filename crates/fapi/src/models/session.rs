use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::User;

/// Where a session stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum SessionStatus {
    /// Signed in.
    Active,
    /// Signed out from another device or by the instance.
    Revoked,
    /// Signed out here.
    Ended,
    /// Ran out of time.
    Expired,
    /// Removed from the client.
    Removed,
    /// Left unused until it lapsed.
    Abandoned,
    /// Waiting for a task (e.g. choosing an organisation) before it becomes active.
    Pending,
}

/// A session JWT (`Token`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Token {
    /// Always `token`.
    pub object: String,
    /// The encoded JWT.
    pub jwt: String,
}

/// What anybody may see of a session's user (`PublicUserData`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct PublicUserData {
    /// First name.
    pub first_name: Option<String>,
    /// Last name.
    pub last_name: Option<String>,
    /// The profile image.
    #[serde(default)]
    pub image_url: Option<String>,
    /// `true` when the person uploaded a profile image.
    pub has_image: bool,
    /// The identifier the person signed in with.
    pub identifier: String,
    /// The user's id.
    #[serde(default)]
    pub user_id: Option<String>,
    /// The username.
    #[serde(default)]
    pub username: Option<String>,
}

/// A signed-in session on a client (`Session`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Session {
    /// Its id (`sess_…`).
    pub id: String,
    /// Always `session`.
    pub object: String,
    /// Where it stands.
    pub status: SessionStatus,
    /// When it ends however active it is (Unix ms).
    pub expire_at: i64,
    /// When it lapses if unused (Unix ms).
    pub abandon_at: i64,
    /// Last use (Unix ms).
    pub last_active_at: i64,
    /// The latest session token, where the server includes it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_active_token: Option<Token>,
    /// The impersonator, when someone acts as this user.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(type = "JsonValue | null"))]
    pub actor: Option<Value>,
    /// The active organisation.
    #[serde(default)]
    pub last_active_organization_id: Option<String>,
    /// The session's user, where the server includes it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<User>,
    /// What anybody may see of the user.
    #[serde(default)]
    pub public_user_data: Option<PublicUserData>,
    /// Minutes since the first and second factors were last verified.
    #[serde(default)]
    pub factor_verification_age: Vec<i32>,
    /// Created (Unix ms).
    pub created_at: i64,
    /// Last changed (Unix ms).
    pub updated_at: i64,
}

/// How much a reverification asks for (Clerk's `level`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum ReverificationLevel {
    /// A first factor: the password, or a code sent to the primary email address.
    FirstFactor,
    /// A second factor where the person has one, else a first factor.
    SecondFactor,
    /// Both factors (the second only where the person has one).
    MultiFactor,
}

/// Where a reverification stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum ReverificationStatus {
    /// Waiting for a first factor.
    NeedsFirstFactor,
    /// Waiting for a second factor.
    NeedsSecondFactor,
    /// Done: the action that asked for it can be tried again.
    Complete,
}

/// A session proving again who is using it before a sensitive action
/// (`SessionReverification`: `POST /v1/client/sessions/{id}/verify` and its factor steps).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SessionReverification {
    /// Always `session_reverification`.
    pub object: String,
    /// What it asks for.
    pub level: ReverificationLevel,
    /// Where it stands.
    pub status: ReverificationStatus,
    /// The first factors the person can use.
    #[serde(default)]
    pub supported_first_factors: Option<Vec<super::SignInFactor>>,
    /// The second factors the person can use.
    #[serde(default)]
    pub supported_second_factors: Option<Vec<super::SignInFactor>>,
    /// The first factor's verification so far.
    #[serde(default)]
    pub first_factor_verification: Option<super::Verification>,
    /// The second factor's verification so far.
    #[serde(default)]
    pub second_factor_verification: Option<super::Verification>,
    /// The session it verifies.
    pub session: Session,
}
