//! The TypeScript declarations of every type that crosses IPC, generated into
//! `ui/src/lib/bindings.ts`. The test fails when the file drifts from the Rust types;
//! `make bindings` (`UPDATE_BINDINGS=1 cargo test -p userdesk-app bindings`) rewrites it.

use ts_rs::{Config, TS};
use userdesk_fapi::models;

use crate::*;

const PATH: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../ui/src/lib/bindings.ts");

fn declaration<T: TS>(config: &Config) -> String {
    format!("export {}\n", T::decl(config))
}

fn render() -> String {
    // Timestamps are Unix milliseconds: well inside a JavaScript number.
    let config = Config::new().with_large_int("number");
    let declarations = [
        declaration::<serde_json::Value>(&config),
        declaration::<models::User>(&config),
        declaration::<models::EmailAddress>(&config),
        declaration::<models::PhoneNumber>(&config),
        declaration::<models::IdentificationLink>(&config),
        declaration::<models::ExternalAccount>(&config),
        declaration::<models::Verification>(&config),
        declaration::<models::Passkey>(&config),
        declaration::<models::VerificationStatus>(&config),
        declaration::<models::ClerkError>(&config),
        declaration::<userdesk_fapi::UpdateUserParams>(&config),
        declaration::<AppInfo>(&config),
        declaration::<InstanceInfo>(&config),
        declaration::<InstanceKind>(&config),
        declaration::<DemoAccount>(&config),
        declaration::<TokenStorage>(&config),
        declaration::<Settings>(&config),
        declaration::<InstanceSetting>(&config),
        declaration::<Theme>(&config),
        declaration::<VerificationStrategy>(&config),
        declaration::<OAuthStarted>(&config),
        declaration::<OAuthFinished>(&config),
        declaration::<OAuthOutcome>(&config),
        declaration::<OAuthFlowKind>(&config),
        declaration::<userdesk_server::OutboxMessage>(&config),
        declaration::<userdesk_server::OutboxChannel>(&config),
        declaration::<SignInResult>(&config),
        declaration::<SecondFactorStep>(&config),
        declaration::<SecondFactorPhone>(&config),
        declaration::<Devices>(&config),
        declaration::<SignUpForm>(&config),
        declaration::<SignUpOptions>(&config),
        declaration::<FieldRule>(&config),
        declaration::<LegalConsent>(&config),
        declaration::<LegalDocument>(&config),
        declaration::<SignUpStep>(&config),
        declaration::<SignUpStrategy>(&config),
        declaration::<models::SessionWithActivities>(&config),
        declaration::<models::SessionActivity>(&config),
        declaration::<models::SessionStatus>(&config),
        declaration::<models::Token>(&config),
        declaration::<models::Totp>(&config),
        declaration::<models::BackupCodes>(&config),
        declaration::<userdesk_fapi::SecondFactor>(&config),
        declaration::<SignInOptions>(&config),
        declaration::<AccountRules>(&config),
        declaration::<CodePurpose>(&config),
        declaration::<CodeSent>(&config),
        declaration::<CodeSignInResult>(&config),
        declaration::<LinkSent>(&config),
        declaration::<LinkSignInState>(&config),
        declaration::<SignInMethod>(&config),
        declaration::<ReverificationStep>(&config),
        declaration::<ReverificationFirstFactor>(&config),
        declaration::<ReverificationSecondFactor>(&config),
        declaration::<models::ReverificationLevel>(&config),
        declaration::<models::ReverificationStatus>(&config),
        declaration::<userdesk_fapi::TokenService>(&config),
        declaration::<userdesk_fapi::TokenInspection>(&config),
        declaration::<userdesk_fapi::SignatureCheck>(&config),
        declaration::<AvatarPreview>(&config),
        declaration::<AvatarCrop>(&config),
        declaration::<AvatarDropEvent>(&config),
        declaration::<AvatarUploadProgress>(&config),
        declaration::<AuthenticatorKind>(&config),
        declaration::<PasskeyPrompt>(&config),
        declaration::<CommandError>(&config),
        declaration::<ErrorCode>(&config),
        declaration::<OfflineView>(&config),
        declaration::<SecurityEvent>(&config),
        declaration::<SecurityEventKind>(&config),
        declaration::<NoticeSection>(&config),
        declaration::<AccountSummary>(&config),
        declaration::<AccountPerson>(&config),
        declaration::<AccountsChanged>(&config),
    ];
    format!(
        "// Generated from the Rust types by `make bindings`; do not edit.\n\n{}\n{}",
        declarations.join("\n"),
        events(&config)
    )
}

/// Every event's name as a constant, and the payload each carries, so the UI listens to nothing
/// the app does not send.
fn events(config: &Config) -> String {
    let payloads = [
        ("OAUTH_FINISHED", OAuthFinished::name(config)),
        ("AVATAR_DROP", AvatarDropEvent::name(config)),
        ("AVATAR_UPLOAD_PROGRESS", AvatarUploadProgress::name(config)),
        ("PASSKEY_PROMPT", PasskeyPrompt::name(config)),
        ("ACCOUNTS_CHANGED", AccountsChanged::name(config)),
    ];
    let names = Event::NAMES.iter().map(|(constant, name)| format!("  {constant}: \"{name}\",\n"));
    let payload_of = |constant: &str| {
        payloads
            .iter()
            .find(|(c, _)| *c == constant)
            .map(|(_, payload)| payload.clone())
            .unwrap_or_else(|| panic!("the event {constant} has no payload type in bindings.rs"))
    };
    let types =
        Event::NAMES.iter().map(|(constant, name)| format!("  \"{name}\": {},\n", payload_of(constant)));
    format!(
        "/** The name of every event the app sends. */\nexport const EVENTS = {{\n{}}} as const;\n\n\
         /** What each event carries. */\nexport type EventPayloads = {{\n{}}};\n",
        names.collect::<String>(),
        types.collect::<String>()
    )
}

#[test]
fn bindings_are_current() {
    let generated = render();
    if std::env::var_os("UPDATE_BINDINGS").is_some() {
        std::fs::write(PATH, &generated).expect("write ui/src/lib/bindings.ts");
        return;
    }
    let committed = std::fs::read_to_string(PATH).unwrap_or_default();
    assert!(
        committed == generated,
        "ui/src/lib/bindings.ts is out of date with the Rust types: run `make bindings` and commit it"
    );
}
