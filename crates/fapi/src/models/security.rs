use serde::{Deserialize, Serialize};

use super::{SessionStatus, Token};

/// Where and how a session was last used (`SessionActivity`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SessionActivity {
    /// Always `session_activity`.
    pub object: String,
    /// Its id.
    pub id: String,
    /// e.g. `Macintosh`, `Windows`, `Linux`, `iPhone`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device_type: Option<String>,
    /// `true` for phones and tablets.
    pub is_mobile: bool,
    /// e.g. `Chrome`, `Userdesk`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub browser_name: Option<String>,
    /// e.g. `124.0.1`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub browser_version: Option<String>,
    /// The address it came from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ip_address: Option<String>,
    /// The city, where known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub city: Option<String>,
    /// The country, where known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
}

/// A signed-in session on any device, with its latest activity (the seed's
/// `SessionWithActivities`, `Client.ActiveSession` of the spec).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SessionWithActivities {
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
    /// Where and how it was last used.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latest_activity: Option<SessionActivity>,
}

/// An authenticator-app (TOTP) enrolment (`TOTP`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Totp {
    /// Always `totp`.
    pub object: String,
    /// Its id.
    pub id: String,
    /// The shared secret (base32), shown once while enrolling.
    pub secret: Option<String>,
    /// The `otpauth://` URI for a QR code, shown once while enrolling.
    pub uri: Option<String>,
    /// `true` once a first code confirmed it.
    pub verified: bool,
    /// Backup codes, returned once when the enrolment is verified.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub backup_codes: Option<Vec<String>>,
    /// Created (Unix ms).
    pub created_at: i64,
    /// Last changed (Unix ms).
    pub updated_at: i64,
}

/// A new set of backup codes (`BackupCodes`), shown once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct BackupCodes {
    /// Always `backup_code`.
    pub object: String,
    /// Its id.
    pub id: String,
    /// The codes; each works once.
    pub codes: Vec<String>,
    /// Created (Unix ms).
    pub created_at: i64,
    /// Last changed (Unix ms).
    pub updated_at: i64,
}
