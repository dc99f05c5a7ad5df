use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::Verification;

/// A passkey of the signed-in user (`Client.Passkey`).
///
/// While it is being registered, `verification.nonce` holds the WebAuthn creation options as a
/// JSON string (`PublicKeyCredentialCreationOptionsJSON`, base64url fields, without a `publicKey`
/// wrapper), as Clerk returns them; [`Passkey::creation_options`] parses it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Passkey {
    /// Its id (`pk_…`).
    pub id: String,
    /// Always `passkey`.
    pub object: String,
    /// The name the person gave it (or the server's default).
    pub name: String,
    /// Last used to sign in or verify (Unix ms).
    #[serde(default)]
    pub last_used_at: Option<i64>,
    /// The registration's verification (`verification_passkey`).
    pub verification: Option<Verification>,
    /// Created (Unix ms).
    #[serde(default)]
    pub created_at: i64,
    /// Last changed (Unix ms).
    #[serde(default)]
    pub updated_at: i64,
}

impl Passkey {
    /// The WebAuthn creation options of a registration in progress, parsed from
    /// `verification.nonce`; `None` once verified or when the server sent none.
    pub fn creation_options(&self) -> Option<Value> {
        self.verification.as_ref()?.nonce_json()
    }

    /// `true` once the registration completed.
    pub fn is_verified(&self) -> bool {
        self.verification.as_ref().is_some_and(Verification::is_verified)
    }
}
