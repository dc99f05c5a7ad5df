//! Two-step verification: setting up an authenticator app, backup codes, and signing in with a
//! second factor. Time is a manual clock moved by the tests: nothing waits.

mod common;

use std::time::Duration;

use common::security::{now_secs, totp_code, totp_digits};
use common::TestServer;
use reqwest::{Method, StatusCode};
use serde_json::Value;
use userdesk_fapi::models::{SignIn, SignInStatus};
use userdesk_fapi::{Client, SecondFactor};
use userdesk_server::{Clock, RateLimit, DEMO_EMAIL, DEMO_PASSWORD};

const STEP: Duration = Duration::from_secs(30);

/// A manual clock in the middle of a time step.
fn clock() -> Clock {
    Clock::manual((now_secs() / 30 * 30 + 15) * 1000)
}

fn secs(clock: &Clock) -> i64 {
    clock.now_ms() / 1000
}

/// A server on `clock`, and the demo user signed in there. The tests sign in many times in a row
/// on a clock that stands still: the rate limits (`tests/rate_limits.rs`) are out of the way.
async fn server_at(clock: &Clock) -> (TestServer, Client) {
    let plenty = RateLimit::new(1000, Duration::from_secs(1));
    let server = TestServer::start_with(|config| {
        config.clock = clock.clone();
        config.sign_in_rate_limit_per_identifier = plenty;
        config.sign_in_rate_limit_per_client = plenty;
    })
    .await;
    let client = server.demo_client().await;
    (server, client)
}

/// Sets up an authenticator app for the client's user: its secret and the backup codes.
async fn enrol(client: &Client, clock: &Clock) -> (String, Vec<String>) {
    let totp = client.create_totp().await.expect("started");
    let secret = totp.secret.expect("the secret, once");
    let verified =
        client.attempt_totp_verification(&totp_code(&secret, secs(clock))).await.expect("verified");
    (secret, verified.backup_codes.expect("backup codes with the first verification"))
}

/// A new device that gave the demo user's password: the sign-in waiting for a second factor.
async fn waiting(server: &TestServer) -> (Client, SignIn) {
    let device = server.client();
    let sign_in =
        device.sign_in_with_password(DEMO_EMAIL, DEMO_PASSWORD).await.expect("the password is right");
    assert_eq!(sign_in.status, SignInStatus::NeedsSecondFactor);
    assert_eq!(sign_in.created_session_id, None);
    (device, sign_in)
}

fn meta(error: &userdesk_fapi::Error, key: &str) -> Value {
    error.clerk_error().and_then(|e| e.meta.get(key).cloned()).unwrap_or(Value::Null)
}

#[test]
fn our_authenticator_matches_rfc_6238() {
    let key = b"12345678901234567890";
    for (time, expected) in [
        (59, "94287082"),
        (1_111_111_109, "07081804"),
        (1_111_111_111, "14050471"),
        (1_234_567_890, "89005924"),
        (2_000_000_000, "69279037"),
        (20_000_000_000, "65353130"),
    ] {
        assert_eq!(totp_digits(key, time, 8), expected, "T = {time}");
    }
    assert_eq!(totp_code("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ", 59), "287082");
}

#[tokio::test]
async fn setting_up_an_authenticator_app() {
    let clock = clock();
    let (server, client) = server_at(&clock).await;
    let first = client.create_totp().await.expect("started");
    assert!(!first.verified);
    let secret = first.secret.clone().expect("the secret");
    assert_eq!(secret.len(), 32);
    let uri = first.uri.expect("the URI");
    assert!(uri.starts_with("otpauth://totp/Userdesk:demo%40example.com?secret="), "{uri}");
    assert!(uri.contains(&secret) && uri.contains("digits=6") && uri.contains("period=30"));
    assert!(!client.me().await.expect("me").totp_enabled, "not before a code confirms it");
    assert!(server.rows_mentioning(&[&secret]).await.is_empty(), "the secret is stored encrypted");

    // Starting again replaces the secret: the first one's codes no longer work.
    let second = client.create_totp().await.expect("restarted");
    let secret = second.secret.expect("a new secret");
    let stale = client
        .attempt_totp_verification(&totp_code(first.secret.as_deref().expect("old"), secs(&clock)))
        .await;
    let error = stale.expect_err("the old secret");
    assert_eq!(
        (error.status(), error.code(), error.field()),
        (Some(422), "form_code_incorrect", Some("code"))
    );
    let error = client.attempt_totp_verification("12ab56").await.expect_err("not digits");
    assert_eq!((error.code(), error.field()), ("form_param_format_invalid", Some("code")));

    let verified =
        client.attempt_totp_verification(&totp_code(&secret, secs(&clock))).await.expect("verified");
    assert!(verified.verified);
    assert_eq!((verified.secret, verified.uri), (None, None), "never shown again");
    let codes = verified.backup_codes.expect("backup codes");
    assert_eq!(codes.len(), 10);
    assert!(codes.iter().all(|code| code.len() == 8 && code.bytes().all(|b| b.is_ascii_alphanumeric())));
    let mut unique = codes.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), 10);
    assert!(server.rows_mentioning(&codes.iter().map(String::as_str).collect::<Vec<_>>()).await.is_empty());

    let me = client.me().await.expect("me");
    assert!(me.totp_enabled && me.two_factor_enabled && me.backup_code_enabled);
    assert!(me.mfa_enabled_at.is_some());

    let error = client.create_totp().await.expect_err("one app at a time");
    assert_eq!((error.status(), error.code()), (Some(400), "totp_already_enabled"));
    let error =
        client.attempt_totp_verification(&totp_code(&secret, secs(&clock) + 30)).await.expect_err("done");
    assert_eq!(error.code(), "verification_already_verified");
}

#[tokio::test]
async fn signing_in_takes_a_code_within_one_step_and_each_code_once() {
    let clock = clock();
    let (server, client) = server_at(&clock).await;
    let (secret, _) = enrol(&client, &clock).await;
    clock.advance(STEP * 5);
    let now = secs(&clock);
    let code = |steps: i64| totp_code(&secret, now + steps * 30);

    let (device, sign_in) = waiting(&server).await;
    let factors: Vec<String> =
        sign_in.supported_second_factors.clone().expect("factors").into_iter().map(|f| f.strategy).collect();
    assert_eq!(factors, ["totp", "backup_code"]);
    assert!(device.me().await.expect_err("no session yet").is_signed_out());

    let error =
        device.attempt_second_factor(&sign_in.id, SecondFactor::Totp, &code(-2)).await.expect_err("too old");
    assert_eq!((error.status(), error.code()), (Some(422), "form_code_incorrect"));
    assert_eq!(meta(&error, "attempts_remaining"), 2);
    let error =
        device.attempt_second_factor(&sign_in.id, SecondFactor::Totp, &code(2)).await.expect_err("too new");
    assert_eq!(meta(&error, "attempts_remaining"), 1);
    let done =
        device.attempt_second_factor(&sign_in.id, SecondFactor::Totp, &code(-1)).await.expect("a step ago");
    assert_eq!(done.status, SignInStatus::Complete);
    let session = done.created_session_id.expect("a session");
    assert_eq!(device.session_id().as_deref(), Some(session.as_str()));
    let verification = done.second_factor_verification.expect("shown");
    assert_eq!(
        (verification.strategy.as_str(), verification.object.as_deref()),
        ("totp", Some("verification_totp"))
    );
    device.me().await.expect("signed in");

    // The same code never again, on any device; a later one does.
    let (device, sign_in) = waiting(&server).await;
    let error =
        device.attempt_second_factor(&sign_in.id, SecondFactor::Totp, &code(-1)).await.expect_err("used");
    assert_eq!(error.code(), "form_code_incorrect");
    device.attempt_second_factor(&sign_in.id, SecondFactor::Totp, &code(0)).await.expect("now");
    let (device, sign_in) = waiting(&server).await;
    device.attempt_second_factor(&sign_in.id, SecondFactor::Totp, &code(1)).await.expect("a step ahead");
    let (device, sign_in) = waiting(&server).await;
    let error =
        device.attempt_second_factor(&sign_in.id, SecondFactor::Totp, &code(1)).await.expect_err("used");
    assert_eq!(error.code(), "form_code_incorrect");
    clock.advance(STEP);
    device
        .attempt_second_factor(&sign_in.id, SecondFactor::Totp, &code(2))
        .await
        .expect("the next step, in time");
}

#[tokio::test]
async fn three_wrong_codes_abandon_the_sign_in() {
    let clock = clock();
    let (server, client) = server_at(&clock).await;
    let (secret, _) = enrol(&client, &clock).await;
    clock.advance(STEP * 3);
    let (device, sign_in) = waiting(&server).await;
    for _ in 0..2 {
        device.attempt_second_factor(&sign_in.id, SecondFactor::Totp, "000000").await.expect_err("wrong");
    }
    let error =
        device.attempt_second_factor(&sign_in.id, SecondFactor::Totp, "000000").await.expect_err("third");
    assert_eq!((error.status(), error.code()), (Some(400), "verification_failed"));
    assert_eq!(meta(&error, "reason"), "too_many_attempts");
    let right = totp_code(&secret, secs(&clock));
    let error =
        device.attempt_second_factor(&sign_in.id, SecondFactor::Totp, &right).await.expect_err("too late");
    assert_eq!(error.code(), "verification_failed");
    assert!(device.me().await.is_err(), "no session came of it");
    // Malformed codes are not counted; a new sign-in starts afresh.
    let (device, sign_in) = waiting(&server).await;
    for _ in 0..3 {
        let error =
            device.attempt_second_factor(&sign_in.id, SecondFactor::Totp, "12345").await.expect_err("form");
        assert_eq!(error.code(), "form_param_format_invalid");
    }
    device.attempt_second_factor(&sign_in.id, SecondFactor::Totp, &right).await.expect("a fresh sign-in");
}

#[tokio::test]
async fn each_backup_code_works_once() {
    let clock = clock();
    let (server, client) = server_at(&clock).await;
    let (_, codes) = enrol(&client, &clock).await;

    let (device, sign_in) = waiting(&server).await;
    let done = device
        .attempt_second_factor(&sign_in.id, SecondFactor::BackupCode, &codes[0])
        .await
        .expect("first use");
    assert_eq!(done.status, SignInStatus::Complete);
    assert_eq!(
        done.second_factor_verification.expect("shown").object.as_deref(),
        Some("verification_backup_code")
    );

    let (device, sign_in) = waiting(&server).await;
    let error = device
        .attempt_second_factor(&sign_in.id, SecondFactor::BackupCode, &codes[0])
        .await
        .expect_err("used");
    assert_eq!((error.status(), error.code()), (Some(422), "form_code_incorrect"));
    let error =
        device.attempt_second_factor(&sign_in.id, SecondFactor::BackupCode, "abc").await.expect_err("form");
    assert_eq!(error.code(), "form_param_format_invalid");
    // Typed in capitals with a dash in the middle, as people copy them.
    let typed = format!("{}-{}", codes[1][..4].to_uppercase(), codes[1][4..].to_uppercase());
    device.attempt_second_factor(&sign_in.id, SecondFactor::BackupCode, &typed).await.expect("second code");

    let renewed = client.create_backup_codes().await.expect("a new set");
    assert_eq!(renewed.object, "backup_code");
    assert_eq!(renewed.codes.len(), 10);
    let (device, sign_in) = waiting(&server).await;
    let error = device
        .attempt_second_factor(&sign_in.id, SecondFactor::BackupCode, &codes[2])
        .await
        .expect_err("old set");
    assert_eq!(error.code(), "form_code_incorrect");
    device
        .attempt_second_factor(&sign_in.id, SecondFactor::BackupCode, &renewed.codes[0])
        .await
        .expect("new set");

    // Without another second factor there are no backup codes.
    let other = server.user_client("nomfa@example.com", None).await;
    let error = other.create_backup_codes().await.expect_err("no two-step verification");
    assert_eq!((error.status(), error.code()), (Some(400), "backup_codes_not_available"));
}

#[tokio::test]
async fn a_phone_for_two_step_verification_gets_an_sms_code() {
    let server = TestServer::start().await;
    let client = server.demo_client().await;
    let phone = client.create_phone_number("+14155550123").await.expect("added");
    client.prepare_phone_verification(&phone.id).await.expect("sent");
    let code = server.latest_code("+14155550123").await;
    client.attempt_phone_verification(&phone.id, &code).await.expect("verified");
    client.set_reserved_for_second_factor(&phone.id, true).await.expect("reserved");
    let me = client.me().await.expect("me");
    assert!(me.two_factor_enabled && !me.totp_enabled && !me.backup_code_enabled);

    let (device, sign_in) = waiting(&server).await;
    let factors = sign_in.supported_second_factors.clone().expect("factors");
    assert_eq!(factors.len(), 1);
    assert_eq!(factors[0].strategy, "phone_code");
    assert_eq!(factors[0].phone_number_id.as_deref(), Some(phone.id.as_str()));
    assert_eq!(factors[0].safe_identifier.as_deref(), Some("+*******0123"));
    assert_eq!(factors[0].default, Some(true));

    let error = device
        .attempt_second_factor(&sign_in.id, SecondFactor::PhoneCode, "123456")
        .await
        .expect_err("none sent");
    assert_eq!((error.status(), error.code()), (Some(400), "verification_missing"));
    let error = device
        .prepare_second_factor(&sign_in.id, SecondFactor::Totp, None)
        .await
        .expect_err("no preparation");
    assert_eq!(error.code(), "form_param_value_invalid");
    let prepared =
        device.prepare_second_factor(&sign_in.id, SecondFactor::PhoneCode, None).await.expect("sent");
    let verification = prepared.second_factor_verification.expect("shown");
    assert_eq!(
        (verification.strategy.as_str(), verification.object.as_deref()),
        ("phone_code", Some("verification_otp"))
    );
    assert!(verification.expire_at.is_some());
    let error = device
        .prepare_second_factor(&sign_in.id, SecondFactor::PhoneCode, Some(&phone.id))
        .await
        .expect_err("soon");
    assert_eq!((error.status(), error.code()), (Some(429), "too_many_requests"));
    let error = device
        .prepare_second_factor(&sign_in.id, SecondFactor::PhoneCode, Some("idn_other"))
        .await
        .expect_err("x");
    assert_eq!(error.field(), Some("phone_number_id"));

    let sms = server.latest_code("+14155550123").await;
    let wrong = if sms == "000000" { "111111" } else { "000000" };
    let error =
        device.attempt_second_factor(&sign_in.id, SecondFactor::PhoneCode, wrong).await.expect_err("wrong");
    assert_eq!(error.code(), "form_code_incorrect");
    let done =
        device.attempt_second_factor(&sign_in.id, SecondFactor::PhoneCode, &sms).await.expect("signed in");
    assert_eq!(done.status, SignInStatus::Complete);
    let session = device.get_client().await.expect("client").expect("a client");
    assert_eq!(session.active_session().expect("active").factor_verification_age, vec![0, 0]);
}

#[tokio::test]
async fn removing_the_app_turns_two_step_verification_off() {
    let clock = clock();
    let (server, client) = server_at(&clock).await;
    enrol(&client, &clock).await;
    let deleted = client.delete_totp().await.expect("removed");
    assert!(deleted.deleted);
    assert_eq!(deleted.object, "totp");
    let me = client.me().await.expect("me");
    assert!(!me.totp_enabled && !me.two_factor_enabled && !me.backup_code_enabled);
    assert!(me.mfa_disabled_at.is_some());
    assert_eq!(server.count_rows("backup_codes").await, 0, "the codes went with the last second factor");
    let error = client.delete_totp().await.expect_err("none left");
    assert_eq!((error.status(), error.code()), (Some(404), "resource_not_found"));

    let device = server.client();
    let sign_in = device.sign_in_with_password(DEMO_EMAIL, DEMO_PASSWORD).await.expect("password only");
    assert_eq!(sign_in.status, SignInStatus::Complete);
}

#[tokio::test]
async fn the_two_step_sign_in_also_asks_for_the_second_factor() {
    let clock = clock();
    let (server, client) = server_at(&clock).await;
    let (secret, _) = enrol(&client, &clock).await;
    clock.advance(STEP * 2);
    let raw = server.raw();
    let started =
        raw.form(Method::POST, "/v1/client/sign_ins", None, format!("identifier={DEMO_EMAIL}")).await;
    let token = started.token.clone().expect("token");
    let id = started.body["response"]["id"].as_str().expect("id").to_owned();
    let attempt = raw
        .form(
            Method::POST,
            &format!("/v1/client/sign_ins/{id}/attempt_first_factor"),
            Some(&token),
            format!("strategy=password&password={DEMO_PASSWORD}"),
        )
        .await;
    assert_eq!(attempt.status, StatusCode::OK, "{}", attempt.body);
    assert_eq!(attempt.body["response"]["status"], "needs_second_factor");
    assert_eq!(attempt.body["response"]["first_factor_verification"]["status"], "verified");
    assert_eq!(attempt.body["client"]["sign_in"]["id"], id.as_str());

    // Routes of the second factor refuse what they cannot do.
    let path = format!("/v1/client/sign_ins/{id}/attempt_second_factor");
    let email = raw.form(Method::POST, &path, Some(&token), "strategy=email_code&code=123456").await;
    assert_eq!((email.status, email.param()), (StatusCode::UNPROCESSABLE_ENTITY, Some("strategy")));
    let unknown = raw
        .form(
            Method::POST,
            "/v1/client/sign_ins/sia_unknown/attempt_second_factor",
            Some(&token),
            "strategy=totp&code=123456",
        )
        .await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    let code = totp_code(&secret, secs(&clock));
    let done = raw.form(Method::POST, &path, Some(&token), format!("strategy=totp&code={code}")).await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    assert_eq!(done.body["response"]["status"], "complete");
    let again = raw.form(Method::POST, &path, Some(&token), format!("strategy=totp&code={code}")).await;
    assert_eq!(
        (again.status, again.param()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("strategy")),
        "not waiting any more"
    );
}
