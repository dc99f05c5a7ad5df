//! The embedded server's key for two-step secrets is kept in the OS keychain, not beside the
//! database (issue 11 §3): a copy of the data directory then opens none of the secrets, and an
//! older data directory's key file moves into the keychain.

mod common;

use common::totp::{now_secs, totp_code};
use common::{App, TestShell, DEMO_EMAIL, DEMO_PASSWORD};
use userdesk_app::{SignInResult, TokenStorage, SERVER_KEY_KEYCHAIN_ACCOUNT};
use userdesk_fapi::SecondFactor;
use userdesk_fapi::TokenStore;
use userdesk_server::AT_REST_KEY_FILE;

fn key_file(app: &App) -> std::path::PathBuf {
    app.data.path().join("server").join(AT_REST_KEY_FILE)
}

fn keychain_key(shell: &TestShell) -> Option<String> {
    let desktop = shell.desktop();
    desktop.keychain.get(SERVER_KEY_KEYCHAIN_ACCOUNT).and_then(|entry| entry.load().ok().flatten())
}

/// Signs in as the demo account, turns on an authenticator app and returns its secret.
async fn enable_totp(app: &App) -> String {
    app.controller.sign_in(DEMO_EMAIL, DEMO_PASSWORD).await.expect("signed in");
    let totp = app.controller.create_totp().await.expect("enrolling");
    let secret = totp.secret.expect("the secret is shown while enrolling");
    app.controller.verify_totp(&totp_code(&secret, now_secs())).await.expect("confirmed");
    secret
}

/// Where the server's key is, once the app has connected (it connects in the background).
async fn key_storage(app: &App) -> Option<TokenStorage> {
    app.controller.app_info().await.expect("connected").server_key_storage
}

/// Signs out, then in again with the password and the authenticator's code (the next step's:
/// the code that enabled it cannot be used twice).
async fn sign_in_with_totp(app: &App, secret: &str) -> Result<(), String> {
    app.controller.sign_out().await.expect("signed out");
    let step = match app.controller.sign_in(DEMO_EMAIL, DEMO_PASSWORD).await.expect("password accepted") {
        SignInResult::NeedsSecondFactor(step) => step,
        other => panic!("two-step is on, yet: {other:?}"),
    };
    app.controller
        .attempt_second_factor(&step.sign_in_id, SecondFactor::Totp, &totp_code(secret, now_secs() + 30))
        .await
        .map(|_| ())
        .map_err(|error| error.message)
}

#[tokio::test]
async fn the_key_lives_in_the_keychain_and_opens_the_secrets_after_a_restart() {
    let app = App::start().await;
    assert_eq!(key_storage(&app).await, Some(TokenStorage::Keychain));
    let key = keychain_key(&app.shell).expect("a key in the keychain");
    assert_eq!(key.len(), 64, "{key}");
    assert!(!key_file(&app).exists(), "no key beside the database");

    let secret = enable_totp(&app).await;
    let app = app.restart().await;
    assert_eq!(key_storage(&app).await, Some(TokenStorage::Keychain));
    assert_eq!(keychain_key(&app.shell), Some(key), "the same key");
    sign_in_with_totp(&app, &secret).await.expect("the sealed secret opens with the keychain's key");
    app.stop().await;
}

#[tokio::test]
async fn a_copy_of_the_data_directory_without_the_keychain_opens_no_secret() {
    let app = App::start().await;
    let secret = enable_totp(&app).await;
    // The same directory on another computer (or another user's keychain): a new key is made,
    // and the stored secret does not open with it.
    app.shell.desktop().keychain.clear();
    let app = app.restart().await;
    assert!(sign_in_with_totp(&app, &secret).await.is_err(), "the copy does not verify codes");
    app.stop().await;
}

#[tokio::test]
async fn without_a_keychain_the_key_stays_in_the_data_directory_until_one_answers() {
    let shell = TestShell::default();
    shell.desktop().no_keychain = Some("No Secret Service is running.".into());
    let app = App::start_in(tempfile::tempdir().expect("temp dir"), shell).await;
    match key_storage(&app).await {
        Some(TokenStorage::File { path, reason }) => {
            assert_eq!(std::path::Path::new(&path), key_file(&app));
            assert_eq!(reason, "No Secret Service is running.");
        }
        other => panic!("expected the file, got {other:?}"),
    }
    assert!(key_file(&app).exists());
    let file_key = std::fs::read_to_string(key_file(&app)).expect("the key file");
    let secret = enable_totp(&app).await;

    // A keychain answers at the next start: the key moves there and the file goes.
    app.shell.desktop().no_keychain = None;
    let app = app.restart().await;
    assert_eq!(key_storage(&app).await, Some(TokenStorage::Keychain));
    assert_eq!(keychain_key(&app.shell).as_deref(), Some(file_key.trim()));
    assert!(!key_file(&app).exists(), "the file went once the keychain kept the key");
    sign_in_with_totp(&app, &secret).await.expect("the moved key opens what the file's key sealed");
    app.stop().await;
}

#[tokio::test]
async fn a_key_file_that_differs_from_the_keychains_stays_in_use() {
    let app = App::start().await;
    key_storage(&app).await;
    let kept = keychain_key(&app.shell).expect("a key in the keychain");
    // A run without the keychain made a key file of its own and sealed a secret with it.
    app.shell.desktop().no_keychain = Some("No Secret Service is running.".into());
    let app = app.restart().await;
    let secret = enable_totp(&app).await;
    app.shell.desktop().no_keychain = None;
    let app = app.restart().await;

    let storage = key_storage(&app).await;
    assert!(matches!(storage, Some(TokenStorage::File { .. })), "{storage:?}");
    assert_eq!(keychain_key(&app.shell), Some(kept), "the keychain's key is never overwritten");
    assert!(key_file(&app).exists(), "nor is the file removed");
    sign_in_with_totp(&app, &secret).await.expect("what the file's key sealed still opens");
    app.stop().await;
}
