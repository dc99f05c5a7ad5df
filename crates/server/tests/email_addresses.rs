//! Email addresses as the app manages them, through `userdesk-fapi`'s client: adding, verifying
//! by code and by link, the attempt limit, expiry, resend cooldown, primary and removal rules.
//! Codes and links are read from the development outbox, as a person reads their inbox.

mod common;

use std::time::Duration;

use common::TestServer;
use reqwest::header::{ACCEPT, LOCATION, RETRY_AFTER};
use reqwest::{Method, StatusCode};
use serde_json::Value;
use userdesk_fapi::models::{EmailAddress, VerificationStatus};
use userdesk_fapi::{EmailVerification, UpdateUserParams};
use userdesk_server::{DEMO_EMAIL, DEMO_USERNAME};

/// The first error's `meta[key]`.
fn meta(error: &userdesk_fapi::Error, key: &str) -> Value {
    match error {
        userdesk_fapi::Error::Api { errors, .. } => errors[0].meta.get(key).cloned().unwrap_or(Value::Null),
        other => panic!("expected a Clerk error, got {other:?}"),
    }
}

fn long_message(error: &userdesk_fapi::Error) -> String {
    match error {
        userdesk_fapi::Error::Api { errors, .. } => errors[0].long_message.clone(),
        other => panic!("expected a Clerk error, got {other:?}"),
    }
}

fn status(email: &EmailAddress) -> Option<VerificationStatus> {
    email.verification.as_ref().map(|v| v.status)
}

/// The email addresses as the person would see them now.
async fn find(client: &userdesk_fapi::Client, address: &str) -> Option<EmailAddress> {
    client.email_addresses().await.expect("list").into_iter().find(|e| e.email_address == address)
}

/// A server without a resend cooldown, for tests that prepare more than once.
async fn no_cooldown() -> TestServer {
    TestServer::start_with(|config| config.resend_cooldown = Duration::ZERO).await
}

#[tokio::test]
async fn an_address_is_added_then_verified_by_code() {
    let server = TestServer::start().await;
    let client = server.demo_client().await;

    let added = client.create_email_address("  Work@Example.COM ").await.expect("add");
    assert_eq!(added.email_address, "work@example.com", "trimmed and lower-cased");
    assert_eq!(added.object, "email_address");
    assert!(added.verification.is_none(), "nothing prepared yet");
    assert!(!added.is_verified());
    let listed = client.email_addresses().await.expect("list");
    assert_eq!(
        listed.iter().map(|e| e.email_address.as_str()).collect::<Vec<_>>(),
        [DEMO_EMAIL, "work@example.com"]
    );

    let prepared =
        client.prepare_email_verification(&added.id, &EmailVerification::Code).await.expect("prepare");
    let verification = prepared.verification.clone().expect("a verification");
    assert_eq!(verification.status, VerificationStatus::Unverified);
    assert_eq!(verification.strategy, "email_code");
    assert_eq!(verification.attempts, Some(0));
    let expire_at = verification.expire_at.expect("an expiry");
    let ten_minutes = 10 * 60 * 1000;
    assert!((expire_at - prepared.updated_at - ten_minutes).abs() < 5_000, "expires in 10 minutes");
    assert!(!verification.is_verified());

    let outbox = server.outbox().await;
    assert_eq!(outbox.len(), 1);
    let message = &outbox[0];
    assert_eq!(message.to, "work@example.com");
    assert_eq!(message.channel, userdesk_server::OutboxChannel::Email);
    let code = message.code.clone().expect("a code");
    assert!(code.len() == 6 && code.bytes().all(|b| b.is_ascii_digit()), "{code}");
    assert!(message.subject.contains(&code) && message.body.contains("work@example.com"));
    assert!(message.link.is_none());

    let verified = client.attempt_email_verification(&added.id, &code).await.expect("attempt");
    assert!(verified.is_verified());
    assert_eq!(verified.verification.as_ref().and_then(|v| v.attempts), Some(1));
    let me = client.me().await.expect("me");
    assert!(me.email_addresses.iter().any(|e| e.email_address == "work@example.com" && e.is_verified()));
    assert_eq!(
        me.primary_email_address().map(|e| e.email_address.as_str()),
        Some(DEMO_EMAIL),
        "primary unchanged"
    );

    // Once verified, there is nothing left to prepare or attempt.
    let error = client.attempt_email_verification(&added.id, &code).await.expect_err("already verified");
    assert_eq!((error.status(), error.code()), (Some(400), "verification_already_verified"));
    let error =
        client.prepare_email_verification(&added.id, &EmailVerification::Code).await.expect_err("verified");
    assert_eq!(error.code(), "verification_already_verified");
    assert_eq!(server.outbox().await.len(), 1, "nothing more was sent");
    assert_eq!(client.email_addresses().await.expect("list").len(), 2);
}

#[tokio::test]
async fn wrong_codes_count_down_then_the_verification_fails() {
    let server = TestServer::start().await;
    let client = server.demo_client().await;
    let added = client.create_email_address("count@example.com").await.expect("add");
    client.prepare_email_verification(&added.id, &EmailVerification::Code).await.expect("prepare");
    let code = server.latest_code("count@example.com").await;
    let wrong = if code == "000000" { "111111" } else { "000000" };

    for left in [2, 1] {
        let error = client.attempt_email_verification(&added.id, wrong).await.expect_err("wrong code");
        assert_eq!(
            (error.status(), error.code(), error.field()),
            (Some(422), "form_code_incorrect", Some("code"))
        );
        assert_eq!(meta(&error, "attempts_remaining"), left);
        assert!(long_message(&error).contains(&format!("{left} attempt")), "{}", long_message(&error));
        let now = find(&client, "count@example.com").await.expect("still there");
        assert_eq!(status(&now), Some(VerificationStatus::Unverified));
        assert_eq!(now.verification.and_then(|v| v.attempts), Some(3 - left));
    }
    let error = client.attempt_email_verification(&added.id, wrong).await.expect_err("third wrong code");
    assert_eq!((error.status(), error.code()), (Some(400), "verification_failed"));
    assert_eq!(meta(&error, "reason"), "too_many_attempts");
    // The right code no longer helps: the verification is over.
    let error = client.attempt_email_verification(&added.id, &code).await.expect_err("failed for good");
    assert_eq!(error.code(), "verification_failed");
    let now = find(&client, "count@example.com").await.expect("still there");
    assert_eq!(status(&now), Some(VerificationStatus::Failed));
    assert_eq!(now.verification.and_then(|v| v.attempts), Some(3), "the refused attempt did not count");
    assert!(!client
        .me()
        .await
        .expect("me")
        .email_addresses
        .iter()
        .any(|e| e.is_verified() && e.id == added.id));
}

#[tokio::test]
async fn a_new_code_resets_the_attempts_and_replaces_the_old_one() {
    let server = no_cooldown().await;
    let client = server.demo_client().await;
    let added = client.create_email_address("again@example.com").await.expect("add");
    client.prepare_email_verification(&added.id, &EmailVerification::Code).await.expect("prepare");
    let first = server.latest_code("again@example.com").await;
    let wrong = if first == "000000" { "111111" } else { "000000" };
    for _ in 0..3 {
        client.attempt_email_verification(&added.id, wrong).await.expect_err("wrong");
    }
    assert_eq!(
        status(&find(&client, "again@example.com").await.expect("there")),
        Some(VerificationStatus::Failed)
    );

    let again =
        client.prepare_email_verification(&added.id, &EmailVerification::Code).await.expect("prepare again");
    let verification = again.verification.expect("verification");
    assert_eq!(verification.status, VerificationStatus::Unverified);
    assert_eq!(verification.attempts, Some(0), "attempts start again");
    let second = server.latest_code("again@example.com").await;
    assert_eq!(server.outbox().await.len(), 2);
    if first != second {
        let error = client.attempt_email_verification(&added.id, &first).await.expect_err("the old code");
        assert_eq!(error.code(), "form_code_incorrect");
        assert_eq!(meta(&error, "attempts_remaining"), 2);
    }
    let verified = client.attempt_email_verification(&added.id, &second).await.expect("the new code");
    assert!(verified.is_verified());
}

#[tokio::test]
async fn codes_expire() {
    let server = TestServer::start_with(|config| config.code_lifetime = Duration::from_millis(300)).await;
    let client = server.demo_client().await;
    let added = client.create_email_address("late@example.com").await.expect("add");
    client.prepare_email_verification(&added.id, &EmailVerification::Code).await.expect("prepare");
    let code = server.latest_code("late@example.com").await;
    tokio::time::sleep(Duration::from_millis(450)).await;
    assert_eq!(
        status(&find(&client, "late@example.com").await.expect("there")),
        Some(VerificationStatus::Expired)
    );
    let error = client.attempt_email_verification(&added.id, &code).await.expect_err("too late");
    assert_eq!((error.status(), error.code()), (Some(400), "verification_expired"));
    let now = find(&client, "late@example.com").await.expect("there");
    assert!(!now.is_verified());
    assert_eq!(now.verification.and_then(|v| v.attempts), Some(0), "a late code is not an attempt");
}

#[tokio::test]
async fn codes_cannot_be_resent_within_the_cooldown() {
    let server = TestServer::start().await; // the default 30 s cooldown
    let client = server.demo_client().await;
    let added = client.create_email_address("wait@example.com").await.expect("add");
    client.prepare_email_verification(&added.id, &EmailVerification::Code).await.expect("prepare");
    let code = server.latest_code("wait@example.com").await;
    let error =
        client.prepare_email_verification(&added.id, &EmailVerification::Code).await.expect_err("too soon");
    assert_eq!((error.status(), error.code()), (Some(429), "too_many_requests"));
    let wait = meta(&error, "retry_after_seconds").as_u64().expect("seconds to wait");
    assert!((1..=30).contains(&wait), "{wait}");
    assert!(long_message(&error).contains(&format!("{wait} second")));
    let link = EmailVerification::Link { redirect_url: None };
    let error = client.prepare_email_verification(&added.id, &link).await.expect_err("a link is a send too");
    assert_eq!(error.code(), "too_many_requests");
    assert_eq!(server.outbox().await.len(), 1, "nothing more was sent");
    // The first code still works.
    assert!(client.attempt_email_verification(&added.id, &code).await.expect("attempt").is_verified());

    // Raw: the Retry-After header says the same.
    let short = TestServer::start_with(|config| config.resend_cooldown = Duration::from_millis(500)).await;
    let token = short.demo_token().await;
    let raw = short.raw();
    let created = raw
        .form(Method::POST, "/v1/me/email_addresses", Some(&token), "email_address=soon%40example.com")
        .await;
    let id = created.body["response"]["id"].as_str().expect("id").to_owned();
    let path = format!("/v1/me/email_addresses/{id}/prepare_verification");
    assert_eq!(
        raw.form(Method::POST, &path, Some(&token), "strategy=email_code").await.status,
        StatusCode::OK
    );
    let refused = raw.form(Method::POST, &path, Some(&token), "strategy=email_code").await;
    assert_eq!(refused.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(refused.headers.get(RETRY_AFTER).and_then(|v| v.to_str().ok()), Some("1"));
    assert_eq!(refused.body["errors"][0]["meta"]["retry_after_seconds"], 1);
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert_eq!(
        raw.form(Method::POST, &path, Some(&token), "strategy=email_code").await.status,
        StatusCode::OK
    );
    assert_eq!(short.outbox().await.len(), 2);
}

#[tokio::test]
async fn malformed_codes_are_refused_without_counting() {
    let server = TestServer::start().await;
    let client = server.demo_client().await;
    let added = client.create_email_address("form@example.com").await.expect("add");
    client.prepare_email_verification(&added.id, &EmailVerification::Code).await.expect("prepare");
    for bad in ["12a456", "abcdef", "12345", "1234567", "", "12 456"] {
        let error = client.attempt_email_verification(&added.id, bad).await.expect_err("malformed");
        assert_eq!(
            (error.status(), error.code(), error.field()),
            (Some(422), "form_param_format_invalid", Some("code")),
            "{bad:?}"
        );
    }
    let now = find(&client, "form@example.com").await.expect("there");
    assert_eq!(now.verification.and_then(|v| v.attempts), Some(0));
    let code = server.latest_code("form@example.com").await;
    assert!(client.attempt_email_verification(&added.id, &code).await.expect("attempt").is_verified());
}

#[tokio::test]
async fn a_code_needs_a_prepared_verification() {
    let server = TestServer::start().await;
    let client = server.demo_client().await;
    let added = client.create_email_address("unsent@example.com").await.expect("add");
    let error = client.attempt_email_verification(&added.id, "123456").await.expect_err("nothing sent");
    assert_eq!((error.status(), error.code()), (Some(400), "verification_missing"));
    let link = EmailVerification::Link { redirect_url: None };
    client.prepare_email_verification(&added.id, &link).await.expect("a link");
    let error =
        client.attempt_email_verification(&added.id, "123456").await.expect_err("a link takes no code");
    assert_eq!(error.code(), "verification_strategy_invalid");
    assert!(!find(&client, "unsent@example.com").await.expect("there").is_verified());
}

#[tokio::test]
async fn addresses_are_checked_and_unique_whatever_their_case() {
    let server = TestServer::start().await;
    let client = server.demo_client().await;
    for bad in [
        "plainaddress",
        "@example.com",
        "a@",
        "a b@example.com",
        "a@b@c.d",
        "a..b@example.com",
        "a@-x.com",
        "<a>@x.com",
        "a@[127.0.0.1]",
    ] {
        let error = client.create_email_address(bad).await.expect_err("malformed");
        assert_eq!(
            (error.status(), error.code(), error.field()),
            (Some(422), "form_param_format_invalid", Some("email_address")),
            "{bad:?}"
        );
    }
    let error =
        client.create_email_address(&format!("{}@example.com", "x".repeat(250))).await.expect_err("long");
    assert_eq!((error.code(), error.field()), ("form_param_max_length_exceeded", Some("email_address")));

    client.create_email_address("Mine@Example.com").await.expect("add");
    for taken in ["mine@example.com", "MINE@EXAMPLE.COM", "Demo@Example.com"] {
        let error = client.create_email_address(taken).await.expect_err("taken");
        assert_eq!(
            (error.status(), error.code(), error.field()),
            (Some(422), "form_identifier_exists", Some("email_address")),
            "{taken}"
        );
    }
    // Another person cannot add an address someone verified (an unverified one holds nothing:
    // tests/identifiers.rs).
    let other = server.user_client("other@example.com", Some("other_user")).await;
    let error = other.create_email_address(DEMO_EMAIL).await.expect_err("verified by demo");
    assert_eq!(error.code(), "form_identifier_exists");
    assert_eq!(other.email_addresses().await.expect("list").len(), 1, "unchanged");
    let mine: Vec<String> =
        client.email_addresses().await.expect("list").into_iter().map(|e| e.email_address).collect();
    assert_eq!(mine, [DEMO_EMAIL, "mine@example.com"], "unchanged");
}

#[tokio::test]
async fn at_most_five_unverified_addresses() {
    let server = TestServer::start().await;
    let client = server.demo_client().await;
    for n in 0..5 {
        client.create_email_address(&format!("u{n}@example.com")).await.expect("add");
    }
    let error = client.create_email_address("u5@example.com").await.expect_err("too many");
    assert_eq!((error.status(), error.code()), (Some(400), "too_many_unverified_identifications"));
    assert_eq!(client.email_addresses().await.expect("list").len(), 6);
}

#[tokio::test]
async fn another_persons_addresses_are_not_found() {
    let server = TestServer::start().await;
    let demo = server.demo_client().await;
    let other = server.user_client("theirs@example.com", Some("them_user")).await;
    let theirs = other.email_addresses().await.expect("list")[0].clone();
    let pending = other.create_email_address("pending@example.com").await.expect("add");

    for id in [&theirs.id, &pending.id, &"idn_missing".to_owned()] {
        let error = demo.destroy_email_address(id).await.expect_err("not mine");
        assert_eq!((error.status(), error.code()), (Some(404), "resource_not_found"));
        let error =
            demo.prepare_email_verification(id, &EmailVerification::Code).await.expect_err("not mine");
        assert_eq!((error.status(), error.code()), (Some(404), "resource_not_found"));
        let error = demo.attempt_email_verification(id, "123456").await.expect_err("not mine");
        assert_eq!((error.status(), error.code()), (Some(404), "resource_not_found"));
        let error = demo
            .update_user(&UpdateUserParams {
                primary_email_address_id: Some(id.clone()),
                ..Default::default()
            })
            .await
            .expect_err("not mine");
        assert_eq!(
            (error.status(), error.code(), error.field()),
            (Some(422), "form_param_value_invalid", Some("primary_email_address_id"))
        );
    }
    let raw = server.raw();
    let token = server.demo_token().await;
    let reply = raw.get(&format!("/v1/me/email_addresses/{}", theirs.id), Some(&token)).await;
    assert_eq!((reply.status, reply.code()), (StatusCode::NOT_FOUND, "resource_not_found"));
    // A phone number's route does not reach an email address either.
    let reply = raw.get(&format!("/v1/me/phone_numbers/{}", theirs.id), Some(&token)).await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);

    // Their account is as it was, and nothing was sent to them.
    let after = other.email_addresses().await.expect("list");
    assert_eq!(after.len(), 2);
    assert!(after.iter().any(|e| e.id == theirs.id && e.is_verified()));
    assert!(after.iter().any(|e| e.id == pending.id && e.verification.is_none()));
    assert!(server.outbox().await.is_empty());
    assert_eq!(
        demo.me().await.expect("me").primary_email_address().map(|e| e.email_address.clone()).as_deref(),
        Some(DEMO_EMAIL)
    );
}

/// Adds and verifies an address for `client`.
async fn add_verified(server: &TestServer, client: &userdesk_fapi::Client, address: &str) -> EmailAddress {
    let added = client.create_email_address(address).await.expect("add");
    client.prepare_email_verification(&added.id, &EmailVerification::Code).await.expect("prepare");
    let code = server.latest_code(address).await;
    client.attempt_email_verification(&added.id, &code).await.expect("verify")
}

#[tokio::test]
async fn the_primary_address_is_a_verified_one_of_ones_own() {
    let server = TestServer::start().await;
    let client = server.demo_client().await;
    let me = client.me().await.expect("me");
    let original = me.primary_email_address_id.clone().expect("a primary");
    let pending = client.create_email_address("pending@example.com").await.expect("add");
    let error = client
        .update_user(&UpdateUserParams {
            primary_email_address_id: Some(pending.id.clone()),
            ..Default::default()
        })
        .await
        .expect_err("unverified");
    assert_eq!((error.code(), error.field()), ("form_param_value_invalid", Some("primary_email_address_id")));
    assert_eq!(client.me().await.expect("me").primary_email_address_id.as_deref(), Some(original.as_str()));

    let work = add_verified(&server, &client, "work@example.com").await;
    let user = client
        .update_user(&UpdateUserParams {
            primary_email_address_id: Some(work.id.clone()),
            ..Default::default()
        })
        .await
        .expect("make primary");
    assert_eq!(user.primary_email_address_id.as_deref(), Some(work.id.as_str()));
    assert_eq!(user.primary_email_address().map(|e| e.email_address.as_str()), Some("work@example.com"));

    // Removing the primary while another verified address exists: the most recent other
    // verified address becomes primary, as Clerk does.
    let deleted = client.destroy_email_address(&work.id).await.expect("remove the primary");
    assert_eq!(
        (deleted.object.as_str(), deleted.id.as_deref(), deleted.deleted),
        ("email_address", Some(work.id.as_str()), true)
    );
    let me = client.me().await.expect("me");
    assert_eq!(me.primary_email_address_id.as_deref(), Some(original.as_str()));
    assert!(!me.email_addresses.iter().any(|e| e.id == work.id));
}

#[tokio::test]
async fn the_first_verified_address_becomes_primary() {
    let server = TestServer::start().await;
    let raw = server.raw();
    let created = raw
        .backend(
            Method::POST,
            "/v1/users",
            Some(&server.secret_key),
            Some(serde_json::json!({"username": "nomail", "password": "long-enough-1"})),
        )
        .await;
    assert_eq!(created.status, StatusCode::OK, "{}", created.body);
    let client = server.client();
    client.sign_in_with_password("nomail", "long-enough-1").await.expect("sign in");
    assert_eq!(client.me().await.expect("me").primary_email_address_id, None);
    let added = add_verified(&server, &client, "first@example.com").await;
    assert_eq!(client.me().await.expect("me").primary_email_address_id.as_deref(), Some(added.id.as_str()));
}

#[tokio::test]
async fn the_last_address_to_sign_in_with_stays() {
    let server = TestServer::start().await;
    // Only an email address to sign in with (no username).
    let client = server.user_client("only@example.com", None).await;
    let only = client.email_addresses().await.expect("list")[0].clone();
    let error = client.destroy_email_address(&only.id).await.expect_err("last identification");
    assert_eq!((error.status(), error.code()), (Some(400), "identification_deletion_failed"));
    assert!(long_message(&error).contains("sign in"), "{}", long_message(&error));
    // An unverified address does not count as a way to sign in, and can itself be removed.
    let pending = client.create_email_address("pending2@example.com").await.expect("add");
    let error = client.destroy_email_address(&only.id).await.expect_err("still the last");
    assert_eq!(error.code(), "identification_deletion_failed");
    client.destroy_email_address(&pending.id).await.expect("remove the unverified one");
    let me = client.me().await.expect("me");
    assert_eq!(me.email_addresses.len(), 1);
    assert_eq!(me.primary_email_address_id.as_deref(), Some(only.id.as_str()));
    // They can still sign in with it.
    server.client().sign_in_with_password("only@example.com", "long-enough-1").await.expect("sign in");

    // The demo user also has a username: the email can go, and then the username must stay.
    let demo = server.demo_client().await;
    let email = demo.email_addresses().await.expect("list")[0].clone();
    demo.destroy_email_address(&email.id).await.expect("the username still signs in");
    let me = demo.me().await.expect("me");
    assert!(me.email_addresses.is_empty());
    assert_eq!(me.primary_email_address_id, None);
    let error = demo
        .update_user(&UpdateUserParams { username: Some(String::new()), ..Default::default() })
        .await
        .expect_err("the last way to sign in");
    assert_eq!(error.code(), "identification_deletion_failed");
    assert_eq!(demo.me().await.expect("me").username.as_deref(), Some(DEMO_USERNAME));
    server
        .client()
        .sign_in_with_password(DEMO_USERNAME, userdesk_server::DEMO_PASSWORD)
        .await
        .expect("sign in");
}

#[tokio::test]
async fn an_email_link_verifies_once() {
    let server = TestServer::start().await;
    let client = server.demo_client().await;
    let added = client.create_email_address("link@example.com").await.expect("add");
    let prepared = client
        .prepare_email_verification(&added.id, &EmailVerification::Link { redirect_url: None })
        .await
        .expect("prepare");
    let verification = prepared.verification.expect("verification");
    assert_eq!(
        (verification.strategy.as_str(), verification.status),
        ("email_link", VerificationStatus::Unverified)
    );
    assert_eq!(verification.object.as_deref(), Some("verification_email_link"));
    let link = server.latest_link("link@example.com").await;
    assert!(link.starts_with(&format!("{}/v1/verify?token=", server.url)), "{link}");
    assert!(server.outbox().await[0].code.is_none());

    let browser =
        reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().expect("client");
    let page = browser.get(&link).header(ACCEPT, "text/html").send().await.expect("open the link");
    assert_eq!(page.status(), StatusCode::OK);
    assert!(page.headers()["content-type"].to_str().expect("type").starts_with("text/html"));
    let text = page.text().await.expect("page");
    assert!(text.contains("Email address verified") && text.contains("link@example.com"), "{text}");
    assert!(find(&client, "link@example.com").await.expect("there").is_verified());

    // A second visit says the link was used, and changes nothing.
    let again = browser.get(&link).header(ACCEPT, "text/html").send().await.expect("again");
    assert_eq!(again.status(), StatusCode::BAD_REQUEST);
    assert!(again.text().await.expect("page").contains("already used"));
    let json = browser.get(&link).send().await.expect("again, as JSON");
    assert_eq!(json.status(), StatusCode::BAD_REQUEST);
    let body: Value = json.json().await.expect("ClerkErrors");
    assert_eq!(body["errors"][0]["code"], "verification_already_verified");
    assert!(find(&client, "link@example.com").await.expect("there").is_verified());

    // A made-up or truncated token is not a link.
    let forged = browser
        .get(format!("{}/v1/verify?token=forged", server.url))
        .header(ACCEPT, "text/html")
        .send()
        .await
        .expect("forged");
    assert_eq!(forged.status(), StatusCode::BAD_REQUEST);
    assert!(forged.text().await.expect("page").contains("not valid"));
    let missing: Value = browser
        .get(format!("{}/v1/verify", server.url))
        .send()
        .await
        .expect("no token")
        .json()
        .await
        .expect("json");
    assert_eq!(missing["errors"][0]["code"], "verification_link_token_invalid");
}

#[tokio::test]
async fn an_email_link_expires_and_a_newer_one_replaces_it() {
    let server = TestServer::start_with(|config| {
        config.link_lifetime = Duration::from_millis(300);
        config.resend_cooldown = Duration::ZERO;
    })
    .await;
    let client = server.demo_client().await;
    let added = client.create_email_address("old-link@example.com").await.expect("add");
    let link_strategy = EmailVerification::Link { redirect_url: None };
    client.prepare_email_verification(&added.id, &link_strategy).await.expect("prepare");
    let first = server.latest_link("old-link@example.com").await;
    tokio::time::sleep(Duration::from_millis(450)).await;
    assert_eq!(
        status(&find(&client, "old-link@example.com").await.expect("there")),
        Some(VerificationStatus::Expired)
    );
    let browser = reqwest::Client::new();
    let page = browser.get(&first).header(ACCEPT, "text/html").send().await.expect("open");
    assert_eq!(page.status(), StatusCode::BAD_REQUEST);
    assert!(page.text().await.expect("page").contains("expired"));
    assert!(!find(&client, "old-link@example.com").await.expect("there").is_verified());

    // A newer link replaces the old one (and a code replaces a link).
    client.prepare_email_verification(&added.id, &link_strategy).await.expect("prepare again");
    let second = server.latest_link("old-link@example.com").await;
    assert_ne!(first, second);
    client.prepare_email_verification(&added.id, &EmailVerification::Code).await.expect("a code instead");
    let page = browser.get(&second).header(ACCEPT, "text/html").send().await.expect("open the replaced link");
    assert_eq!(page.status(), StatusCode::BAD_REQUEST);
    assert!(page.text().await.expect("page").contains("not valid"));
    assert!(!find(&client, "old-link@example.com").await.expect("there").is_verified());
}

#[tokio::test]
async fn an_email_link_redirects_only_where_allowed() {
    let server = TestServer::start().await;
    let client = server.demo_client().await;
    let added = client.create_email_address("redirect@example.com").await.expect("add");
    for bad in [
        "https://evil.example/done",
        "http://localhost.evil.example/",
        "javascript:alert(1)",
        "other-app://done",
    ] {
        let error = client
            .prepare_email_verification(
                &added.id,
                &EmailVerification::Link { redirect_url: Some(bad.into()) },
            )
            .await
            .expect_err("not allowed");
        assert_eq!(
            (error.status(), error.code(), error.field()),
            (Some(422), "form_param_value_invalid", Some("redirect_url")),
            "{bad}"
        );
    }
    assert!(server.outbox().await.is_empty(), "nothing was sent for a refused request");
    assert!(find(&client, "redirect@example.com").await.expect("there").verification.is_none());

    let target = "http://127.0.0.1:9/verified?from=email";
    client
        .prepare_email_verification(&added.id, &EmailVerification::Link { redirect_url: Some(target.into()) })
        .await
        .expect("a loopback page is allowed");
    let link = server.latest_link("redirect@example.com").await;
    let browser =
        reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().expect("client");
    let reply = browser.get(&link).header(ACCEPT, "text/html").send().await.expect("open");
    assert_eq!(reply.status(), StatusCode::SEE_OTHER);
    assert_eq!(reply.headers()[LOCATION], target);
    assert!(find(&client, "redirect@example.com").await.expect("there").is_verified());

    // The app's own scheme is allowed too.
    let app = client.create_email_address("app@example.com").await.expect("add");
    client
        .prepare_email_verification(
            &app.id,
            &EmailVerification::Link { redirect_url: Some("dev.userdesk.app://verified".into()) },
        )
        .await
        .expect("the app's scheme");
    let reply = browser.get(server.latest_link("app@example.com").await).send().await.expect("open");
    assert_eq!(reply.status(), StatusCode::SEE_OTHER);
    assert_eq!(reply.headers()[LOCATION], "dev.userdesk.app://verified");
}
