//! A passkey as `Client.Passkey` shows it.

use userdesk_fapi::models::{Passkey, Verification, VerificationStatus};

use crate::ids::now_ms;
use crate::store::passkeys::PasskeyRow;

/// The passkey; `nonce` (the creation options) only in the answer that starts its registration.
pub fn passkey(row: &PasskeyRow, nonce: Option<String>) -> Passkey {
    let status = if row.verified {
        VerificationStatus::Verified
    } else if row.registration_expire_at <= now_ms() {
        VerificationStatus::Expired
    } else {
        VerificationStatus::Unverified
    };
    Passkey {
        id: row.id.clone(),
        object: "passkey".into(),
        name: row.name.clone(),
        last_used_at: row.last_used_at,
        verification: Some(Verification {
            object: Some("verification_passkey".into()),
            status,
            strategy: "passkey".into(),
            attempts: None,
            expire_at: Some(row.registration_expire_at),
            external_verification_redirect_url: None,
            error: None,
            nonce,
        }),
        created_at: row.created_at,
        updated_at: row.updated_at,
    }
}
