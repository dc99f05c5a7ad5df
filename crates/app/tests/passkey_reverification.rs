//! Proving again who uses the session with a passkey (issue 14): a userdesk-server whose
//! reverification window has passed (its clock moved by the test), reached by URL as the app
//! reaches a Clerk instance, and the library's software authenticator with a PIN in place of a
//! security key (the setting is the process's, hence a file of its own). The dialog's steps:
//! the passkey is offered, Cancel and a key without the account's passkey change nothing, the
//! right key verifies and the refused action then goes through.

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::{App, TestShell, DEMO_EMAIL, DEMO_PASSWORD};
use userdesk_app::{
    CommandResult, Controller, ErrorCode, Event, InstanceSetting, PasskeyPrompt, ReverificationFirstFactor,
    ReverificationStep, Settings, SignInResult, TEST_AUTHENTICATOR,
};
use userdesk_fapi::models::{ReverificationLevel, ReverificationStatus};
use userdesk_server::{Clock, RunningServer};

const PIN: &str = "4711";
const WINDOW: Duration = Duration::from_secs(60);

fn pin_protected_key() {
    // SAFETY: every test in this process sets the same value before it starts its apps.
    unsafe { std::env::set_var(TEST_AUTHENTICATOR, format!("soft:{PIN}")) };
}

/// An instance whose clock the test moves (the window passes at once), in `data`.
async fn instance(data: &tempfile::TempDir) -> (RunningServer, Clock) {
    let clock = Clock::manual(common::totp::now_secs() * 1000);
    let server = userdesk_server::start(userdesk_server::Config {
        clock: clock.clone(),
        reverification_window: WINDOW,
        ..userdesk_server::Config::new(data.path().join("instance"))
    })
    .await
    .expect("the instance starts");
    (server, clock)
}

/// Moves the instance's clock past the reverification window.
fn window_passes(clock: &Clock) {
    clock.advance(WINDOW + Duration::from_secs(31));
}

/// An app (with its own software key) signed in to `server` as the demo account.
async fn signed_in(server: &RunningServer) -> App {
    let settings =
        Settings { instance: InstanceSetting::FapiUrl { url: server.url() }, ..Settings::default() };
    let app =
        App::start_with_settings(tempfile::tempdir().expect("temp dir"), TestShell::default(), settings)
            .await;
    match app.controller.sign_in(DEMO_EMAIL, DEMO_PASSWORD).await.expect("signed in") {
        SignInResult::Complete { .. } => app,
        other => panic!("expected a complete sign-in, got {other:?}"),
    }
}

/// Waits for the key to ask its PIN.
async fn pin_asked(app: &App) {
    for _ in 0..500 {
        let asked = app
            .shell
            .take_events()
            .into_iter()
            .any(|event| matches!(event, Event::PasskeyPrompt(PasskeyPrompt::Pin { .. })));
        if asked {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("the key never asked for its PIN");
}

fn reverify_in_background(
    controller: &Arc<Controller<TestShell>>,
) -> tokio::task::JoinHandle<CommandResult<ReverificationStep>> {
    let controller = controller.clone();
    tokio::spawn(async move { controller.reverify_with_passkey().await })
}

/// Adds a passkey on `app`'s key, answering its PIN.
async fn add_passkey(app: &App) {
    let controller = app.controller.clone();
    let adding = tokio::spawn(async move { controller.add_passkey().await });
    pin_asked(app).await;
    app.controller.answer_passkey_pin(PIN.into());
    let user = adding.await.expect("joined").expect("the passkey is added");
    assert_eq!(user.passkeys.len(), 1);
}

/// The action the tests try: refused until the session is verified again.
async fn add_email(app: &App) -> CommandResult<String> {
    Ok(app.controller.create_email_address("later@example.com").await?.email_address)
}

#[tokio::test]
async fn a_stale_session_verifies_again_with_its_passkey_and_the_action_goes_through() {
    pin_protected_key();
    let data = tempfile::tempdir().expect("temp dir");
    let (server, clock) = instance(&data).await;
    let app = signed_in(&server).await;
    add_passkey(&app).await;

    window_passes(&clock);
    let refused = add_email(&app).await.expect_err("too long ago");
    assert_eq!(refused.code, ErrorCode::ReverificationRequired);
    let level = refused.reverification.expect("a level");
    let step = app.controller.start_reverification(level).await.expect("started");
    assert!(step.first_factors.contains(&ReverificationFirstFactor::Passkey), "{step:?}");
    assert!(step.first_factors.contains(&ReverificationFirstFactor::Password), "beside the password");

    // Cancel at the key's PIN: nothing verified, the action still refused.
    let reverifying = reverify_in_background(&app.controller);
    pin_asked(&app).await;
    app.controller.cancel_passkey();
    let cancelled = reverifying.await.expect("joined").expect_err("cancelled");
    assert_eq!(cancelled.code, ErrorCode::PasskeyCancelled);
    assert_eq!(add_email(&app).await.expect_err("still refused").code, ErrorCode::ReverificationRequired);

    // The key, its PIN: verified, and the action goes through.
    let reverifying = reverify_in_background(&app.controller);
    pin_asked(&app).await;
    app.controller.answer_passkey_pin(PIN.into());
    let done = reverifying.await.expect("joined").expect("verified");
    assert_eq!(done.status, ReverificationStatus::Complete);
    assert_eq!(add_email(&app).await.expect("now it goes through"), "later@example.com");
    let user = app.controller.current_user().await.expect("user").expect("signed in");
    assert!(user.passkeys[0].last_used_at.is_some(), "the reverification counts as a use");
    app.stop().await;
}

#[tokio::test]
async fn a_key_without_the_accounts_passkey_says_so_and_changes_nothing() {
    pin_protected_key();
    let data = tempfile::tempdir().expect("temp dir");
    let (server, clock) = instance(&data).await;
    let laptop = signed_in(&server).await;
    add_passkey(&laptop).await;
    // Another computer, signed in with the password: its key holds no passkey of the account.
    let desktop = signed_in(&server).await;

    window_passes(&clock);
    assert_eq!(add_email(&desktop).await.expect_err("stale").code, ErrorCode::ReverificationRequired);
    let step =
        desktop.controller.start_reverification(ReverificationLevel::FirstFactor).await.expect("started");
    assert!(step.first_factors.contains(&ReverificationFirstFactor::Passkey), "the account has one");
    let error = desktop.controller.reverify_with_passkey().await.expect_err("not this key");
    assert_eq!(error.code, ErrorCode::PasskeyWrongRelyingParty);
    assert!(error.message.contains("no passkey"), "{error:?}");
    assert_eq!(
        add_email(&desktop).await.expect_err("nothing verified").code,
        ErrorCode::ReverificationRequired
    );
    laptop.stop().await;
    desktop.stop().await;
}
