//! Sessions on every device: the list with each one's latest activity, revoking, touching.

mod common;

use std::sync::Arc;

use common::{Reply, TestServer};
use reqwest::header::USER_AGENT;
use reqwest::{Method, StatusCode};
use userdesk_fapi::models::SessionStatus;
use userdesk_fapi::{Client, MemoryTokenStore, TokenService};
use userdesk_server::{DEMO_EMAIL, DEMO_PASSWORD};

const APP_AGENT: &str = "Userdesk/0.1.0 (Linux)";
const CHROME_AGENT: &str = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.6367.91 Safari/537.36";
const IPHONE_AGENT: &str = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1";

/// A FAPI client that says `agent`, signed in as the demo user.
async fn device(server: &TestServer, agent: &str) -> Client {
    let url = url::Url::parse(&server.url).expect("url");
    let client = Client::builder(url)
        .token_store(Arc::new(MemoryTokenStore::default()))
        .user_agent(agent)
        .build()
        .expect("client");
    client.sign_in_with_password(DEMO_EMAIL, DEMO_PASSWORD).await.expect("sign in");
    client
}

fn session_id(client: &Client) -> String {
    client.session_id().expect("signed in")
}

#[tokio::test]
async fn every_device_shows_with_its_app_device_and_address() {
    let server = TestServer::start().await;
    let laptop = device(&server, APP_AGENT).await;
    let desktop = device(&server, CHROME_AGENT).await;
    let phone = device(&server, IPHONE_AGENT).await;
    // Someone else's session is not in the list.
    let _other = server.user_client("other@example.com", None).await;

    let sessions = laptop.get_sessions().await.expect("the list");
    assert_eq!(sessions.len(), 3, "{sessions:#?}");
    assert_eq!(sessions[0].id, session_id(&phone), "most recently used first");
    let find = |client: &Client| {
        let id = session_id(client);
        sessions.iter().find(|s| s.id == id).cloned().expect("listed")
    };

    let app = find(&laptop).latest_activity.expect("activity");
    assert_eq!(app.object, "session_activity");
    assert_eq!(app.browser_name.as_deref(), Some("Userdesk"));
    assert_eq!(app.browser_version.as_deref(), Some("0.1.0"));
    assert_eq!(app.device_type.as_deref(), Some("Linux"));
    assert!(!app.is_mobile);
    assert_eq!(app.ip_address.as_deref(), Some("127.0.0.1"));
    assert_eq!((app.city, app.country), (None, None), "loopback has no place");

    let chrome = find(&desktop).latest_activity.expect("activity");
    assert_eq!(
        (chrome.browser_name.as_deref(), chrome.browser_version.as_deref(), chrome.device_type.as_deref()),
        (Some("Chrome"), Some("124.0.6367.91"), Some("Windows"))
    );
    let iphone = find(&phone).latest_activity.expect("activity");
    assert_eq!(
        (iphone.browser_name.as_deref(), iphone.device_type.as_deref()),
        (Some("Safari"), Some("iPhone"))
    );
    assert!(iphone.is_mobile);
    assert!(sessions.iter().all(|s| s.status == SessionStatus::Active));
}

#[tokio::test]
async fn a_revoked_session_stops_working_at_once() {
    let server = TestServer::start_with_keys(|_| {}).await;
    let laptop = device(&server, APP_AGENT).await;
    let desktop = device(&server, CHROME_AGENT).await;
    desktop.get_token(TokenService::Clerk).await.expect("a token before");
    // A third device over raw HTTP, to ask for tokens past any client-side cache.
    let raw = server.raw();
    let token = server.demo_token().await;
    let client = raw.get("/v1/client", Some(&token)).await;
    let raw_session = client.body["response"]["last_active_session_id"].as_str().expect("session").to_owned();
    let tokens = format!("/v1/client/sessions/{raw_session}/tokens");
    assert_eq!(raw.form(Method::POST, &tokens, Some(&token), "").await.status, StatusCode::OK);

    let target = session_id(&desktop);
    let revoked = laptop.revoke_session(&target).await.expect("revoked");
    assert_eq!((revoked.id.as_str(), revoked.status), (target.as_str(), SessionStatus::Revoked));
    let me = desktop.me().await.expect_err("signed out");
    assert_eq!((me.status(), me.code()), (Some(401), "signed_out"));

    assert_eq!(laptop.revoke_session(&raw_session).await.expect("revoked").status, SessionStatus::Revoked);
    let refused = raw.form(Method::POST, &tokens, Some(&token), "").await;
    assert_eq!(
        (refused.status, refused.code()),
        (StatusCode::UNAUTHORIZED, "signed_out"),
        "{}",
        refused.body
    );
    let refused = raw.form(Method::POST, "/v1/me/tokens", Some(&token), "service=clerk").await;
    assert_eq!((refused.status, refused.code()), (StatusCode::UNAUTHORIZED, "signed_out"));
    let client = raw.get("/v1/client", Some(&token)).await;
    assert_eq!(client.body["response"]["last_active_session_id"], serde_json::Value::Null);

    let listed = laptop.get_sessions().await.expect("the list");
    assert_eq!(listed.iter().map(|s| s.id.clone()).collect::<Vec<_>>(), vec![session_id(&laptop)]);
    laptop.me().await.expect("the revoking device is still signed in");

    // Revoking again keeps the status; a device can revoke its own session too.
    assert_eq!(laptop.revoke_session(&target).await.expect("again").status, SessionStatus::Revoked);
    let own = session_id(&laptop);
    assert_eq!(laptop.revoke_session(&own).await.expect("own").status, SessionStatus::Revoked);
    assert!(laptop.me().await.expect_err("signed out").is_signed_out());
}

#[tokio::test]
async fn signing_out_every_other_device_keeps_this_one() {
    let server = TestServer::start().await;
    let laptop = device(&server, "Userdesk/0.1.0 (Linux)").await;
    let phone = device(&server, "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X)").await;
    let tablet = device(&server, "Mozilla/5.0 (iPad; CPU OS 17_4 like Mac OS X)").await;

    assert_eq!(laptop.revoke_other_sessions().await.expect("revoked"), 2);

    assert!(laptop.me().await.is_ok(), "this device stays signed in");
    for other in [&phone, &tablet] {
        let error = other.me().await.expect_err("signed out");
        assert!(error.is_signed_out(), "{error:?}");
    }
    let left = laptop.get_sessions().await.expect("sessions");
    assert_eq!(left.iter().map(|s| Some(s.id.clone())).collect::<Vec<_>>(), vec![laptop.session_id()]);
    assert_eq!(laptop.revoke_other_sessions().await.expect("nothing left"), 0);
}

#[tokio::test]
async fn another_users_session_is_not_found_and_nothing_changes() {
    let server = TestServer::start().await;
    let demo = device(&server, APP_AGENT).await;
    let other = server.user_client("mallory@example.com", None).await;
    let victim = session_id(&demo);

    let error = other.revoke_session(&victim).await.expect_err("not theirs");
    assert_eq!((error.status(), error.code()), (Some(404), "resource_not_found"));
    let error = other.revoke_session("sess_nonexistent").await.expect_err("unknown");
    assert_eq!(error.status(), Some(404));
    demo.me().await.expect("still signed in");
    assert_eq!(demo.get_sessions().await.expect("list").len(), 1);
}

async fn touch(server: &TestServer, token: &str, session: &str, agent: &str, body: &str) -> Reply {
    let raw = server.raw();
    let request = raw
        .request(Method::POST, &format!("/v1/client/sessions/{session}/touch"), Some(token))
        .header(USER_AGENT, agent)
        .header(reqwest::header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(body.to_owned());
    raw.send(request).await
}

#[tokio::test]
async fn touching_records_the_latest_activity() {
    let server = TestServer::start().await;
    let token = server.demo_token().await;
    let raw = server.raw();
    let client = raw.get("/v1/client", Some(&token)).await;
    let session = client.body["response"]["last_active_session_id"].as_str().expect("session").to_owned();

    let touched = touch(&server, &token, &session, APP_AGENT, "intent=focus").await;
    assert_eq!(touched.status, StatusCode::OK, "{}", touched.body);
    assert_eq!(touched.body["response"]["id"], session.as_str());
    assert_eq!(touched.body["client"]["last_active_session_id"], session.as_str());
    let listed = raw.get("/v1/me/sessions/active", Some(&token)).await;
    assert_eq!(listed.body[0]["latest_activity"]["browser_name"], "Userdesk", "{}", listed.body);

    let again = touch(&server, &token, &session, CHROME_AGENT, "").await;
    assert_eq!(again.status, StatusCode::OK);
    let listed = raw.get("/v1/me/sessions/active", Some(&token)).await;
    assert_eq!(listed.body[0]["latest_activity"]["browser_name"], "Chrome", "the latest agent wins");

    let bad_intent = touch(&server, &token, &session, APP_AGENT, "intent=sideways").await;
    assert_eq!((bad_intent.status, bad_intent.param()), (StatusCode::UNPROCESSABLE_ENTITY, Some("intent")));
    let org = touch(&server, &token, &session, APP_AGENT, "active_organization_id=org_1").await;
    assert_eq!(org.status, StatusCode::UNPROCESSABLE_ENTITY);
    let unknown = touch(&server, &token, "sess_unknown", APP_AGENT, "").await;
    assert_eq!((unknown.status, unknown.code()), (StatusCode::NOT_FOUND, "resource_not_found"));

    raw.form(Method::POST, &format!("/v1/client/sessions/{session}/end"), Some(&token), "").await;
    let ended = touch(&server, &token, &session, APP_AGENT, "").await;
    assert_eq!((ended.status, ended.code()), (StatusCode::UNAUTHORIZED, "signed_out"));
}

/// Reads take no write lock and note their bookkeeping for later (issue 13); whatever ends a
/// session is still seen by the very next read, on every device.
#[tokio::test]
async fn ending_revoking_and_deleting_take_effect_at_once_between_reads() {
    let server = TestServer::start().await;
    let raw = server.raw();
    let me = |token: String| {
        let raw = server.raw();
        async move { raw.get("/v1/me", Some(&token)).await }
    };

    // Many reads at once on one client, then the client's session is ended: the next read is
    // signed out.
    let token = server.demo_token().await;
    let reads = futures_reads(16, || me(token.clone())).await;
    assert!(reads.iter().all(|reply| reply.status == StatusCode::OK));
    let session = reads[0].body["client"]["last_active_session_id"].as_str().expect("session").to_owned();
    let ended = raw.form(Method::POST, &format!("/v1/client/sessions/{session}/end"), Some(&token), "").await;
    assert_eq!(ended.status, StatusCode::OK, "{}", ended.body);
    let after = me(token.clone()).await;
    assert_eq!((after.status, after.code()), (StatusCode::UNAUTHORIZED, "signed_out"));

    // Revoked from another device.
    let laptop = device(&server, APP_AGENT).await;
    let phone = server.demo_token().await;
    assert_eq!(me(phone.clone()).await.status, StatusCode::OK);
    let phone_session = me(phone.clone()).await.body["client"]["last_active_session_id"]
        .as_str()
        .expect("session")
        .to_owned();
    laptop.revoke_session(&phone_session).await.expect("revoked");
    assert_eq!(me(phone.clone()).await.status, StatusCode::UNAUTHORIZED);

    // The user deletes the account on one device: every other device is signed out at once.
    let tablet = server.demo_token().await;
    assert_eq!(me(tablet.clone()).await.status, StatusCode::OK);
    laptop.delete_user().await.expect("deleted");
    let after = me(tablet).await;
    assert_eq!((after.status, after.code()), (StatusCode::UNAUTHORIZED, "signed_out"));
}

/// `count` reads made at once.
async fn futures_reads<F, Fut>(count: usize, read: F) -> Vec<Reply>
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = Reply> + Send + 'static,
{
    let tasks: Vec<_> = (0..count).map(|_| tokio::spawn(read())).collect();
    let mut replies = Vec::with_capacity(count);
    for task in tasks {
        replies.push(task.await.expect("a read"));
    }
    replies
}
