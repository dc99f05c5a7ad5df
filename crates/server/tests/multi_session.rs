//! Clerk's multi-session mode (`Config::multi_session`): one client holds a session for each
//! person signed in on it; `/v1/me` requests name theirs (`_clerk_session_id`) and `touch`
//! chooses the client's active one. Driven through `userdesk-fapi`'s session handles, as the app
//! drives it.

mod common;

use common::browser::Consent;
use common::TestServer;
use reqwest::{Method, StatusCode};
use serde_json::json;
use userdesk_fapi::{FlowResult, TokenService};
use userdesk_server::{DEMO_EMAIL, DEMO_PASSWORD};

async fn multi_session_server() -> TestServer {
    TestServer::start_with(|config| config.multi_session = true).await
}

#[tokio::test]
async fn the_environment_says_which_mode_the_instance_is_in() {
    let single = TestServer::start().await;
    assert!(!single.client().environment().await.expect("environment").multi_session());
    let multi = multi_session_server().await;
    assert!(multi.client().environment().await.expect("environment").multi_session());
}

#[tokio::test]
async fn two_people_on_one_client_each_see_their_own_account() {
    let server = multi_session_server().await;
    server.create_user(json!({"email_address": ["ada@example.com"], "password": "long-enough-1"})).await;
    let demo = server.demo_client().await;
    demo.hold_session(None);
    let demo_session = demo.session_id().expect("demo's session");
    let ada = demo.session_handle(None);

    let signed_in =
        ada.sign_in_with_password("ada@example.com", "long-enough-1").await.expect("a second person");
    let ada_session = signed_in.created_session_id.expect("ada's session");
    assert_ne!(ada_session, demo_session);
    assert_eq!(ada.session_id().as_deref(), Some(ada_session.as_str()));
    assert_eq!(demo.session_id().as_deref(), Some(demo_session.as_str()), "demo's handle keeps demo");

    // The client holds both; the newest sign-in is its active session.
    let client = demo.get_client().await.expect("client").expect("a client");
    assert_eq!(client.sessions.len(), 2);
    assert_eq!(client.last_active_session_id.as_deref(), Some(ada_session.as_str()));

    // Each handle reads and changes its own person, whichever session the client uses.
    assert_eq!(
        demo.me().await.expect("demo").primary_email_address().expect("email").email_address,
        DEMO_EMAIL
    );
    let ada_user = ada.me().await.expect("ada");
    assert_eq!(ada_user.primary_email_address().expect("email").email_address, "ada@example.com");
    let renamed = ada
        .update_user(&userdesk_fapi::UpdateUserParams {
            first_name: Some("Ada".into()),
            ..Default::default()
        })
        .await
        .expect("rename ada");
    assert_eq!(renamed.first_name.as_deref(), Some("Ada"));
    assert_eq!(demo.me().await.expect("demo").first_name.as_deref(), Some("Demo"));

    // Session tokens are each person's.
    let ada_jwt = ada.get_token(TokenService::Clerk).await.expect("ada's token");
    let demo_jwt = demo.get_token(TokenService::Clerk).await.expect("demo's token");
    let keys = demo.jwks().await.expect("jwks");
    let sub = |jwt: &str| userdesk_fapi::inspect_token(jwt, &keys).expect("a JWT").claims["sub"].clone();
    assert_eq!(sub(&ada_jwt), ada_user.id.as_str());
    assert_ne!(sub(&demo_jwt), ada_user.id.as_str());

    // Switching back to demo makes theirs the client's active session.
    let touched = demo.touch_session().await.expect("touch");
    assert_eq!(touched.id, demo_session);
    let client = ada.get_client().await.expect("client").expect("a client");
    assert_eq!(client.last_active_session_id.as_deref(), Some(demo_session.as_str()));
    assert_eq!(ada.me().await.expect("ada still").id, ada_user.id);
}

#[tokio::test]
async fn signing_one_person_out_leaves_the_other_signed_in() {
    let server = multi_session_server().await;
    server.create_user(json!({"email_address": ["ada@example.com"], "password": "long-enough-1"})).await;
    let demo = server.demo_client().await;
    demo.hold_session(None);
    let ada = demo.session_handle(None);
    ada.sign_in_with_password("ada@example.com", "long-enough-1").await.expect("ada signs in");

    ada.sign_out().await.expect("ada signs out");
    assert_eq!(ada.me().await.expect_err("ada is signed out").code(), "signed_out");
    assert!(ada.has_token(), "the client, and its token, stay for demo");
    assert_eq!(demo.me().await.expect("demo is still signed in").username.as_deref(), Some("demo"));
    let client = demo.get_client().await.expect("client").expect("a client");
    let active: Vec<_> = client
        .sessions
        .iter()
        .filter(|session| session.status == userdesk_fapi::models::SessionStatus::Active)
        .collect();
    assert_eq!(active.len(), 1);

    // Ada signs in again on the same handle: it takes the new session.
    let again = ada.sign_in_with_password("ada@example.com", "long-enough-1").await.expect("again");
    assert_eq!(ada.session_id(), again.created_session_id);
    assert_eq!(
        ada.me().await.expect("ada again").primary_email_address().expect("email").email_address,
        "ada@example.com"
    );
}

#[tokio::test]
async fn a_person_already_signed_in_on_the_client_is_told_which_session_is_theirs() {
    let server = multi_session_server().await;
    let demo = server.demo_client().await;
    let session = demo.session_id().expect("a session");
    let second = demo.session_handle(None);
    let error = second.sign_in_with_password(DEMO_EMAIL, DEMO_PASSWORD).await.expect_err("already signed in");
    assert_eq!(error.code(), "identifier_already_signed_in");
    let meta = &error.clerk_error().expect("a Clerk error").meta;
    assert_eq!(meta.get("session_id").and_then(|id| id.as_str()), Some(session.as_str()));
    // Nothing changed: still one session.
    let client = demo.get_client().await.expect("client").expect("a client");
    assert_eq!(client.sessions.len(), 1);
    assert_eq!(second.session_id(), None);
}

#[tokio::test]
async fn a_signed_in_client_signs_a_new_person_up_beside_the_first() {
    let server = multi_session_server().await;
    let raw = server.raw();
    let token = server.demo_token().await;
    let created = raw
        .form(
            Method::POST,
            "/v1/client/sign_ups",
            Some(&token),
            "email_address=grace%40example.com&password=grace-hopper-1906",
        )
        .await;
    assert_eq!(created.status, StatusCode::OK, "{}", created.body);
    let id = created.body["response"]["id"].as_str().expect("sign-up id").to_owned();
    let path = format!("/v1/client/sign_ups/{id}");
    let prepared = raw
        .form(Method::POST, &format!("{path}/prepare_verification"), Some(&token), "strategy=email_code")
        .await;
    assert_eq!(prepared.status, StatusCode::OK, "{}", prepared.body);
    let code = server.latest_code("grace@example.com").await;
    let done = raw
        .form(
            Method::POST,
            &format!("{path}/attempt_verification"),
            Some(&token),
            format!("strategy=email_code&code={code}"),
        )
        .await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    assert_eq!(done.body["response"]["status"], "complete");
    let grace_session = done.body["response"]["created_session_id"].as_str().expect("a session");
    let sessions = done.body["client"]["sessions"].as_array().expect("sessions");
    assert_eq!(sessions.len(), 2, "demo's session stays beside grace's");
    assert_eq!(done.body["client"]["last_active_session_id"], grace_session);
}

#[tokio::test]
async fn a_provider_signs_a_second_person_in_beside_the_first_but_not_the_first_again() {
    let server = multi_session_server().await;
    let demo = server.demo_client().await;
    demo.hold_session(None);
    let connected = common::oauth::connect(&demo, "oauth_github", &[], &Consent::approve()).await;
    assert!(matches!(connected.result, FlowResult::AccountVerified { .. }), "{:?}", connected.result);

    // Demo's own GitHub identity, from another handle on the same client: demo is signed in here.
    let second = demo.session_handle(None);
    let again = common::oauth::sign_in(&second, "oauth_github", &Consent::approve()).await;
    match &again.result {
        FlowResult::SignInFailed { error } => assert_eq!(error.code, "identifier_already_signed_in"),
        other => panic!("expected the second sign-in to be refused, got {other:?}"),
    }
    assert_eq!(second.me().await.expect_err("not signed in").code(), "signed_out");

    // Someone new through another provider: a new user, signed in beside demo.
    let consent = Consent::approve().with("email", "grace@example.com");
    let grace = common::oauth::sign_in(&second, "oauth_gitlab", &consent).await;
    match &grace.result {
        FlowResult::SignedIn { user, new_user } => {
            assert!(new_user);
            assert_eq!(user.primary_email_address().expect("email").email_address, "grace@example.com");
        }
        other => panic!("expected a new user signed in, got {other:?}"),
    }
    assert_eq!(
        second.me().await.expect("grace").primary_email_address().expect("email").email_address,
        "grace@example.com"
    );
    assert_eq!(demo.me().await.expect("demo still").username.as_deref(), Some("demo"));
}
