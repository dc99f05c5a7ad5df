//! Lockouts (Clerk's account lockout): failed passwords and second-factor codes counted per
//! user across sign-ins, the lock, and its end. Time is a manual clock moved by the tests.

mod common;

use std::time::Duration;

use common::security::{now_secs, totp_code};
use common::{enc, TestServer};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use userdesk_fapi::models::SignInStatus;
use userdesk_fapi::SecondFactor;
use userdesk_server::{
    Clock, RateLimit, DEFAULT_LOCKOUT_DURATION, DEFAULT_LOCKOUT_MAX_ATTEMPTS, DEMO_EMAIL, DEMO_PASSWORD,
};

/// A manual clock in the middle of a TOTP time step.
fn clock() -> Clock {
    Clock::manual((now_secs() / 30 * 30 + 15) * 1000)
}

/// Rate limits out of the way: these tests are about the lockout alone.
const UNLIMITED: RateLimit = RateLimit::new(100_000, Duration::from_secs(1));

fn meta(error: &userdesk_fapi::Error, key: &str) -> Value {
    error.clerk_error().and_then(|e| e.meta.get(key).cloned()).unwrap_or(Value::Null)
}

/// The Backend API's view of a user.
async fn backend_user(server: &TestServer, user_id: &str) -> Value {
    let reply = server
        .raw()
        .backend(Method::GET, &format!("/v1/users/{user_id}"), Some(&server.secret_key), None)
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    reply.body
}

/// The user's `locked`, `lockout_expires_in_seconds` and `verification_attempts_remaining`.
async fn lock_state(server: &TestServer, user_id: &str) -> (bool, Value, Value) {
    let user = backend_user(server, user_id).await;
    (
        user["locked"] == true,
        user["lockout_expires_in_seconds"].clone(),
        user["verification_attempts_remaining"].clone(),
    )
}

/// The demo user with an authenticator app: their id and the app's secret.
async fn demo_with_totp(server: &TestServer, clock: &Clock) -> (String, String) {
    let client = server.demo_client().await;
    let totp = client.create_totp().await.expect("started");
    let secret = totp.secret.expect("the secret");
    client.attempt_totp_verification(&totp_code(&secret, clock.now_secs())).await.expect("verified");
    let id = client.me().await.expect("me").id;
    client.sign_out().await.expect("signed out");
    (id, secret)
}

/// A code no authenticator shows now (nor a step either side).
fn wrong_code(secret: &str, clock: &Clock) -> String {
    let near: Vec<String> = (-1..=1).map(|step| totp_code(secret, clock.now_secs() + step * 30)).collect();
    (0..)
        .map(|n| format!("{:06}", n * 111_111 % 1_000_000))
        .find(|code| !near.contains(code))
        .expect("a code")
}

#[tokio::test]
async fn a_hundred_wrong_codes_across_new_sign_ins_lock_the_user_for_an_hour() {
    let clock = clock();
    let server = TestServer::start_with(|config| {
        config.clock = clock.clone();
        config.sign_in_rate_limit_per_identifier = UNLIMITED;
        config.sign_in_rate_limit_per_client = UNLIMITED;
    })
    .await;
    assert_eq!((DEFAULT_LOCKOUT_MAX_ATTEMPTS, DEFAULT_LOCKOUT_DURATION), (100, Duration::from_secs(3600)));
    let (user_id, secret) = demo_with_totp(&server, &clock).await;
    assert_eq!(lock_state(&server, &user_id).await, (false, Value::Null, json!(100)));
    let wrong = wrong_code(&secret, &clock);

    // Each sign-in takes three wrong codes and is abandoned; a new one (a new device, even)
    // does not start the count again.
    let mut wrong_codes = 0;
    let (device, sign_in, locked) = loop {
        let device = server.client();
        let sign_in =
            device.sign_in_with_password(DEMO_EMAIL, DEMO_PASSWORD).await.expect("the password is right");
        assert_eq!(sign_in.status, SignInStatus::NeedsSecondFactor);
        let mut locked = None;
        for _ in 0..3 {
            let error = device
                .attempt_second_factor(&sign_in.id, SecondFactor::Totp, &wrong)
                .await
                .expect_err("wrong");
            wrong_codes += 1;
            if error.code() == "user_locked" {
                locked = Some(error);
                break;
            }
            assert!(matches!(error.code(), "form_code_incorrect" | "verification_failed"), "{error:?}");
        }
        if let Some(locked) = locked {
            break (device, sign_in, locked);
        }
        assert!(wrong_codes < 100, "still not locked after {wrong_codes} wrong codes");
    };
    assert_eq!(wrong_codes, 100, "the 100th wrong code locks");
    assert_eq!((locked.status(), locked.code()), (Some(403), "user_locked"));
    assert_eq!(meta(&locked, "lockout_expires_in_seconds"), 3600);
    let clerk = locked.clerk_error().expect("a Clerk error");
    assert_eq!(clerk.message, "Account locked");
    assert!(clerk.long_message.contains("try again in 60 minutes"), "{clerk:?}");

    // The 101st, and the right code too, on the sign-in still waiting: refused, not checked.
    let error =
        device.attempt_second_factor(&sign_in.id, SecondFactor::Totp, &wrong).await.expect_err("101st");
    assert_eq!((error.status(), error.code()), (Some(403), "user_locked"));
    clock.advance(Duration::from_secs(600));
    let right = totp_code(&secret, clock.now_secs());
    let error =
        device.attempt_second_factor(&sign_in.id, SecondFactor::Totp, &right).await.expect_err("locked");
    assert_eq!(error.code(), "user_locked");
    assert_eq!(meta(&error, "lockout_expires_in_seconds"), 3000, "counts down on the server's clock");
    assert!(device.me().await.is_err(), "no session");
    // A new sign-in with the right password is refused at once, before the password is checked.
    let error = server.client().sign_in_with_password(DEMO_EMAIL, DEMO_PASSWORD).await.expect_err("locked");
    assert_eq!((error.status(), error.code()), (Some(403), "user_locked"));
    assert_eq!(lock_state(&server, &user_id).await, (true, json!(3000), json!(0)));
    let environment = server.raw().get("/v1/environment", None).await;
    assert_eq!(
        environment.body["user_settings"]["attack_protection"]["user_lockout"],
        json!({"enabled": true, "max_attempts": 100, "duration_in_minutes": 60})
    );

    // An hour after the lock it lifts by itself, and the count starts over.
    clock.advance(Duration::from_secs(3000));
    assert_eq!(lock_state(&server, &user_id).await, (false, Value::Null, json!(100)));
    let device = server.client();
    let sign_in = device.sign_in_with_password(DEMO_EMAIL, DEMO_PASSWORD).await.expect("unlocked");
    let right = totp_code(&secret, clock.now_secs());
    let done =
        device.attempt_second_factor(&sign_in.id, SecondFactor::Totp, &right).await.expect("signed in");
    assert_eq!(done.status, SignInStatus::Complete);
}

/// A server on `clock` that locks after 5 failures for 10 minutes, and a user with a password.
async fn small_lockout(clock: &Clock) -> (TestServer, String) {
    let server = TestServer::start_with(|config| {
        config.clock = clock.clone();
        config.lockout_max_attempts = 5;
        config.lockout_duration = Duration::from_secs(600);
        config.sign_in_rate_limit_per_identifier = UNLIMITED;
        config.sign_in_rate_limit_per_client = UNLIMITED;
    })
    .await;
    server.create_user(json!({"email_address": ["pat@example.com"], "password": "long-enough-1"})).await;
    let client = server.client();
    client.sign_in_with_password("pat@example.com", "long-enough-1").await.expect("signs in");
    let id = client.me().await.expect("me").id;
    (server, id)
}

async fn wrong_password(server: &TestServer) -> userdesk_fapi::Error {
    server.client().sign_in_with_password("pat@example.com", "not-the-password").await.expect_err("wrong")
}

#[tokio::test]
async fn wrong_passwords_count_and_a_sign_in_clears_them() {
    let clock = clock();
    let (server, user_id) = small_lockout(&clock).await;
    assert_eq!(lock_state(&server, &user_id).await, (false, Value::Null, json!(5)));
    for left in (1..5).rev() {
        let error = wrong_password(&server).await;
        assert_eq!((error.status(), error.code()), (Some(422), "form_password_incorrect"));
        assert_eq!(lock_state(&server, &user_id).await.2, json!(left));
    }
    // The signed-in user sees it too.
    let client = server.client();
    client.sign_in_with_password("pat@example.com", "long-enough-1").await.expect("the fifth is right");
    let me = client.me().await.expect("me");
    assert_eq!(
        (me.locked, me.lockout_expires_in_seconds, me.verification_attempts_remaining),
        (false, None, Some(5))
    );

    // Cleared: four more wrong ones do not lock; the fifth does.
    for _ in 0..4 {
        assert_eq!(wrong_password(&server).await.code(), "form_password_incorrect");
    }
    let error = wrong_password(&server).await;
    assert_eq!((error.status(), error.code()), (Some(403), "user_locked"));
    assert_eq!(meta(&error, "lockout_expires_in_seconds"), 600);
    // Locked: the right password, and a sign-in that names the identifier alone, are refused;
    // the session the user already had goes on.
    let error =
        server.client().sign_in_with_password("pat@example.com", "long-enough-1").await.expect_err("locked");
    assert_eq!(error.code(), "user_locked");
    let start = server
        .raw()
        .form(Method::POST, "/v1/client/sign_ins", None, format!("identifier={}", enc("pat@example.com")))
        .await;
    assert_eq!((start.status, start.code()), (StatusCode::FORBIDDEN, "user_locked"));
    assert_eq!(start.body["errors"][0]["meta"]["lockout_expires_in_seconds"], 600);
    let me = client.me().await.expect("still signed in");
    assert_eq!(
        (me.locked, me.lockout_expires_in_seconds, me.verification_attempts_remaining),
        (true, Some(600), Some(0))
    );

    clock.advance(Duration::from_secs(599));
    assert_eq!(wrong_password(&server).await.code(), "user_locked", "a second before the end");
    clock.advance(Duration::from_secs(1));
    server.client().sign_in_with_password("pat@example.com", "long-enough-1").await.expect("lifted");
}

#[tokio::test]
async fn the_two_step_sign_in_and_second_factors_share_the_count() {
    let clock = clock();
    let server = TestServer::start_with(|config| {
        config.clock = clock.clone();
        config.lockout_max_attempts = 4;
        config.sign_in_rate_limit_per_identifier = UNLIMITED;
        config.sign_in_rate_limit_per_client = UNLIMITED;
    })
    .await;
    let (user_id, secret) = demo_with_totp(&server, &clock).await;
    let wrong = wrong_code(&secret, &clock);
    // A wrong password given as the first factor of a two-step sign-in counts.
    let identified = server
        .raw()
        .form(Method::POST, "/v1/client/sign_ins", None, format!("identifier={DEMO_EMAIL}"))
        .await;
    assert_eq!(identified.status, StatusCode::OK, "{}", identified.body);
    let token = identified.token.expect("a client");
    let path = format!(
        "/v1/client/sign_ins/{}/attempt_first_factor",
        identified.body["response"]["id"].as_str().expect("id")
    );
    let attempt =
        server.raw().form(Method::POST, &path, Some(&token), "strategy=password&password=wrong-one-1").await;
    assert_eq!(attempt.code(), "form_password_incorrect");
    assert_eq!(lock_state(&server, &user_id).await.2, json!(3));

    let device = server.client();
    let sign_in = device.sign_in_with_password(DEMO_EMAIL, DEMO_PASSWORD).await.expect("password");
    for strategy in [SecondFactor::Totp, SecondFactor::BackupCode] {
        let code = if strategy == SecondFactor::Totp { wrong.clone() } else { "zzzzzzzz".to_owned() };
        let error = device.attempt_second_factor(&sign_in.id, strategy, &code).await.expect_err("wrong");
        assert_eq!(error.code(), "form_code_incorrect");
    }
    let error = device.attempt_second_factor(&sign_in.id, SecondFactor::Totp, &wrong).await.expect_err("4th");
    assert_eq!(error.code(), "user_locked", "the fourth failure of any kind locks");
    let attempt = server
        .raw()
        .form(Method::POST, &path, Some(&token), format!("strategy=password&password={DEMO_PASSWORD}"))
        .await;
    assert_eq!((attempt.status, attempt.code()), (StatusCode::FORBIDDEN, "user_locked"));
}
