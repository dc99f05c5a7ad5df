//! `GET /v1/me` answers from reads kept until the next commit (issue 13): whatever changes what
//! it shows (the user, their identifications, metadata, lockout, external accounts, sessions, the
//! client) is seen by the very next request, and what depends on the clock (a session's expiry,
//! its last activity) is not held back by the kept rows.

mod common;

use common::{enc, TestServer};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{ConnectOptions, Connection};
use userdesk_server::{DEMO_EMAIL, DEMO_PASSWORD};

/// `GET /v1/me` twice (the second from the kept reads, if anything is kept), the same both times.
async fn me_twice(server: &TestServer, token: &str) -> Value {
    let raw = server.raw();
    let first = raw.get("/v1/me", Some(token)).await;
    let second = raw.get("/v1/me", Some(token)).await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.body);
    assert_eq!(first.body, second.body, "nothing changed between two reads");
    second.body
}

/// The `GET /v1/me` right after a change.
async fn me(server: &TestServer, token: &str) -> Value {
    let reply = server.raw().get("/v1/me", Some(token)).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    reply.body
}

#[tokio::test]
async fn every_kind_of_change_is_seen_by_the_very_next_read() {
    let server = TestServer::start().await;
    let raw = server.raw();
    let token = server.demo_token().await;
    let before = me_twice(&server, &token).await;
    let user_id = before["response"]["id"].as_str().expect("user id").to_owned();

    // The user row, through FAPI: the user and the session's user both show it.
    let changed = raw.form(Method::PATCH, "/v1/me", Some(&token), "first_name=Kept").await;
    assert_eq!(changed.status, StatusCode::OK, "{}", changed.body);
    let after = me(&server, &token).await;
    assert_eq!(after["response"]["first_name"], "Kept");
    assert_eq!(after["client"]["sessions"][0]["user"]["first_name"], "Kept");

    // Unsafe metadata (FAPI), then public metadata through the Backend API: a write that is not
    // this client's.
    me_twice(&server, &token).await;
    let form = format!("unsafe_metadata={}", enc(r#"{"theme":"dark"}"#));
    assert_eq!(raw.form(Method::PATCH, "/v1/me/metadata", Some(&token), form).await.status, StatusCode::OK);
    assert_eq!(me(&server, &token).await["response"]["unsafe_metadata"]["theme"], "dark");
    me_twice(&server, &token).await;
    let path = format!("/v1/users/{user_id}/metadata");
    let body = json!({"public_metadata": {"plan": "pro"}});
    let patched = raw.backend(Method::PATCH, &path, Some(&server.secret_key), Some(body)).await;
    assert_eq!(patched.status, StatusCode::OK, "{}", patched.body);
    assert_eq!(me(&server, &token).await["response"]["public_metadata"]["plan"], "pro");

    // Identifications.
    let emails = |body: &Value| body["response"]["email_addresses"].as_array().map_or(0, Vec::len);
    let count = emails(&me_twice(&server, &token).await);
    let form = format!("email_address={}", enc("kept-second@example.com"));
    let added = raw.form(Method::POST, "/v1/me/email_addresses", Some(&token), form).await;
    assert_eq!(added.status, StatusCode::OK, "{}", added.body);
    assert_eq!(emails(&me(&server, &token).await), count + 1);

    // The lockout count, moved by a wrong password on another device.
    let remaining = me_twice(&server, &token).await["response"]["verification_attempts_remaining"]
        .as_i64()
        .expect("attempts remaining");
    let form = format!("identifier={}&password=wrong-password-1", enc(DEMO_EMAIL));
    let refused = raw.form(Method::POST, "/v1/client/sign_ins", None, form).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", refused.body);
    assert_eq!(me(&server, &token).await["response"]["verification_attempts_remaining"], remaining - 1);

    // Sessions: another device of the same person signs in, then revokes this one.
    let other = server.demo_token().await;
    let session = me_twice(&server, &token).await["client"]["last_active_session_id"]
        .as_str()
        .expect("session")
        .to_owned();
    let path = format!("/v1/me/sessions/{session}/revoke");
    let revoked = raw.form(Method::POST, &path, Some(&other), "").await;
    assert_eq!(revoked.status, StatusCode::OK, "{}", revoked.body);
    let signed_out = raw.get("/v1/me", Some(&token)).await;
    assert_eq!((signed_out.status, signed_out.code()), (StatusCode::UNAUTHORIZED, "signed_out"));

    // The client: signing out on the other device (the client stays, its sessions end).
    me_twice(&server, &other).await;
    assert_eq!(raw.form(Method::DELETE, "/v1/client", Some(&other), "").await.status, StatusCode::OK);
    let signed_out = raw.get("/v1/me", Some(&other)).await;
    assert_eq!((signed_out.status, signed_out.code()), (StatusCode::UNAUTHORIZED, "signed_out"));
    // Signing in again on that client is seen too.
    let form = format!("identifier={}&password={DEMO_PASSWORD}", enc(DEMO_EMAIL));
    let again = raw.form(Method::POST, "/v1/client/sign_ins", Some(&other), form).await;
    assert_eq!(again.status, StatusCode::OK, "{}", again.body);
    assert_eq!(me(&server, &other).await["response"]["id"], user_id.as_str());
}

#[tokio::test]
async fn an_external_account_under_way_is_seen_by_the_next_read() {
    let server = TestServer::start().await;
    let client = server.demo_client().await;
    assert!(client.me().await.expect("me").external_accounts.is_empty());
    assert!(client.me().await.expect("me again").external_accounts.is_empty());
    let flows = common::oauth::flows();
    let account = common::oauth::start_connect(&client, &flows, "oauth_github", &[]).await;
    let shown = client.me().await.expect("me after").external_accounts;
    assert_eq!(shown.iter().map(|a| a.id.as_str()).collect::<Vec<_>>(), vec![account.id.as_str()]);
}

/// Stops `server`, runs `sql` on its database, and starts it again on the same directory.
async fn with_rows_changed_offline(server: TestServer, sql: &str) -> TestServer {
    let TestServer { server: running, dir, .. } = server;
    running.expect("running").shutdown().await;
    let mut conn = SqliteConnectOptions::new()
        .filename(dir.path().join(userdesk_server::DATABASE_FILE))
        .connect()
        .await
        .expect("the database opens");
    sqlx::raw_sql(sql).execute(&mut conn).await.expect("rows changed");
    conn.close().await.expect("closed");
    TestServer::start_in(dir).await
}

fn now_ms() -> i64 {
    let since = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).expect("clock");
    i64::try_from(since.as_millis()).expect("milliseconds")
}

#[tokio::test]
async fn a_kept_session_still_expires_on_time() {
    let server = TestServer::start().await;
    let token = server.demo_token().await;
    let expire_at = now_ms() + 3_000;
    let server =
        with_rows_changed_offline(server, &format!("UPDATE sessions SET expire_at = {expire_at}")).await;
    let body = me_twice(&server, &token).await;
    assert_eq!(body["client"]["sessions"][0]["expire_at"], expire_at);
    tokio::time::sleep(std::time::Duration::from_millis(
        u64::try_from(expire_at - now_ms() + 100).unwrap_or(0),
    ))
    .await;
    let expired = server.raw().get("/v1/me", Some(&token)).await;
    assert_eq!(
        (expired.status, expired.code()),
        (StatusCode::UNAUTHORIZED, "signed_out"),
        "{}",
        expired.body
    );
}

#[tokio::test]
async fn a_kept_answer_shows_a_code_expiring_on_time() {
    let server = TestServer::start().await;
    let raw = server.raw();
    let token = server.demo_token().await;
    let form = format!("email_address={}", enc("expiring@example.com"));
    let added = raw.form(Method::POST, "/v1/me/email_addresses", Some(&token), form).await;
    assert_eq!(added.status, StatusCode::OK, "{}", added.body);
    let id = added.body["response"]["id"].as_str().expect("id").to_owned();
    let path = format!("/v1/me/email_addresses/{id}/prepare_verification");
    let prepared = raw.form(Method::POST, &path, Some(&token), "strategy=email_code").await;
    assert_eq!(prepared.status, StatusCode::OK, "{}", prepared.body);
    // The code expires in 600 ms: sooner than a kept answer is ever sent again without looking
    // at the clock (1 s).
    let expire_at = now_ms() + 600;
    let sql = format!("UPDATE verifications SET expire_at = {expire_at} WHERE identification_id = '{id}'");
    let server = with_rows_changed_offline(server, &sql).await;
    let status = |body: &Value| {
        let emails = body["response"]["email_addresses"].as_array().expect("emails").clone();
        let email = emails.into_iter().find(|email| email["id"] == id.as_str()).expect("the new address");
        email["verification"]["status"].as_str().expect("status").to_owned()
    };
    assert_eq!(status(&me_twice(&server, &token).await), "unverified");
    tokio::time::sleep(std::time::Duration::from_millis(
        u64::try_from(expire_at - now_ms() + 20).unwrap_or(0),
    ))
    .await;
    assert_eq!(status(&me(&server, &token).await), "expired", "shown expired at once, not a moment later");
}

#[tokio::test]
async fn activity_recorded_in_the_background_is_shown_once_written() {
    let server = TestServer::start().await;
    let token = server.demo_token().await;
    // A session last active two minutes ago: the next read notes a use for the recorder.
    let server = with_rows_changed_offline(
        server,
        "UPDATE sessions SET last_active_at = last_active_at - 120000;
         UPDATE users SET last_active_at = last_active_at - 120000;",
    )
    .await;
    let noted_at = now_ms();
    // Written off the request path, moments later (this first read may already show it, or keep
    // the old rows); from then on every read shows it, though the rows before it were kept.
    let mut shown = me(&server, &token).await;
    for _ in 0..250 {
        shown = me(&server, &token).await;
        if shown["client"]["sessions"][0]["last_active_at"].as_i64().expect("at") >= noted_at {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert!(shown["client"]["sessions"][0]["last_active_at"].as_i64().expect("at") >= noted_at, "{shown}");
    assert!(shown["response"]["last_active_at"].as_i64().expect("user's") >= noted_at, "{shown}");
}
