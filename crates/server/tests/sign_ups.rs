//! Signing up with an email address and a password; and deleting an account leaving nothing.

mod common;

use common::security::{now_secs, totp_code};
use common::{enc, TestServer};
use reqwest::{Method, StatusCode};
use serde_json::{json, Map, Value};
use userdesk_fapi::models::SignUpStatus;
use userdesk_fapi::{SignUpParams, TokenService};

fn object(value: Value) -> Map<String, Value> {
    match value {
        Value::Object(map) => map,
        _ => Map::new(),
    }
}

fn params(email: &str) -> SignUpParams {
    SignUpParams {
        email_address: Some(email.into()),
        password: Some("a-good-long-password".into()),
        first_name: Some("Ada".into()),
        last_name: Some("Lovelace".into()),
        username: Some("ada_l".into()),
        unsafe_metadata: Some(object(json!({"theme": "dark", "onboarding": {"step": 2}}))),
    }
}

#[tokio::test]
async fn a_sign_up_becomes_a_signed_in_user_with_its_metadata() {
    let server = TestServer::start().await;
    let client = server.client();
    let sign_up = client.sign_up(&params("Ada@Example.com")).await.expect("started");
    assert_eq!(sign_up.status, SignUpStatus::MissingRequirements);
    assert_eq!(sign_up.email_address.as_deref(), Some("ada@example.com"));
    assert_eq!(sign_up.unverified_fields, ["email_address"]);
    assert!(sign_up.missing_fields.is_empty());
    assert!(sign_up.password_enabled);
    assert_eq!(sign_up.unsafe_metadata["theme"], "dark");
    assert!(sign_up.verifications.email_address.is_none(), "nothing sent yet");

    let prepared = client.prepare_sign_up_verification(&sign_up.id).await.expect("code sent");
    let verification = prepared.verifications.email_address.expect("the verification");
    assert_eq!(verification.strategy, "email_code");
    let code = server.latest_code("ada@example.com").await;
    let wrong = if code == "000000" { "111111" } else { "000000" };
    let error = client.attempt_sign_up_verification(&sign_up.id, wrong).await.expect_err("wrong");
    assert_eq!((error.status(), error.code()), (Some(422), "form_code_incorrect"));

    let done = client.attempt_sign_up_verification(&sign_up.id, &code).await.expect("verified");
    assert_eq!(done.status, SignUpStatus::Complete);
    assert!(done.unverified_fields.is_empty());
    let user_id = done.created_user_id.expect("a user");
    let session_id = done.created_session_id.expect("a session");
    assert_eq!(client.session_id().as_deref(), Some(session_id.as_str()), "active on the client");

    let me = client.me().await.expect("signed in");
    assert_eq!(me.id, user_id);
    assert_eq!((me.first_name.as_deref(), me.last_name.as_deref()), (Some("Ada"), Some("Lovelace")));
    assert_eq!(me.username.as_deref(), Some("ada_l"));
    assert_eq!(
        Value::Object(me.unsafe_metadata.clone()),
        json!({"theme": "dark", "onboarding": {"step": 2}})
    );
    assert!(me.password_enabled && me.delete_self_enabled);
    let email = &me.email_addresses[0];
    assert_eq!(me.primary_email_address_id.as_deref(), Some(email.id.as_str()));
    let verification = email.verification.as_ref().expect("verified");
    assert!(verification.is_verified());
    assert_eq!(verification.strategy, "email_code");

    // The new account signs in anywhere; the sign-up keeps no password hash.
    server.client().sign_in_with_password("ada_l", "a-good-long-password").await.expect("sign in");
    assert!(server
        .rows_mentioning(&["$argon2"])
        .await
        .iter()
        .all(|row| row.starts_with("users.password_hash")));
    let other = server.raw().get(&format!("/v1/client/sign_ups/{}", sign_up.id), None).await;
    assert_eq!(other.status, StatusCode::NOT_FOUND, "another client does not see it");
}

#[tokio::test]
async fn weak_taken_and_malformed_values_are_refused() {
    let server = TestServer::start().await;
    let client = server.client();
    let mut weak = params("weak@example.com");
    weak.password = Some("short".into());
    let error = client.sign_up(&weak).await.expect_err("short");
    assert_eq!(
        (error.status(), error.code(), error.field()),
        (Some(422), "form_password_length_too_short", Some("password"))
    );
    for common in ["password", "123456789", "Football1"] {
        weak.password = Some(common.into());
        let error = client.sign_up(&weak).await.expect_err(common);
        assert_eq!((error.code(), error.field()), ("form_password_pwned", Some("password")), "{common}");
    }
    let error = client.sign_up(&params(userdesk_server::DEMO_EMAIL)).await.expect_err("taken email");
    assert_eq!((error.code(), error.field()), ("form_identifier_exists", Some("email_address")));
    let mut taken = params("new@example.com");
    taken.username = Some("DEMO".into());
    let error = client.sign_up(&taken).await.expect_err("taken username");
    assert_eq!((error.code(), error.field()), ("form_identifier_exists", Some("username")));
    let mut bad = params("not-an-email");
    let error = client.sign_up(&bad).await.expect_err("email");
    assert_eq!((error.code(), error.field()), ("form_param_format_invalid", Some("email_address")));
    bad = params("fine@example.com");
    bad.username = Some("no spaces".into());
    assert_eq!(client.sign_up(&bad).await.expect_err("username").code(), "form_username_invalid_character");

    let raw = server.raw();
    for (body, code, param) in [
        ("email_address=a%40b.c&unsafe_metadata=%5B1%5D", "form_param_format_invalid", "unsafe_metadata"),
        ("email_address=a%40b.c&phone_number=%2B14155550100", "form_param_value_invalid", "phone_number"),
        ("email_address=a%40b.c&strategy=ticket", "form_param_value_invalid", "strategy"),
        ("email_address=a%40b.c&transfer=maybe", "form_param_format_invalid", "transfer"),
        ("email_address=a%40b.c&favourite_colour=blue", "form_param_unknown", "favourite_colour"),
    ] {
        let reply = raw.form(Method::POST, "/v1/client/sign_ups", None, body).await;
        assert_eq!(
            (reply.status, reply.code(), reply.param()),
            (StatusCode::UNPROCESSABLE_ENTITY, code, Some(param)),
            "{body}"
        );
    }
    // Nothing of those was kept.
    assert_eq!(server.count_rows("sign_ups").await, 0);
}

#[tokio::test]
async fn fields_can_be_completed_later_and_a_complete_sign_up_is_final() {
    let server = TestServer::start().await;
    let raw = server.raw();
    let started = raw.form(Method::POST, "/v1/client/sign_ups", None, "first_name=Grace").await;
    assert_eq!(started.status, StatusCode::OK, "{}", started.body);
    let token = started.token.clone().expect("a client");
    let id = started.body["response"]["id"].as_str().expect("id").to_owned();
    assert_eq!(started.body["response"]["missing_fields"], json!(["email_address", "password"]));
    let path = format!("/v1/client/sign_ups/{id}");

    let prepare = format!("{path}/prepare_verification");
    let no_email = raw.form(Method::POST, &prepare, Some(&token), "strategy=email_code").await;
    assert_eq!((no_email.code(), no_email.param()), ("form_param_missing", Some("email_address")));
    let patched = raw
        .form(Method::PATCH, &path, Some(&token), format!("email_address={}", enc("grace@example.com")))
        .await;
    assert_eq!(patched.status, StatusCode::OK, "{}", patched.body);
    assert_eq!(patched.body["response"]["missing_fields"], json!(["password"]));
    let sent = raw.form(Method::POST, &prepare, Some(&token), "strategy=email_code").await;
    assert_eq!(sent.status, StatusCode::OK, "{}", sent.body);
    assert_eq!(sent.body["response"]["verifications"]["email_address"]["next_action"], "needs_attempt");
    let link = raw.form(Method::POST, &prepare, Some(&token), "strategy=email_link").await;
    assert_eq!((link.code(), link.param()), ("form_param_value_invalid", Some("strategy")));
    let soon = raw.form(Method::POST, &prepare, Some(&token), "strategy=email_code").await;
    assert_eq!(soon.status, StatusCode::TOO_MANY_REQUESTS);

    let code = server.latest_code("grace@example.com").await;
    let attempt = format!("{path}/attempt_verification");
    let verified =
        raw.form(Method::POST, &attempt, Some(&token), format!("strategy=email_code&code={code}")).await;
    assert_eq!(verified.status, StatusCode::OK, "{}", verified.body);
    assert_eq!(verified.body["response"]["status"], "missing_requirements", "the password is still missing");
    assert_eq!(verified.body["response"]["verifications"]["email_address"]["next_action"], "");

    let done = raw.form(Method::PATCH, &path, Some(&token), "password=grace-hopper-1906").await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    assert_eq!(done.body["response"]["status"], "complete");
    let session = done.body["response"]["created_session_id"].as_str().expect("session");
    assert_eq!(done.body["client"]["last_active_session_id"], session);
    assert_eq!(raw.get("/v1/me", Some(&token)).await.body["response"]["first_name"], "Grace");

    let late = raw.form(Method::PATCH, &path, Some(&token), "first_name=Other").await;
    assert_eq!((late.status, late.code()), (StatusCode::FORBIDDEN, "sign_up_cannot_be_updated"));
    // Signed in, this client cannot start another sign-up.
    let second = raw.form(Method::POST, "/v1/client/sign_ups", Some(&token), "email_address=x%40y.z").await;
    assert_eq!((second.status, second.code()), (StatusCode::BAD_REQUEST, "session_exists"));
    // Another client does not see this sign-up.
    assert_eq!(raw.get(&path, None).await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn three_wrong_codes_fail_the_verification() {
    let server = TestServer::start().await;
    let client = server.client();
    let sign_up = client.sign_up(&params("tries@example.com")).await.expect("started");
    client.prepare_sign_up_verification(&sign_up.id).await.expect("sent");
    let code = server.latest_code("tries@example.com").await;
    let wrong = if code == "000000" { "111111" } else { "000000" };
    client.attempt_sign_up_verification(&sign_up.id, wrong).await.expect_err("1");
    client.attempt_sign_up_verification(&sign_up.id, wrong).await.expect_err("2");
    let error = client.attempt_sign_up_verification(&sign_up.id, wrong).await.expect_err("3");
    assert_eq!((error.status(), error.code()), (Some(400), "verification_failed"));
    let error = client.attempt_sign_up_verification(&sign_up.id, &code).await.expect_err("too late");
    assert_eq!(error.code(), "verification_failed");
    assert_eq!(server.count_rows("users").await, 1, "only the demo user");
}

#[tokio::test]
async fn deleting_an_account_leaves_nothing_behind() {
    let clock = userdesk_server::Clock::manual((now_secs() / 30 * 30 + 15) * 1000);
    let server = TestServer::start_with_keys(|config| config.clock = clock.clone()).await;
    let client = server.client();
    let sign_up = client.sign_up(&params("gone@example.com")).await.expect("started");
    client.prepare_sign_up_verification(&sign_up.id).await.expect("sent");
    let code = server.latest_code("gone@example.com").await;
    let done = client.attempt_sign_up_verification(&sign_up.id, &code).await.expect("signed up");
    let user_id = done.created_user_id.expect("user");

    // Everything a user can have: two-step verification, a phone, tokens, a second device.
    let totp = client.create_totp().await.expect("started");
    let secret = totp.secret.expect("secret");
    client.attempt_totp_verification(&totp_code(&secret, clock.now_ms() / 1000)).await.expect("verified");
    let phone = client.create_phone_number("+14155550199").await.expect("phone");
    client.prepare_phone_verification(&phone.id).await.expect("sent");
    let sms = server.latest_code("+14155550199").await;
    client.attempt_phone_verification(&phone.id, &sms).await.expect("verified");
    client.get_token(TokenService::Hasura).await.expect("a token");
    let second = server.client();
    let sign_in =
        second.sign_in_with_password("gone@example.com", "a-good-long-password").await.expect("password");
    clock.advance(std::time::Duration::from_secs(30));
    second
        .attempt_second_factor(
            &sign_in.id,
            userdesk_fapi::SecondFactor::Totp,
            &totp_code(&secret, clock.now_ms() / 1000),
        )
        .await
        .expect("second device");
    let needles = [user_id.as_str(), "gone@example.com", "ada_l", "+14155550199"];
    assert!(!server.rows_mentioning(&needles).await.is_empty(), "the account is there before");
    let users_before = server.count_rows("users").await;

    client.delete_user().await.expect("deleted");
    let left = server.rows_mentioning(&needles).await;
    assert!(left.is_empty(), "left behind: {left:#?}");
    for table in ["totps", "backup_codes", "sign_in_second_factors", "sign_ups"] {
        assert_eq!(server.count_rows(table).await, 0, "{table}");
    }
    assert_eq!(server.count_rows("users").await, users_before - 1);
    assert!(second.me().await.expect_err("gone").is_signed_out());
    // Its email address and username are free again.
    server.client().sign_up(&params("gone@example.com")).await.expect("a new sign-up");
}
