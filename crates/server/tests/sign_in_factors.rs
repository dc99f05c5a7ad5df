//! First factors by code as the instance configures them (`Config::first_factors`): email and
//! SMS codes, a passwordless instance, factors an instance does not enable, and the operations'
//! conformance to the spec.

mod common;

use std::time::Duration;

use common::{enc, TestServer};
use reqwest::Method;
use serde_json::{json, Value};
use userdesk_conformance::Spec;
use userdesk_fapi::models::{SignIn, SignInStatus, VerificationStatus};
use userdesk_fapi::CodeFactor;
use userdesk_server::{FirstFactors, RateLimit};

const EMAIL: &str = "ada@example.com";
const PHONE: &str = "+14155550142";
const PASSWORD: &str = "long-enough-1";

fn plenty(config: &mut userdesk_server::Config) {
    let plenty = RateLimit::new(1000, Duration::from_secs(1));
    config.sign_in_rate_limit_per_identifier = plenty;
    config.sign_in_rate_limit_per_client = plenty;
}

async fn server_with(factors: FirstFactors) -> TestServer {
    let server = TestServer::start_with(|config| {
        plenty(config);
        config.first_factors = factors;
    })
    .await;
    server.create_user(json!({"email_address": [EMAIL], "password": PASSWORD})).await;
    server
}

/// Adds `PHONE` to the user, verified by its SMS code, from a signed-in client.
async fn add_phone(server: &TestServer) {
    let client = server.client();
    client.sign_in_with_password(EMAIL, PASSWORD).await.expect("signed in");
    let phone = client.create_phone_number(PHONE).await.expect("added");
    client.prepare_phone_verification(&phone.id).await.expect("sent");
    let code = server.latest_code(PHONE).await;
    client.attempt_phone_verification(&phone.id, &code).await.expect("verified");
}

fn meta(error: &userdesk_fapi::Error, key: &str) -> Value {
    error.clerk_error().and_then(|e| e.meta.get(key).cloned()).unwrap_or(Value::Null)
}

fn strategies(sign_in: &SignIn) -> Vec<String> {
    sign_in.supported_first_factors.iter().flatten().map(|f| f.strategy.clone()).collect()
}

#[tokio::test]
async fn an_email_code_signs_in() {
    let server = server_with(FirstFactors::default()).await;
    let client = server.client();
    let sign_in = client.sign_in_with_identifier(EMAIL).await.expect("identified");
    assert_eq!(sign_in.status, SignInStatus::NeedsFirstFactor);
    assert_eq!(strategies(&sign_in), ["password", "email_code", "reset_password_email_code"]);
    let factor = &sign_in.supported_first_factors.as_ref().expect("factors")[1];
    assert_eq!(factor.safe_identifier.as_deref(), Some(EMAIL), "the identifier as typed");
    assert!(factor.email_address_id.as_deref().is_some_and(|id| id.starts_with("idn_")), "{factor:?}");

    let prepared = client
        .prepare_first_factor(&sign_in.id, CodeFactor::EmailCode, factor.email_address_id.as_deref())
        .await
        .expect("a code is sent");
    let verification = prepared.first_factor_verification.expect("the verification");
    assert_eq!(verification.strategy, "email_code");
    assert!(verification.expire_at.is_some());
    let code = server.latest_code(EMAIL).await;
    let done =
        client.attempt_first_factor(&sign_in.id, CodeFactor::EmailCode, &code).await.expect("signed in");
    assert_eq!(done.status, SignInStatus::Complete);
    assert!(done.created_session_id.is_some());
    assert_eq!(
        client.me().await.expect("signed in").primary_email_address().map(|e| e.email_address.as_str()),
        Some(EMAIL)
    );
    // The code worked once.
    let again =
        client.attempt_first_factor(&sign_in.id, CodeFactor::EmailCode, &code).await.expect_err("used");
    assert_eq!(again.code(), "verification_already_verified");
}

#[tokio::test]
async fn wrong_and_late_codes_are_refused_and_change_nothing() {
    let server = TestServer::start_with(|config| {
        plenty(config);
        config.code_lifetime = Duration::from_secs(1);
    })
    .await;
    server.create_user(json!({"email_address": [EMAIL], "password": PASSWORD})).await;
    let client = server.client();
    let sign_in = client.sign_in_with_identifier(EMAIL).await.expect("identified");
    let missing = client
        .attempt_first_factor(&sign_in.id, CodeFactor::EmailCode, "123456")
        .await
        .expect_err("none sent");
    assert_eq!(missing.code(), "verification_missing");
    client.prepare_first_factor(&sign_in.id, CodeFactor::EmailCode, None).await.expect("sent");
    let code = server.latest_code(EMAIL).await;
    let wrong = if code == "000000" { "111111" } else { "000000" };
    let malformed =
        client.attempt_first_factor(&sign_in.id, CodeFactor::EmailCode, "12ab").await.expect_err("malformed");
    assert_eq!(malformed.code(), "form_param_format_invalid");
    let first =
        client.attempt_first_factor(&sign_in.id, CodeFactor::EmailCode, wrong).await.expect_err("wrong");
    assert_eq!(first.code(), "form_code_incorrect");
    assert_eq!(meta(&first, "attempts_remaining"), json!(2), "the malformed one did not count");
    let read = client.get_sign_in(&sign_in.id).await.expect("read");
    assert_eq!(read.status, SignInStatus::NeedsFirstFactor, "nothing changed");
    assert!(client.me().await.is_err(), "not signed in");

    tokio::time::sleep(Duration::from_millis(1200)).await;
    let late =
        client.attempt_first_factor(&sign_in.id, CodeFactor::EmailCode, &code).await.expect_err("late");
    assert_eq!(late.code(), "verification_expired");
    assert!(client.me().await.is_err(), "still not signed in");
}

#[tokio::test]
async fn three_wrong_codes_fail_the_verification() {
    let server = TestServer::start_with(|config| {
        plenty(config);
        config.lockout_max_attempts = 4;
    })
    .await;
    server.create_user(json!({"email_address": [EMAIL], "password": PASSWORD})).await;
    let client = server.client();
    let sign_in = client.sign_in_with_identifier(EMAIL).await.expect("identified");
    client.prepare_first_factor(&sign_in.id, CodeFactor::EmailCode, None).await.expect("sent");
    let code = server.latest_code(EMAIL).await;
    let wrong = if code == "000000" { "111111" } else { "000000" };
    for left in [2, 1] {
        let error =
            client.attempt_first_factor(&sign_in.id, CodeFactor::EmailCode, wrong).await.expect_err("wrong");
        assert_eq!((error.code(), meta(&error, "attempts_remaining")), ("form_code_incorrect", json!(left)));
    }
    let last =
        client.attempt_first_factor(&sign_in.id, CodeFactor::EmailCode, wrong).await.expect_err("third");
    assert_eq!(last.code(), "verification_failed");
    let right =
        client.attempt_first_factor(&sign_in.id, CodeFactor::EmailCode, &code).await.expect_err("failed");
    assert_eq!(right.code(), "verification_failed");
    assert!(client.me().await.is_err());
    // The three count toward the user's lockout, as wrong passwords do: one wrong password more
    // reaches the limit of four.
    let locked = server.client().sign_in_with_password(EMAIL, "wrong-password-9").await.expect_err("wrong");
    assert_eq!(locked.code(), "user_locked");
}

#[tokio::test]
async fn a_phone_number_identifies_and_an_sms_code_signs_in() {
    let server = server_with(FirstFactors::all()).await;
    add_phone(&server).await;
    let client = server.client();
    let sign_in = client.sign_in_with_identifier(PHONE).await.expect("identified by phone");
    assert!(strategies(&sign_in).contains(&"phone_code".to_owned()), "{:?}", strategies(&sign_in));
    client.prepare_first_factor(&sign_in.id, CodeFactor::PhoneCode, None).await.expect("an SMS");
    let code = server.latest_code(PHONE).await;
    let done =
        client.attempt_first_factor(&sign_in.id, CodeFactor::PhoneCode, &code).await.expect("signed in");
    assert_eq!(done.status, SignInStatus::Complete);
}

#[tokio::test]
async fn a_factor_the_instance_does_not_enable_is_refused() {
    let server = server_with(FirstFactors::default()).await;
    add_phone(&server).await;
    let sent_before = server.outbox().await.len();
    let client = server.client();
    // Phone codes are off by default: no SMS, and the number identifies nobody.
    let sign_in = client.sign_in_with_identifier(EMAIL).await.expect("identified");
    assert!(!strategies(&sign_in).contains(&"phone_code".to_owned()));
    let refused =
        client.prepare_first_factor(&sign_in.id, CodeFactor::PhoneCode, None).await.expect_err("off");
    assert_eq!(refused.code(), "strategy_for_user_invalid");
    assert_eq!(refused.status(), Some(422));
    assert_eq!(server.outbox().await.len(), sent_before, "no SMS went out");
    let by_phone = server.client().sign_in_with_identifier(PHONE).await.expect_err("not an identifier here");
    assert_eq!(by_phone.code(), "form_identifier_not_found");
}

#[tokio::test]
async fn a_passwordless_instance_signs_in_by_email_code_only() {
    let server = server_with(FirstFactors::email_code_only()).await;
    let environment = server.client().environment().await.expect("environment");
    // Passkeys stay on (`Config::passkeys`): they need no password either.
    assert_eq!(
        environment.first_factors().iter().filter(|s| !s.starts_with("oauth_")).collect::<Vec<_>>(),
        ["email_code", "passkey"]
    );
    assert!(!environment.password_enabled());
    let email = &environment.user_settings.attributes["email_address"];
    assert_eq!(email["first_factors"], json!(["email_code"]));
    assert_eq!(email["used_for_first_factor"], json!(true));

    let refused =
        server.client().sign_in_with_password(EMAIL, PASSWORD).await.expect_err("no passwords here");
    assert_eq!(refused.code(), "strategy_for_user_invalid");
    let client = server.client();
    let sign_in = client.sign_in_with_identifier(EMAIL).await.expect("identified");
    assert_eq!(strategies(&sign_in), ["email_code"]);
    let password = client.attempt_password(&sign_in.id, PASSWORD).await.expect_err("not a factor here");
    assert_eq!(password.code(), "strategy_for_user_invalid");
    let reset = client
        .prepare_first_factor(&sign_in.id, CodeFactor::ResetPasswordEmailCode, None)
        .await
        .expect_err("no");
    assert_eq!(reset.code(), "strategy_for_user_invalid");
    client.prepare_first_factor(&sign_in.id, CodeFactor::EmailCode, None).await.expect("sent");
    let code = server.latest_code(EMAIL).await;
    let done =
        client.attempt_first_factor(&sign_in.id, CodeFactor::EmailCode, &code).await.expect("signed in");
    assert_eq!(done.status, SignInStatus::Complete);
}

#[tokio::test]
async fn the_default_environment_tells_the_default_factors() {
    let server = TestServer::start().await;
    let environment = server.client().environment().await.expect("environment");
    let ours = |list: Vec<String>| list.into_iter().filter(|s| !s.starts_with("oauth_")).collect::<Vec<_>>();
    assert_eq!(
        ours(environment.first_factors()),
        ["password", "email_code", "reset_password_email_code", "passkey"]
    );
    assert_eq!(ours(environment.identification_strategies()), ["email_address", "username"]);
    assert!(environment.password_enabled());
}

#[track_caller]
fn fapi(method: &str, path: &str, status: u16, reply: &common::Reply) {
    assert_eq!(reply.status.as_u16(), status, "{method} {path}: {}", reply.body);
    if let Err(violations) = Spec::fapi().check_response(method, path, status, &reply.body) {
        panic!("{violations}\nbody: {:#}", reply.body);
    }
}

#[tokio::test]
async fn sign_in_factor_responses_match_the_spec() {
    let server = TestServer::start_with(|config| {
        plenty(config);
        config.first_factors = FirstFactors::all();
        config.client_trust = true;
    })
    .await;
    server.create_user(json!({"email_address": [EMAIL], "password": PASSWORD})).await;
    let raw = server.raw();
    let created =
        raw.form(Method::POST, "/v1/client/sign_ins", None, format!("identifier={}", enc(EMAIL))).await;
    fapi("POST", "/v1/client/sign_ins", 200, &created);
    let token = created.token.clone().expect("a token");
    let id = created.body["response"]["id"].as_str().expect("id").to_owned();
    let prepare = format!("/v1/client/sign_ins/{id}/prepare_first_factor");
    let attempt = format!("/v1/client/sign_ins/{id}/attempt_first_factor");
    let spec_prepare = "/v1/client/sign_ins/{sign_in_id}/prepare_first_factor";
    let spec_attempt = "/v1/client/sign_ins/{sign_in_id}/attempt_first_factor";
    fapi(
        "POST",
        spec_prepare,
        422,
        &raw.form(Method::POST, &prepare, Some(&token), "strategy=web3_metamask_signature").await,
    );
    fapi(
        "POST",
        spec_prepare,
        200,
        &raw.form(Method::POST, &prepare, Some(&token), "strategy=reset_password_email_code").await,
    );
    fapi(
        "POST",
        spec_prepare,
        429,
        &raw.form(Method::POST, &prepare, Some(&token), "strategy=reset_password_email_code").await,
    );
    let code = server.latest_code(EMAIL).await;
    let wrong = if code == "000000" { "111111" } else { "000000" };
    fapi(
        "POST",
        spec_attempt,
        422,
        &raw.form(
            Method::POST,
            &attempt,
            Some(&token),
            format!("strategy=reset_password_email_code&code={wrong}"),
        )
        .await,
    );
    let verified = raw
        .form(Method::POST, &attempt, Some(&token), format!("strategy=reset_password_email_code&code={code}"))
        .await;
    fapi("POST", spec_attempt, 200, &verified);
    assert_eq!(verified.body["response"]["status"], "needs_new_password");
    let reset = format!("/v1/client/sign_ins/{id}/reset_password");
    let spec_reset = "/v1/client/sign_ins/{sign_in_id}/reset_password";
    fapi("POST", spec_reset, 422, &raw.form(Method::POST, &reset, Some(&token), "password=short").await);
    let done = raw.form(Method::POST, &reset, Some(&token), "password=another-long-one-2").await;
    fapi("POST", spec_reset, 200, &done);
    assert_eq!(done.body["response"]["status"], "complete");
    fapi(
        "POST",
        spec_attempt,
        400,
        &raw.form(
            Method::POST,
            &attempt,
            Some(&token),
            format!("strategy=reset_password_email_code&code={code}"),
        )
        .await,
    );

    // The new-device check on another client.
    let other = raw
        .form(
            Method::POST,
            "/v1/client/sign_ins",
            None,
            format!("identifier={}&password=another-long-one-2", enc(EMAIL)),
        )
        .await;
    fapi("POST", "/v1/client/sign_ins", 200, &other);
    assert_eq!(other.body["response"]["status"], "needs_client_trust", "{}", other.body);
    let token = other.token.clone().expect("a token");
    let id = other.body["response"]["id"].as_str().expect("id").to_owned();
    let prepared = raw
        .form(
            Method::POST,
            &format!("/v1/client/sign_ins/{id}/prepare_second_factor"),
            Some(&token),
            "strategy=email_code",
        )
        .await;
    fapi("POST", "/v1/client/sign_ins/{sign_in_id}/prepare_second_factor", 200, &prepared);
    let code = server.latest_code(EMAIL).await;
    let trusted = raw
        .form(
            Method::POST,
            &format!("/v1/client/sign_ins/{id}/attempt_second_factor"),
            Some(&token),
            format!("strategy=email_code&code={code}"),
        )
        .await;
    fapi("POST", "/v1/client/sign_ins/{sign_in_id}/attempt_second_factor", 200, &trusted);
    assert_eq!(trusted.body["response"]["status"], "complete");
    fapi("GET", "/v1/environment", 200, &raw.get("/v1/environment", None).await);
}

/// A browser with no client of ours, as the one the email is opened in.
fn browser() -> reqwest::Client {
    reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().expect("client")
}

async fn open(link: &str) -> (u16, String) {
    let page = browser().get(link).header("accept", "text/html").send().await.expect("open the link");
    (page.status().as_u16(), page.text().await.expect("page"))
}

#[tokio::test]
async fn an_email_link_signs_in_the_client_that_asked_for_it() {
    let server = server_with(FirstFactors::all()).await;
    let client = server.client();
    let sign_in = client.sign_in_with_identifier(EMAIL).await.expect("identified");
    assert!(strategies(&sign_in).contains(&"email_link".to_owned()), "{:?}", strategies(&sign_in));
    let prepared = client.prepare_email_link(&sign_in.id, None, None).await.expect("a link is sent");
    let verification = prepared.first_factor_verification.expect("the verification");
    assert_eq!(
        (verification.strategy.as_str(), verification.status, verification.object.as_deref()),
        ("email_link", VerificationStatus::Unverified, Some("verification_email_link"))
    );
    assert!(verification.expire_at.is_some());
    let message = &server.outbox().await[0];
    assert_eq!((message.to.as_str(), message.code.as_deref()), (EMAIL, None));
    assert!(message.subject.contains("sign-in link"), "{}", message.subject);
    let link = server.latest_link(EMAIL).await;
    assert!(link.starts_with(&format!("{}/v1/verify?token=", server.url)), "{link}");

    // Until the link is opened the sign-in waits, and the link is not a code to attempt.
    assert_eq!(client.get_sign_in(&sign_in.id).await.expect("read").status, SignInStatus::NeedsFirstFactor);
    assert!(client.me().await.is_err(), "not signed in yet");

    // Opened in a browser that knows nothing of the client: the client is signed in.
    let (status, page) = open(&link).await;
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("signed in"), "{page}");
    let read = client.get_sign_in(&sign_in.id).await.expect("polled");
    assert_eq!(read.status, SignInStatus::Complete);
    assert!(read.created_session_id.is_some());
    assert_eq!(
        read.first_factor_verification.map(|v| (v.strategy, v.status)),
        Some(("email_link".to_owned(), VerificationStatus::Verified))
    );
    let me = client.me().await.expect("signed in by the link");
    assert_eq!(me.primary_email_address().map(|e| e.email_address.as_str()), Some(EMAIL));

    // The link works once.
    let (status, page) = open(&link).await;
    assert_eq!(status, 400);
    assert!(page.contains("already used") && page.contains("sign-in link works once"), "{page}");
    let json: Value = browser().get(&link).send().await.expect("again").json().await.expect("ClerkErrors");
    assert_eq!(json["errors"][0]["code"], "verification_already_verified");
}

#[tokio::test]
async fn a_late_or_replaced_sign_in_link_signs_nobody_in() {
    let server = TestServer::start_with(|config| {
        plenty(config);
        config.first_factors = FirstFactors::all();
        config.link_lifetime = Duration::from_millis(300);
        config.resend_cooldown = Duration::ZERO;
    })
    .await;
    server.create_user(json!({"email_address": [EMAIL], "password": PASSWORD})).await;
    let client = server.client();
    let sign_in = client.sign_in_with_identifier(EMAIL).await.expect("identified");
    client.prepare_email_link(&sign_in.id, None, None).await.expect("sent");
    let late = server.latest_link(EMAIL).await;
    tokio::time::sleep(Duration::from_millis(450)).await;
    let read = client.get_sign_in(&sign_in.id).await.expect("read");
    assert_eq!(read.first_factor_verification.map(|v| v.status), Some(VerificationStatus::Expired));
    let (status, page) = open(&late).await;
    assert_eq!(status, 400);
    assert!(page.contains("expired") && page.contains("Sign-in links"), "{page}");
    assert_eq!(client.get_sign_in(&sign_in.id).await.expect("read").status, SignInStatus::NeedsFirstFactor);

    // A newer link replaces it, and a code replaces that one.
    client.prepare_email_link(&sign_in.id, None, None).await.expect("sent again");
    let replaced = server.latest_link(EMAIL).await;
    assert_ne!(late, replaced);
    client.prepare_first_factor(&sign_in.id, CodeFactor::EmailCode, None).await.expect("a code instead");
    let (status, page) = open(&replaced).await;
    assert_eq!(status, 400);
    assert!(page.contains("not valid"), "{page}");
    assert!(client.me().await.is_err(), "nobody signed in");

    // `email_link` is not enabled by default.
    let plain = server_with(FirstFactors::default()).await;
    let other = plain.client();
    let started = other.sign_in_with_identifier(EMAIL).await.expect("identified");
    assert!(!strategies(&started).contains(&"email_link".to_owned()));
    let refused = other.prepare_email_link(&started.id, None, None).await.expect_err("off");
    assert_eq!(refused.code(), "strategy_for_user_invalid");
}

#[tokio::test]
async fn a_sign_in_link_goes_back_only_where_allowed() {
    let server = server_with(FirstFactors::all()).await;
    let client = server.client();
    let sign_in = client.sign_in_with_identifier(EMAIL).await.expect("identified");
    for bad in ["https://evil.example/done", "javascript:alert(1)", "other-app://done"] {
        let error = client.prepare_email_link(&sign_in.id, None, Some(bad)).await.expect_err("not allowed");
        assert_eq!(
            (error.status(), error.code(), error.field()),
            (Some(422), "form_param_value_invalid", Some("redirect_url")),
            "{bad}"
        );
    }
    assert!(server.outbox().await.is_empty(), "nothing was sent for a refused request");
    let target = "dev.userdesk.app://signed-in";
    client.prepare_email_link(&sign_in.id, None, Some(target)).await.expect("the app's scheme");
    let reply = browser().get(server.latest_link(EMAIL).await).send().await.expect("open");
    assert_eq!(reply.status().as_u16(), 303);
    assert_eq!(reply.headers()["location"], target);
    assert_eq!(client.get_sign_in(&sign_in.id).await.expect("read").status, SignInStatus::Complete);
}

#[tokio::test]
async fn email_link_responses_match_the_spec() {
    let server = server_with(FirstFactors::all()).await;
    let raw = server.raw();
    let created =
        raw.form(Method::POST, "/v1/client/sign_ins", None, format!("identifier={}", enc(EMAIL))).await;
    let token = created.token.clone().expect("a token");
    let id = created.body["response"]["id"].as_str().expect("id").to_owned();
    let prepare = format!("/v1/client/sign_ins/{id}/prepare_first_factor");
    let spec_prepare = "/v1/client/sign_ins/{sign_in_id}/prepare_first_factor";
    let spec_read = "/v1/client/sign_ins/{sign_in_id}";
    let used_with_code = raw
        .form(
            Method::POST,
            &prepare,
            Some(&token),
            "strategy=email_code&redirect_url=http%3A%2F%2F127.0.0.1%2F",
        )
        .await;
    fapi("POST", spec_prepare, 422, &used_with_code);
    assert_eq!(used_with_code.body["errors"][0]["meta"]["param_name"], "redirect_url");
    let prepared = raw.form(Method::POST, &prepare, Some(&token), "strategy=email_link").await;
    fapi("POST", spec_prepare, 200, &prepared);
    assert_eq!(prepared.body["response"]["first_factor_verification"]["strategy"], "email_link");
    let attempted = raw
        .form(
            Method::POST,
            &format!("/v1/client/sign_ins/{id}/attempt_first_factor"),
            Some(&token),
            "strategy=email_link&code=123456",
        )
        .await;
    fapi("POST", "/v1/client/sign_ins/{sign_in_id}/attempt_first_factor", 422, &attempted);
    assert_eq!(attempted.body["errors"][0]["meta"]["param_name"], "strategy");
    fapi("GET", spec_read, 200, &raw.get(&format!("/v1/client/sign_ins/{id}"), Some(&token)).await);
    open(&server.latest_link(EMAIL).await).await;
    let done = raw.get(&format!("/v1/client/sign_ins/{id}"), Some(&token)).await;
    fapi("GET", spec_read, 200, &done);
    assert_eq!(done.body["response"]["status"], "complete");
    assert_eq!(done.body["response"]["first_factor_verification"]["status"], "verified");
}
