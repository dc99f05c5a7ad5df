use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::Verification;

/// An identification obtained from an OAuth provider (`ExternalAccount` of the seed).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ExternalAccount {
    /// Always `external_account`.
    pub object: String,
    /// Its id (`eac_…`).
    pub id: String,
    /// The provider, e.g. `oauth_github`.
    pub provider: String,
    /// The identification it belongs to (`idn_…`).
    pub identification_id: String,
    /// The user's id at the provider.
    pub provider_user_id: String,
    /// The scopes the person granted, space-separated as on the wire; see [`Self::approved_scopes`].
    #[serde(rename = "approved_scopes")]
    pub approved_scopes_raw: String,
    /// The email address the provider gave.
    pub email_address: String,
    /// The first name the provider gave.
    pub first_name: String,
    /// The last name the provider gave.
    pub last_name: String,
    /// The provider's avatar URL.
    #[serde(default)]
    pub avatar_url: String,
    /// The provider's avatar, as served by the instance.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_url: Option<String>,
    /// The username at the provider.
    #[serde(default)]
    pub username: Option<String>,
    /// The phone number the provider gave.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone_number: Option<String>,
    /// Public metadata from the provider.
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(type = "Record<string, JsonValue>"))]
    pub public_metadata: Map<String, Value>,
    /// Tells apart several accounts of one provider.
    #[serde(default)]
    pub label: Option<String>,
    /// Created (Unix ms).
    pub created_at: i64,
    /// Last changed (Unix ms).
    pub updated_at: i64,
    /// The state of the OAuth round trip that links it.
    pub verification: Option<Verification>,
}

impl ExternalAccount {
    /// The scopes the person granted (the seed's `approvedScopes`).
    pub fn approved_scopes(&self) -> Vec<&str> {
        self.approved_scopes_raw.split_whitespace().collect()
    }

    /// `true` once the OAuth round trip completed.
    pub fn is_verified(&self) -> bool {
        self.verification.as_ref().is_some_and(Verification::is_verified)
    }
}
