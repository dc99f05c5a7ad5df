//! What a well-behaved client never sends: malformed bodies, forged tokens, foreign hosts,
//! oversized input. Each is a 4xx ClerkErrors naming the problem, and leaves the account as it was.

mod common;

use common::{enc, Raw, TestServer};
use reqwest::header::{AUTHORIZATION, CONTENT_TYPE, HOST, ORIGIN};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use userdesk_server::{DEMO_EMAIL, DEMO_PASSWORD};

/// The demo user as `/v1/me` shows it.
async fn me(raw: &Raw, token: &str) -> Value {
    let reply = raw.get("/v1/me", Some(token)).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    reply.body["response"].clone()
}

/// Asserts a 4xx ClerkErrors with `code` about `param`.
#[track_caller]
fn assert_refused(reply: &common::Reply, status: u16, code: &str, param: Option<&str>) {
    assert_eq!(reply.status.as_u16(), status, "{}", reply.body);
    assert_eq!(reply.code(), code, "{}", reply.body);
    assert_eq!(reply.param(), param, "{}", reply.body);
    assert!(!reply.body["errors"][0]["message"].as_str().unwrap_or("").is_empty());
    assert!(!reply.long_message().is_empty());
}

#[tokio::test]
async fn a_client_made_without_a_token_hands_out_its_token_once() {
    let server = TestServer::start().await;
    let raw = server.raw();
    // A read makes no client (tests/clients.rs); creating one does.
    let first = raw.form(Method::POST, "/v1/client", None, "").await;
    assert_eq!(first.status, StatusCode::OK);
    let token = first.token.clone().expect("a token in Authorization");
    let client_id = first.body["response"]["id"].as_str().expect("client id").to_owned();
    assert!(client_id.starts_with("client_"));
    // The same token, bare or as Bearer, is the same client, and no new token is issued.
    for header in [token.clone(), format!("Bearer {token}"), format!("bearer {token}")] {
        let again = raw.get("/v1/client", Some(&header)).await;
        assert_eq!(again.status, StatusCode::OK);
        assert_eq!(again.body["response"]["id"], client_id.as_str());
        assert_eq!(again.token, None);
    }
    // An empty Authorization header is no token: a new client.
    let fresh = raw.form(Method::POST, "/v1/client", Some(""), "").await;
    assert_eq!(fresh.status, StatusCode::OK);
    assert!(fresh.token.is_some());
    assert_ne!(fresh.body["response"]["id"], client_id.as_str());
}

#[tokio::test]
async fn forged_tokens_are_refused_not_replaced() {
    let server = TestServer::start().await;
    let raw = server.raw();
    for forged in ["forged-token", "Bearer forged-token", "Basic dXNlcjpwYXNz", &"x".repeat(600)] {
        let reply = raw.get("/v1/client", Some(forged)).await;
        assert_refused(&reply, 401, "authentication_invalid", None);
        assert_eq!(reply.token, None, "no new client for a forged token");
        let reply = raw.get("/v1/me", Some(forged)).await;
        assert_refused(&reply, 401, "authentication_invalid", None);
    }
}

#[tokio::test]
async fn me_without_a_session_is_signed_out() {
    let server = TestServer::start().await;
    let raw = server.raw();
    let reply = raw.get("/v1/me", None).await;
    assert_refused(&reply, 401, "signed_out", None);
    assert!(reply.token.is_none(), "a read makes no client");
    let token = server.demo_token().await;
    let reply = raw.get("/v1/me?_clerk_session_id=sess_not_mine", Some(&token)).await;
    assert_refused(&reply, 401, "signed_out", None);
}

#[tokio::test]
async fn foreign_hosts_and_origins_are_refused() {
    let server = TestServer::start().await;
    let raw = server.raw();
    for host in ["evil.example", "evil.example:80", "localhost.evil.example", "127.0.0.1.nip.io"] {
        let request = raw.request(Method::GET, "/v1/environment", None).header(HOST, host);
        let reply = raw.send(request).await;
        assert_refused(&reply, 403, "host_invalid", None);
    }
    for host in ["localhost", "127.0.0.1:1", "[::1]:8080"] {
        let request = raw.request(Method::GET, "/v1/environment", None).header(HOST, host);
        assert_eq!(raw.send(request).await.status, StatusCode::OK, "{host}");
    }
    let request = raw.request(Method::GET, "/v1/client", None).header(ORIGIN, "https://evil.example");
    let reply = raw.send(request).await;
    assert_refused(&reply, 403, "origin_invalid", None);
    assert_eq!(reply.token, None, "a refused request creates no client");
    // The Backend API is behind the same guard, even with the right key.
    let request = raw
        .http
        .get(format!("{}/v1/users/user_x", raw.url))
        .header(HOST, "evil.example")
        .header(AUTHORIZATION, format!("Bearer {}", server.secret_key));
    assert_refused(&raw.send(request).await, 403, "host_invalid", None);
}

#[tokio::test]
async fn malformed_sign_ins_name_the_param() {
    let server = TestServer::start().await;
    let raw = server.raw();
    let cases: [(&[u8], &str, &str); 6] = [
        (b"password=x", "form_param_missing", "identifier"),
        (b"strategy=password&identifier=demo%40example.com", "form_param_missing", "password"),
        (b"identifier=demo&password=x&mystery=1", "form_param_unknown", "mystery"),
        (b"identifier=demo&identifier=other&password=x", "form_param_format_invalid", "identifier"),
        (b"identifier=%FF%FE&password=x", "form_param_format_invalid", "identifier"),
        (b"strategy=oauth_nope&redirect_url=x", "form_param_value_invalid", "strategy"),
    ];
    for (body, code, param) in cases {
        let reply = raw.form(Method::POST, "/v1/client/sign_ins", None, body.to_vec()).await;
        assert_refused(&reply, 422, code, Some(param));
    }
    let long = format!("identifier={}&password=x", "a".repeat(300));
    let reply = raw.form(Method::POST, "/v1/client/sign_ins", None, long).await;
    assert_refused(&reply, 422, "form_param_max_length_exceeded", Some("identifier"));
}

#[tokio::test]
async fn the_sign_in_can_take_two_steps() {
    let server = TestServer::start().await;
    let raw = server.raw();
    let reply =
        raw.form(Method::POST, "/v1/client/sign_ins", None, format!("identifier={}", enc(DEMO_EMAIL))).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(reply.body["response"]["status"], "needs_first_factor");
    // The default instance: the password, a code by email, and the reset of a forgotten password.
    let strategies: Vec<&str> = reply.body["response"]["supported_first_factors"]
        .as_array()
        .expect("factors")
        .iter()
        .filter_map(|factor| factor["strategy"].as_str())
        .collect();
    assert_eq!(strategies, ["password", "email_code", "reset_password_email_code"]);
    assert_eq!(reply.body["client"]["sign_in"]["id"], reply.body["response"]["id"]);
    let token = reply.token.expect("token");
    let id = reply.body["response"]["id"].as_str().expect("id").to_owned();
    let path = format!("/v1/client/sign_ins/{id}/attempt_first_factor");

    let wrong = raw.form(Method::POST, &path, Some(&token), "strategy=password&password=nope").await;
    assert_refused(&wrong, 422, "form_password_incorrect", Some("password"));
    let right = raw
        .form(Method::POST, &path, Some(&token), format!("strategy=password&password={}", enc(DEMO_PASSWORD)))
        .await;
    assert_eq!(right.status, StatusCode::OK, "{}", right.body);
    assert_eq!(right.body["response"]["status"], "complete");
    assert_eq!(right.body["response"]["first_factor_verification"]["attempts"], 2);
    assert_eq!(right.body["client"]["sign_in"], Value::Null);
    assert_eq!(right.body["client"]["last_active_session_id"], right.body["response"]["created_session_id"]);
    me(&raw, &token).await;
}

#[tokio::test]
async fn bad_profile_updates_change_nothing() {
    let server = TestServer::start().await;
    let raw = server.raw();
    let token = server.demo_token().await;
    let before = me(&raw, &token).await;
    let long_name = "x".repeat(257);
    let cases: Vec<(Vec<u8>, u16, &str, Option<&str>)> = vec![
        (
            format!("first_name=Ok&last_name={long_name}").into_bytes(),
            422,
            "form_param_max_length_exceeded",
            Some("last_name"),
        ),
        (b"first_name=Ok&username=no".to_vec(), 422, "form_username_invalid_length", Some("username")),
        (
            b"first_name=Ok&username=no%20way".to_vec(),
            422,
            "form_username_invalid_character",
            Some("username"),
        ),
        (
            b"first_name=Ok&favourite_colour=blue".to_vec(),
            422,
            "form_param_unknown",
            Some("favourite_colour"),
        ),
        (
            b"first_name=Ok&unsafe_metadata=%7B%7D".to_vec(),
            422,
            "form_param_unknown",
            Some("unsafe_metadata"),
        ),
        (
            b"first_name=Ok&public_metadata=%7B%7D".to_vec(),
            422,
            "form_param_unknown",
            Some("public_metadata"),
        ),
        (b"first_name=%C3%28".to_vec(), 422, "form_param_format_invalid", Some("first_name")),
        (b"first_name=a%00b".to_vec(), 422, "form_param_format_invalid", Some("first_name")),
        (
            b"first_name=Ok&primary_email_address_id=idn_not_mine".to_vec(),
            422,
            "form_param_value_invalid",
            Some("primary_email_address_id"),
        ),
    ];
    for (body, status, code, param) in cases {
        let reply = raw.form(Method::PATCH, "/v1/me", Some(&token), body).await;
        assert_refused(&reply, status, code, param);
    }
    let reply =
        raw.form(Method::PATCH, "/v1/me", Some(&token), format!("first_name={}", "é".repeat(256))).await;
    assert_eq!(
        reply.status,
        StatusCode::OK,
        "256 characters (512 bytes) is within the limit: {}",
        reply.body
    );
    let mut after = me(&raw, &token).await;
    assert_eq!(after["first_name"], "é".repeat(256));
    after["first_name"] = before["first_name"].clone();
    // The default avatar shows the new first initial.
    assert!(
        after["image_url"].as_str().is_some_and(|url| url.ends_with("/%C3%89U")),
        "{}",
        after["image_url"]
    );
    assert_eq!(after["profile_image_url"], after["image_url"], "the deprecated name says the same");
    after["image_url"] = before["image_url"].clone();
    after["profile_image_url"] = before["profile_image_url"].clone();
    for volatile in ["updated_at", "last_active_at"] {
        after[volatile] = before[volatile].clone();
    }
    assert_eq!(after, before, "nothing but the one valid change happened");
}

#[tokio::test]
async fn the_unsafe_metadata_unsafe_inputs() {
    let server = TestServer::start().await;
    let raw = server.raw();
    let token = server.demo_token().await;
    let ok = raw
        .form(
            Method::PATCH,
            "/v1/me/metadata",
            Some(&token),
            format!("unsafe_metadata={}", enc(r#"{"a":{"b":1}}"#)),
        )
        .await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.body);
    let big = format!(r#"{{"blob":"{}"}}"#, "x".repeat(8 * 1024));
    let almost = format!(r#"{{"blob":"{}"}}"#, "x".repeat(8 * 1024 - 40));
    let cases: Vec<(String, &str, &str)> = vec![
        (String::new(), "form_param_missing", "unsafe_metadata"),
        (format!("unsafe_metadata={}", enc("[1,2]")), "form_param_format_invalid", "unsafe_metadata"),
        (format!("unsafe_metadata={}", enc("\"text\"")), "form_param_format_invalid", "unsafe_metadata"),
        (format!("unsafe_metadata={}", enc("null")), "form_param_format_invalid", "unsafe_metadata"),
        (format!("unsafe_metadata={}", enc("{not json")), "form_param_format_invalid", "unsafe_metadata"),
        (format!("unsafe_metadata={}", enc(&big)), "form_param_max_length_exceeded", "unsafe_metadata"),
        // Fits alone, but not merged with what is there: refused whole.
        (format!("unsafe_metadata={}", enc(&almost)), "form_param_max_length_exceeded", "unsafe_metadata"),
        (format!("unsafe_metadata={}&extra=1", enc("{}")), "form_param_unknown", "extra"),
        (format!("public_metadata={}", enc("{}")), "form_param_unknown", "public_metadata"),
    ];
    let setup = raw
        .form(
            Method::PATCH,
            "/v1/me/metadata",
            Some(&token),
            format!("unsafe_metadata={}", enc(&format!(r#"{{"pad":"{}"}}"#, "y".repeat(100)))),
        )
        .await;
    assert_eq!(setup.status, StatusCode::OK);
    let before = me(&raw, &token).await["unsafe_metadata"].clone();
    for (body, code, param) in cases {
        let reply = raw.form(Method::PATCH, "/v1/me/metadata", Some(&token), body).await;
        assert_refused(&reply, 422, code, Some(param));
    }
    assert_eq!(me(&raw, &token).await["unsafe_metadata"], before);
    assert_eq!(before["a"], json!({"b": 1}));
}

#[tokio::test]
async fn oversized_and_mistyped_bodies() {
    let server = TestServer::start().await;
    let raw = server.raw();
    let token = server.demo_token().await;
    let before = me(&raw, &token).await;
    let huge = format!("first_name={}", "x".repeat(userdesk_server::BODY_LIMIT + 1));
    let reply = raw.form(Method::PATCH, "/v1/me", Some(&token), huge).await;
    assert_refused(&reply, 413, "request_body_too_large", None);

    let json_body = raw
        .send(
            raw.request(Method::PATCH, "/v1/me", Some(&token))
                .header(CONTENT_TYPE, "application/json")
                .body(r#"{"first_name":"Json"}"#),
        )
        .await;
    assert_refused(&json_body, 415, "unsupported_content_type", None);

    let no_type =
        raw.send(raw.request(Method::PATCH, "/v1/me", Some(&token)).body("first_name=NoType")).await;
    assert_refused(&no_type, 415, "unsupported_content_type", None);

    let binary = raw.form(Method::PATCH, "/v1/me", Some(&token), vec![0xff, 0xfe, b'=', 0x80]).await;
    assert_eq!(binary.status, StatusCode::BAD_REQUEST, "{}", binary.body);
    assert_eq!(binary.code(), "request_body_invalid");

    let after = me(&raw, &token).await;
    assert_eq!(after["first_name"], before["first_name"]);
}

#[tokio::test]
async fn unknown_routes_and_methods_are_clerk_errors() {
    let server = TestServer::start().await;
    let raw = server.raw();
    let reply = raw.get("/v1/nothing/here", None).await;
    assert_refused(&reply, 404, "resource_not_found", None);
    assert_eq!(reply.token, None);
    let reply = raw.send(raw.request(Method::PUT, "/v1/me", None)).await;
    assert_refused(&reply, 405, "method_not_allowed", None);
    // Undecodable ids are unknown ids, not a plain-text rejection.
    let token = server.demo_token().await;
    let reply = raw.form(Method::POST, "/v1/client/sessions/%FF%FE/end", Some(&token), "").await;
    assert_refused(&reply, 404, "resource_not_found", None);
    let reply = raw.backend(Method::GET, "/v1/users/%C3%28", Some(&server.secret_key), None).await;
    assert_refused(&reply, 404, "resource_not_found", None);
}

#[tokio::test]
async fn the_backend_api_needs_the_secret_key() {
    let server = TestServer::start().await;
    let raw = server.raw();
    let body = json!({"email_address": ["x@example.com"], "password": "long-enough-1"});
    for key in [None, Some("sk_test_wrong"), Some("")] {
        let reply = raw.backend(Method::POST, "/v1/users", key, Some(body.clone())).await;
        assert_refused(&reply, 401, "authentication_invalid", None);
    }
    // The key bare (without Bearer) is not accepted either.
    let request =
        raw.http.get(format!("{}/v1/users/user_x", raw.url)).header(AUTHORIZATION, server.secret_key.clone());
    assert_refused(&raw.send(request).await, 401, "authentication_invalid", None);
    // A client token is not a secret key.
    let token = server.demo_token().await;
    let request =
        raw.http.get(format!("{}/v1/users/user_x", raw.url)).header(AUTHORIZATION, format!("Bearer {token}"));
    assert_refused(&raw.send(request).await, 401, "authentication_invalid", None);
}

#[tokio::test]
async fn the_backend_api_creates_users_and_keeps_private_metadata_private() {
    let server = TestServer::start().await;
    let raw = server.raw();
    let key = Some(server.secret_key.as_str());
    let created = raw
        .backend(
            Method::POST,
            "/v1/users",
            key,
            Some(json!({
                "email_address": ["Grace@Example.com", "grace.alt@example.com"],
                "password": "hopper-1906",
                "first_name": "Grace",
                "last_name": "Hopper",
                "username": "grace",
                "public_metadata": {"role": "admiral"},
                "private_metadata": {"ssn": "secret"},
                "unsafe_metadata": {"theme": "dark"},
            })),
        )
        .await;
    assert_eq!(created.status, StatusCode::OK, "{}", created.body);
    let user = &created.body;
    let user_id = user["id"].as_str().expect("id").to_owned();
    assert_eq!(user["email_addresses"][0]["email_address"], "grace@example.com");
    assert_eq!(user["primary_email_address_id"], user["email_addresses"][0]["id"]);
    assert_eq!(user["email_addresses"][1]["verification"]["status"], "verified");
    assert_eq!(user["private_metadata"], json!({"ssn": "secret"}));

    let patched = raw
        .backend(
            Method::PATCH,
            &format!("/v1/users/{user_id}/metadata"),
            key,
            Some(json!({"private_metadata": {"ssn": null, "notes": {"a": 1}}, "public_metadata": {"level": 2}})),
        )
        .await;
    assert_eq!(patched.status, StatusCode::OK, "{}", patched.body);
    assert_eq!(patched.body["private_metadata"], json!({"notes": {"a": 1}}));
    assert_eq!(patched.body["public_metadata"], json!({"role": "admiral", "level": 2}));
    assert_eq!(patched.body["unsafe_metadata"], json!({"theme": "dark"}));

    let fetched = raw.backend(Method::GET, &format!("/v1/users/{user_id}"), key, None).await;
    assert_eq!(fetched.body, patched.body);

    // Through the Frontend API, the private metadata is nowhere.
    let signed_in =
        raw.form(Method::POST, "/v1/client/sign_ins", None, "identifier=grace&password=hopper-1906").await;
    assert_eq!(signed_in.status, StatusCode::OK, "{}", signed_in.body);
    assert!(!signed_in.body.to_string().contains("private_metadata"));
    let token = signed_in.token.expect("token");
    let reply = raw.get("/v1/me", Some(&token)).await;
    assert!(!reply.body.to_string().contains("private_metadata"));
    assert!(!reply.body.to_string().contains("notes"));
    assert_eq!(reply.body["response"]["public_metadata"], json!({"role": "admiral", "level": 2}));
}

#[tokio::test]
async fn the_backend_api_refuses_bad_users_and_creates_nothing() {
    let server = TestServer::start().await;
    let raw = server.raw();
    let key = Some(server.secret_key.as_str());
    let cases: Vec<(Value, &str, &str)> = vec![
        (json!({"email_address": ["a@example.com"]}), "form_param_missing", "password"),
        (
            json!({"email_address": ["a@example.com"], "password": "short"}),
            "form_password_length_too_short",
            "password",
        ),
        (
            json!({"email_address": ["not-an-email"], "password": "long-enough-1"}),
            "form_param_format_invalid",
            "email_address",
        ),
        (
            json!({"email_address": "a@example.com", "password": "long-enough-1"}),
            "form_param_format_invalid",
            "email_address",
        ),
        (
            json!({"email_address": [DEMO_EMAIL], "password": "long-enough-1"}),
            "form_identifier_exists",
            "email_address",
        ),
        (json!({"username": "DEMO", "password": "long-enough-1"}), "form_identifier_exists", "username"),
        (
            json!({"username": "bad name", "password": "long-enough-1"}),
            "form_username_invalid_character",
            "username",
        ),
        (
            json!({"username": "okname", "password": "long-enough-1", "first_name": "x".repeat(257)}),
            "form_param_max_length_exceeded",
            "first_name",
        ),
        (
            json!({"username": "okname", "password": "long-enough-1", "public_metadata": [1]}),
            "form_param_format_invalid",
            "public_metadata",
        ),
        (
            json!({"username": "okname", "password": "long-enough-1", "unsafe_metadata": {"x": "y".repeat(9000)}}),
            "form_param_max_length_exceeded",
            "unsafe_metadata",
        ),
        (
            json!({"username": "okname", "password": "long-enough-1", "shoe_size": 44}),
            "form_param_unknown",
            "shoe_size",
        ),
        (
            json!({"username": "okname", "password": "long-enough-1", "phone_number": ["+15555550100"]}),
            "form_param_value_invalid",
            "phone_number",
        ),
        (json!({"password": "long-enough-1"}), "form_param_missing", "email_address"),
        // A taken second address: the whole user is refused, the first address is not kept.
        (
            json!({"email_address": ["fresh@example.com", DEMO_EMAIL], "password": "long-enough-1", "username": "fresh"}),
            "form_identifier_exists",
            "email_address",
        ),
    ];
    for (body, code, param) in cases {
        let reply = raw.backend(Method::POST, "/v1/users", key, Some(body.clone())).await;
        assert_refused(&reply, 422, code, Some(param));
    }
    let reply = raw
        .send(
            raw.http
                .post(format!("{}/v1/users", raw.url))
                .bearer_auth(&server.secret_key)
                .header(CONTENT_TYPE, "application/json")
                .body("{nope"),
        )
        .await;
    assert_refused(&reply, 400, "request_body_invalid", None);
    // Nothing half-created: the fresh address and username are still free.
    let created = raw
        .backend(Method::POST, "/v1/users", key, Some(json!({"email_address": ["fresh@example.com"], "username": "fresh", "password": "long-enough-1"})))
        .await;
    assert_eq!(created.status, StatusCode::OK, "{}", created.body);

    let reply = raw.backend(Method::GET, "/v1/users/user_missing", key, None).await;
    assert_refused(&reply, 404, "resource_not_found", None);
    let reply = raw
        .backend(Method::PATCH, "/v1/users/user_missing/metadata", key, Some(json!({"public_metadata": {}})))
        .await;
    assert_refused(&reply, 404, "resource_not_found", None);
    let user_id = created.body["id"].as_str().expect("id");
    let reply = raw
        .backend(
            Method::PATCH,
            &format!("/v1/users/{user_id}/metadata"),
            key,
            Some(json!({"public_metadata": {}, "secret_metadata": {}})),
        )
        .await;
    assert_refused(&reply, 422, "form_param_unknown", Some("secret_metadata"));
}

#[tokio::test]
async fn malformed_email_address_requests_name_the_param() {
    let server = TestServer::start().await;
    let raw = server.raw();
    let token = server.demo_token().await;
    let t = Some(token.as_str());
    let before = me(&raw, &token).await;
    let list = "/v1/me/email_addresses";
    let cases: [(&[u8], &str, &str); 5] = [
        (b"", "form_param_missing", "email_address"),
        (b"email=a%40b.co", "form_param_unknown", "email"),
        (b"email_address=a%40b.co&email_address=c%40d.co", "form_param_format_invalid", "email_address"),
        (b"email_address=%FF%40b.co", "form_param_format_invalid", "email_address"),
        (b"email_address=a%0A%40b.co", "form_param_format_invalid", "email_address"),
    ];
    for (body, code, param) in cases {
        let reply = raw.form(Method::POST, list, t, body.to_vec()).await;
        assert_refused(&reply, 422, code, Some(param));
    }
    let json = raw
        .send(
            raw.request(Method::POST, list, t)
                .header(CONTENT_TYPE, "application/json")
                .body(r#"{"email_address":"a@b.co"}"#),
        )
        .await;
    assert_refused(&json, 415, "unsupported_content_type", None);

    let created = raw.form(Method::POST, list, t, "email_address=raw%40example.com").await;
    assert_eq!(created.status, StatusCode::OK, "{}", created.body);
    let id = created.body["response"]["id"].as_str().expect("id").to_owned();
    let prepare = format!("{list}/{id}/prepare_verification");
    let cases: [(&str, &str, &str); 5] = [
        ("", "form_param_missing", "strategy"),
        ("strategy=phone_code", "form_param_value_invalid", "strategy"),
        (
            "strategy=email_code&redirect_url=http%3A%2F%2Flocalhost%2Fdone",
            "form_param_value_invalid",
            "redirect_url",
        ),
        ("strategy=email_link&redirect_url=not%20a%20url", "form_param_format_invalid", "redirect_url"),
        (
            "strategy=email_link&action_complete_redirect_url=x",
            "form_param_value_invalid",
            "action_complete_redirect_url",
        ),
    ];
    for (body, code, param) in cases {
        let reply = raw.form(Method::POST, &prepare, t, body).await;
        assert_refused(&reply, 422, code, Some(param));
    }
    let attempt = format!("{list}/{id}/attempt_verification");
    assert_refused(&raw.form(Method::POST, &attempt, t, "").await, 422, "form_param_missing", Some("code"));
    assert_refused(
        &raw.form(Method::POST, &attempt, t, "code=1&code=2").await,
        422,
        "form_param_format_invalid",
        Some("code"),
    );
    assert_refused(
        &raw.form(Method::POST, &attempt, t, "code=123456&extra=1").await,
        422,
        "form_param_unknown",
        Some("extra"),
    );
    // Undecodable ids are like unknown ones.
    let reply = raw.get("/v1/me/email_addresses/%FF", t).await;
    assert_refused(&reply, 404, "resource_not_found", None);
    let reply = raw.send(raw.http.get(format!("{}/v1/verify?token=%FF&token=x", raw.url))).await;
    assert_refused(&reply, 400, "verification_link_token_invalid", None);

    // Nothing was sent, and the account only gained the one address.
    assert!(server.outbox().await.is_empty());
    let after = me(&raw, &token).await;
    assert_eq!(after["email_addresses"].as_array().map(Vec::len), Some(2));
    assert_eq!(after["email_addresses"][1]["verification"], Value::Null);
    assert_eq!(after["primary_email_address_id"], before["primary_email_address_id"]);
}
