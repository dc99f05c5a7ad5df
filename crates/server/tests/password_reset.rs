//! Forgot password at sign-in (`reset_password_email_code`, `reset_password_phone_code`, then
//! `POST …/reset_password`), through `crates/fapi` against the real server: the code by email
//! and by text, wrong, late and reused codes, the password policy on the new password, signing
//! out the other sessions, and the `needs_new_password` status between the two steps.

mod common;

use std::time::Duration;

use common::{enc, TestServer};
use reqwest::Method;
use serde_json::json;
use userdesk_conformance::Spec;
use userdesk_fapi::models::SignInStatus;
use userdesk_fapi::CodeFactor;
use userdesk_server::{FirstFactors, RateLimit};

const EMAIL: &str = "ada@example.com";
const PHONE: &str = "+14155550142";
const PASSWORD: &str = "long-enough-1";
const NEW_PASSWORD: &str = "a brand new passphrase";

fn plenty(config: &mut userdesk_server::Config) {
    let plenty = RateLimit::new(1000, Duration::from_secs(1));
    config.sign_in_rate_limit_per_identifier = plenty;
    config.sign_in_rate_limit_per_client = plenty;
}

async fn server_with(adjust: impl FnOnce(&mut userdesk_server::Config)) -> TestServer {
    let server = TestServer::start_with(|config| {
        plenty(config);
        adjust(config);
    })
    .await;
    server.create_user(json!({"email_address": [EMAIL], "password": PASSWORD})).await;
    server
}

/// A client signed in with the password: "another device" of the user's.
async fn other_device(server: &TestServer) -> userdesk_fapi::Client {
    let client = server.client();
    let signed_in = client.sign_in_with_password(EMAIL, PASSWORD).await.expect("signed in");
    assert_eq!(signed_in.status, SignInStatus::Complete);
    client
}

async fn signs_in(server: &TestServer, password: &str) -> bool {
    server.client().sign_in_with_password(EMAIL, password).await.is_ok()
}

#[tokio::test]
async fn an_emailed_code_resets_the_password_and_can_sign_out_the_other_devices() {
    let server = server_with(|_| {}).await;
    let laptop = other_device(&server).await;
    let client = server.client();
    let sign_in = client.sign_in_with_identifier(EMAIL).await.expect("identified");
    client.prepare_first_factor(&sign_in.id, CodeFactor::ResetPasswordEmailCode, None).await.expect("sent");
    let code = server.latest_code(EMAIL).await;
    let verified = client
        .attempt_first_factor(&sign_in.id, CodeFactor::ResetPasswordEmailCode, &code)
        .await
        .expect("the right code");
    assert_eq!(verified.status, SignInStatus::NeedsNewPassword);
    assert!(verified.created_session_id.is_none(), "not signed in by the code alone");
    let read = client.get_sign_in(&sign_in.id).await.expect("read");
    assert_eq!(read.status, SignInStatus::NeedsNewPassword, "the status stays until the new password");
    assert!(client.me().await.is_err());

    // The policy applies to the new password; a refused one changes nothing.
    let weak = client.reset_password(&sign_in.id, "short", true).await.expect_err("too short");
    assert_eq!((weak.status(), weak.field()), (Some(422), Some("password")), "{weak:?}");
    assert!(laptop.me().await.is_ok(), "the other device is still signed in");
    assert!(signs_in(&server, PASSWORD).await, "the old password still works");

    let done = client.reset_password(&sign_in.id, NEW_PASSWORD, true).await.expect("reset");
    assert_eq!(done.status, SignInStatus::Complete);
    assert!(client.me().await.is_ok(), "signed in here");
    assert!(laptop.me().await.is_err(), "the other devices were signed out");
    assert!(!signs_in(&server, PASSWORD).await, "the old password no longer works");
    assert!(signs_in(&server, NEW_PASSWORD).await, "the new one does");
    // One reset per code.
    let again = client.reset_password(&sign_in.id, "yet another passphrase", false).await.expect_err("done");
    assert_eq!(again.field(), Some("password"));
    assert!(signs_in(&server, NEW_PASSWORD).await);
}

#[tokio::test]
async fn a_texted_code_resets_the_password_and_keeps_the_other_devices() {
    let server = server_with(|config| config.first_factors = FirstFactors::all()).await;
    let laptop = other_device(&server).await;
    let phone = laptop.create_phone_number(PHONE).await.expect("added");
    laptop.prepare_phone_verification(&phone.id).await.expect("texted");
    let code = server.latest_code(PHONE).await;
    laptop.attempt_phone_verification(&phone.id, &code).await.expect("verified");

    let client = server.client();
    let sign_in = client.sign_in_with_identifier(PHONE).await.expect("identified by phone");
    let factors: Vec<_> =
        sign_in.supported_first_factors.iter().flatten().map(|f| f.strategy.as_str()).collect();
    assert!(factors.contains(&"reset_password_phone_code"), "{factors:?}");
    client.prepare_first_factor(&sign_in.id, CodeFactor::ResetPasswordPhoneCode, None).await.expect("texted");
    let code = server.latest_code(PHONE).await;
    let verified = client
        .attempt_first_factor(&sign_in.id, CodeFactor::ResetPasswordPhoneCode, &code)
        .await
        .expect("the right code");
    assert_eq!(verified.status, SignInStatus::NeedsNewPassword);
    let done = client.reset_password(&sign_in.id, NEW_PASSWORD, false).await.expect("reset");
    assert_eq!(done.status, SignInStatus::Complete);
    assert!(laptop.me().await.is_ok(), "the other device stays signed in when not asked");
    assert!(signs_in(&server, NEW_PASSWORD).await);
}

#[tokio::test]
async fn wrong_late_and_reused_codes_reset_nothing() {
    let server = server_with(|config| {
        config.code_lifetime = Duration::from_secs(1);
        config.resend_cooldown = Duration::ZERO;
    })
    .await;
    let client = server.client();
    let sign_in = client.sign_in_with_identifier(EMAIL).await.expect("identified");
    let early = client.reset_password(&sign_in.id, NEW_PASSWORD, false).await.expect_err("no code yet");
    assert_eq!(early.field(), Some("password"));

    client.prepare_first_factor(&sign_in.id, CodeFactor::ResetPasswordEmailCode, None).await.expect("sent");
    let code = server.latest_code(EMAIL).await;
    let wrong = if code == "000000" { "111111" } else { "000000" };
    let refused = client
        .attempt_first_factor(&sign_in.id, CodeFactor::ResetPasswordEmailCode, wrong)
        .await
        .expect_err("wrong");
    assert_eq!(refused.code(), "form_code_incorrect");
    assert_eq!(client.get_sign_in(&sign_in.id).await.expect("read").status, SignInStatus::NeedsFirstFactor);

    tokio::time::sleep(Duration::from_millis(1200)).await;
    let late = client
        .attempt_first_factor(&sign_in.id, CodeFactor::ResetPasswordEmailCode, &code)
        .await
        .expect_err("late");
    assert_eq!(late.code(), "verification_expired");
    assert!(client.reset_password(&sign_in.id, NEW_PASSWORD, false).await.is_err());

    // A new code works once; used again it is refused, and the password is what was set.
    client.prepare_first_factor(&sign_in.id, CodeFactor::ResetPasswordEmailCode, None).await.expect("again");
    let code = server.latest_code(EMAIL).await;
    client.attempt_first_factor(&sign_in.id, CodeFactor::ResetPasswordEmailCode, &code).await.expect("right");
    let reused = client
        .attempt_first_factor(&sign_in.id, CodeFactor::ResetPasswordEmailCode, &code)
        .await
        .expect_err("reused");
    assert_eq!(reused.code(), "verification_already_verified");
    assert!(signs_in(&server, PASSWORD).await, "nothing was reset yet");
}

#[tokio::test]
async fn reset_responses_match_the_spec() {
    let server = server_with(|_| {}).await;
    let raw = server.raw();
    let created =
        raw.form(Method::POST, "/v1/client/sign_ins", None, format!("identifier={}", enc(EMAIL))).await;
    let token = created.token.clone().expect("a token");
    let id = created.body["response"]["id"].as_str().expect("id").to_owned();
    let check = |method: &str, path: &str, status: u16, reply: &common::Reply| {
        assert_eq!(reply.status.as_u16(), status, "{method} {path}: {}", reply.body);
        if let Err(violations) = Spec::fapi().check_response(method, path, status, &reply.body) {
            panic!("{violations}\nbody: {:#}", reply.body);
        }
    };
    let reset = format!("/v1/client/sign_ins/{id}/reset_password");
    let spec_reset = "/v1/client/sign_ins/{sign_in_id}/reset_password";
    check(
        "POST",
        spec_reset,
        422,
        &raw.form(Method::POST, &reset, Some(&token), "password=another-long-one-2").await,
    );
    raw.form(
        Method::POST,
        &format!("/v1/client/sign_ins/{id}/prepare_first_factor"),
        Some(&token),
        "strategy=reset_password_email_code",
    )
    .await;
    let code = server.latest_code(EMAIL).await;
    raw.form(
        Method::POST,
        &format!("/v1/client/sign_ins/{id}/attempt_first_factor"),
        Some(&token),
        format!("strategy=reset_password_email_code&code={code}"),
    )
    .await;
    let waiting = raw.get(&format!("/v1/client/sign_ins/{id}"), Some(&token)).await;
    check("GET", "/v1/client/sign_ins/{sign_in_id}", 200, &waiting);
    assert_eq!(waiting.body["response"]["status"], "needs_new_password");
    let bad_flag = raw
        .form(
            Method::POST,
            &reset,
            Some(&token),
            "password=another-long-one-2&sign_out_of_other_sessions=maybe",
        )
        .await;
    check("POST", spec_reset, 422, &bad_flag);
    assert_eq!(bad_flag.body["errors"][0]["meta"]["param_name"], "sign_out_of_other_sessions");
    let done = raw
        .form(
            Method::POST,
            &reset,
            Some(&token),
            "password=another-long-one-2&sign_out_of_other_sessions=true",
        )
        .await;
    check("POST", spec_reset, 200, &done);
    assert_eq!(done.body["response"]["status"], "complete");
}
