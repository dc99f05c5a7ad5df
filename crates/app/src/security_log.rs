//! The local security log of an account: what changed in its sign-ins, devices, password,
//! two-step verification and connected accounts, as this app saw it — found by comparing what
//! the instance says now with what the app kept last time, whichever device made the change.

use serde::{Deserialize, Serialize};
use ts_rs::TS;
use userdesk_fapi::models::{SessionWithActivities, User, VerificationStatus};

/// The log keeps this many events, newest first; older ones go.
pub(crate) const LOG_LIMIT: usize = 500;

/// What happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum SecurityEventKind {
    /// A device the app had not seen signed in.
    SignInSeen,
    /// A device's session ended (signed out here or elsewhere, or expired).
    DeviceSignedOut,
    TwoStepTurnedOn,
    TwoStepTurnedOff,
    PasswordChanged,
    PasswordAdded,
    PasswordRemoved,
    ConnectedAccountAdded,
    ConnectedAccountRemoved,
    /// A connected account's verification failed: it needs reconnecting.
    ConnectedAccountFailed,
}

/// One entry of the log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct SecurityEvent {
    /// When the app saw it (Unix ms).
    pub at: i64,
    pub kind: SecurityEventKind,
    /// What it concerns, for the person: the device, or the provider and address.
    pub detail: String,
}

/// What changed on the account itself between two readings.
pub(crate) fn user_changes(old: &User, new: &User, at: i64) -> Vec<SecurityEvent> {
    let mut events = Vec::new();
    let mut push = |kind, detail: String| events.push(SecurityEvent { at, kind, detail });
    match (old.password_enabled, new.password_enabled) {
        (false, true) => push(SecurityEventKind::PasswordAdded, String::new()),
        (true, false) => push(SecurityEventKind::PasswordRemoved, String::new()),
        (true, true) if old.password_last_updated_at != new.password_last_updated_at => {
            push(SecurityEventKind::PasswordChanged, String::new())
        }
        _ => {}
    }
    match (old.two_factor_enabled, new.two_factor_enabled) {
        (false, true) => push(SecurityEventKind::TwoStepTurnedOn, String::new()),
        (true, false) => push(SecurityEventKind::TwoStepTurnedOff, String::new()),
        _ => {}
    }
    for account in &new.external_accounts {
        if !old.external_accounts.iter().any(|a| a.id == account.id) {
            push(SecurityEventKind::ConnectedAccountAdded, connection_name(account));
        }
    }
    for account in &old.external_accounts {
        if !new.external_accounts.iter().any(|a| a.id == account.id) {
            push(SecurityEventKind::ConnectedAccountRemoved, connection_name(account));
        }
    }
    events
}

/// The connected accounts whose verification has failed (or expired), by id.
pub(crate) fn failed_connections(user: &User) -> Vec<&userdesk_fapi::models::ExternalAccount> {
    user.external_accounts
        .iter()
        .filter(|account| {
            account.verification.as_ref().is_some_and(|verification| {
                matches!(verification.status, VerificationStatus::Failed | VerificationStatus::Expired)
                    || verification.error.is_some()
            })
        })
        .collect()
}

/// "GitHub (ada@example.com)": a provider and the account's address.
pub(crate) fn connection_name(account: &userdesk_fapi::models::ExternalAccount) -> String {
    let provider = account.provider.strip_prefix("oauth_").unwrap_or(&account.provider);
    let mut provider = provider.to_owned();
    if let Some(first) = provider.get(..1) {
        provider = first.to_uppercase() + &provider[1..];
    }
    if account.email_address.is_empty() {
        provider
    } else {
        format!("{provider} ({})", account.email_address)
    }
}

/// "Firefox 121 on Linux · Berlin, DE · 203.0.113.9": a session as the person recognises it.
pub(crate) fn describe_session(session: &SessionWithActivities) -> String {
    let Some(activity) = &session.latest_activity else { return "An unknown device".to_owned() };
    let app = match (&activity.browser_name, &activity.browser_version) {
        (Some(name), Some(version)) if !version.is_empty() => format!("{name} {version}"),
        (Some(name), _) => name.clone(),
        _ => "An unknown app".to_owned(),
    };
    let mut parts = vec![match &activity.device_type {
        Some(device) if !device.is_empty() => format!("{app} on {device}"),
        _ => app,
    }];
    let place: Vec<&str> = [&activity.city, &activity.country]
        .into_iter()
        .flatten()
        .map(String::as_str)
        .filter(|s| !s.is_empty())
        .collect();
    if !place.is_empty() {
        parts.push(place.join(", "));
    }
    if let Some(address) = activity.ip_address.as_deref().filter(|a| !a.is_empty()) {
        parts.push(address.to_owned());
    }
    parts.join(" · ")
}

/// Puts `events` at the head of `log`, newest first, and drops what is past the limit.
pub(crate) fn append(log: &mut Vec<SecurityEvent>, events: Vec<SecurityEvent>) {
    for event in events {
        log.insert(0, event);
    }
    log.truncate(LOG_LIMIT);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(json: serde_json::Value) -> User {
        let mut base = serde_json::json!({
            "id": "user_1", "object": "user", "image_url": "", "has_image": false,
            "password_enabled": true, "two_factor_enabled": false, "totp_enabled": false,
            "backup_code_enabled": false, "email_addresses": [], "phone_numbers": [],
            "passkeys": [], "external_accounts": [], "saml_accounts": [], "enterprise_accounts": [],
            "password_last_updated_at": 1, "public_metadata": {}, "unsafe_metadata": {},
            "banned": false, "locked": false, "created_at": 0, "updated_at": 0,
            "delete_self_enabled": true, "create_organization_enabled": false
        });
        if let (Some(base), Some(changes)) = (base.as_object_mut(), json.as_object()) {
            base.extend(changes.clone());
        }
        serde_json::from_value(base).expect("a user")
    }

    fn github(id: &str) -> serde_json::Value {
        serde_json::json!({
            "object": "external_account", "id": id, "provider": "oauth_github", "identification_id": "idn",
            "provider_user_id": "1", "approved_scopes": "", "email_address": "ada@example.com",
            "first_name": "", "last_name": "", "avatar_url": "", "public_metadata": {},
            "created_at": 0, "updated_at": 0
        })
    }

    #[test]
    fn each_change_is_logged_once_with_what_it_concerns() {
        let before = user(serde_json::json!({}));
        assert!(user_changes(&before, &before, 5).is_empty(), "nothing changed, nothing logged");
        let after = user(serde_json::json!({
            "password_last_updated_at": 2, "two_factor_enabled": true, "external_accounts": [github("eac_1")]
        }));
        let kinds: Vec<_> =
            user_changes(&before, &after, 5).into_iter().map(|e| (e.kind, e.detail)).collect();
        assert_eq!(
            kinds,
            vec![
                (SecurityEventKind::PasswordChanged, String::new()),
                (SecurityEventKind::TwoStepTurnedOn, String::new()),
                (SecurityEventKind::ConnectedAccountAdded, "Github (ada@example.com)".to_owned()),
            ]
        );
        let removed = user_changes(&after, &user(serde_json::json!({"password_enabled": false})), 6);
        let kinds: Vec<_> = removed.iter().map(|e| e.kind).collect();
        assert_eq!(
            kinds,
            vec![
                SecurityEventKind::PasswordRemoved,
                SecurityEventKind::TwoStepTurnedOff,
                SecurityEventKind::ConnectedAccountRemoved
            ]
        );
    }

    #[test]
    fn the_log_keeps_the_newest_first_up_to_its_limit() {
        let mut log = Vec::new();
        let event = |at| SecurityEvent { at, kind: SecurityEventKind::SignInSeen, detail: String::new() };
        append(&mut log, (0..LOG_LIMIT as i64 + 10).map(event).collect());
        assert_eq!(log.len(), LOG_LIMIT);
        assert_eq!(log[0].at, LOG_LIMIT as i64 + 9);
    }
}
