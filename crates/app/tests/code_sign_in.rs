//! Signing in with an emailed code, and resetting a forgotten password, against the real
//! embedded server: the codes are read from its outbox, as a person reads their inbox.

mod common;

use common::{App, DEMO_EMAIL, DEMO_PASSWORD};
use userdesk_app::{CodePurpose, CodeSignInResult, SignInResult};

#[tokio::test]
async fn an_emailed_code_signs_in_without_the_password() {
    let app = App::start().await;
    let sent = app.controller.start_code_sign_in(DEMO_EMAIL, CodePurpose::SignIn).await.expect("code sent");
    assert!(!sent.by_sms);
    let code = app.latest_code(DEMO_EMAIL).await;
    let wrong = if code == "000000" { "111111" } else { "000000" };
    let refused = app.controller.attempt_code_sign_in(&sent.sign_in_id, CodePurpose::SignIn, wrong).await;
    assert!(refused.is_err(), "a wrong code signs no one in");
    assert!(app.controller.current_user().await.expect("read").is_none());

    match app.controller.attempt_code_sign_in(&sent.sign_in_id, CodePurpose::SignIn, &code).await {
        Ok(CodeSignInResult::Complete { user }) => {
            assert_eq!(user.primary_email_address().map(|e| e.email_address.as_str()), Some(DEMO_EMAIL))
        }
        other => panic!("expected a complete sign-in, got {other:?}"),
    }
    app.stop().await;
}

#[tokio::test]
async fn a_forgotten_password_is_reset_from_the_outbox() {
    let app = App::start().await;
    let sent = app
        .controller
        .start_code_sign_in(DEMO_EMAIL, CodePurpose::ResetPassword)
        .await
        .expect("reset code sent");
    let code = app.latest_code(DEMO_EMAIL).await;
    let sign_in_id = match app
        .controller
        .attempt_code_sign_in(&sent.sign_in_id, CodePurpose::ResetPassword, &code)
        .await
    {
        Ok(CodeSignInResult::NeedsNewPassword { sign_in_id }) => sign_in_id,
        other => panic!("expected the new-password step, got {other:?}"),
    };
    // The code works once.
    assert!(app
        .controller
        .attempt_code_sign_in(&sign_in_id, CodePurpose::ResetPassword, &code)
        .await
        .is_err());

    let weak = app.controller.reset_password(&sign_in_id, "short", false).await.expect_err("too weak");
    assert_eq!(weak.field.as_deref(), Some("password"), "{weak:?}");
    match app.controller.reset_password(&sign_in_id, "a brand new passphrase", true).await {
        Ok(SignInResult::Complete { .. }) => {}
        other => panic!("expected to be signed in, got {other:?}"),
    }

    // The new password signs in from now on; the old one no longer does.
    app.controller.sign_out().await.expect("signed out");
    assert!(app.controller.sign_in(DEMO_EMAIL, DEMO_PASSWORD).await.is_err(), "the old password is gone");
    app.controller.sign_in(DEMO_EMAIL, "a brand new passphrase").await.expect("the new password works");
    app.stop().await;
}
