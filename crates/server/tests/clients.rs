//! Clients only when needed (issue 11 §2): a request without a token makes no client unless it
//! starts something a client must hold, and clients that hold nothing are swept once unused.

mod common;

use std::time::Duration;

use common::{enc, Raw, TestServer};
use reqwest::{Method, StatusCode};
use serde_json::Value;
use userdesk_fapi::TokenStore;
use userdesk_server::{Clock, Config, DEMO_EMAIL, DEMO_PASSWORD};

async fn clients(server: &TestServer) -> i64 {
    server.count_rows("clients").await
}

#[tokio::test]
async fn reads_without_a_token_make_no_client_and_get_no_token() {
    let server = TestServer::start().await;
    let raw = server.raw();

    let client = raw.get("/v1/client", None).await;
    assert_eq!(client.status, StatusCode::OK, "{}", client.body);
    assert_eq!(client.body["response"], Value::Null, "no client: response null, as Clerk");
    assert_eq!(client.body["client"], Value::Null);
    assert_eq!(client.token, None);

    let me = raw.get("/v1/me", None).await;
    assert_eq!((me.status, me.code()), (StatusCode::UNAUTHORIZED, "signed_out"), "{}", me.body);
    let sign_in = raw.get("/v1/client/sign_ins/sia_whatever", None).await;
    assert_eq!((sign_in.status, sign_in.code()), (StatusCode::NOT_FOUND, "resource_not_found"));
    let touch = raw.form(Method::POST, "/v1/client/sessions/sess_x/touch", None, "").await;
    assert_eq!((touch.status, touch.code()), (StatusCode::NOT_FOUND, "resource_not_found"));
    let sign_out = raw.send(raw.request(Method::DELETE, "/v1/client", None)).await;
    assert_eq!(sign_out.status, StatusCode::OK, "{}", sign_out.body);
    assert_eq!(sign_out.body["response"], Value::Null);
    for path in ["/v1/environment", "/v1/client", "/v1/me/sessions/active", "/v1/me/email_addresses"] {
        for _ in 0..3 {
            assert_eq!(raw.get(path, None).await.token, None, "{path}");
        }
    }
    assert_eq!(clients(&server).await, 0, "reads made clients");

    // Starting a sign-in makes the client, and its token comes back.
    let body = format!("identifier={}&password={}", enc(DEMO_EMAIL), enc(DEMO_PASSWORD));
    let signed_in = raw.form(Method::POST, "/v1/client/sign_ins", None, body).await;
    assert_eq!(signed_in.status, StatusCode::OK, "{}", signed_in.body);
    let token = signed_in.token.clone().expect("a token for the new client");
    assert_eq!(clients(&server).await, 1);
    let me = raw.get("/v1/me", Some(&token)).await;
    assert_eq!(me.status, StatusCode::OK, "{}", me.body);
    assert_eq!(me.token, None, "a known client gets no new token");
    assert_eq!(
        raw.get("/v1/client", Some(&token)).await.body["response"]["sessions"].as_array().map(Vec::len),
        Some(1)
    );

    // A token the server does not know is refused, not replaced.
    let forged = raw.get("/v1/client", Some("forged")).await;
    assert_eq!((forged.status, forged.code()), (StatusCode::UNAUTHORIZED, "authentication_invalid"));
    assert_eq!(forged.token, None);
    assert_eq!(clients(&server).await, 1);
}

#[tokio::test]
async fn the_fapi_client_reads_without_a_token_then_signs_in() {
    let server = TestServer::start().await;
    let client = server.client();
    assert!(client.get_client().await.expect("read").is_none());
    assert!(!client.has_token());
    client.sign_in_with_password(DEMO_EMAIL, DEMO_PASSWORD).await.expect("sign-in");
    assert!(client.has_token());
    assert_eq!(client.me().await.expect("me").username.as_deref(), Some("demo"));
    assert_eq!(clients(&server).await, 1);
}

#[tokio::test]
async fn post_client_makes_one_and_a_failed_sign_in_still_hands_out_its_token() {
    let server = TestServer::start().await;
    let raw = server.raw();
    let made = raw.form(Method::POST, "/v1/client", None, "").await;
    assert_eq!(made.status, StatusCode::OK, "{}", made.body);
    let token = made.token.clone().expect("token");
    assert_eq!(made.body["response"]["object"], "client");
    let again = raw.form(Method::POST, "/v1/client", Some(&token), "").await;
    assert_eq!(
        (again.body["response"]["id"].clone(), again.token),
        (made.body["response"]["id"].clone(), None)
    );

    // A sign-in that fails still made its client: the token must reach the device.
    let wrong = raw
        .form(
            Method::POST,
            "/v1/client/sign_ins",
            None,
            format!("identifier={}&password=nope", enc(DEMO_EMAIL)),
        )
        .await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", wrong.body);
    let token = wrong.token.expect("the new client's token");
    assert_eq!(raw.get("/v1/client", Some(&token)).await.status, StatusCode::OK);
    assert_eq!(clients(&server).await, 2);
}

/// A server on `dir` with a manual `clock` and a one-hour idle lifetime.
async fn start_on(dir: tempfile::TempDir, clock: &Clock, sweep_every: Duration) -> TestServer {
    let mut config = Config::new(dir.path());
    config.clock = clock.clone();
    config.client_idle_lifetime = Duration::from_secs(60 * 60);
    config.client_sweep_interval = sweep_every;
    let running = userdesk_server::start(config).await.expect("server starts");
    let url = running.url();
    let secret_key = running.secret_key().to_owned();
    TestServer { server: Some(running), dir, url, secret_key }
}

async fn wait_for_clients(server: &TestServer, count: i64) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while clients(server).await != count {
        assert!(
            tokio::time::Instant::now() < deadline,
            "still {} clients, not {count}",
            clients(server).await
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

async fn status(raw: &Raw, token: &str) -> StatusCode {
    raw.get("/v1/client", Some(token)).await.status
}

#[tokio::test]
async fn unused_clients_that_hold_nothing_are_swept_at_start_and_on_the_interval() {
    let clock = Clock::manual(userdesk_server::Clock::system().now_ms());
    let server = start_on(tempfile::tempdir().expect("dir"), &clock, Duration::from_secs(3600)).await;
    let raw = server.raw();
    let empty = raw.form(Method::POST, "/v1/client", None, "").await.token.expect("empty");
    let signed_in = server.demo_token().await;
    let started =
        raw.form(Method::POST, "/v1/client/sign_ins", None, format!("identifier={}", enc(DEMO_EMAIL))).await;
    assert_eq!(started.status, StatusCode::OK, "{}", started.body);
    let under_way = started.token.expect("sign-in's token");
    let recent = raw.form(Method::POST, "/v1/client", None, "").await.token.expect("recent");
    assert_eq!(clients(&server).await, 4);

    // Two hours later only `recent` was used again; a restart sweeps.
    clock.advance(Duration::from_secs(2 * 60 * 60));
    assert_eq!(status(&raw, &recent).await, StatusCode::OK);
    let TestServer { server: running, dir, .. } = server;
    running.expect("running").shutdown().await;
    let server = start_on(dir, &clock, Duration::from_millis(50)).await;
    let raw = server.raw();
    wait_for_clients(&server, 3).await;
    assert_eq!(status(&raw, &empty).await, StatusCode::UNAUTHORIZED, "the empty, unused client is gone");
    for token in [&signed_in, &under_way, &recent] {
        assert_eq!(status(&raw, token).await, StatusCode::OK);
    }

    // Another two hours: the interval's sweep takes `recent`, unused since; the session and the
    // sign-in (not abandoned yet) keep theirs.
    clock.advance(Duration::from_secs(2 * 60 * 60));
    wait_for_clients(&server, 2).await;
    assert_eq!(status(&raw, &recent).await, StatusCode::UNAUTHORIZED);
    assert_eq!(status(&raw, &signed_in).await, StatusCode::OK);
    assert_eq!(status(&raw, &under_way).await, StatusCode::OK);
    assert_eq!(raw.get("/v1/me", Some(&signed_in)).await.status, StatusCode::OK);
}

#[tokio::test]
async fn the_fapi_client_drops_a_token_the_server_no_longer_knows_and_signs_in_anew() {
    let clock = Clock::manual(userdesk_server::Clock::system().now_ms());
    let server = start_on(tempfile::tempdir().expect("dir"), &clock, Duration::from_millis(50)).await;
    let store = std::sync::Arc::new(userdesk_fapi::MemoryTokenStore::default());
    let client = server.client_with(store.clone());
    // A failed sign-in leaves a client with nothing in it, which is swept once unused.
    client.sign_in_with_password(DEMO_EMAIL, "wrong password").await.expect_err("wrong password");
    let stale = store.load().expect("store").expect("the client's token was kept");
    clock.advance(Duration::from_secs(2 * 60 * 60));
    wait_for_clients(&server, 0).await;

    // The next request is refused for the token; the client forgets it and signs in anew.
    client.sign_in_with_password(DEMO_EMAIL, DEMO_PASSWORD).await.expect("sign-in with a new client");
    let fresh = store.load().expect("store").expect("a new token");
    assert_ne!(fresh, stale);
    assert_eq!(client.me().await.expect("me").username.as_deref(), Some("demo"));
}
