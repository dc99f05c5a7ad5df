//! `GET /v1/environment`: what this instance offers, in Clerk's shape.
//!
//! The document is fixed apart from the mode: email addresses and usernames identify users,
//! passwords are the first factor, one session per client, and users may delete themselves.
//! Email addresses are verified by code or link; phone numbers can be added (verified by SMS
//! code) as contact details and for two-step verification, not to sign in with. Two-step
//! verification takes an authenticator app, such a phone number, or a backup code; anyone may
//! sign up with an email address and a password.

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{json, Value};
use userdesk_fapi::models::Environment;

use crate::config::Mode;
use crate::error::{Error, Result};
use crate::sign_in_policy::{FirstFactor, FirstFactors};
use crate::sign_up_policy::{Requirement, SignUpSettings, FIELDS};
use crate::state::AppState;

/// The routes.
pub fn router() -> Router<AppState> {
    Router::new().route("/v1/environment", get(get_environment))
}

async fn get_environment(State(state): State<AppState>) -> Result<Json<Environment>> {
    let mut document = document(state.mode);
    add_social(&mut document, &state.oauth);
    // The lockout as configured (`domain::lockout`): on, with its limit and length.
    document["user_settings"]["attack_protection"]["user_lockout"] = json!({
        "enabled": true,
        "max_attempts": state.lockout.max_attempts,
        "duration_in_minutes": state.lockout.duration.as_secs().div_ceil(60),
    });
    add_sign_in(&mut document, state.sign_in.first_factors);
    add_sign_up(&mut document, &state.sign_up);
    add_passkeys(&mut document, &state.passkeys);
    // Reverification as configured (`domain::reverification`).
    document["auth_config"]["reverification"] = json!(state.reverification.enabled);
    document["auth_config"]["single_session_mode"] =
        json!(state.sign_in.session_mode == crate::domain::sessions::SessionMode::Single);
    let environment = serde_json::from_value(document)
        .map_err(|e| Error::Internal(format!("the environment document does not fit the model: {e}")))?;
    Ok(Json(environment))
}

/// The OAuth providers: `user_settings.social` (one entry per strategy, Clerk's shape), and their
/// strategies among `auth_config`'s identification strategies and first factors. Custom providers
/// (`oauth_custom_*`) are listed as Clerk lists them, though the 2026-05-12 spec's closed
/// `UserSettings.Socials` names only Clerk's own.
fn add_social(document: &mut Value, oauth: &crate::oauth::OAuth) {
    let mut social = serde_json::Map::new();
    for provider in oauth.providers() {
        social.insert(
            provider.strategy.clone(),
            json!({
                "enabled": true,
                "required": false,
                "authenticatable": true,
                "block_email_subaddresses": false,
                "strategy": provider.strategy,
                "not_selectable": false,
                "deprecated": false,
                "name": provider.name,
                "logo_url": null,
            }),
        );
        for list in ["identification_strategies", "first_factors"] {
            if let Some(Value::Array(strategies)) = document["auth_config"].get_mut(list) {
                strategies.push(Value::String(provider.strategy.clone()));
            }
        }
    }
    document["user_settings"]["social"] = Value::Object(social);
}

/// Passkeys as configured (`Config::passkeys`): the `passkey` attribute, a first factor, and
/// `passkey_settings` (the sign-in button; autofill is the browser's, which the app has not).
fn add_passkeys(document: &mut Value, passkeys: &crate::passkeys::Passkeys) {
    let on = passkeys.enabled;
    let verifications: &[&str] = if on { &["passkey"] } else { &[] };
    document["user_settings"]["attributes"]["passkey"] = attribute(on, false, on, &[], verifications);
    document["user_settings"]["passkey_settings"] = json!({
        "allow_autofill": false,
        "show_sign_in_button": on,
        "satisfies_second_factor": passkeys.satisfies_second_factor,
    });
    if on {
        if let Some(Value::Array(first)) = document["auth_config"].get_mut("first_factors") {
            first.push(json!("passkey"));
        }
    }
}

/// The first factors as configured (`Config::first_factors`): which attributes identify people
/// and with which factors, in `user_settings.attributes` and `auth_config`, so a client can build
/// its sign-in screen from them.
fn add_sign_in(document: &mut Value, factors: FirstFactors) {
    let named = |list: &[FirstFactor]| -> Vec<&'static str> {
        list.iter().filter(|factor| factors.allows(**factor)).map(|factor| factor.as_str()).collect()
    };
    let email = named(&[
        FirstFactor::Password,
        FirstFactor::EmailCode,
        FirstFactor::EmailLink,
        FirstFactor::ResetPasswordEmailCode,
    ]);
    let phone = named(&[FirstFactor::PhoneCode, FirstFactor::ResetPasswordPhoneCode]);
    // A username finds the account; the codes go to its verified email addresses.
    let username = named(&[FirstFactor::Password, FirstFactor::EmailCode, FirstFactor::EmailLink]);
    let attributes = &mut document["user_settings"]["attributes"];
    attributes["email_address"]["used_for_first_factor"] = json!(!email.is_empty());
    attributes["email_address"]["first_factors"] = json!(email);
    attributes["phone_number"]["used_for_first_factor"] = json!(!phone.is_empty());
    attributes["phone_number"]["first_factors"] = json!(phone);
    attributes["username"]["used_for_first_factor"] = json!(!username.is_empty());
    attributes["username"]["first_factors"] = json!(username);
    attributes["password"]["enabled"] = json!(factors.password);
    attributes["password"]["required"] = json!(factors.password);

    let auth = &mut document["auth_config"];
    auth["password"] = json!(if factors.password { "required" } else { "off" });
    let mut identification = vec!["email_address", "username"];
    if factors.phone_code {
        identification.push("phone_number");
    }
    auth["identification_requirements"] = json!([identification.clone()]);
    // OAuth strategies were appended by `add_social`: keep them after ours.
    let oauth = |list: &Value| -> Vec<Value> {
        list.as_array()
            .map(|items| {
                items
                    .iter()
                    .filter(|s| s.as_str().is_some_and(|s| s.starts_with("oauth_")))
                    .cloned()
                    .collect()
            })
            .unwrap_or_default()
    };
    let mut strategies: Vec<Value> = identification.iter().map(|s| json!(s)).collect();
    strategies.extend(oauth(&auth["identification_strategies"]));
    auth["identification_strategies"] = Value::Array(strategies);
    let mut first: Vec<Value> = factors.enabled().iter().map(|factor| json!(factor.as_str())).collect();
    first.extend(oauth(&auth["first_factors"]));
    auth["first_factors"] = Value::Array(first);
    document["display_config"]["preferred_sign_in_strategy"] =
        json!(if factors.password { "password" } else { "otp" });
}

/// The sign-up as configured (`Config::sign_up`, after [`add_sign_in`]): which attributes a
/// sign-up takes and requires, how its email address is verified, and the legal consent with its
/// links, so a client can build its sign-up form from them. The password's `enabled` stays the
/// first factors' (a password may be set later where it signs in).
fn add_sign_up(document: &mut Value, settings: &SignUpSettings) {
    let attributes = &mut document["user_settings"]["attributes"];
    for field in FIELDS {
        let requirement = settings.requirement(field);
        if field != "password" {
            attributes[field]["enabled"] = json!(requirement.enabled());
        }
        attributes[field]["required"] = json!(requirement.required());
    }
    attributes["email_address"]["verifications"] = json!(settings.email_strategies());
    attributes["email_address"]["verify_at_sign_up"] = json!(settings.email_address.enabled());
    attributes["phone_number"]["verify_at_sign_up"] = json!(settings.phone_number.enabled());
    let auth = &mut document["auth_config"];
    for field in ["email_address", "phone_number", "username", "first_name", "last_name"] {
        auth[field] = json!(match settings.requirement(field) {
            Requirement::Off => "off",
            Requirement::Optional => "on",
            Requirement::Required => "required",
        });
    }
    auth["email_address_verification_strategies"] = json!(settings.email_strategies());
    document["user_settings"]["sign_up"]["legal_consent_enabled"] = json!(settings.legal_consent.is_some());
    let consent = settings.legal_consent.clone().unwrap_or_default();
    document["display_config"]["terms_url"] = json!(consent.terms_url);
    document["display_config"]["privacy_policy_url"] = json!(consent.privacy_policy_url);
}

/// One `user_settings.attributes` entry.
fn attribute(
    enabled: bool,
    required: bool,
    first_factor: bool,
    first_factors: &[&str],
    verifications: &[&str],
) -> Value {
    json!({
        "enabled": enabled,
        "required": required,
        "used_for_first_factor": first_factor,
        "first_factors": first_factors,
        "used_for_second_factor": false,
        "second_factors": [],
        "verifications": verifications,
        "verify_at_sign_up": !verifications.is_empty(),
        "immutable": false,
    })
}

/// `attribute` also usable as a second factor by `strategies`.
fn second_factor(mut attribute: Value, strategies: &[&str]) -> Value {
    attribute["used_for_second_factor"] = json!(true);
    attribute["second_factors"] = json!(strategies);
    attribute
}

fn off() -> Value {
    attribute(false, false, false, &[], &[])
}

/// The environment document.
pub fn document(mode: Mode) -> Value {
    json!({
        "auth_config": auth_config(mode),
        "display_config": display_config(mode),
        "user_settings": user_settings(),
        "organization_settings": {
            "enabled": false,
            "max_allowed_memberships": 0,
            "actions": { "admin_delete": false },
            "domains": { "enabled": false, "enrollment_modes": [], "default_role": "" },
            "creator_role": "",
        },
        "fraud_settings": {
            "object": "fraud_settings",
            "native": { "device_attestation_mode": "disabled" },
        },
        "commerce_settings": {
            "billing": {
                "stripe_publishable_key": null,
                "free_trial_requires_payment_method": false,
                "user": { "enabled": false, "has_paid_plans": false },
                "organization": { "enabled": false, "has_paid_plans": false },
            },
        },
        "api_keys_settings": {
            "enabled": false,
            "user_api_keys_enabled": false,
            "orgs_api_keys_enabled": false,
        },
        "client_debug_mode": false,
        "partitioned_cookies": false,
        "maintenance_mode": false,
    })
}

fn auth_config(mode: Mode) -> Value {
    json!({
        "object": "auth_config",
        "id": "aac_userdesk",
        "first_name": "on",
        "last_name": "on",
        "email_address": "on",
        "phone_number": "on",
        "username": "on",
        "password": "required",
        "identification_requirements": [["email_address", "username"]],
        "identification_strategies": ["email_address", "username"],
        "first_factors": ["password"],
        "second_factors": ["totp", "phone_code", "backup_code"],
        "email_address_verification_strategies": ["email_code", "email_link"],
        "single_session_mode": true,
        "enhanced_email_deliverability": false,
        "test_mode": mode.is_development(),
        "cookieless_dev": false,
        "url_based_session_syncing": false,
        "claimed_at": null,
        "reverification": false,
        "native_settings": {
            "object": "native_settings",
            "api_enabled": true,
            "trusted_device_sign_in_enabled": false,
            "trusted_device_enrollment_prompt_after_sign_in_enabled": false,
            "trusted_device_enrollment_prompt_after_sign_up_enabled": false,
        },
    })
}

/// Links to hosted pages (none here) and optional assets (none).
const EMPTY_URLS: [&str; 17] = [
    "home_url",
    "sign_in_url",
    "sign_up_url",
    "user_profile_url",
    "waitlist_url",
    "oauth_consent_url",
    "after_sign_in_url",
    "after_sign_up_url",
    "after_sign_out_one_url",
    "after_sign_out_all_url",
    "after_switch_session_url",
    "after_join_waitlist_url",
    "organization_profile_url",
    "create_organization_url",
    "after_leave_organization_url",
    "after_create_organization_url",
    "logo_link_url",
];
const NULLS: [&str; 16] = [
    "logo_image_url",
    "favicon_image_url",
    "support_email",
    "clerk_js_version",
    "google_one_tap_client_id",
    "help_url",
    "privacy_policy_url",
    "terms_url",
    "logo_url",
    "favicon_url",
    "logo_image",
    "favicon_image",
    "captcha_public_key",
    "captcha_widget_type",
    "captcha_public_key_invisible",
    "captcha_provider",
];

fn display_config(mode: Mode) -> Value {
    let mut config = json!({
        "object": "display_config",
        "id": "display_config_userdesk",
        "instance_environment_type": mode.environment_type(),
        "application_name": "Userdesk",
        "theme": {},
        "preferred_sign_in_strategy": "password",
        "branded": false,
        "experimental_force_oauth_first": false,
        "show_devmode_warning": false,
        "captcha_oauth_bypass": [],
    });
    if let Value::Object(map) = &mut config {
        for key in EMPTY_URLS {
            map.insert(key.into(), Value::String(String::new()));
        }
        for key in NULLS {
            map.insert(key.into(), Value::Null);
        }
    }
    config
}

fn user_settings() -> Value {
    json!({
        "attributes": {
            "email_address": attribute(true, false, true, &["password"], &["email_code", "email_link"]),
            "phone_number": second_factor(attribute(true, false, false, &[], &["phone_code"]), &["phone_code"]),
            "username": attribute(true, false, true, &["password"], &[]),
            "web3_wallet": off(),
            "first_name": attribute(true, false, false, &[], &[]),
            "last_name": attribute(true, false, false, &[], &[]),
            "password": attribute(true, true, false, &[], &[]),
            "authenticator_app": second_factor(attribute(true, false, false, &[], &[]), &["totp"]),
            "ticket": off(),
            "backup_code": second_factor(attribute(true, false, false, &[], &[]), &["backup_code"]),
            "passkey": off(),
        },
        "social": {},
        "saml": { "enabled": false },
        "enterprise_sso": { "enabled": false },
        "sign_in": { "second_factor": { "required": false } },
        "sign_up": {
            "captcha_enabled": false,
            "captcha_widget_type": "smart",
            "custom_action_required": false,
            "progressive": true,
            // Anyone may sign up (with what `add_sign_up` says).
            "mode": "public",
            "legal_consent_enabled": false,
        },
        "restrictions": {
            "allowlist": { "enabled": false },
            "blocklist": { "enabled": false },
            "allowlist_blocklist_disabled_on_sign_in": { "enabled": false },
            "block_email_subaddresses": { "enabled": false },
            "block_disposable_email_domains": { "enabled": false },
        },
        "password_settings": {
            "disable_hibp": true,
            "disable_password_reverification": true,
            "min_length": crate::password::PASSWORD_MIN_LENGTH,
            "max_length": crate::password::PASSWORD_MAX_LENGTH,
            "require_special_char": false,
            "require_numbers": false,
            "require_uppercase": false,
            "require_lowercase": false,
            "show_zxcvbn": false,
            "min_zxcvbn_strength": 0,
            "enforce_hibp_on_sign_in": false,
            "allowed_special_characters": "",
        },
        "username_settings": {
            "min_length": crate::http::validate::USERNAME_MIN_LENGTH,
            "max_length": crate::http::validate::USERNAME_MAX_LENGTH,
            "allow_extended_special_characters": false,
            "allow_numeric_usernames": true,
        },
        "actions": {
            "delete_self": true,
            "create_organization": false,
            "create_organizations_limit": null,
        },
        "attack_protection": {
            "user_lockout": { "enabled": false, "max_attempts": 0, "duration_in_minutes": 0 },
            "pii": { "enabled": false },
            "email_link": { "require_same_client": false },
            "enumeration_protection": { "enabled": false },
        },
        "passkey_settings": {
            "allow_autofill": false,
            "show_sign_in_button": false,
            "satisfies_second_factor": false,
        },
    })
}
