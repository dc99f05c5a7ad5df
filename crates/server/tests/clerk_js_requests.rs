//! The requests Clerk's JavaScript SDK writes differently from the spec's paths, through raw
//! HTTP: every non-GET as `POST ?_method=…`, collection paths with a trailing slash, sign-out as
//! `DELETE /v1/client/sessions`, and query parameters of its own. Clerk accepts all of them, so we
//! do (`clerk-js/` drives the SDK itself).

mod common;

use common::{enc, Raw, Reply, TestServer};
use reqwest::{Method, StatusCode};
use serde_json::Value;

/// The demo user as `/v1/me` shows it.
async fn me(raw: &Raw, token: &str) -> Value {
    let reply = raw.get("/v1/me", Some(token)).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    reply.body["response"].clone()
}

fn emails(user: &Value) -> Vec<String> {
    let list = user["email_addresses"].as_array().expect("email_addresses");
    list.iter().map(|e| e["email_address"].as_str().expect("email_address").to_owned()).collect()
}

#[track_caller]
fn assert_ok(reply: &Reply) {
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
}

/// A 422 about `_method` (Clerk's status for a parameter's value), and the request not run.
#[track_caller]
fn assert_method_refused(reply: &Reply) {
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", reply.body);
    assert!(
        matches!(reply.code(), "form_param_value_invalid" | "form_param_format_invalid"),
        "{}",
        reply.body
    );
    assert_eq!(reply.param(), Some("_method"), "{}", reply.body);
    assert!(!reply.long_message().is_empty());
}

#[tokio::test]
async fn a_post_with_method_runs_as_the_method_it_names() {
    let server = TestServer::start().await;
    let raw = server.raw();
    let token = server.demo_token().await;
    // `/v1/me` has no POST: without the override this is 405.
    let patched = raw.form(Method::POST, "/v1/me?_method=PATCH", Some(&token), "first_name=Ada").await;
    assert_ok(&patched);
    assert_eq!(patched.body["response"]["first_name"], "Ada");
    assert_eq!(me(&raw, &token).await["first_name"], "Ada");
    // Any case, as a header-less form would write it.
    let patched = raw.form(Method::POST, "/v1/me?_method=patch", Some(&token), "last_name=Lovelace").await;
    assert_ok(&patched);
    assert_eq!(me(&raw, &token).await["last_name"], "Lovelace");

    // `POST …/{id}` does not exist either; `DELETE` removes the address.
    let body = format!("email_address={}", enc("ada@example.com"));
    let created = raw.form(Method::POST, "/v1/me/email_addresses", Some(&token), body).await;
    assert_ok(&created);
    let id = created.body["response"]["id"].as_str().expect("id").to_owned();
    assert!(emails(&me(&raw, &token).await).contains(&"ada@example.com".to_owned()));
    let removed = raw
        .form(Method::POST, &format!("/v1/me/email_addresses/{id}?_method=DELETE"), Some(&token), "")
        .await;
    assert_ok(&removed);
    assert_eq!(removed.body["response"]["deleted"], true, "{}", removed.body);
    assert!(!emails(&me(&raw, &token).await).contains(&"ada@example.com".to_owned()));

    // PUT: `/v1/client` answers PUT (and POST) with the client itself.
    let put = raw.form(Method::POST, "/v1/client?_method=PUT", Some(&token), "").await;
    assert_ok(&put);
    assert_eq!(put.body["response"]["object"], "client");
}

#[tokio::test]
async fn only_a_post_is_overridden() {
    let server = TestServer::start().await;
    let raw = server.raw();
    let token = server.demo_token().await;
    // A GET asking to be a DELETE is a GET: the client keeps its session.
    let read = raw.get("/v1/client?_method=DELETE", Some(&token)).await;
    assert_ok(&read);
    assert_eq!(read.body["response"]["sessions"].as_array().map(Vec::len), Some(1));
    let read = raw.get("/v1/me?_method=DELETE", Some(&token)).await;
    assert_ok(&read);
    // A PATCH asking to be a DELETE is a PATCH: the account is still there.
    let patched = raw.form(Method::PATCH, "/v1/me?_method=DELETE", Some(&token), "first_name=Grace").await;
    assert_ok(&patched);
    assert_eq!(me(&raw, &token).await["first_name"], "Grace");
    // A real DELETE is still a DELETE.
    let before = emails(&me(&raw, &token).await).len();
    let body = format!("email_address={}", enc("grace@example.com"));
    let created = raw.form(Method::POST, "/v1/me/email_addresses", Some(&token), body).await;
    let id = created.body["response"]["id"].as_str().expect("id").to_owned();
    let removed = raw.form(Method::DELETE, &format!("/v1/me/email_addresses/{id}"), Some(&token), "").await;
    assert_ok(&removed);
    assert_eq!(emails(&me(&raw, &token).await).len(), before);
}

#[tokio::test]
async fn an_override_to_anything_but_patch_put_or_delete_is_refused_and_not_run() {
    let server = TestServer::start().await;
    let raw = server.raw();
    let token = server.demo_token().await;
    let before = me(&raw, &token).await;
    for query in [
        "_method=GET",
        "_method=POST",
        "_method=TRACE",
        "_method=CONNECT",
        "_method=OPTIONS",
        "_method=HEAD",
        "_method=FOO",
        "_method=",
        "_method=DELETE&_method=DELETE",
    ] {
        // Without the refusal, each of these would create an address.
        let body = format!("email_address={}", enc("mallory@example.com"));
        let reply =
            raw.form(Method::POST, &format!("/v1/me/email_addresses?{query}"), Some(&token), body).await;
        assert_method_refused(&reply);
    }
    // The same before routing, for a path that does not exist.
    assert_method_refused(&raw.form(Method::POST, "/v1/nowhere?_method=GET", Some(&token), "").await);
    assert_eq!(me(&raw, &token).await["email_addresses"], before["email_addresses"]);
}

#[tokio::test]
async fn collection_paths_may_end_in_a_slash() {
    let server = TestServer::start().await;
    let raw = server.raw();
    let token = server.demo_token().await;
    let body = format!("email_address={}", enc("ada@example.com"));
    let email = raw.form(Method::POST, "/v1/me/email_addresses/", Some(&token), body).await;
    assert_ok(&email);
    assert_eq!(email.body["response"]["email_address"], "ada@example.com");
    let body = format!("phone_number={}", enc("+14155550132"));
    let phone = raw.form(Method::POST, "/v1/me/phone_numbers/", Some(&token), body).await;
    assert_ok(&phone);
    assert_eq!(phone.body["response"]["phone_number"], "+14155550132");
    let user = me(&raw, &token).await;
    assert!(emails(&user).contains(&"ada@example.com".to_owned()));
    assert_eq!(user["phone_numbers"].as_array().map(Vec::len), Some(1));

    // Reads, more than one slash, and together with the override.
    let listed = raw.get("/v1/me/email_addresses/", Some(&token)).await;
    assert_ok(&listed);
    assert_eq!(listed.body.as_array().map(Vec::len), Some(2), "{}", listed.body);
    assert_ok(&raw.get("/v1/environment//", None).await);
    let id = email.body["response"]["id"].as_str().expect("id");
    let removed = raw
        .form(Method::POST, &format!("/v1/me/email_addresses/{id}/?_method=DELETE"), Some(&token), "")
        .await;
    assert_ok(&removed);
    assert!(!emails(&me(&raw, &token).await).contains(&"ada@example.com".to_owned()));
    // A path that does not exist still does not, slash or not.
    let unknown = raw.get("/v1/nowhere/", Some(&token)).await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    assert_eq!(unknown.code(), "resource_not_found");
}

#[tokio::test]
async fn deleting_the_client_s_sessions_signs_out_and_keeps_the_client() {
    let server = TestServer::start().await;
    let raw = server.raw();
    for method in [Method::DELETE, Method::POST] {
        let token = server.demo_token().await;
        let client_id = raw.get("/v1/client", Some(&token)).await.body["response"]["id"].clone();
        let path =
            if method == Method::POST { "/v1/client/sessions?_method=DELETE" } else { "/v1/client/sessions" };
        let reply = raw.form(method.clone(), path, Some(&token), "").await;
        assert_ok(&reply);
        assert_eq!(reply.body["response"]["id"], client_id, "{}", reply.body);
        assert_eq!(reply.body["response"]["sessions"], serde_json::json!([]), "{}", reply.body);
        assert_eq!(reply.body["response"]["last_active_session_id"], Value::Null);
        assert_eq!(reply.token, None, "the token stays the same");
        // Signed out, with the same token still naming the client.
        let me = raw.get("/v1/me", Some(&token)).await;
        assert_eq!(me.status, StatusCode::UNAUTHORIZED, "{}", me.body);
        assert_eq!(me.code(), "signed_out");
        let client = raw.get("/v1/client", Some(&token)).await;
        assert_eq!(client.body["response"]["id"], client_id);
        // And it signs in again on that client.
        let body =
            format!("identifier={}&password={}", userdesk_server::DEMO_EMAIL, userdesk_server::DEMO_PASSWORD);
        let again = raw.form(Method::POST, "/v1/client/sign_ins", Some(&token), body).await;
        assert_ok(&again);
        assert_eq!(again.body["client"]["id"], client_id);
    }
    // Without a token there is nothing to sign out, and no client is made for it.
    let nobody = raw.form(Method::POST, "/v1/client/sessions?_method=DELETE", None, "").await;
    assert_ok(&nobody);
    assert_eq!(nobody.body["response"], Value::Null);
    assert_eq!(nobody.token, None);
}

#[tokio::test]
async fn the_sdk_s_own_query_parameters_are_accepted() {
    let server = TestServer::start().await;
    let raw = server.raw();
    let token = server.demo_token().await;
    // What clerk-js 6.40 adds to every request, a version newer than the spec, and more.
    let extra = "__clerk_api_version=2026-08-20&_clerk_js_version=6.40.0&debug=skip_cache&unheard_of=1";
    let environment = raw.get(&format!("/v1/environment?{extra}"), None).await;
    assert_ok(&environment);
    assert_eq!(environment.body["auth_config"]["object"], "auth_config", "{}", environment.body);
    let client = raw.get(&format!("/v1/client?{extra}"), Some(&token)).await;
    assert_ok(&client);
    let session_id =
        client.body["response"]["last_active_session_id"].as_str().expect("a session").to_owned();
    let patched = raw
        .form(Method::POST, &format!("/v1/me?_method=PATCH&{extra}"), Some(&token), "first_name=Ada")
        .await;
    assert_ok(&patched);
    assert_eq!(me(&raw, &token).await["first_name"], "Ada");
    // The token request as clerk-js writes it: `debug=skip_cache` and an empty `organization_id`.
    let minted = raw
        .form(
            Method::POST,
            &format!("/v1/client/sessions/{session_id}/tokens?{extra}"),
            Some(&token),
            "organization_id=",
        )
        .await;
    assert_ok(&minted);
    assert!(minted.body["jwt"].as_str().is_some_and(|jwt| jwt.split('.').count() == 3), "{}", minted.body);
    // Bodies stay strict: an unknown body parameter is still refused.
    let refused = raw.form(Method::POST, "/v1/me?_method=PATCH", Some(&token), "unheard_of=1").await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", refused.body);
    assert_eq!(refused.code(), "form_param_unknown");
}

#[tokio::test]
async fn sign_ins_and_sign_ups_take_the_sdk_s_locale_and_time_zone() {
    let server = TestServer::start().await;
    let raw = server.raw();
    // What clerk-js adds in React Native (and wherever `window` exists): `timezone`, `locale`.
    let hints = format!("&locale=en-US&timezone={}", enc("Europe/Paris"));
    let body = format!(
        "identifier={}&password={}{hints}",
        enc(userdesk_server::DEMO_EMAIL),
        enc(userdesk_server::DEMO_PASSWORD)
    );
    let signed_in = raw.form(Method::POST, "/v1/client/sign_ins", None, body).await;
    assert_ok(&signed_in);
    assert_eq!(signed_in.body["response"]["status"], "complete", "{}", signed_in.body);
    let body =
        format!("email_address={}&password={}{hints}", enc("new@example.com"), enc("a long new passphrase"));
    let signed_up = raw.form(Method::POST, "/v1/client/sign_ups", None, body).await;
    assert_ok(&signed_up);
    assert_eq!(signed_up.body["response"]["email_address"], "new@example.com", "{}", signed_up.body);
}
