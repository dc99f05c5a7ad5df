//! Phone numbers as the app manages them, through `userdesk-fapi`'s client: E.164
//! normalisation, validation, SMS verification, and use for two-step verification. Codes are
//! read from the development outbox.

mod common;

use common::TestServer;
use reqwest::{Method, StatusCode};
use userdesk_fapi::models::{PhoneNumber, VerificationStatus};
use userdesk_fapi::UpdateUserParams;
use userdesk_server::OutboxChannel;

/// Adds and verifies `number` for `client`; returns it verified.
async fn add_verified(server: &TestServer, client: &userdesk_fapi::Client, number: &str) -> PhoneNumber {
    let added = client.create_phone_number(number).await.expect("add");
    client.prepare_phone_verification(&added.id).await.expect("prepare");
    let code = server.latest_code(&added.phone_number).await;
    let verified = client.attempt_phone_verification(&added.id, &code).await.expect("verify");
    assert!(verified.is_verified());
    verified
}

async fn find(client: &userdesk_fapi::Client, id: &str) -> PhoneNumber {
    client.phone_numbers().await.expect("list").into_iter().find(|p| p.id == id).expect("still there")
}

#[tokio::test]
async fn numbers_are_stored_in_e164_from_national_and_international_forms() {
    // The default region (US) reads national US numbers; others need their country code.
    let server = TestServer::start().await;
    let client = server.demo_client().await;
    for (typed, e164) in [
        ("(415) 555-0132", "+14155550132"),
        ("415.555.0133", "+14155550133"),
        ("+44 20 7946 0018", "+442079460018"),
        ("011 44 20 7946 0019", "+442079460019"),
        ("+49 30 12345678", "+493012345678"),
        ("+33 6 12 34 56 78", "+33612345678"),
        ("+91 98765 43210", "+919876543210"),
    ] {
        let added = client.create_phone_number(typed).await.unwrap_or_else(|e| panic!("{typed}: {e}"));
        assert_eq!(added.phone_number, e164, "{typed}");
        assert_eq!(added.object, "phone_number");
        assert!(!added.reserved_for_second_factor && !added.default_second_factor);
        if client.phone_numbers().await.expect("list").len() == 5 {
            // Keep under the limit of unverified identifications.
            for phone in client.phone_numbers().await.expect("list") {
                client.destroy_phone_number(&phone.id).await.expect("remove");
            }
        }
    }

    // National forms of other countries, with the region configured.
    for (region, typed, e164) in [
        ("GB", "020 7946 0018", "+442079460018"),
        ("GB", "07400 123456", "+447400123456"),
        ("DE", "030 12345678", "+493012345678"),
        ("DE", "0151 23456789", "+4915123456789"),
        ("FR", "06 12 34 56 78", "+33612345678"),
        ("IN", "098765 43210", "+919876543210"),
        ("IN", "98765 43210", "+919876543210"),
    ] {
        let server = TestServer::start_with(|config| config.default_region = region.into()).await;
        let client = server.demo_client().await;
        let added =
            client.create_phone_number(typed).await.unwrap_or_else(|e| panic!("{region} {typed}: {e}"));
        assert_eq!(added.phone_number, e164, "{region} {typed}");
    }
}

#[tokio::test]
async fn an_unknown_default_region_is_refused_at_start() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut config = userdesk_server::Config::new(dir.path());
    config.default_region = "Narnia".into();
    match userdesk_server::start(config).await {
        Err(userdesk_server::Error::InvalidConfig(message)) => assert!(message.contains("Narnia")),
        other => panic!("expected InvalidConfig, got {other:?}"),
    }
}

#[tokio::test]
async fn malformed_and_duplicate_numbers_are_refused() {
    let server = TestServer::start().await;
    let client = server.demo_client().await;
    for bad in
        ["1-800-FLOWERS", "call me", "415 555 01", "+44 20 7946 00181234", "+999 1234567", "12+345", "", "+"]
    {
        let error = client.create_phone_number(bad).await.expect_err("malformed");
        assert_eq!(
            (error.status(), error.code(), error.field()),
            (Some(422), "form_param_format_invalid", Some("phone_number")),
            "{bad:?}"
        );
    }
    let error = client.create_phone_number(&"5".repeat(40)).await.expect_err("long");
    assert_eq!((error.code(), error.field()), ("form_param_max_length_exceeded", Some("phone_number")));
    assert!(client.phone_numbers().await.expect("list").is_empty(), "nothing was added");

    client.create_phone_number("(415) 555-0132").await.expect("add");
    let error =
        client.create_phone_number("+1 415 555 0132").await.expect_err("the same number, written otherwise");
    assert_eq!(
        (error.status(), error.code(), error.field()),
        (Some(422), "form_identifier_exists", Some("phone_number"))
    );
    // Unverified, it holds nothing against another person (tests/identifiers.rs).
    let other = server.user_client("other@example.com", Some("other_user")).await;
    other.create_phone_number("415-555-0132").await.expect("an unverified number is no one's yet");
    assert_eq!(client.phone_numbers().await.expect("list").len(), 1);
}

#[tokio::test]
async fn a_number_is_verified_by_sms_and_becomes_primary() {
    let server = TestServer::start().await;
    let client = server.demo_client().await;
    let added = client.create_phone_number("+1 415 555 0132").await.expect("add");
    assert!(added.verification.is_none());
    let prepared = client.prepare_phone_verification(&added.id).await.expect("prepare");
    let verification = prepared.verification.expect("verification");
    assert_eq!(
        (verification.strategy.as_str(), verification.status),
        ("phone_code", VerificationStatus::Unverified)
    );
    assert_eq!(verification.object.as_deref(), Some("verification_otp"));

    let outbox = server.outbox().await;
    assert_eq!(outbox.len(), 1);
    assert_eq!((outbox[0].channel, outbox[0].to.as_str()), (OutboxChannel::Sms, "+14155550132"));
    let code = outbox[0].code.clone().expect("a code");
    assert!(outbox[0].body.contains(&code));

    let wrong = if code == "000000" { "111111" } else { "000000" };
    let error = client.attempt_phone_verification(&added.id, wrong).await.expect_err("wrong");
    assert_eq!((error.code(), error.field()), ("form_code_incorrect", Some("code")));
    let error = client.attempt_phone_verification(&added.id, "12345a").await.expect_err("malformed");
    assert_eq!((error.code(), error.field()), ("form_param_format_invalid", Some("code")));
    let verified = client.attempt_phone_verification(&added.id, &code).await.expect("verify");
    assert!(verified.is_verified());
    assert_eq!(verified.verification.and_then(|v| v.attempts), Some(2));
    let me = client.me().await.expect("me");
    assert_eq!(
        me.primary_phone_number_id.as_deref(),
        Some(added.id.as_str()),
        "the first verified number is primary"
    );
    assert!(!me.two_factor_enabled, "verifying alone does not turn on two-step verification");

    let error = client.prepare_phone_verification(&added.id).await.expect_err("verified already");
    assert_eq!(error.code(), "verification_already_verified");
}

#[tokio::test]
async fn sms_codes_fail_after_three_wrong_attempts_and_cool_down() {
    let server = TestServer::start().await;
    let client = server.demo_client().await;
    let added = client.create_phone_number("+44 7400 123456").await.expect("add");
    client.prepare_phone_verification(&added.id).await.expect("prepare");
    let error = client.prepare_phone_verification(&added.id).await.expect_err("too soon");
    assert_eq!((error.status(), error.code()), (Some(429), "too_many_requests"));
    let code = server.latest_code("+447400123456").await;
    let wrong = if code == "000000" { "111111" } else { "000000" };
    for expected in ["form_code_incorrect", "form_code_incorrect", "verification_failed"] {
        let error = client.attempt_phone_verification(&added.id, wrong).await.expect_err("wrong");
        assert_eq!(error.code(), expected);
    }
    let error = client.attempt_phone_verification(&added.id, &code).await.expect_err("over");
    assert_eq!(error.code(), "verification_failed");
    let now = find(&client, &added.id).await;
    assert_eq!(now.verification.map(|v| v.status), Some(VerificationStatus::Failed));
    assert_eq!(client.me().await.expect("me").primary_phone_number_id, None);
}

#[tokio::test]
async fn second_factor_rules() {
    let server = TestServer::start().await;
    let client = server.demo_client().await;
    // A second device signed in before two-step verification is on (after, signing in takes a
    // second factor).
    let token = server.demo_token().await;
    let pending = client.create_phone_number("+1 415 555 0100").await.expect("add");
    let error = client.set_reserved_for_second_factor(&pending.id, true).await.expect_err("unverified");
    assert_eq!((error.status(), error.code()), (Some(400), "identification_update_second_factor_unverified"));
    let error = client.make_default_second_factor(&pending.id).await.expect_err("unverified");
    assert_eq!(error.code(), "identification_update_second_factor_unverified");
    assert!(!find(&client, &pending.id).await.reserved_for_second_factor);

    let first = add_verified(&server, &client, "+1 415 555 0132").await;
    let error = client.make_default_second_factor(&first.id).await.expect_err("not reserved");
    assert_eq!(
        (error.status(), error.code(), error.field()),
        (Some(422), "form_param_value_invalid", Some("default_second_factor"))
    );

    let reserved = client.set_reserved_for_second_factor(&first.id, true).await.expect("reserve");
    assert!(
        reserved.reserved_for_second_factor && reserved.default_second_factor,
        "the first is the default"
    );
    let me = client.me().await.expect("me");
    assert!(me.two_factor_enabled, "a reserved verified number turns two-step verification on");
    assert!(me.mfa_enabled_at.is_some());

    let second = add_verified(&server, &client, "+44 20 7946 0018").await;
    let second = client.set_reserved_for_second_factor(&second.id, true).await.expect("reserve");
    assert!(second.reserved_for_second_factor && !second.default_second_factor, "one default per user");
    let second = client.make_default_second_factor(&second.id).await.expect("make default");
    assert!(second.default_second_factor);
    assert!(!find(&client, &first.id).await.default_second_factor, "the old default is unset");

    // The default moves only by choosing another.
    let raw = server.raw();
    let reply = raw
        .form(
            Method::PATCH,
            &format!("/v1/me/phone_numbers/{}", second.id),
            Some(&token),
            "default_second_factor=false",
        )
        .await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        (reply.code(), reply.param()),
        ("form_disable_default_second_factor_not_allowed", Some("default_second_factor"))
    );
    assert!(find(&client, &second.id).await.default_second_factor);

    // Releasing the default makes the other reserved number the default.
    let released = client.set_reserved_for_second_factor(&second.id, false).await.expect("release");
    assert!(!released.reserved_for_second_factor && !released.default_second_factor);
    assert!(find(&client, &first.id).await.default_second_factor);
    assert!(client.me().await.expect("me").two_factor_enabled);

    // Removing the last reserved number turns two-step verification off.
    client.destroy_phone_number(&first.id).await.expect("remove");
    let me = client.me().await.expect("me");
    assert!(!me.two_factor_enabled);
    assert!(me.mfa_disabled_at.is_some());
    assert!(me.phone_numbers.iter().all(|p| !p.default_second_factor && !p.reserved_for_second_factor));
}

#[tokio::test]
async fn removing_the_default_second_factor_promotes_another_and_the_primary_moves() {
    let server = TestServer::start().await;
    let client = server.demo_client().await;
    let first = add_verified(&server, &client, "+1 415 555 0132").await;
    let second = add_verified(&server, &client, "+1 415 555 0133").await;
    client.set_reserved_for_second_factor(&first.id, true).await.expect("reserve");
    client.set_reserved_for_second_factor(&second.id, true).await.expect("reserve");
    assert_eq!(client.me().await.expect("me").primary_phone_number_id.as_deref(), Some(first.id.as_str()));

    let deleted = client.destroy_phone_number(&first.id).await.expect("remove");
    assert_eq!((deleted.object.as_str(), deleted.deleted), ("phone_number", true));
    let me = client.me().await.expect("me");
    assert_eq!(
        me.primary_phone_number_id.as_deref(),
        Some(second.id.as_str()),
        "the other verified number is primary"
    );
    assert!(find(&client, &second.id).await.default_second_factor);
    assert!(me.two_factor_enabled);
    let primary = client
        .update_user(&UpdateUserParams {
            primary_phone_number_id: Some(second.id.clone()),
            ..Default::default()
        })
        .await
        .expect("make primary (already)");
    assert_eq!(primary.primary_phone_number_id.as_deref(), Some(second.id.as_str()));
}

#[tokio::test]
async fn another_persons_numbers_are_not_found() {
    let server = TestServer::start().await;
    let demo = server.demo_client().await;
    let other = server.user_client("other@example.com", Some("other_user")).await;
    let theirs = add_verified(&server, &other, "+1 415 555 0199").await;
    let sent = server.outbox().await.len();

    let error = demo.destroy_phone_number(&theirs.id).await.expect_err("not mine");
    assert_eq!((error.status(), error.code()), (Some(404), "resource_not_found"));
    let error = demo.prepare_phone_verification(&theirs.id).await.expect_err("not mine");
    assert_eq!(error.code(), "resource_not_found");
    let error = demo.attempt_phone_verification(&theirs.id, "123456").await.expect_err("not mine");
    assert_eq!(error.code(), "resource_not_found");
    let error = demo.set_reserved_for_second_factor(&theirs.id, true).await.expect_err("not mine");
    assert_eq!(error.code(), "resource_not_found");
    let error = demo.make_default_second_factor(&theirs.id).await.expect_err("not mine");
    assert_eq!(error.code(), "resource_not_found");
    let error = demo
        .update_user(&UpdateUserParams {
            primary_phone_number_id: Some(theirs.id.clone()),
            ..Default::default()
        })
        .await
        .expect_err("not mine");
    assert_eq!((error.code(), error.field()), ("form_param_value_invalid", Some("primary_phone_number_id")));
    // An email address id is not a phone number either.
    let email_id = demo.email_addresses().await.expect("list")[0].id.clone();
    assert_eq!(
        demo.destroy_phone_number(&email_id).await.expect_err("an email").code(),
        "resource_not_found"
    );

    let after = find(&other, &theirs.id).await;
    assert!(after.is_verified() && !after.reserved_for_second_factor);
    assert_eq!(other.me().await.expect("me").primary_phone_number_id.as_deref(), Some(theirs.id.as_str()));
    assert_eq!(server.outbox().await.len(), sent, "nothing was sent");
    assert_eq!(demo.email_addresses().await.expect("list").len(), 1);
}

#[tokio::test]
async fn raw_phone_requests_name_what_is_wrong() {
    let server = TestServer::start().await;
    let raw = server.raw();
    let token = server.demo_token().await;
    let reply = raw
        .form(
            Method::POST,
            "/v1/me/phone_numbers",
            Some(&token),
            "phone_number=%2B14155550132&reserved_for_second_factor=true",
        )
        .await;
    assert_eq!(
        (reply.status, reply.code()),
        (StatusCode::BAD_REQUEST, "identification_create_second_factor_unverified")
    );
    let reply = raw
        .form(
            Method::POST,
            "/v1/me/phone_numbers",
            Some(&token),
            "phone_number=%2B14155550132&reserved_for_second_factor=yes",
        )
        .await;
    assert_eq!(
        (reply.code(), reply.param()),
        ("form_param_format_invalid", Some("reserved_for_second_factor"))
    );
    let reply = raw.form(Method::POST, "/v1/me/phone_numbers", Some(&token), "number=%2B14155550132").await;
    assert_eq!((reply.code(), reply.param()), ("form_param_unknown", Some("number")));
    let reply = raw.form(Method::POST, "/v1/me/phone_numbers", Some(&token), "").await;
    assert_eq!((reply.code(), reply.param()), ("form_param_missing", Some("phone_number")));
    assert_eq!(
        raw.get("/v1/me/phone_numbers", Some(&token)).await.body,
        serde_json::json!([]),
        "nothing was added"
    );

    let created =
        raw.form(Method::POST, "/v1/me/phone_numbers", Some(&token), "phone_number=%2B14155550132").await;
    assert_eq!(created.status, StatusCode::OK, "{}", created.body);
    let id = created.body["response"]["id"].as_str().expect("id").to_owned();
    let prepare = format!("/v1/me/phone_numbers/{id}/prepare_verification");
    let reply = raw.form(Method::POST, &prepare, Some(&token), "strategy=email_code").await;
    assert_eq!((reply.code(), reply.param()), ("form_param_value_invalid", Some("strategy")));
    let reply = raw.form(Method::POST, &prepare, Some(&token), "").await;
    assert_eq!((reply.code(), reply.param()), ("form_param_missing", Some("strategy")));
    let attempt = format!("/v1/me/phone_numbers/{id}/attempt_verification");
    for body in [
        "code=12a456",
        "code=12345",
        "code=1234567",
        "code=%EF%BC%91%EF%BC%92%EF%BC%93%EF%BC%94%EF%BC%95%EF%BC%96",
    ] {
        let reply = raw.form(Method::POST, &attempt, Some(&token), body).await;
        assert_eq!(
            (reply.status, reply.code(), reply.param()),
            (StatusCode::UNPROCESSABLE_ENTITY, "form_param_format_invalid", Some("code")),
            "{body}"
        );
    }
    let reply = raw
        .form(
            Method::PATCH,
            &format!("/v1/me/phone_numbers/{id}"),
            Some(&token),
            "reserved_for_second_factor=1",
        )
        .await;
    assert_eq!(
        (reply.code(), reply.param()),
        ("form_param_format_invalid", Some("reserved_for_second_factor"))
    );
    let phone = raw.get(&format!("/v1/me/phone_numbers/{id}"), Some(&token)).await;
    assert_eq!(phone.body["response"]["verification"], serde_json::Value::Null, "nothing was prepared");
    assert!(server.outbox().await.is_empty());
}
