//! Passkeys from the app, on the real embedded server, with the library's software authenticator
//! in place of a security key (the debug-only test setting the app itself reads).

mod common;

use common::{App, DEMO_EMAIL};
use userdesk_app::{Event, PasskeyPrompt, SignInResult, TEST_AUTHENTICATOR};

/// Every test here uses the software authenticator; set before any controller starts.
fn soft_authenticator() {
    // SAFETY: each test sets the same value before it starts its app; nothing reads it meanwhile
    // but the controllers this file starts.
    unsafe { std::env::set_var(TEST_AUTHENTICATOR, "soft") };
}

fn prompts(app: &App) -> Vec<PasskeyPrompt> {
    app.shell
        .take_events()
        .into_iter()
        .filter_map(|event| match event {
            Event::PasskeyPrompt(prompt) => Some(prompt),
            _ => None,
        })
        .collect()
}

#[tokio::test]
async fn a_passkey_is_added_named_used_to_sign_in_without_the_identifier_and_removed() {
    soft_authenticator();
    let (app, before) = App::signed_in().await;
    assert!(before.passkeys.is_empty());

    let user = app.controller.add_passkey().await.unwrap();
    assert_eq!(user.passkeys.len(), 1, "the new passkey is listed");
    let passkey = user.passkeys[0].clone();
    assert!(passkey.is_verified());
    assert_eq!(passkey.name, "Software test key", "named after the device it is on");
    assert_eq!(passkey.last_used_at, None);
    assert_eq!(prompts(&app), vec![PasskeyPrompt::Touch], "the key asked for the touch");

    let user = app.controller.rename_passkey(&passkey.id, "  Blue key ").await.unwrap();
    assert_eq!(user.passkeys[0].name, "Blue key");
    let user = app.controller.add_passkey().await.unwrap();
    let second = user.passkeys.iter().find(|p| p.id != passkey.id).unwrap().clone();
    assert_eq!(second.name, "Software test key");
    let user = app.controller.add_passkey().await.unwrap();
    let names: Vec<&str> = user.passkeys.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["Blue key", "Software test key", "Software test key 2"], "a name the account has not");
    for extra in user.passkeys.iter().filter(|p| p.id != passkey.id) {
        app.controller.remove_passkey(&extra.id).await.unwrap();
    }
    prompts(&app);
    let unnamed = app.controller.rename_passkey(&passkey.id, "   ").await.unwrap_err();
    assert_eq!(unnamed.field.as_deref(), Some("name"));

    app.controller.sign_out().await.unwrap();
    assert!(app.controller.current_user().await.unwrap().is_none());
    let SignInResult::Complete { user } = app.controller.sign_in_with_passkey(None).await.unwrap() else {
        panic!("a passkey sign-in needs no second step here");
    };
    assert_eq!(user.email_addresses[0].email_address, DEMO_EMAIL);
    assert!(user.passkeys[0].last_used_at.is_some(), "the sign-in counts as a use");

    let user = app.controller.remove_passkey(&passkey.id).await.unwrap();
    assert!(user.passkeys.is_empty());
    app.controller.sign_out().await.unwrap();
    // The key still holds it; the instance no longer knows it.
    let refused = app.controller.sign_in_with_passkey(None).await.unwrap_err();
    assert_eq!(refused.field.as_deref(), Some("public_key_credential"), "{refused:?}");
    assert!(app.controller.current_user().await.unwrap().is_none());
    app.stop().await;
}

#[tokio::test]
async fn after_the_identifier_the_accounts_passkey_signs_in() {
    soft_authenticator();
    let (app, _) = App::signed_in().await;
    app.controller.add_passkey().await.unwrap();
    app.controller.sign_out().await.unwrap();

    let SignInResult::Complete { user } =
        app.controller.sign_in_with_passkey(Some(DEMO_EMAIL)).await.unwrap()
    else {
        panic!("expected a complete sign-in");
    };
    assert_eq!(user.email_addresses[0].email_address, DEMO_EMAIL);
    app.stop().await;
}

#[tokio::test]
async fn an_account_without_a_passkey_is_told_so_after_its_identifier() {
    soft_authenticator();
    let app = App::start().await;
    let error = app.controller.sign_in_with_passkey(Some(DEMO_EMAIL)).await.unwrap_err();
    assert!(error.message.contains("no passkey"), "{error:?}");
    assert!(app.controller.current_user().await.unwrap().is_none());
    app.stop().await;
}
