//! A passkey ceremony with a PIN-protected key (the software authenticator given a PIN, in a
//! process of its own since the setting is the process's): the prompt with the attempts left, a
//! wrong PIN, Cancel. Whatever fails stores nothing.

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::{App, TestShell};
use userdesk_app::{Controller, ErrorCode, Event, PasskeyPrompt, TEST_AUTHENTICATOR};

fn pin_protected_key() {
    // SAFETY: every test in this process sets the same value before it starts its app.
    unsafe { std::env::set_var(TEST_AUTHENTICATOR, "soft:4711") };
}

/// Waits for the key to ask its PIN; returns the attempts it said were left.
async fn pin_asked(app: &App) -> Option<u32> {
    for _ in 0..500 {
        let asked = app.shell.take_events().into_iter().find_map(|event| match event {
            Event::PasskeyPrompt(PasskeyPrompt::Pin { attempts_left }) => Some(attempts_left),
            _ => None,
        });
        if let Some(left) = asked {
            return left;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("the key never asked for its PIN");
}

fn add_in_background(
    controller: &Arc<Controller<TestShell>>,
) -> tokio::task::JoinHandle<userdesk_app::CommandResult<userdesk_fapi::models::User>> {
    let controller = controller.clone();
    tokio::spawn(async move { controller.add_passkey().await })
}

#[tokio::test]
async fn the_pin_is_asked_with_the_attempts_left_and_a_wrong_one_stores_nothing() {
    pin_protected_key();
    let (app, _) = App::signed_in().await;

    let adding = add_in_background(&app.controller);
    assert_eq!(pin_asked(&app).await, Some(8));
    app.controller.answer_passkey_pin("0000".into());
    let wrong = adding.await.unwrap().unwrap_err();
    assert_eq!(wrong.code, ErrorCode::PinIncorrect);
    assert!(wrong.message.contains("7 attempts left"), "{}", wrong.message);
    let user = app.controller.current_user().await.unwrap().unwrap();
    assert!(user.passkeys.is_empty(), "a failed ceremony stores nothing");

    let adding = add_in_background(&app.controller);
    assert_eq!(pin_asked(&app).await, Some(7));
    app.controller.answer_passkey_pin("4711".into());
    let user = adding.await.unwrap().unwrap();
    assert_eq!(user.passkeys.len(), 1);
    app.stop().await;
}

#[tokio::test]
async fn cancel_at_the_pin_prompt_ends_the_ceremony_and_stores_nothing() {
    pin_protected_key();
    let (app, _) = App::signed_in().await;

    let adding = add_in_background(&app.controller);
    pin_asked(&app).await;
    app.controller.cancel_passkey();
    let cancelled = adding.await.unwrap().unwrap_err();
    assert_eq!(cancelled.code, ErrorCode::PasskeyCancelled);
    let user = app.controller.current_user().await.unwrap().unwrap();
    assert!(user.passkeys.is_empty(), "a cancelled ceremony stores nothing");
    app.stop().await;
}
