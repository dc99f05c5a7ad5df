//! An instance that asks the session to prove again who uses it before a sensitive action
//! (issue 12): the refusal reaches the UI with its level, the dialog's steps verify the session,
//! and the same action then goes through. The embedded server's window is shortened for this
//! test binary alone (a debug-build switch; a process of its own, since it is an environment
//! variable).

mod common;

use std::time::Duration;

use common::{App, DEMO_PASSWORD};
use userdesk_app::{ErrorCode, ReverificationFirstFactor, TEST_REVERIFICATION_SECONDS};
use userdesk_fapi::models::{ReverificationLevel, ReverificationStatus};

const WINDOW: Duration = Duration::from_secs(2);

#[tokio::test]
async fn a_stale_session_verifies_again_and_the_action_then_goes_through() {
    std::env::set_var(TEST_REVERIFICATION_SECONDS, WINDOW.as_secs().to_string());
    let (app, _) = App::signed_in().await;
    // Within the window of the sign-in, nothing is asked.
    app.controller
        .create_email_address("fresh@example.com")
        .await
        .expect("a fresh sign-in is verification enough");

    tokio::time::sleep(WINDOW + Duration::from_millis(500)).await;
    let refused = app.controller.create_email_address("later@example.com").await.expect_err("too long ago");
    assert_eq!(refused.code, ErrorCode::ReverificationRequired);
    let level = refused.reverification.expect("the level the instance asks for");
    let emails = app.controller.current_user().await.expect("user").expect("signed in").email_addresses;
    assert!(emails.iter().all(|e| e.email_address != "later@example.com"), "nothing was added");

    let step = app.controller.start_reverification(level).await.expect("started");
    assert_eq!(step.status, ReverificationStatus::NeedsFirstFactor);
    assert!(step.first_factors.contains(&ReverificationFirstFactor::Password), "{step:?}");
    let wrong = app.controller.attempt_reverification_first_factor("password", "not it").await;
    assert!(wrong.is_err(), "a wrong password verifies nothing");
    let done = app
        .controller
        .attempt_reverification_first_factor("password", DEMO_PASSWORD)
        .await
        .expect("verified");
    assert_eq!(done.status, ReverificationStatus::Complete);
    assert_eq!(done.level, ReverificationLevel::FirstFactor);

    let added = app.controller.create_email_address("later@example.com").await.expect("now it goes through");
    assert_eq!(added.email_address, "later@example.com");
    app.stop().await;
}
