//! A Clerk instance that checks new devices (`needs_client_trust`): the right password from a
//! device the account never signed in on is not enough; the app sends the code the instance
//! offers and signs in with it. The instance here is a userdesk-server started with the check on,
//! reached as any Frontend API by its URL, as the app reaches a Clerk instance.

mod common;

use common::{App, TestShell, DEMO_EMAIL, DEMO_PASSWORD};
use userdesk_app::{CodePurpose, CodeSignInResult, InstanceSetting, Settings, SignInResult};

#[tokio::test]
async fn a_new_device_signs_in_with_the_code_the_instance_sends() {
    let data = tempfile::tempdir().expect("temp dir");
    let server = userdesk_server::start(userdesk_server::Config {
        client_trust: true,
        ..userdesk_server::Config::new(data.path().join("instance"))
    })
    .await
    .expect("the instance starts");
    let settings =
        Settings { instance: InstanceSetting::FapiUrl { url: server.url() }, ..Settings::default() };
    let app =
        App::start_with_settings(tempfile::tempdir().expect("temp dir"), TestShell::default(), settings)
            .await;

    let sent = match app.controller.sign_in(DEMO_EMAIL, DEMO_PASSWORD).await.expect("the password is right") {
        SignInResult::NeedsClientTrust(sent) => sent,
        other => panic!("a new device must confirm it is the person's: {other:?}"),
    };
    assert!(!sent.by_sms);
    assert!(app.controller.current_user().await.expect("read").is_none(), "not signed in yet");
    let code = server
        .outbox(10)
        .await
        .expect("outbox")
        .into_iter()
        .find(|message| message.to == DEMO_EMAIL)
        .and_then(|message| message.code)
        .expect("a code was emailed");
    let wrong = if code == "000000" { "111111" } else { "000000" };
    assert!(app
        .controller
        .attempt_code_sign_in(&sent.sign_in_id, CodePurpose::ClientTrust, wrong)
        .await
        .is_err());
    match app.controller.attempt_code_sign_in(&sent.sign_in_id, CodePurpose::ClientTrust, &code).await {
        Ok(CodeSignInResult::Complete { user }) => {
            assert_eq!(user.primary_email_address().map(|e| e.email_address.as_str()), Some(DEMO_EMAIL))
        }
        other => panic!("expected to be signed in, got {other:?}"),
    }

    // The device is known now: the next password sign-in asks nothing more.
    app.controller.sign_out().await.expect("signed out");
    match app.controller.sign_in(DEMO_EMAIL, DEMO_PASSWORD).await.expect("signed in") {
        SignInResult::Complete { .. } => {}
        other => panic!("a trusted device needs no code: {other:?}"),
    }
    app.stop().await;
    server.shutdown().await;
}
