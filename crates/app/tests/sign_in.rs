//! Signing in, with and without a second factor, and signing out: the controller against the
//! real embedded server.

mod common;

use common::{App, DEMO_EMAIL, DEMO_PASSWORD};
use userdesk_app::{ErrorCode, SignInResult};
use userdesk_fapi::SecondFactor;

#[tokio::test]
async fn a_password_signs_in_and_signing_out_forgets_the_account() {
    let app = App::start().await;
    let controller = &app.controller;
    assert_eq!(controller.current_user().await.unwrap(), None, "a new device is signed out");

    let wrong = controller.sign_in(DEMO_EMAIL, "not the password").await.unwrap_err();
    assert_eq!(
        (wrong.reason.as_str(), wrong.field.as_deref()),
        ("form_password_incorrect", Some("password"))
    );
    assert_eq!(controller.current_user().await.unwrap(), None);

    let SignInResult::Complete { user } = controller.sign_in(DEMO_EMAIL, DEMO_PASSWORD).await.unwrap() else {
        panic!("the demo account has no second factor");
    };
    assert_eq!(controller.current_user().await.unwrap().as_ref(), Some(&*user));
    let devices = controller.devices().await.unwrap();
    assert_eq!(devices.sessions.len(), 1);
    assert_eq!(devices.current_session_id.as_deref(), Some(devices.sessions[0].id.as_str()));

    controller.sign_out().await.unwrap();
    assert_eq!(controller.current_user().await.unwrap(), None);
    controller.sign_out().await.unwrap();
    app.stop().await;
}

#[tokio::test]
async fn an_account_with_a_two_step_phone_signs_in_with_the_sms_code() {
    let (app, _) = App::signed_in().await;
    let controller = &app.controller;
    let phone = controller.create_phone_number("+14155550123").await.unwrap();
    controller.prepare_phone_verification(&phone.id).await.unwrap();
    let code = app.latest_code("+14155550123").await;
    controller.attempt_phone_verification(&phone.id, &code).await.unwrap();
    controller.set_reserved_for_second_factor(&phone.id, true).await.unwrap();
    controller.sign_out().await.unwrap();

    let SignInResult::NeedsSecondFactor(step) = controller.sign_in(DEMO_EMAIL, DEMO_PASSWORD).await.unwrap()
    else {
        panic!("the password alone no longer signs in");
    };
    assert_eq!(step.strategies, [SecondFactor::PhoneCode]);
    let sms = step.phone.clone().expect("the phone to send the code to");
    assert_eq!(
        (sms.phone_number_id.as_str(), sms.safe_identifier.as_str()),
        (phone.id.as_str(), "+*******0123")
    );
    assert_eq!(controller.current_user().await.unwrap(), None, "not signed in halfway");

    controller.prepare_second_factor(&step.sign_in_id, &sms.phone_number_id).await.unwrap();
    let code = app.latest_code("+14155550123").await;
    let wrong = if code == "000000" { "111111" } else { "000000" };
    let refused =
        controller.attempt_second_factor(&step.sign_in_id, SecondFactor::PhoneCode, wrong).await.unwrap_err();
    assert_eq!(
        (refused.code, refused.reason.as_str()),
        (ErrorCode::FormCodeIncorrect, "form_code_incorrect")
    );
    let user =
        controller.attempt_second_factor(&step.sign_in_id, SecondFactor::PhoneCode, &code).await.unwrap();
    assert_eq!(user.primary_email_address().map(|e| e.email_address.as_str()), Some(DEMO_EMAIL));
    assert_eq!(controller.current_user().await.unwrap(), Some(user));
    app.stop().await;
}
