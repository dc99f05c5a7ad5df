//! Creating an account as the instance asks: the form's fields from its environment, then one
//! verification per email address or phone number, then signed in. The controller against the
//! real embedded server, and against userdesk-servers configured otherwise, reached by URL as the
//! app reaches a Clerk instance; codes and links are read from their outboxes.

mod common;

use common::{App, TestShell};
use serde_json::json;
use userdesk_app::{FieldRule, InstanceSetting, Settings, SignUpForm, SignUpStep, SignUpStrategy};
use userdesk_server::{LegalConsent, Requirement, RunningServer, SignUpSettings};

/// A userdesk-server with `sign_up` (in the directory returned with it), and the app connected
/// to it by URL.
async fn instance(sign_up: SignUpSettings) -> (tempfile::TempDir, RunningServer, App) {
    let data = tempfile::tempdir().expect("temp dir");
    let server = userdesk_server::start(userdesk_server::Config {
        sign_up,
        first_factors: userdesk_server::FirstFactors::all(),
        ..userdesk_server::Config::new(data.path().join("instance"))
    })
    .await
    .expect("the instance starts");
    let settings =
        Settings { instance: InstanceSetting::FapiUrl { url: server.url() }, ..Settings::default() };
    let app =
        App::start_with_settings(tempfile::tempdir().expect("temp dir"), TestShell::default(), settings)
            .await;
    (data, server, app)
}

/// The latest message to `to` in the instance's outbox.
async fn latest(server: &RunningServer, to: &str) -> userdesk_server::OutboxMessage {
    let messages = server.outbox(20).await.expect("outbox");
    messages
        .into_iter()
        .find(|message| message.to == to)
        .unwrap_or_else(|| panic!("nothing was sent to {to}"))
}

fn needs(step: SignUpStep) -> (String, SignUpStrategy, String) {
    match step {
        SignUpStep::NeedsVerification { sign_up_id, strategy, to } => (sign_up_id, strategy, to),
        SignUpStep::Complete { .. } => panic!("expected a verification step"),
    }
}

#[tokio::test]
async fn a_new_account_is_signed_in_once_its_email_code_is_entered() {
    let app = App::start().await;
    let controller = &app.controller;
    let options = controller.sign_up_options().await.expect("options");
    assert_eq!((options.email_address, options.password), (FieldRule::Required, FieldRule::Required));
    assert_eq!((options.username, options.phone_number), (FieldRule::Optional, FieldRule::Optional));
    assert!(options.legal_consent.is_none());
    let form = |metadata| SignUpForm {
        email_address: Some("new.person@example.com".into()),
        password: Some("a long and unusual passphrase 42".into()),
        first_name: Some("New".into()),
        last_name: Some("  ".into()),
        unsafe_metadata: metadata,
        ..SignUpForm::default()
    };
    let refused = controller.start_sign_up(form(Some(json!(["not", "an", "object"])))).await.unwrap_err();
    assert_eq!(
        (refused.reason.as_str(), refused.field.as_deref()),
        ("invalid_json", Some("unsafe_metadata"))
    );

    let step = controller.start_sign_up(form(Some(json!({"plan": "free"})))).await.expect("started");
    let (sign_up_id, strategy, to) = needs(step);
    assert_eq!((strategy, to.as_str()), (SignUpStrategy::EmailCode, "new.person@example.com"));
    let code = app.latest_code("new.person@example.com").await;
    let wrong = if code == "000000" { "111111" } else { "000000" };
    let refused = controller.verify_sign_up(&sign_up_id, strategy, wrong).await.unwrap_err();
    assert_eq!(refused.reason, "form_code_incorrect");
    let user = match controller.verify_sign_up(&sign_up_id, strategy, &code).await.expect("verified") {
        SignUpStep::Complete { user } => user,
        other => panic!("expected to be signed in, got {other:?}"),
    };
    assert_eq!(user.first_name.as_deref(), Some("New"));
    assert_eq!(user.last_name, None, "a blank name is left out");
    assert_eq!(serde_json::Value::Object(user.unsafe_metadata.clone()), json!({"plan": "free"}));
    assert_eq!(controller.current_user().await.expect("read"), Some(*user));
    app.stop().await;
}

#[tokio::test]
async fn a_username_the_terms_and_a_phone_are_asked_then_each_address_is_verified() {
    let (_data, server, app) = instance(SignUpSettings {
        username: Requirement::Required,
        phone_number: Requirement::Required,
        legal_consent: Some(LegalConsent {
            terms_url: Some("https://example.com/terms".into()),
            privacy_policy_url: None,
        }),
        ..SignUpSettings::default()
    })
    .await;
    let controller = &app.controller;
    let options = controller.sign_up_options().await.expect("options");
    assert_eq!((options.username, options.phone_number), (FieldRule::Required, FieldRule::Required));
    let consent = options.legal_consent.expect("terms asked");
    assert_eq!(
        (consent.terms_url.as_deref(), consent.privacy_policy_url),
        (Some("https://example.com/terms"), None)
    );
    controller.open_legal_document(userdesk_app::LegalDocument::Terms).await.expect("opened");
    assert_eq!(app.shell.desktop().opened, ["https://example.com/terms"]);

    let mut form = SignUpForm {
        email_address: Some("lin@example.com".into()),
        phone_number: Some("+14155550142".into()),
        password: Some("lin-wei-1990-long".into()),
        ..SignUpForm::default()
    };
    // What the instance still lacks comes back at its field, one at a time.
    let missing = controller.start_sign_up(form.clone()).await.unwrap_err();
    assert_eq!((missing.reason.as_str(), missing.field.as_deref()), ("form_param_missing", Some("username")));
    form.username = Some("lin_w".into());
    let missing = controller.start_sign_up(form.clone()).await.unwrap_err();
    assert_eq!(missing.field.as_deref(), Some("legal_accepted"));
    form.legal_accepted = true;

    let (sign_up_id, strategy, to) = needs(controller.start_sign_up(form).await.expect("started"));
    assert_eq!((strategy, to.as_str()), (SignUpStrategy::EmailCode, "lin@example.com"));
    let code = latest(&server, "lin@example.com").await.code.expect("a code");
    let (_, strategy, to) =
        needs(controller.verify_sign_up(&sign_up_id, strategy, &code).await.expect("email"));
    assert_eq!((strategy, to.as_str()), (SignUpStrategy::PhoneCode, "+14155550142"), "then the phone");
    let code = latest(&server, "+14155550142").await.code.expect("a text");
    let user = match controller.verify_sign_up(&sign_up_id, strategy, &code).await.expect("phone") {
        SignUpStep::Complete { user } => user,
        other => panic!("expected to be signed in, got {other:?}"),
    };
    assert_eq!(user.username.as_deref(), Some("lin_w"));
    assert!(user.legal_accepted_at.is_some());
    assert_eq!(user.phone_numbers[0].phone_number, "+14155550142");
    app.stop().await;
    server.shutdown().await;
}

#[tokio::test]
async fn an_email_link_signs_in_once_it_is_opened() {
    let (_data, server, app) =
        instance(SignUpSettings { email_code: false, email_link: true, ..SignUpSettings::default() }).await;
    let controller = &app.controller;
    let form = SignUpForm {
        email_address: Some("linked@example.com".into()),
        password: Some("a-good-long-password".into()),
        ..SignUpForm::default()
    };
    let (sign_up_id, strategy, _) = needs(controller.start_sign_up(form).await.expect("started"));
    assert_eq!(strategy, SignUpStrategy::EmailLink);
    let (_, still, _) = needs(controller.check_sign_up(&sign_up_id).await.expect("read"));
    assert_eq!(still, SignUpStrategy::EmailLink, "nothing happens until the link is opened");
    assert_eq!(server.outbox(20).await.expect("outbox").len(), 1, "reading again sends nothing");

    let link = latest(&server, "linked@example.com").await.link.expect("a link");
    let opened = reqwest::get(&link).await.expect("the browser opens it");
    assert!(opened.status().is_success(), "{}", opened.status());
    match controller.check_sign_up(&sign_up_id).await.expect("read again") {
        SignUpStep::Complete { user } => {
            assert_eq!(
                user.primary_email_address().map(|e| e.email_address.as_str()),
                Some("linked@example.com")
            )
        }
        other => panic!("expected to be signed in, got {other:?}"),
    }
    assert!(controller.current_user().await.expect("read").is_some());
    app.stop().await;
    server.shutdown().await;
}
