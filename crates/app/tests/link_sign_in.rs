//! Signing in with an emailed link, and with a phone number, on an instance that offers them: a
//! userdesk-server with every first factor on, reached by its URL as the app reaches a Clerk
//! instance. The link is opened by a plain HTTP GET, as a browser with none of the app's state
//! would; the app learns of it by reading the sign-in.

mod common;

use common::{App, TestShell, DEMO_EMAIL, DEMO_PASSWORD};
use userdesk_app::{
    CodePurpose, CodeSignInResult, InstanceSetting, LinkSignInState, Settings, SignInMethod, SignInResult,
};
use userdesk_server::{FirstFactors, RunningServer};

const PHONE: &str = "+14155550142";

async fn instance(data: &tempfile::TempDir) -> RunningServer {
    userdesk_server::start(userdesk_server::Config {
        first_factors: FirstFactors::all(),
        resend_cooldown: std::time::Duration::ZERO,
        ..userdesk_server::Config::new(data.path().join("instance"))
    })
    .await
    .expect("the instance starts")
}

async fn app_for(server: &RunningServer) -> App {
    let settings =
        Settings { instance: InstanceSetting::FapiUrl { url: server.url() }, ..Settings::default() };
    App::start_with_settings(tempfile::tempdir().expect("temp dir"), TestShell::default(), settings).await
}

async fn latest(server: &RunningServer, to: &str) -> userdesk_server::OutboxMessage {
    let messages = server.outbox(10).await.expect("outbox");
    messages.into_iter().find(|message| message.to == to).unwrap_or_else(|| panic!("nothing went to {to}"))
}

#[tokio::test]
async fn an_emailed_link_signs_the_app_in_when_it_is_opened() {
    let data = tempfile::tempdir().expect("temp dir");
    let server = instance(&data).await;
    let app = app_for(&server).await;
    let options = app.controller.sign_in_options().await.expect("options");
    assert!(options.link && options.code && options.phone_number, "{options:?}");

    let sent = app.controller.start_link_sign_in(DEMO_EMAIL).await.expect("a link is sent");
    assert_eq!(sent.sent_to, DEMO_EMAIL, "the address as typed");
    assert_eq!(
        app.controller.check_link_sign_in(&sent.sign_in_id).await.expect("read"),
        LinkSignInState::Waiting
    );
    // A new link replaces the first: only it signs in.
    app.controller.resend_sign_in_link(&sent.sign_in_id).await.expect("sent again");
    let link = latest(&server, DEMO_EMAIL).await.link.expect("a link");
    let page = reqwest::get(&link).await.expect("opened in a browser");
    assert_eq!(page.status().as_u16(), 200);
    match app.controller.check_link_sign_in(&sent.sign_in_id).await.expect("read") {
        LinkSignInState::Complete { user } => {
            assert_eq!(user.primary_email_address().map(|e| e.email_address.as_str()), Some(DEMO_EMAIL))
        }
        other => panic!("the opened link signs in: {other:?}"),
    }
    assert!(app.controller.current_user().await.expect("read").is_some());
    app.stop().await;
    server.shutdown().await;
}

#[tokio::test]
async fn a_link_that_expired_unopened_asks_for_a_new_one() {
    let data = tempfile::tempdir().expect("temp dir");
    let server = userdesk_server::start(userdesk_server::Config {
        first_factors: FirstFactors::all(),
        link_lifetime: std::time::Duration::from_millis(300),
        ..userdesk_server::Config::new(data.path().join("instance"))
    })
    .await
    .expect("the instance starts");
    let app = app_for(&server).await;
    let sent = app.controller.start_link_sign_in(DEMO_EMAIL).await.expect("a link is sent");
    tokio::time::sleep(std::time::Duration::from_millis(450)).await;
    assert_eq!(
        app.controller.check_link_sign_in(&sent.sign_in_id).await.expect("read"),
        LinkSignInState::Expired
    );
    let link = latest(&server, DEMO_EMAIL).await.link.expect("a link");
    assert_eq!(reqwest::get(&link).await.expect("opened").status().as_u16(), 400);
    assert!(app.controller.current_user().await.expect("read").is_none());
    app.stop().await;
    server.shutdown().await;
}

#[tokio::test]
async fn a_phone_number_signs_in_with_the_texted_code() {
    let data = tempfile::tempdir().expect("temp dir");
    let server = instance(&data).await;
    let app = app_for(&server).await;
    // The account gets a verified number first.
    match app.controller.sign_in(DEMO_EMAIL, DEMO_PASSWORD).await.expect("signed in") {
        SignInResult::Complete { .. } => {}
        other => panic!("{other:?}"),
    }
    let phone = app.controller.create_phone_number(PHONE).await.expect("added");
    app.controller.prepare_phone_verification(&phone.id).await.expect("texted");
    let code = latest(&server, PHONE).await.code.expect("a code");
    app.controller.attempt_phone_verification(&phone.id, &code).await.expect("verified");
    app.controller.sign_out().await.expect("signed out");

    let sent = app.controller.start_code_sign_in(PHONE, CodePurpose::SignIn).await.expect("a text is sent");
    assert!(sent.by_sms, "a phone number gets a text");
    assert_eq!(sent.sent_to, PHONE, "the number as typed");
    let code = latest(&server, PHONE).await.code.expect("a code");
    match app.controller.attempt_code_sign_in(&sent.sign_in_id, CodePurpose::SignIn, &code).await {
        Ok(CodeSignInResult::Complete { user }) => {
            assert!(user.phone_numbers.iter().any(|p| p.phone_number == PHONE))
        }
        other => panic!("expected to be signed in, got {other:?}"),
    }
    app.stop().await;
    server.shutdown().await;
}

/// Gives the demo account a verified phone number, and signs out.
async fn with_phone(app: &App, server: &RunningServer) {
    match app.controller.sign_in(DEMO_EMAIL, DEMO_PASSWORD).await.expect("signed in") {
        SignInResult::Complete { .. } => {}
        other => panic!("{other:?}"),
    }
    let phone = app.controller.create_phone_number(PHONE).await.expect("added");
    app.controller.prepare_phone_verification(&phone.id).await.expect("texted");
    let code = latest(server, PHONE).await.code.expect("a code");
    app.controller.attempt_phone_verification(&phone.id, &code).await.expect("verified");
    app.controller.sign_out().await.expect("signed out");
}

fn method<'a>(methods: &'a [SignInMethod], strategy: &str) -> &'a SignInMethod {
    methods.iter().find(|m| m.strategy == strategy).unwrap_or_else(|| panic!("no {strategy} in {methods:?}"))
}

#[tokio::test]
async fn another_method_texts_the_code_or_emails_a_link_for_the_same_sign_in() {
    let data = tempfile::tempdir().expect("temp dir");
    let server = instance(&data).await;
    let app = app_for(&server).await;
    with_phone(&app, &server).await;

    // An emailed code first; the person asks for a text instead.
    let sent = app.controller.start_code_sign_in(DEMO_EMAIL, CodePurpose::SignIn).await.expect("emailed");
    assert!(!sent.by_sms);
    let methods = app.controller.sign_in_methods(&sent.sign_in_id).await.expect("listed");
    let mut strategies: Vec<&str> = methods.iter().map(|m| m.strategy.as_str()).collect();
    strategies.sort_unstable();
    assert_eq!(strategies, ["email_code", "email_link", "password", "phone_code"]);
    let texted = app
        .controller
        .use_sign_in_code(&sent.sign_in_id, method(&methods, "phone_code").clone())
        .await
        .expect("texted");
    assert_eq!(texted.sign_in_id, sent.sign_in_id, "the same sign-in");
    assert!(texted.by_sms);
    let code = latest(&server, PHONE).await.code.expect("a texted code");
    match app.controller.attempt_code_sign_in(&sent.sign_in_id, CodePurpose::SignIn, &code).await {
        Ok(CodeSignInResult::Complete { .. }) => {}
        other => panic!("the texted code signs in: {other:?}"),
    }
    app.controller.sign_out().await.expect("signed out");

    // A code first again; this time a link instead, opened in a browser.
    let sent = app.controller.start_code_sign_in(DEMO_EMAIL, CodePurpose::SignIn).await.expect("emailed");
    let methods = app.controller.sign_in_methods(&sent.sign_in_id).await.expect("listed");
    let link_sent = app
        .controller
        .use_sign_in_link(&sent.sign_in_id, method(&methods, "email_link").clone())
        .await
        .expect("a link instead");
    let link = latest(&server, DEMO_EMAIL).await.link.expect("a link");
    assert_eq!(reqwest::get(&link).await.expect("opened").status().as_u16(), 200);
    match app.controller.check_link_sign_in(&link_sent.sign_in_id).await.expect("read") {
        LinkSignInState::Complete { .. } => {}
        other => panic!("the link signs in: {other:?}"),
    }
    // A method that sends nothing is refused by name, not sent.
    let password = method(&methods, "password").clone();
    let refused = app.controller.use_sign_in_code(&sent.sign_in_id, password).await.expect_err("refused");
    assert_eq!(refused.reason, "strategy_for_user_invalid");
    app.stop().await;
    server.shutdown().await;
}
