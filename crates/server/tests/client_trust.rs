//! Clerk's new-device check (`needs_client_trust`, `Config::client_trust`), through
//! `crates/fapi` against the real server: a right password from a client the user never signed
//! in on asks a code sent to their email, which completes the sign-in; a client they signed in on
//! is not asked again; wrong codes are refused and count toward the user's lockout.

mod common;

use std::time::Duration;

use common::TestServer;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use userdesk_fapi::models::SignInStatus;
use userdesk_fapi::TrustFactor;
use userdesk_server::RateLimit;

const EMAIL: &str = "ada@example.com";
const PASSWORD: &str = "long-enough-1";

/// The server, and the id of its user (`EMAIL`, `PASSWORD`).
async fn server(client_trust: bool) -> (TestServer, String) {
    let server = TestServer::start_with(|config| {
        let plenty = RateLimit::new(1000, Duration::from_secs(1));
        config.sign_in_rate_limit_per_identifier = plenty;
        config.sign_in_rate_limit_per_client = plenty;
        config.client_trust = client_trust;
    })
    .await;
    let body = json!({"email_address": [EMAIL], "password": PASSWORD});
    let created = server.raw().backend(Method::POST, "/v1/users", Some(&server.secret_key), Some(body)).await;
    assert_eq!(created.status, StatusCode::OK, "{}", created.body);
    let id = created.body["id"].as_str().expect("the user's id").to_owned();
    (server, id)
}

/// The Backend API's `verification_attempts_remaining` of the user.
async fn attempts_remaining(server: &TestServer, user_id: &str) -> Value {
    let path = format!("/v1/users/{user_id}");
    let user = server.raw().backend(Method::GET, &path, Some(&server.secret_key), None).await;
    assert_eq!(user.status, StatusCode::OK, "{}", user.body);
    user.body["verification_attempts_remaining"].clone()
}

#[tokio::test]
async fn a_new_client_confirms_with_the_emailed_code_and_is_then_known() {
    let (server, _) = server(true).await;
    let client = server.client();
    let asked = client.sign_in_with_password(EMAIL, PASSWORD).await.expect("the password is right");
    assert_eq!(asked.status, SignInStatus::NeedsClientTrust);
    assert!(asked.created_session_id.is_none());
    let offered: Vec<_> =
        asked.supported_second_factors.iter().flatten().map(|f| f.strategy.as_str()).collect();
    assert_eq!(offered, ["email_code"]);
    assert!(client.me().await.is_err(), "not signed in yet");

    client.prepare_client_trust(&asked.id, TrustFactor::EmailCode, None).await.expect("sent");
    let code = server.latest_code(EMAIL).await;
    let done =
        client.attempt_client_trust(&asked.id, TrustFactor::EmailCode, &code).await.expect("right code");
    assert_eq!(done.status, SignInStatus::Complete);
    assert!(client.me().await.is_ok());

    // Known now: the next password sign-in here asks nothing more.
    client.sign_out().await.expect("signed out");
    let again = client.sign_in_with_password(EMAIL, PASSWORD).await.expect("signed in");
    assert_eq!(again.status, SignInStatus::Complete);
    // Another client is still new.
    let other = server.client().sign_in_with_password(EMAIL, PASSWORD).await.expect("right password");
    assert_eq!(other.status, SignInStatus::NeedsClientTrust);
}

#[tokio::test]
async fn without_the_setting_a_new_client_is_not_asked() {
    let (server, _) = server(false).await;
    let done = server.client().sign_in_with_password(EMAIL, PASSWORD).await.expect("signed in");
    assert_eq!(done.status, SignInStatus::Complete);
}

#[tokio::test]
async fn wrong_codes_are_refused_and_counted() {
    let (server, user_id) = server(true).await;
    let before = attempts_remaining(&server, &user_id).await;
    let client = server.client();
    let asked = client.sign_in_with_password(EMAIL, PASSWORD).await.expect("the password is right");
    client.prepare_client_trust(&asked.id, TrustFactor::EmailCode, None).await.expect("sent");
    let code = server.latest_code(EMAIL).await;
    let wrong = if code == "000000" { "111111" } else { "000000" };
    let refused =
        client.attempt_client_trust(&asked.id, TrustFactor::EmailCode, wrong).await.expect_err("wrong");
    assert_eq!(refused.code(), "form_code_incorrect");
    assert_eq!(client.get_sign_in(&asked.id).await.expect("read").status, SignInStatus::NeedsClientTrust);
    assert!(client.me().await.is_err(), "not signed in");
    let after = attempts_remaining(&server, &user_id).await;
    assert_eq!(
        after.as_i64().zip(before.as_i64()).map(|(a, b)| b - a),
        Some(1),
        "one wrong code counted: {before} → {after}"
    );
    // The right code still completes it.
    let done = client.attempt_client_trust(&asked.id, TrustFactor::EmailCode, &code).await.expect("right");
    assert_eq!(done.status, SignInStatus::Complete);
}
