//! Signing up with what the instance asks (`Config::sign_up`): the default email address and
//! password, fields given bit by bit with `missing_fields` and `unverified_fields`, required
//! usernames, legal consent, phone numbers verified by SMS, email links, passwordless instances,
//! bad input, the environment saying all that, and the operations' conformance to the spec; and
//! deleting an account leaving nothing.

mod common;

use common::security::{now_secs, totp_code};
use std::time::Duration;

use common::{enc, Reply, TestServer};
use reqwest::header::{ACCEPT, LOCATION};
use reqwest::{Method, StatusCode};
use serde_json::{json, Map, Value};
use userdesk_conformance::Spec;
use userdesk_fapi::models::{SignUpStatus, VerificationStatus};
use userdesk_fapi::{SignUpParams, SignUpVerification, TokenService};
use userdesk_server::{Config, FirstFactors, LegalConsent, Requirement, SignUpSettings};

const EMAIL_CODE: SignUpVerification = SignUpVerification::EmailCode;

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
        ..SignUpParams::default()
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

    let prepared = client.prepare_sign_up_verification(&sign_up.id, &EMAIL_CODE).await.expect("code sent");
    let verification = prepared.verifications.email_address.expect("the verification");
    assert_eq!(verification.strategy, "email_code");
    let code = server.latest_code("ada@example.com").await;
    let wrong = if code == "000000" { "111111" } else { "000000" };
    let error =
        client.attempt_sign_up_verification(&sign_up.id, &EMAIL_CODE, wrong).await.expect_err("wrong");
    assert_eq!((error.status(), error.code()), (Some(422), "form_code_incorrect"));

    let done = client.attempt_sign_up_verification(&sign_up.id, &EMAIL_CODE, &code).await.expect("verified");
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
        ("email_address=a%40b.c&phone_number=12", "form_param_format_invalid", "phone_number"),
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
    client.prepare_sign_up_verification(&sign_up.id, &EMAIL_CODE).await.expect("sent");
    let code = server.latest_code("tries@example.com").await;
    let wrong = if code == "000000" { "111111" } else { "000000" };
    client.attempt_sign_up_verification(&sign_up.id, &EMAIL_CODE, wrong).await.expect_err("1");
    client.attempt_sign_up_verification(&sign_up.id, &EMAIL_CODE, wrong).await.expect_err("2");
    let error = client.attempt_sign_up_verification(&sign_up.id, &EMAIL_CODE, wrong).await.expect_err("3");
    assert_eq!((error.status(), error.code()), (Some(400), "verification_failed"));
    let error =
        client.attempt_sign_up_verification(&sign_up.id, &EMAIL_CODE, &code).await.expect_err("too late");
    assert_eq!(error.code(), "verification_failed");
    assert_eq!(server.count_rows("users").await, 1, "only the demo user");
}

#[tokio::test]
async fn deleting_an_account_leaves_nothing_behind() {
    let clock = userdesk_server::Clock::manual((now_secs() / 30 * 30 + 15) * 1000);
    let server = TestServer::start_with_keys(|config| config.clock = clock.clone()).await;
    let client = server.client();
    let sign_up = client.sign_up(&params("gone@example.com")).await.expect("started");
    client.prepare_sign_up_verification(&sign_up.id, &EMAIL_CODE).await.expect("sent");
    let code = server.latest_code("gone@example.com").await;
    let done = client.attempt_sign_up_verification(&sign_up.id, &EMAIL_CODE, &code).await.expect("signed up");
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

/// Checks the reply's status and its body against the spec's operation.
#[track_caller]
fn fapi(method: &str, path: &str, status: u16, reply: &Reply) {
    assert_eq!(reply.status.as_u16(), status, "{method} {path}: {}", reply.body);
    if let Err(violations) = Spec::fapi().check_response(method, path, status, &reply.body) {
        panic!("{violations}\nbody: {:#}", reply.body);
    }
}

const TERMS: &str = "https://example.com/terms";
const PRIVACY: &str = "https://example.com/privacy";

/// An instance that requires a username and the legal terms, besides the default email address
/// and password.
fn username_and_consent(config: &mut Config) {
    config.sign_up = SignUpSettings {
        username: Requirement::Required,
        legal_consent: Some(LegalConsent {
            terms_url: Some(TERMS.into()),
            privacy_policy_url: Some(PRIVACY.into()),
        }),
        ..SignUpSettings::default()
    };
}

#[tokio::test]
async fn the_environment_says_what_a_sign_up_asks() {
    let server = TestServer::start().await;
    let default = server.raw().get("/v1/environment", None).await;
    fapi("GET", "/v1/environment", 200, &default);
    let attributes = &default.body["user_settings"]["attributes"];
    let shown = |attributes: &Value, field: &str| {
        (attributes[field]["enabled"].as_bool(), attributes[field]["required"].as_bool())
    };
    assert_eq!(shown(attributes, "email_address"), (Some(true), Some(true)));
    assert_eq!(shown(attributes, "password"), (Some(true), Some(true)));
    assert_eq!(shown(attributes, "phone_number"), (Some(true), Some(false)));
    assert_eq!(shown(attributes, "username"), (Some(true), Some(false)));
    assert_eq!(attributes["email_address"]["verifications"], json!(["email_code"]));
    assert_eq!(default.body["user_settings"]["sign_up"]["legal_consent_enabled"], false);
    assert_eq!(default.body["display_config"]["terms_url"], Value::Null);

    let server = TestServer::start_with(|config| {
        username_and_consent(config);
        config.sign_up.first_name = Requirement::Off;
        config.sign_up.email_link = true;
    })
    .await;
    let configured = server.raw().get("/v1/environment", None).await;
    fapi("GET", "/v1/environment", 200, &configured);
    let attributes = &configured.body["user_settings"]["attributes"];
    assert_eq!(shown(attributes, "username"), (Some(true), Some(true)));
    assert_eq!(shown(attributes, "first_name"), (Some(false), Some(false)));
    assert_eq!(attributes["email_address"]["verifications"], json!(["email_code", "email_link"]));
    assert_eq!(configured.body["auth_config"]["username"], "required");
    assert_eq!(configured.body["auth_config"]["first_name"], "off");
    assert_eq!(configured.body["user_settings"]["sign_up"]["legal_consent_enabled"], true);
    assert_eq!(configured.body["display_config"]["terms_url"], TERMS);
    assert_eq!(configured.body["display_config"]["privacy_policy_url"], PRIVACY);
    // A field the instance does not take is refused by name.
    let named = server
        .raw()
        .form(Method::POST, "/v1/client/sign_ups", None, "email_address=a%40b.c&first_name=Ada")
        .await;
    assert_eq!((named.code(), named.param()), ("form_param_value_invalid", Some("first_name")));
}

#[tokio::test]
async fn missing_requirements_are_listed_field_by_field_until_all_are_given_and_verified() {
    let server = TestServer::start_with(username_and_consent).await;
    let raw = server.raw();
    let started =
        raw.form(Method::POST, "/v1/client/sign_ups", None, "email_address=lin%40example.com").await;
    fapi("POST", "/v1/client/sign_ups", 200, &started);
    let response = &started.body["response"];
    assert_eq!(
        response["required_fields"],
        json!(["email_address", "username", "password", "legal_accepted"])
    );
    assert_eq!(response["optional_fields"], json!(["phone_number", "first_name", "last_name"]));
    assert_eq!(response["missing_fields"], json!(["username", "password", "legal_accepted"]));
    assert_eq!(response["unverified_fields"], json!(["email_address"]));
    assert_eq!(response["verifications"]["email_address"], Value::Null, "nothing sent yet");
    let token = started.token.clone().expect("a client");
    let id = response["id"].as_str().expect("id").to_owned();
    let path = format!("/v1/client/sign_ups/{id}");

    // A field given bit by bit; a bad one is refused by name, the rest kept.
    let bad = raw.form(Method::PATCH, &path, Some(&token), "username=no%20spaces").await;
    assert_eq!((bad.status, bad.param()), (StatusCode::UNPROCESSABLE_ENTITY, Some("username")));
    let patched = raw.form(Method::PATCH, &path, Some(&token), "username=lin_w&password=lin-wei-1990").await;
    fapi("PATCH", "/v1/client/sign_ups/{sign_up_id}", 200, &patched);
    assert_eq!(patched.body["response"]["missing_fields"], json!(["legal_accepted"]));
    let prepared = raw
        .form(Method::POST, &format!("{path}/prepare_verification"), Some(&token), "strategy=email_code")
        .await;
    fapi("POST", "/v1/client/sign_ups/{sign_up_id}/prepare_verification", 200, &prepared);
    assert_eq!(
        prepared.body["response"]["verifications"]["email_address"]["supported_strategies"],
        json!(["email_code"])
    );
    let code = server.latest_code("lin@example.com").await;
    let verified = raw
        .form(
            Method::POST,
            &format!("{path}/attempt_verification"),
            Some(&token),
            format!("strategy=email_code&code={code}"),
        )
        .await;
    fapi("POST", "/v1/client/sign_ups/{sign_up_id}/attempt_verification", 200, &verified);
    // Everything given and verified but the legal terms: no account yet.
    assert_eq!(verified.body["response"]["status"], "missing_requirements");
    assert_eq!(verified.body["response"]["missing_fields"], json!(["legal_accepted"]));
    assert_eq!(verified.body["response"]["unverified_fields"], json!([]));
    assert_eq!(server.count_rows("users").await, 1, "only the demo user");
    let unclear = raw.form(Method::PATCH, &path, Some(&token), "legal_accepted=yes").await;
    assert_eq!((unclear.status, unclear.param()), (StatusCode::UNPROCESSABLE_ENTITY, Some("legal_accepted")));
    let refused = raw.form(Method::PATCH, &path, Some(&token), "legal_accepted=false").await;
    assert_eq!(refused.body["response"]["status"], "missing_requirements");

    let done = raw.form(Method::PATCH, &path, Some(&token), "legal_accepted=true").await;
    fapi("PATCH", "/v1/client/sign_ups/{sign_up_id}", 200, &done);
    let response = &done.body["response"];
    assert_eq!(response["status"], "complete");
    assert_eq!(response["missing_fields"], json!([]));
    let accepted_at = response["legal_accepted_at"].as_i64().expect("when");
    assert_eq!(done.body["client"]["last_active_session_id"], response["created_session_id"]);
    let read = raw.get(&path, Some(&token)).await;
    fapi("GET", "/v1/client/sign_ups/{sign_up_id}", 200, &read);
    let me = raw.get("/v1/me", Some(&token)).await;
    assert_eq!(me.body["response"]["username"], "lin_w");
    assert_eq!(me.body["response"]["legal_accepted_at"], accepted_at);
}

#[tokio::test]
async fn a_phone_number_is_verified_by_an_sms_code() {
    let server = TestServer::start_with(|config| {
        config.first_factors = FirstFactors::all();
        config.sign_up.email_address = Requirement::Optional;
        config.sign_up.phone_number = Requirement::Required;
    })
    .await;
    let client = server.client();
    let params = SignUpParams {
        phone_number: Some("(415) 555-0142".into()),
        password: Some("a-good-long-password".into()),
        ..SignUpParams::default()
    };
    let sign_up = client.sign_up(&params).await.expect("started");
    assert_eq!(sign_up.phone_number.as_deref(), Some("+14155550142"), "E.164 in the default region");
    assert_eq!(
        (sign_up.missing_fields.len(), sign_up.unverified_fields.clone()),
        (0, vec!["phone_number".to_owned()])
    );
    let email = client
        .prepare_sign_up_verification(&sign_up.id, &EMAIL_CODE)
        .await
        .expect_err("no email address given");
    assert_eq!((email.code(), email.field()), ("form_param_missing", Some("email_address")));
    let phone = SignUpVerification::PhoneCode;
    let prepared = client.prepare_sign_up_verification(&sign_up.id, &phone).await.expect("texted");
    let verification = prepared.verifications.phone_number.expect("the verification");
    assert_eq!(
        (verification.strategy.as_str(), verification.status),
        ("phone_code", VerificationStatus::Unverified)
    );
    let code = server.latest_code("+14155550142").await;
    let wrong = if code == "000000" { "111111" } else { "000000" };
    let error = client.attempt_sign_up_verification(&sign_up.id, &phone, wrong).await.expect_err("wrong");
    assert_eq!(error.code(), "form_code_incorrect");
    let done = client.attempt_sign_up_verification(&sign_up.id, &phone, &code).await.expect("verified");
    assert_eq!(done.status, SignUpStatus::Complete);
    let me = client.me().await.expect("signed in");
    assert!(me.email_addresses.is_empty());
    let number = &me.phone_numbers[0];
    assert_eq!(number.phone_number, "+14155550142");
    assert_eq!(me.primary_phone_number_id.as_deref(), Some(number.id.as_str()));
    assert!(number.verification.as_ref().is_some_and(|v| v.is_verified() && v.strategy == "phone_code"));

    // The number now belongs to someone: another sign-up cannot take it.
    let error = server.client().sign_up(&params).await.expect_err("taken");
    assert_eq!((error.code(), error.field()), ("form_identifier_exists", Some("phone_number")));
    let mut bad = params.clone();
    bad.phone_number = Some("12".into());
    let error = server.client().sign_up(&bad).await.expect_err("malformed");
    assert_eq!((error.code(), error.field()), ("form_param_format_invalid", Some("phone_number")));
}

#[tokio::test]
async fn an_email_link_completes_the_sign_up_and_the_client_reads_it_so() {
    let server = TestServer::start_with(|config| {
        config.sign_up.email_code = false;
        config.sign_up.email_link = true;
    })
    .await;
    let client = server.client();
    let sign_up = client.sign_up(&params("linked@example.com")).await.expect("started");
    let error =
        client.prepare_sign_up_verification(&sign_up.id, &EMAIL_CODE).await.expect_err("codes are off");
    assert_eq!((error.code(), error.field()), ("form_param_value_invalid", Some("strategy")));
    let target = "dev.userdesk.app://signed-up";
    let link = SignUpVerification::EmailLink { redirect_url: Some(target.into()) };
    let prepared = client.prepare_sign_up_verification(&sign_up.id, &link).await.expect("sent");
    assert_eq!(prepared.verifications.email_address.expect("verification").strategy, "email_link");
    let error = client.attempt_sign_up_verification(&sign_up.id, &link, "123456").await.expect_err("no code");
    assert_eq!(error.field(), Some("strategy"));
    let pending = client.get_sign_up(&sign_up.id).await.expect("read");
    assert_eq!(pending.status, SignUpStatus::MissingRequirements);

    let url = server.latest_link("linked@example.com").await;
    let browser =
        reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().expect("client");
    let opened = browser.get(&url).header(ACCEPT, "text/html").send().await.expect("open the link");
    assert_eq!(opened.status(), StatusCode::SEE_OTHER);
    assert_eq!(opened.headers()[LOCATION], target);
    // The client that started it learns of it by reading the sign-up again, and is signed in.
    let done = client.get_sign_up(&sign_up.id).await.expect("read again");
    assert_eq!(done.status, SignUpStatus::Complete);
    assert_eq!(client.session_id(), done.created_session_id);
    let me = client.me().await.expect("signed in");
    let verification = me.email_addresses[0].verification.clone().expect("verified");
    assert_eq!(
        (verification.strategy.as_str(), verification.status),
        ("email_link", VerificationStatus::Verified)
    );
    let again = browser.get(&url).header(ACCEPT, "text/html").send().await.expect("open it again");
    assert_eq!(again.status(), StatusCode::BAD_REQUEST);
    assert!(again.text().await.expect("page").contains("already used"));
}

#[tokio::test]
async fn expired_codes_and_links_verify_nothing() {
    let server = TestServer::start_with(|config| {
        config.code_lifetime = Duration::from_millis(300);
        config.link_lifetime = Duration::from_millis(300);
        config.resend_cooldown = Duration::ZERO;
        config.sign_up.email_link = true;
    })
    .await;
    let client = server.client();
    let sign_up = client.sign_up(&params("late@example.com")).await.expect("started");
    client.prepare_sign_up_verification(&sign_up.id, &EMAIL_CODE).await.expect("sent");
    let code = server.latest_code("late@example.com").await;
    tokio::time::sleep(Duration::from_millis(400)).await;
    let error =
        client.attempt_sign_up_verification(&sign_up.id, &EMAIL_CODE, &code).await.expect_err("expired");
    assert_eq!(error.code(), "verification_expired");
    let link = SignUpVerification::EmailLink { redirect_url: None };
    client.prepare_sign_up_verification(&sign_up.id, &link).await.expect("a link instead");
    let url = server.latest_link("late@example.com").await;
    tokio::time::sleep(Duration::from_millis(400)).await;
    let opened = reqwest::get(&url).await.expect("open the link");
    assert_eq!(opened.status(), StatusCode::BAD_REQUEST);
    let read = client.get_sign_up(&sign_up.id).await.expect("read");
    assert_eq!(
        (read.status, read.unverified_fields),
        (SignUpStatus::MissingRequirements, vec!["email_address".to_owned()])
    );
    assert_eq!(server.count_rows("users").await, 1, "only the demo user");
}

#[tokio::test]
async fn a_passwordless_instance_signs_up_without_a_password() {
    let server =
        TestServer::start_with(|config| config.first_factors = FirstFactors::email_code_only()).await;
    let environment = server.raw().get("/v1/environment", None).await;
    assert_eq!(environment.body["user_settings"]["attributes"]["password"]["required"], false);
    let client = server.client();
    let mut given = params("nopass@example.com");
    let error = client.sign_up(&given).await.expect_err("no passwords here");
    assert_eq!((error.code(), error.field()), ("form_param_value_invalid", Some("password")));
    given.password = None;
    let sign_up = client.sign_up(&given).await.expect("started");
    assert!(sign_up.missing_fields.is_empty() && !sign_up.required_fields.contains(&"password".to_owned()));
    client.prepare_sign_up_verification(&sign_up.id, &EMAIL_CODE).await.expect("sent");
    let code = server.latest_code("nopass@example.com").await;
    let done = client.attempt_sign_up_verification(&sign_up.id, &EMAIL_CODE, &code).await.expect("verified");
    assert_eq!(done.status, SignUpStatus::Complete);
    assert!(!done.password_enabled);
    assert!(!client.me().await.expect("signed in").password_enabled);
}

#[tokio::test]
async fn settings_nobody_could_sign_in_with_are_refused_at_start() {
    let dir = tempfile::tempdir().expect("a directory");
    let mut config = Config::new(dir.path());
    config.sign_up.email_address = Requirement::Optional;
    let error = userdesk_server::start(config).await.expect_err("refused");
    assert!(error.to_string().contains("sign-up"), "{error}");
}
