//! Browser round trips through the flow registry: the browser is sent where the server says,
//! the deep link it comes back with completes the flow once, and links the app did not start
//! are dropped.

mod common;

use common::browser::{Browser, Consent};
use common::App;
use userdesk_app::{Event, OAuthFinished, OAuthFlowKind, OAuthOutcome, SecurityEventKind};

fn finished(event: Event) -> OAuthFinished {
    match event {
        Event::OAuthFinished(finished) => *finished,
        other => panic!("expected the end of a round trip, got {other:?}"),
    }
}

#[tokio::test]
async fn connecting_an_account_completes_through_the_deep_link_once() {
    let (app, _) = App::signed_in().await;
    let controller = &app.controller;
    assert!(controller.oauth_strategies().await.unwrap().contains(&"oauth_github".to_owned()));

    let started = controller.connect_external_account("oauth_github", &["repo".to_owned()]).await.unwrap();
    assert_eq!(
        app.shell.desktop().opened,
        std::slice::from_ref(&started.authorization_url),
        "the system browser opened"
    );
    let link = Browser::new().round_trip(&started.authorization_url, &Consent::approve()).await;
    let link = link.deep_link().to_owned();
    assert!(link.starts_with("dev.userdesk.app://"), "{link}");

    controller.deliver_link(link.clone());
    let ended = loop {
        // The account is named anew first (accounts-changed): the switcher's business.
        match app.next_event().await {
            Event::AccountsChanged(_) => continue,
            event => break finished(event),
        }
    };
    assert_eq!((ended.flow_id.as_str(), ended.kind), (started.flow_id.as_str(), OAuthFlowKind::Connect));
    assert_eq!(ended.strategy.as_deref(), Some("oauth_github"));
    let OAuthOutcome::AccountVerified { user, external_account_id } = ended.outcome else {
        panic!("the account should be connected: {:?}", ended.outcome);
    };
    let account = user.external_accounts.iter().find(|a| a.id == external_account_id);
    assert!(account.expect("the connected account").approved_scopes().contains(&"repo"));
    assert_eq!(app.shell.desktop().focused, 1, "the window came forward");

    // The same link again, or one the app never started, does nothing.
    assert_eq!(controller.complete_oauth(&link).await, None, "single use");
    let forged = link.replace(&started.flow_id, "flow_forged");
    assert_eq!(controller.complete_oauth(&forged).await, None);
    assert_eq!(controller.complete_oauth("dev.userdesk.app://oauth-callback").await, None);
    app.stop().await;
}

#[tokio::test]
async fn a_denied_consent_reports_the_verification_error_and_a_cancelled_flow_is_dropped() {
    let (app, _) = App::signed_in().await;
    let controller = &app.controller;
    controller.current_user().await.unwrap(); // as the window does: what it kept before
    let started = controller.connect_external_account("oauth_discord", &[]).await.unwrap();
    let link = Browser::new().round_trip(&started.authorization_url, &Consent::deny()).await;
    let ended = controller.complete_oauth(link.deep_link()).await.expect("a flow of this app");
    let OAuthOutcome::AccountFailed { error, .. } = ended.outcome else {
        panic!("a denied consent fails the account: {:?}", ended.outcome);
    };
    assert!(error.reason.starts_with("oauth_"), "a Clerk error code: {error:?}");
    // The person saw it fail: logged, not notified, now or at the next check.
    let logged = controller.security_log().await.unwrap();
    assert!(logged.iter().any(|event| event.kind == SecurityEventKind::ConnectedAccountFailed), "{logged:?}");
    controller.check_account().await.unwrap();
    assert!(app.shell.desktop().notices.is_empty(), "{:?}", app.shell.desktop().notices);

    let cancelled = controller.connect_external_account("oauth_discord", &[]).await.unwrap();
    controller.cancel_oauth(&cancelled.flow_id).await;
    let link = Browser::new().round_trip(&cancelled.authorization_url, &Consent::approve()).await;
    assert_eq!(controller.complete_oauth(link.deep_link()).await, None, "the person cancelled it");
    app.stop().await;
}

#[tokio::test]
async fn a_link_that_starts_the_app_is_completed_before_the_ui_asks() {
    let app = App::start().await;
    let controller = &app.controller;
    let started = controller.sign_in_with_oauth("oauth_google").await.unwrap();
    let link = Browser::new().round_trip(&started.authorization_url, &Consent::approve()).await;

    controller.complete_at_launch(link.deep_link().to_owned());
    let ended = controller.launch_oauth_result().await.unwrap().expect("the launch flow's result");
    assert_eq!(ended.kind, OAuthFlowKind::SignIn);
    let OAuthOutcome::SignedIn { user, new_user } = ended.outcome else {
        panic!("signed in through the provider: {:?}", ended.outcome);
    };
    assert!(new_user, "the provider's person had no account yet");
    assert_eq!(controller.current_user().await.unwrap(), Some(*user), "signed in");
    assert_eq!(controller.launch_oauth_result().await.unwrap(), None, "told once");
    let events = app.shell.take_events();
    assert!(
        !events.iter().any(|event| matches!(event, Event::OAuthFinished(_))),
        "no event: the UI was not listening yet: {events:?}"
    );
    app.stop().await;
}

#[tokio::test]
async fn without_a_browser_the_flow_is_forgotten_and_the_person_told() {
    let (app, _) = App::signed_in().await;
    app.shell.desktop().no_browser = true;
    let error = app.controller.connect_external_account("oauth_github", &[]).await.unwrap_err();
    assert_eq!(error.reason, "browser_unavailable");
    assert!(error.message.contains("no browser is installed"), "{}", error.message);
    app.stop().await;
}
