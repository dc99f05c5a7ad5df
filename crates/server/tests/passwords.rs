//! Changing and removing the password, and the rules a new one must meet.

mod common;

use common::browser::Consent;
use common::{oauth, TestServer};
use reqwest::{Method, StatusCode};
use serde_json::json;
use userdesk_server::{DEMO_EMAIL, DEMO_PASSWORD};

#[tokio::test]
async fn changing_the_password() {
    let server = TestServer::start().await;
    let client = server.demo_client().await;
    let before = client.me().await.expect("me").password_last_updated_at;

    let error =
        client.change_password("not-it-at-all", "a-new-long-one", false).await.expect_err("wrong current");
    assert_eq!(
        (error.status(), error.code(), error.field()),
        (Some(422), "form_password_incorrect", Some("current_password"))
    );
    let error = client.change_password(DEMO_PASSWORD, "short", false).await.expect_err("too short");
    assert_eq!((error.code(), error.field()), ("form_password_length_too_short", Some("new_password")));
    for common in ["password", "12345678", "iloveyou", "Qwertyuiop", "PASSWORD1"] {
        let error = client.change_password(DEMO_PASSWORD, common, false).await.expect_err(common);
        assert_eq!((error.code(), error.field()), ("form_password_pwned", Some("new_password")), "{common}");
    }
    let error = client.change_password(DEMO_PASSWORD, &"x".repeat(257), false).await.expect_err("too long");
    assert_eq!(error.code(), "form_param_max_length_exceeded");

    let user = client.change_password(DEMO_PASSWORD, "a-new-long-one", false).await.expect("changed");
    assert!(user.password_enabled);
    assert!(user.password_last_updated_at >= before);
    client.me().await.expect("still signed in");
    let other = server.client();
    let error = other.sign_in_with_password(DEMO_EMAIL, DEMO_PASSWORD).await.expect_err("the old one");
    assert_eq!(error.code(), "form_password_incorrect");
    other.sign_in_with_password(DEMO_EMAIL, "a-new-long-one").await.expect("the new one");

    // Malformed forms over raw HTTP.
    let token = {
        let raw = server.raw();
        raw.form(
            Method::POST,
            "/v1/client/sign_ins",
            None,
            format!("identifier={DEMO_EMAIL}&password=a-new-long-one"),
        )
        .await
        .token
        .expect("token")
    };
    let raw = server.raw();
    let missing = raw
        .form(Method::POST, "/v1/me/change_password", Some(&token), "current_password=a-new-long-one")
        .await;
    assert_eq!(
        (missing.status, missing.code(), missing.param()),
        (StatusCode::UNPROCESSABLE_ENTITY, "form_param_missing", Some("new_password"))
    );
    // Reverification is on by default: then the current password is not asked (Clerk's rule; the
    // rule with it off is in tests/reverification.rs).
    let no_current =
        raw.form(Method::POST, "/v1/me/change_password", Some(&token), "new_password=another-long-one").await;
    assert_eq!(no_current.status, StatusCode::OK, "{}", no_current.body);
    let flag = raw
        .form(
            Method::POST,
            "/v1/me/change_password",
            Some(&token),
            "current_password=a-new-long-one&new_password=another-long-one&sign_out_of_other_sessions=maybe",
        )
        .await;
    assert_eq!(
        (flag.code(), flag.param()),
        ("form_param_format_invalid", Some("sign_out_of_other_sessions"))
    );
    let unknown = raw.form(Method::POST, "/v1/me/change_password", Some(&token), "password=x").await;
    assert_eq!(unknown.code(), "form_param_unknown");
}

#[tokio::test]
async fn changing_it_can_sign_out_every_other_session() {
    let server = TestServer::start().await;
    let here = server.demo_client().await;
    let elsewhere = server.demo_client().await;
    let kept = server.demo_client().await;

    here.change_password(DEMO_PASSWORD, "first-new-password", false).await.expect("changed");
    kept.me().await.expect("other sessions stay when not asked");
    here.change_password("first-new-password", "second-new-password", true).await.expect("changed");
    here.me().await.expect("this session stays");
    for client in [&elsewhere, &kept] {
        let error = client.me().await.expect_err("signed out");
        assert_eq!((error.status(), error.code()), (Some(401), "signed_out"));
    }
    assert_eq!(here.get_sessions().await.expect("list").len(), 1);
}

#[tokio::test]
async fn the_password_goes_only_when_another_way_to_sign_in_exists() {
    let server = TestServer::start().await;
    let client = server.demo_client().await;
    let error = client.remove_password(DEMO_PASSWORD).await.expect_err("the only way in");
    assert_eq!((error.status(), error.code()), (Some(400), "password_removal_not_allowed"));
    let error = client.remove_password("wrong-password").await.expect_err("wrong");
    assert_eq!((error.code(), error.field()), ("form_password_incorrect", Some("current_password")));
    assert!(client.me().await.expect("me").password_enabled, "nothing changed");

    let trip = oauth::connect(&client, "oauth_github", &[], &Consent::approve()).await;
    assert!(matches!(trip.result, userdesk_fapi::FlowResult::AccountVerified { .. }), "{:?}", trip.result);
    let user = client.remove_password(DEMO_PASSWORD).await.expect("removed");
    assert!(!user.password_enabled);
    assert_eq!(user.password_last_updated_at, None);
    let error =
        server.client().sign_in_with_password(DEMO_EMAIL, DEMO_PASSWORD).await.expect_err("no password");
    assert_eq!(error.code(), "form_password_incorrect");
    let error = client.remove_password(DEMO_PASSWORD).await.expect_err("none left");
    assert_eq!((error.status(), error.code()), (Some(400), "no_password_set"));
    // Setting one again needs no current password.
    client.change_password("", "back-again-password", false).await.expect("set");
    assert!(client.me().await.expect("me").password_enabled);
}

/// The Backend API holds a new user's password to the same policy as sign-up and change: a
/// common one is refused (it once checked the length only). A migration may still skip it.
#[tokio::test]
async fn the_backend_api_refuses_a_common_password() {
    let server = TestServer::start().await;
    let raw = server.raw();
    let key = Some(server.secret_key.as_str());
    for common in ["password", "12345678", "Qwertyuiop"] {
        let body = json!({"email_address": ["common@example.com"], "password": common});
        let reply = raw.backend(Method::POST, "/v1/users", key, Some(body)).await;
        assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY, "{common}: {}", reply.body);
        assert_eq!((reply.code(), reply.param()), ("form_password_pwned", Some("password")), "{common}");
    }
    let body = json!({"email_address": ["common@example.com"], "password": "short"});
    let reply = raw.backend(Method::POST, "/v1/users", key, Some(body)).await;
    assert_eq!((reply.code(), reply.param()), ("form_password_length_too_short", Some("password")));
    let body = json!({"email_address": ["common@example.com"], "password": "password", "skip_password_checks": true});
    let reply = raw.backend(Method::POST, "/v1/users", key, Some(body)).await;
    assert_eq!(reply.status, StatusCode::OK, "a migration skips the checks: {}", reply.body);
}
