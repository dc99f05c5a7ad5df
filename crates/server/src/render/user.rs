//! The user, with their email addresses and phone numbers.

use sqlx::SqliteConnection;
use userdesk_fapi::models::{EmailAddress, ExternalAccount, PhoneNumber, User, Verification};

use super::{external_account, metadata, profile_image, status_at, verification};
use crate::error::{Error, Result};
use crate::ids::now_ms;
use crate::store::external_accounts::{self, ExternalAccountRow};
use crate::store::passkeys::{self, PasskeyRow};
use crate::store::users::{self, Account, IdentificationRow};

fn identification_verification(row: &IdentificationRow) -> Result<Option<Verification>> {
    match (&row.verification_status, &row.verification_strategy) {
        (Some(status), Some(strategy)) => Ok(Some(verification(
            status_at(status, row.verification_expire_at, now_ms()),
            strategy,
            row.verification_attempts,
            row.verification_expire_at,
            row.verification_error.as_deref(),
        )?)),
        _ => Ok(None),
    }
}

/// The wire form of an email address.
pub fn email_address(row: &IdentificationRow) -> Result<EmailAddress> {
    Ok(EmailAddress {
        id: row.id.clone(),
        object: "email_address".into(),
        email_address: row.value.clone(),
        reserved: row.reserved,
        verification: identification_verification(row)?,
        linked_to: Vec::new(),
        created_at: row.created_at,
        updated_at: row.updated_at,
    })
}

/// The wire form of a phone number.
pub fn phone_number(row: &IdentificationRow) -> Result<PhoneNumber> {
    Ok(PhoneNumber {
        id: row.id.clone(),
        object: "phone_number".into(),
        phone_number: row.value.clone(),
        reserved_for_second_factor: row.reserved_for_second_factor,
        default_second_factor: row.default_second_factor,
        reserved: row.reserved,
        verification: identification_verification(row)?,
        linked_to: Vec::new(),
        backup_codes: None,
        created_at: row.created_at,
        updated_at: row.updated_at,
    })
}

/// The FAPI user (no private metadata). Image URLs are absolute, on `base_url` (this server's).
pub fn user(account: &Account, base_url: &str) -> Result<User> {
    let row = &account.user;
    let mut email_addresses = Vec::new();
    let mut phone_numbers = Vec::new();
    for identification in &account.identifications {
        match identification.kind.as_str() {
            "email_address" => email_addresses.push(email_address(identification)?),
            "phone_number" => phone_numbers.push(phone_number(identification)?),
            other => return Err(Error::Internal(format!("unknown identification kind {other:?}"))),
        }
    }
    let primary_email = account
        .identifications
        .iter()
        .find(|identification| Some(&identification.id) == row.primary_email_address_id.as_ref())
        .map(|identification| identification.value.as_str());
    let image_url = profile_image::image_url(base_url, row, primary_email);
    // The request's lockout policy (`crate::lockout`); outside a request there is none to show.
    let lockout = crate::lockout::current().map(|policy| policy.view(account.lockout.as_ref(), row.locked));
    Ok(User {
        id: row.id.clone(),
        object: "user".into(),
        username: row.username.clone(),
        first_name: row.first_name.clone(),
        last_name: row.last_name.clone(),
        profile_image_url: Some(image_url.clone()),
        image_url,
        has_image: row.image_id.is_some(),
        primary_email_address_id: row.primary_email_address_id.clone(),
        primary_phone_number_id: row.primary_phone_number_id.clone(),
        primary_web3_wallet_id: None,
        password_enabled: row.password_hash.is_some(),
        // As Clerk: an authenticator app, or a verified phone number kept for two-step
        // verification, turns it on (backup codes alone do not).
        two_factor_enabled: account.second_factors.totp
            || account.identifications.iter().any(|identification| {
                identification.kind == "phone_number"
                    && identification.reserved_for_second_factor
                    && identification.is_verified()
            }),
        totp_enabled: account.second_factors.totp,
        backup_code_enabled: account.second_factors.backup_codes,
        email_addresses,
        phone_numbers,
        web3_wallets: Vec::new(),
        passkeys: Vec::new(),
        external_accounts: Vec::new(),
        saml_accounts: Vec::new(),
        enterprise_accounts: Vec::new(),
        password_last_updated_at: row.password_updated_at,
        public_metadata: metadata(&row.public_metadata)?,
        unsafe_metadata: metadata(&row.unsafe_metadata)?,
        external_id: row.external_id.clone(),
        last_sign_in_at: row.last_sign_in_at,
        banned: row.banned,
        locked: lockout.map_or(row.locked, |view| view.locked),
        lockout_expires_in_seconds: lockout.and_then(|view| view.expires_in_seconds),
        verification_attempts_remaining: lockout.map(|view| view.attempts_remaining),
        created_at: row.created_at,
        updated_at: row.updated_at,
        delete_self_enabled: row.delete_self_enabled,
        create_organization_enabled: row.create_organization_enabled,
        last_active_at: row.last_active_at,
        mfa_enabled_at: row.mfa_enabled_at,
        mfa_disabled_at: row.mfa_disabled_at,
        legal_accepted_at: row.legal_accepted_at,
    })
}

/// A user as read for an answer: the account and its external accounts, so that one answer
/// showing the same user twice (`GET /v1/me`: the user, and the client's session's user) reads
/// them once. Rows only: what depends on the clock is worked out when the user is shown, so a
/// `LoadedUser` kept for later (`GET /v1/me`'s [`crate::store::memo::Memo`]) shows it as of then.
#[derive(Debug, Clone)]
pub struct LoadedUser {
    /// The user row, identifications and second factors.
    pub account: Account,
    /// The rows of `User.external_accounts`.
    pub external_accounts: Vec<ExternalAccountRow>,
    /// The rows of `User.passkeys`: verified passkeys only (one being registered is not yet one).
    pub passkeys: Vec<PasskeyRow>,
}

impl LoadedUser {
    /// Reads the user with this id; `None` when there is none.
    pub async fn load(conn: &mut SqliteConnection, user_id: &str) -> Result<Option<Self>> {
        let Some(account) = users::find(conn, user_id).await? else {
            return Ok(None);
        };
        let external_accounts = external_accounts::list_for_user(conn, user_id).await?;
        let passkeys = passkeys::list_verified(conn, user_id).await?;
        Ok(Some(Self { account, external_accounts, passkeys }))
    }

    /// `User.external_accounts`.
    pub fn external_accounts(&self) -> Result<Vec<ExternalAccount>> {
        self.external_accounts.iter().map(external_account::external_account).collect()
    }

    /// The first moment after `now` at which this user is shown otherwise with no row changed
    /// (a verification under way expires), and `None` when showing them depends on the clock in
    /// ways not worked out here (a lockout: its countdown, its failures' window).
    pub(crate) fn changes_after(&self, now: i64) -> Option<i64> {
        if self.account.lockout.is_some() || self.account.user.locked {
            return None;
        }
        let identifications = self
            .account
            .identifications
            .iter()
            .filter(|row| row.verification_status.as_deref() == Some("unverified"))
            .filter_map(|row| row.verification_expire_at);
        let external_accounts = self
            .external_accounts
            .iter()
            .filter(|row| row.verification_status == "unverified")
            .map(|row| row.verification_expire_at);
        let passkeys = self.passkeys.iter().map(|row| row.registration_expire_at);
        Some(
            identifications
                .chain(external_accounts)
                .chain(passkeys)
                .filter(|at| *at > now)
                .min()
                .unwrap_or(i64::MAX),
        )
    }

    /// The FAPI user.
    pub fn user(&self, base_url: &str) -> Result<User> {
        let mut user = user(&self.account, base_url)?;
        user.external_accounts = self.external_accounts()?;
        user.passkeys = self.passkeys.iter().map(|row| super::passkey::passkey(row, None)).collect();
        Ok(user)
    }
}

/// The FAPI user with this id.
pub async fn user_by_id(conn: &mut SqliteConnection, base_url: &str, user_id: &str) -> Result<User> {
    LoadedUser::load(conn, user_id).await?.ok_or(Error::NotFound("user"))?.user(base_url)
}
