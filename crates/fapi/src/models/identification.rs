use serde::{Deserialize, Serialize};

use super::Verification;

/// Another identification this one is tied to, e.g. the OAuth account an email came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct IdentificationLink {
    /// The kind of the linked identification, e.g. `oauth_github`.
    #[serde(rename = "type")]
    pub kind: String,
    /// Its id.
    pub id: String,
}

/// An email address of a user (`EmailAddress`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct EmailAddress {
    /// Its id (`idn_…`).
    pub id: String,
    /// Always `email_address`.
    pub object: String,
    /// The address.
    pub email_address: String,
    /// Reserved by the instance, not removable.
    pub reserved: bool,
    /// Its verification; `None` before one was prepared.
    pub verification: Option<Verification>,
    /// Identifications it came with.
    #[serde(default)]
    pub linked_to: Vec<IdentificationLink>,
    /// Created (Unix ms).
    pub created_at: i64,
    /// Last changed (Unix ms).
    pub updated_at: i64,
}

impl EmailAddress {
    /// `true` once the address is verified.
    pub fn is_verified(&self) -> bool {
        self.verification.as_ref().is_some_and(Verification::is_verified)
    }
}

/// A phone number of a user (`PhoneNumber`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct PhoneNumber {
    /// Its id (`idn_…`).
    pub id: String,
    /// Always `phone_number`.
    pub object: String,
    /// The number in E.164 form.
    pub phone_number: String,
    /// Kept for two-factor authentication rather than sign-in.
    #[serde(default)]
    pub reserved_for_second_factor: bool,
    /// The default second factor.
    #[serde(default)]
    pub default_second_factor: bool,
    /// Reserved by the instance, not removable.
    pub reserved: bool,
    /// Its verification; `None` before one was prepared.
    pub verification: Option<Verification>,
    /// Identifications it came with.
    #[serde(default)]
    pub linked_to: Vec<IdentificationLink>,
    /// Backup codes, returned once when the number becomes a second factor.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub backup_codes: Option<Vec<String>>,
    /// Created (Unix ms).
    pub created_at: i64,
    /// Last changed (Unix ms).
    pub updated_at: i64,
}

impl PhoneNumber {
    /// `true` once the number is verified.
    pub fn is_verified(&self) -> bool {
        self.verification.as_ref().is_some_and(Verification::is_verified)
    }
}
