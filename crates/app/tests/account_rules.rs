//! The embedded server verifies sessions again for sensitive changes (as Clerk's instances do),
//! so the app asks no current password to change it: the instance's rule, read from its
//! environment, and a change made without it.

mod common;

use common::{App, DEMO_EMAIL};

#[tokio::test]
async fn with_reverification_the_password_changes_without_the_current_one() {
    let (app, _) = App::signed_in().await;
    assert!(app.controller.account_rules().await.expect("rules").reverification);

    app.controller
        .change_password("", "a brand new passphrase", false)
        .await
        .expect("changed, within the window");
    app.controller.sign_out().await.expect("signed out");
    app.controller.sign_in(DEMO_EMAIL, "a brand new passphrase").await.expect("the new password signs in");
    app.stop().await;
}
