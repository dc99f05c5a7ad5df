use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::{EmailAddress, ExternalAccount, Passkey, PhoneNumber};

/// The signed-in person's account (`User` of the seed, `Client.User` of the spec).
///
/// Private metadata never reaches a Frontend API client, so it is not here.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct User {
    /// Its id (`user_…`).
    pub id: String,
    /// Always `user`.
    pub object: String,
    /// The username, where the instance uses them.
    pub username: Option<String>,
    /// First name.
    pub first_name: Option<String>,
    /// Last name.
    pub last_name: Option<String>,
    /// The profile image, or a generated default avatar.
    #[serde(default)]
    pub image_url: String,
    /// `true` when the person uploaded a profile image.
    pub has_image: bool,
    /// The same as `image_url`, under its deprecated name, for older clients.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(skip))]
    pub profile_image_url: Option<String>,
    /// The primary email address's id.
    pub primary_email_address_id: Option<String>,
    /// The primary phone number's id.
    pub primary_phone_number_id: Option<String>,
    /// The primary web3 wallet's id (Userdesk does not manage wallets).
    #[serde(default)]
    pub primary_web3_wallet_id: Option<String>,
    /// `true` when the person has a password.
    pub password_enabled: bool,
    /// `true` when two-factor authentication is on (the seed's `twoFactorEnabled()`).
    pub two_factor_enabled: bool,
    /// `true` when an authenticator app is set up.
    pub totp_enabled: bool,
    /// `true` when backup codes exist.
    pub backup_code_enabled: bool,
    /// Every email address.
    pub email_addresses: Vec<EmailAddress>,
    /// Every phone number.
    pub phone_numbers: Vec<PhoneNumber>,
    /// Web3 wallets (kept as the server sends them; Userdesk does not manage them).
    #[serde(default)]
    pub web3_wallets: Vec<Value>,
    /// Every passkey.
    #[serde(default)]
    pub passkeys: Vec<Passkey>,
    /// Every connected OAuth account, verified or not.
    pub external_accounts: Vec<ExternalAccount>,
    /// SAML accounts (kept as the server sends them).
    #[serde(default)]
    pub saml_accounts: Vec<Value>,
    /// Enterprise accounts (kept as the server sends them).
    #[serde(default)]
    pub enterprise_accounts: Vec<Value>,
    /// When the password last changed (Unix ms).
    #[serde(default)]
    pub password_last_updated_at: Option<i64>,
    /// Set by the service through the Backend API; read-only here.
    #[cfg_attr(feature = "ts", ts(type = "Record<string, JsonValue>"))]
    pub public_metadata: Map<String, Value>,
    /// Read and written by the person's own clients.
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(type = "Record<string, JsonValue>"))]
    pub unsafe_metadata: Map<String, Value>,
    /// An id in another system, set through the Backend API.
    #[serde(default)]
    pub external_id: Option<String>,
    /// Last sign-in (Unix ms).
    #[serde(default)]
    pub last_sign_in_at: Option<i64>,
    /// Banned by the instance.
    #[serde(default)]
    pub banned: bool,
    /// Locked after too many failed sign-ins.
    #[serde(default)]
    pub locked: bool,
    /// Seconds until a lockout ends.
    #[serde(default)]
    pub lockout_expires_in_seconds: Option<i64>,
    /// Sign-in attempts left before a lockout.
    #[serde(default)]
    pub verification_attempts_remaining: Option<i64>,
    /// Created (Unix ms).
    pub created_at: i64,
    /// Last changed (Unix ms).
    pub updated_at: i64,
    /// `true` when the person may delete their own account.
    #[serde(default)]
    pub delete_self_enabled: bool,
    /// `true` when the person may create organisations.
    #[serde(default)]
    pub create_organization_enabled: bool,
    /// Last activity (Unix ms).
    #[serde(default)]
    pub last_active_at: Option<i64>,
    /// When two-factor was turned on (Unix ms).
    #[serde(default)]
    pub mfa_enabled_at: Option<i64>,
    /// When two-factor was turned off (Unix ms).
    #[serde(default)]
    pub mfa_disabled_at: Option<i64>,
    /// When the person accepted the legal terms (Unix ms).
    #[serde(default)]
    pub legal_accepted_at: Option<i64>,
}

impl User {
    /// First and last name joined, or `None` when neither is set (the seed's `fullName`).
    pub fn full_name(&self) -> Option<String> {
        let parts: Vec<&str> = [self.first_name.as_deref(), self.last_name.as_deref()]
            .into_iter()
            .flatten()
            .map(str::trim)
            .filter(|part| !part.is_empty())
            .collect();
        (!parts.is_empty()).then(|| parts.join(" "))
    }

    /// The primary email address.
    pub fn primary_email_address(&self) -> Option<&EmailAddress> {
        let id = self.primary_email_address_id.as_deref()?;
        self.email_addresses.iter().find(|email| email.id == id)
    }

    /// The primary phone number.
    pub fn primary_phone_number(&self) -> Option<&PhoneNumber> {
        let id = self.primary_phone_number_id.as_deref()?;
        self.phone_numbers.iter().find(|phone| phone.id == id)
    }

    /// External accounts whose verification completed (the seed's `verifiedExternalAccounts`).
    pub fn verified_external_accounts(&self) -> Vec<&ExternalAccount> {
        self.external_accounts.iter().filter(|account| account.is_verified()).collect()
    }

    /// The other external accounts (the seed's `unverifiedExternalAccounts`).
    pub fn unverified_external_accounts(&self) -> Vec<&ExternalAccount> {
        self.external_accounts.iter().filter(|account| !account.is_verified()).collect()
    }

    /// `true` when two-factor authentication is on (the seed's `twoFactorEnabled()`).
    pub fn two_factor_enabled(&self) -> bool {
        self.two_factor_enabled
    }
}
