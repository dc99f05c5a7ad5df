//! An external (provider) account, as `User.external_accounts` shows it.

use userdesk_fapi::models::{ClerkError, ExternalAccount, Verification, VerificationStatus};

use super::status_at;
use crate::error::{Error, Result};
use crate::ids::now_ms;
use crate::store::external_accounts::ExternalAccountRow;

/// The wire form of an account.
pub fn external_account(row: &ExternalAccountRow) -> Result<ExternalAccount> {
    let status = status_at(&row.verification_status, Some(row.verification_expire_at), now_ms());
    let status: VerificationStatus = serde_json::from_value(serde_json::Value::String(status.to_owned()))
        .map_err(|_| Error::Internal(format!("stored external account status {status:?}")))?;
    let error = row
        .verification_error
        .as_deref()
        .map(serde_json::from_str::<ClerkError>)
        .transpose()
        .map_err(|e| Error::Internal(format!("stored external account error: {e}")))?;
    Ok(ExternalAccount {
        object: "external_account".into(),
        id: row.id.clone(),
        provider: row.provider.clone(),
        identification_id: row.identification_id.clone(),
        provider_user_id: row.provider_user_id.clone().unwrap_or_default(),
        approved_scopes_raw: row.approved_scopes.clone(),
        email_address: row.email_address.clone().unwrap_or_default(),
        first_name: row.first_name.clone().unwrap_or_default(),
        last_name: row.last_name.clone().unwrap_or_default(),
        avatar_url: row.avatar_url.clone().unwrap_or_default(),
        image_url: None,
        username: row.username.clone(),
        phone_number: None,
        public_metadata: serde_json::Map::new(),
        label: None,
        created_at: row.created_at,
        updated_at: row.updated_at,
        verification: Some(Verification {
            object: Some("verification_oauth".into()),
            status,
            strategy: row.provider.clone(),
            attempts: None,
            expire_at: Some(row.verification_expire_at),
            // Until the round trip ends (even past its time: the callback then says it expired).
            external_verification_redirect_url: if row.verification_status == "unverified" {
                row.verification_redirect_url.clone()
            } else {
                None
            },
            error,
            nonce: None,
        }),
    })
}
