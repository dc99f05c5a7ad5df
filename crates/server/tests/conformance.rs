//! Every implemented operation, in success and in error, checked against the 2026-05-12 specs
//! (`userdesk-conformance`): the JSON the server writes is the JSON Clerk's clients expect.

mod common;

use common::{enc, Reply, TestServer};
use reqwest::{Method, StatusCode};
use serde_json::json;
use userdesk_conformance::Spec;
use userdesk_server::{DEMO_EMAIL, DEMO_PASSWORD};

/// Checks a FAPI reply against the spec, after checking its status.
#[track_caller]
fn fapi(method: &str, path: &str, status: u16, reply: &Reply) {
    assert_eq!(reply.status.as_u16(), status, "{method} {path}: {}", reply.body);
    if let Err(violations) = Spec::fapi().check_response(method, path, status, &reply.body) {
        panic!("{violations}\nbody: {:#}", reply.body);
    }
}

/// Checks a Backend API reply; the spec's paths are relative to its `/v1` server URL.
#[track_caller]
fn bapi(method: &str, path: &str, status: u16, reply: &Reply) {
    assert_eq!(reply.status.as_u16(), status, "{method} {path}: {}", reply.body);
    let spec_path = path.strip_prefix("/v1").unwrap_or(path);
    if let Err(violations) = Spec::bapi().check_response(method, spec_path, status, &reply.body) {
        panic!("{violations}\nbody: {:#}", reply.body);
    }
}

#[test]
fn the_checker_does_catch_a_wrong_body() {
    // Guards the tests below against a checker that passes everything.
    assert!(Spec::fapi().check_response("GET", "/v1/me", 200, &json!({"response": {}})).is_err());
    assert!(Spec::bapi().check_response("GET", "/users/user_1", 200, &json!({"id": 1})).is_err());
}

#[tokio::test]
async fn frontend_api_responses_match_the_spec() {
    let server = TestServer::start().await;
    let raw = server.raw();

    fapi("GET", "/v1/environment", 200, &raw.get("/v1/environment", None).await);

    // Client, before and after signing in.
    let fresh = raw.get("/v1/client", None).await;
    fapi("GET", "/v1/client", 200, &fresh);
    let token = fresh.token.clone().expect("token");
    fapi("GET", "/v1/client", 401, &raw.get("/v1/client", Some("forged")).await);

    // Sign-ins: errors first, then the two-step flow, then the one-step flow.
    let sign_ins = "/v1/client/sign_ins";
    let wrong = raw
        .form(Method::POST, sign_ins, Some(&token), format!("identifier={}&password=nope", enc(DEMO_EMAIL)))
        .await;
    fapi("POST", sign_ins, 422, &wrong);
    let unknown = raw.form(Method::POST, sign_ins, Some(&token), "identifier=nobody&password=nope").await;
    fapi("POST", sign_ins, 422, &unknown);
    let missing = raw.form(Method::POST, sign_ins, Some(&token), "").await;
    fapi("POST", sign_ins, 422, &missing);

    let started =
        raw.form(Method::POST, sign_ins, Some(&token), format!("identifier={}", enc(DEMO_EMAIL))).await;
    fapi("POST", sign_ins, 200, &started);
    let sign_in_id = started.body["response"]["id"].as_str().expect("id").to_owned();
    let sign_in_path = format!("/v1/client/sign_ins/{sign_in_id}");
    fapi("GET", &sign_in_path, 200, &raw.get(&sign_in_path, Some(&token)).await);
    fapi(
        "GET",
        "/v1/client/sign_ins/sia_missing",
        404,
        &raw.get("/v1/client/sign_ins/sia_missing", Some(&token)).await,
    );
    let attempt = format!("{sign_in_path}/attempt_first_factor");
    let bad_attempt = raw.form(Method::POST, &attempt, Some(&token), "strategy=password&password=nope").await;
    fapi("POST", &attempt, 422, &bad_attempt);
    let good_attempt = raw
        .form(
            Method::POST,
            &attempt,
            Some(&token),
            format!("strategy=password&password={}", enc(DEMO_PASSWORD)),
        )
        .await;
    fapi("POST", &attempt, 200, &good_attempt);
    let session_id =
        good_attempt.body["response"]["created_session_id"].as_str().expect("session").to_owned();
    fapi("GET", "/v1/client", 200, &raw.get("/v1/client", Some(&token)).await);

    let again = raw
        .form(
            Method::POST,
            sign_ins,
            Some(&token),
            format!("identifier={}&password={}", enc(DEMO_EMAIL), enc(DEMO_PASSWORD)),
        )
        .await;
    fapi("POST", sign_ins, 400, &again);

    // The user.
    fapi("GET", "/v1/me", 200, &raw.get("/v1/me", Some(&token)).await);
    let patched =
        raw.form(Method::PATCH, "/v1/me", Some(&token), "first_name=Conformant&username=conformant").await;
    fapi("PATCH", "/v1/me", 200, &patched);
    let refused = raw.form(Method::PATCH, "/v1/me", Some(&token), "username=no").await;
    fapi("PATCH", "/v1/me", 422, &refused);
    let metadata = raw
        .form(
            Method::PATCH,
            "/v1/me/metadata",
            Some(&token),
            format!("unsafe_metadata={}", enc(r#"{"a":{"b":[1,2]}}"#)),
        )
        .await;
    fapi("PATCH", "/v1/me/metadata", 200, &metadata);
    let bad_metadata =
        raw.form(Method::PATCH, "/v1/me/metadata", Some(&token), "unsafe_metadata=%5B%5D").await;
    fapi("PATCH", "/v1/me/metadata", 422, &bad_metadata);

    // Sessions.
    let session_path = format!("/v1/client/sessions/{session_id}");
    fapi("GET", &session_path, 200, &raw.get(&session_path, Some(&token)).await);
    fapi(
        "GET",
        "/v1/client/sessions/sess_missing",
        404,
        &raw.get("/v1/client/sessions/sess_missing", Some(&token)).await,
    );
    let end = format!("{session_path}/end");
    fapi("POST", &end, 200, &raw.form(Method::POST, &end, Some(&token), "").await);
    let missing_end = "/v1/client/sessions/sess_missing/end";
    fapi("POST", missing_end, 404, &raw.form(Method::POST, missing_end, Some(&token), "").await);
    fapi("GET", "/v1/me", 401, &raw.get("/v1/me", Some(&token)).await);
    fapi("PATCH", "/v1/me", 401, &raw.form(Method::PATCH, "/v1/me", Some(&token), "first_name=x").await);

    let token = server.demo_token().await;
    let client = raw.get("/v1/client", Some(&token)).await;
    let session_id = client.body["response"]["last_active_session_id"].as_str().expect("session").to_owned();
    let remove = format!("/v1/client/sessions/{session_id}/remove");
    fapi("POST", &remove, 200, &raw.form(Method::POST, &remove, Some(&token), "").await);
    let missing_remove = "/v1/client/sessions/sess_missing/remove";
    fapi("POST", missing_remove, 404, &raw.form(Method::POST, missing_remove, Some(&token), "").await);

    let token = server.demo_token().await;
    fapi(
        "DELETE",
        "/v1/client",
        200,
        &raw.send(raw.request(Method::DELETE, "/v1/client", Some(&token))).await,
    );

    // Deleting: refused where not allowed, then allowed.
    let key = Some(server.secret_key.as_str());
    let keeper = raw
        .backend(
            Method::POST,
            "/v1/users",
            key,
            Some(json!({"username": "keeper", "password": "long-enough-1", "delete_self_enabled": false})),
        )
        .await;
    assert_eq!(keeper.status, StatusCode::OK, "{}", keeper.body);
    let keeper_token = raw
        .form(Method::POST, sign_ins, None, "identifier=keeper&password=long-enough-1")
        .await
        .token
        .expect("token");
    fapi(
        "DELETE",
        "/v1/me",
        403,
        &raw.send(raw.request(Method::DELETE, "/v1/me", Some(&keeper_token))).await,
    );
    let token = server.demo_token().await;
    fapi("DELETE", "/v1/me", 200, &raw.send(raw.request(Method::DELETE, "/v1/me", Some(&token))).await);
}

#[tokio::test]
async fn backend_api_responses_match_the_spec() {
    let server = TestServer::start().await;
    let raw = server.raw();
    let key = Some(server.secret_key.as_str());
    let body = json!({
        "email_address": ["spec@example.com"],
        "password": "long-enough-1",
        "first_name": "Spec",
        "username": "spec_user",
        "public_metadata": {"p": 1},
        "private_metadata": {"q": 2},
        "unsafe_metadata": {"r": 3},
    });
    let created = raw.backend(Method::POST, "/v1/users", key, Some(body.clone())).await;
    bapi("POST", "/v1/users", 200, &created);
    bapi("POST", "/v1/users", 422, &raw.backend(Method::POST, "/v1/users", key, Some(body)).await);
    bapi("POST", "/v1/users", 401, &raw.backend(Method::POST, "/v1/users", None, Some(json!({}))).await);
    let malformed = raw
        .send(
            raw.http
                .post(format!("{}/v1/users", raw.url))
                .bearer_auth(&server.secret_key)
                .header(reqwest::header::CONTENT_TYPE, "application/json")
                .body("{"),
        )
        .await;
    bapi("POST", "/v1/users", 400, &malformed);

    let user_id = created.body["id"].as_str().expect("id").to_owned();
    let path = format!("/v1/users/{user_id}");
    bapi("GET", &path, 200, &raw.backend(Method::GET, &path, key, None).await);
    bapi(
        "GET",
        "/v1/users/user_missing",
        404,
        &raw.backend(Method::GET, "/v1/users/user_missing", key, None).await,
    );
    bapi("GET", &path, 401, &raw.backend(Method::GET, &path, Some("sk_test_wrong"), None).await);

    let metadata = format!("{path}/metadata");
    let patch = json!({"public_metadata": {"p": null, "n": {"deep": true}}, "private_metadata": {"q": 3}});
    bapi("PATCH", &metadata, 200, &raw.backend(Method::PATCH, &metadata, key, Some(patch)).await);
    let missing = "/v1/users/user_missing/metadata";
    bapi("PATCH", missing, 404, &raw.backend(Method::PATCH, missing, key, Some(json!({}))).await);
    bapi(
        "PATCH",
        &metadata,
        422,
        &raw.backend(Method::PATCH, &metadata, key, Some(json!({"public_metadata": 5}))).await,
    );
}
