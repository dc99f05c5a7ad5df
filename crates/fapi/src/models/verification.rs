use serde::{Deserialize, Serialize};

use super::ClerkError;

/// Where a verification stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum VerificationStatus {
    /// Started, not completed.
    Unverified,
    /// Completed.
    Verified,
    /// An OAuth identity that belongs to no user yet and can become a sign-up.
    Transferable,
    /// Failed, e.g. too many attempts or a denied consent.
    Failed,
    /// Ran out of time.
    Expired,
}

/// The verification of an identification (email, phone, external account, sign-in factor).
///
/// Clerk has one closed object per strategy (`verification_otp`, `verification_oauth`, …); they share
/// these fields, and the ones a strategy does not use stay `None` and are left out of the JSON.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Verification {
    /// The kind of verification, e.g. `verification_otp`, `verification_oauth`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub object: Option<String>,
    /// Where it stands.
    pub status: VerificationStatus,
    /// How it is done, e.g. `email_code`, `phone_code`, `oauth_github`, `password`.
    pub strategy: String,
    /// Attempts so far; a verification usually allows at most 3.
    #[serde(default)]
    pub attempts: Option<u32>,
    /// When it stops being valid (Unix ms).
    #[serde(default)]
    pub expire_at: Option<i64>,
    /// For OAuth strategies: where to send the person to verify.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_verification_redirect_url: Option<String>,
    /// What went wrong, for strategies that report it (OAuth).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<ClerkError>,
    /// For `passkey`: the WebAuthn options of the ceremony as a JSON string (creation options
    /// when registering, request options when signing in).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nonce: Option<String>,
}

impl Verification {
    /// `true` once the verification has completed.
    pub fn is_verified(&self) -> bool {
        self.status == VerificationStatus::Verified
    }

    /// `nonce` parsed as JSON (the passkey ceremony's options); `None` when absent or not JSON.
    pub fn nonce_json(&self) -> Option<serde_json::Value> {
        serde_json::from_str(self.nonce.as_deref()?).ok()
    }
}
