//! The account flows as the app drives them: through `userdesk-fapi`'s client.

mod common;

use std::sync::Arc;

use common::TestServer;
use reqwest::Method;
use serde_json::{json, Map, Value};
use userdesk_fapi::models::SignInStatus;
use userdesk_fapi::{MemoryTokenStore, TokenStore, UpdateUserParams};
use userdesk_server::{DEMO_EMAIL, DEMO_PASSWORD};

fn object(value: Value) -> Map<String, Value> {
    match value {
        Value::Object(map) => map,
        other => panic!("expected an object, got {other}"),
    }
}

#[tokio::test]
async fn the_environment_describes_a_development_instance() {
    let server = TestServer::start().await;
    let environment = server.client().environment().await.expect("environment");
    assert_eq!(environment.display_config.instance_environment_type, "development");
    assert!(environment.delete_self_enabled());
    // Every seed provider, served by the development OAuth provider.
    assert_eq!(environment.enabled_oauth_strategies().len(), userdesk_fapi::models::OAUTH_PROVIDERS.len());
}

#[tokio::test]
async fn the_demo_user_signs_in_and_sees_their_account() {
    let server = TestServer::start().await;
    let store = Arc::new(MemoryTokenStore::default());
    let client = server.client_with(store.clone());
    let sign_in = client.sign_in_with_password(DEMO_EMAIL, DEMO_PASSWORD).await.expect("sign in");
    assert_eq!(sign_in.status, SignInStatus::Complete);
    let session_id = sign_in.created_session_id.clone().expect("a session");
    assert_eq!(client.session_id().as_deref(), Some(session_id.as_str()));
    assert!(store.load().expect("store").is_some(), "the token was stored");

    let me = client.me().await.expect("me");
    assert_eq!(me.first_name.as_deref(), Some("Demo"));
    assert_eq!(me.last_name.as_deref(), Some("User"));
    assert_eq!(me.username.as_deref(), Some("demo"));
    assert_eq!(me.public_metadata, object(json!({"plan": "pro"})));
    let primary = me.primary_email_address().expect("a primary email");
    assert_eq!(primary.email_address, DEMO_EMAIL);
    assert!(primary.is_verified());
    assert!(me.password_enabled);

    let state = client.get_client().await.expect("client").expect("a client");
    assert_eq!(state.last_active_session_id.as_deref(), Some(session_id.as_str()));
    assert_eq!(state.sessions.len(), 1);
}

#[tokio::test]
async fn usernames_sign_in_too_case_insensitively() {
    let server = TestServer::start().await;
    let client = server.client();
    let sign_in = client.sign_in_with_password("DEMO", DEMO_PASSWORD).await.expect("sign in by username");
    assert_eq!(sign_in.status, SignInStatus::Complete);
}

#[tokio::test]
async fn wrong_passwords_and_unknown_identifiers_are_told_apart() {
    let server = TestServer::start().await;
    let client = server.client();
    let error =
        client.sign_in_with_password(DEMO_EMAIL, "not-the-password").await.expect_err("wrong password");
    assert_eq!(error.code(), "form_password_incorrect");
    assert_eq!(error.field(), Some("password"));
    let error = client.sign_in_with_password("nobody@example.com", DEMO_PASSWORD).await.expect_err("unknown");
    assert_eq!(error.code(), "form_identifier_not_found");
    assert_eq!(error.field(), Some("identifier"));
    // Still signed out.
    assert_eq!(client.me().await.expect_err("signed out").code(), "signed_out");
}

#[tokio::test]
async fn a_second_sign_in_on_the_same_client_is_refused() {
    let server = TestServer::start().await;
    let client = server.demo_client().await;
    let error = client.sign_in_with_password(DEMO_EMAIL, DEMO_PASSWORD).await.expect_err("already signed in");
    assert_eq!(error.code(), "session_exists");
}

#[tokio::test]
async fn the_profile_changes_and_clears() {
    let server = TestServer::start().await;
    let client = server.demo_client().await;
    let params = UpdateUserParams {
        first_name: Some("Ada".into()),
        last_name: Some("Lovelace".into()),
        username: Some("ada_l".into()),
        ..UpdateUserParams::default()
    };
    let user = client.update_user(&params).await.expect("update");
    assert_eq!(user.first_name.as_deref(), Some("Ada"));
    assert_eq!(user.last_name.as_deref(), Some("Lovelace"));
    assert_eq!(user.username.as_deref(), Some("ada_l"));
    assert_eq!(user.full_name().as_deref(), Some("Ada Lovelace"));

    let cleared = client
        .update_user(&UpdateUserParams { last_name: Some(String::new()), ..UpdateUserParams::default() })
        .await
        .expect("clear the last name");
    assert_eq!(cleared.last_name, None);
    assert_eq!(cleared.first_name.as_deref(), Some("Ada"));
    assert_eq!(client.me().await.expect("me").last_name, None);
}

#[tokio::test]
async fn username_rules_and_uniqueness() {
    let server = TestServer::start().await;
    let raw = server.raw();
    let created = raw
        .backend(
            Method::POST,
            "/v1/users",
            Some(&server.secret_key),
            Some(json!({"email_address": ["taken@example.com"], "username": "Taken_Name", "password": "long-enough-1"})),
        )
        .await;
    assert_eq!(created.status, 200, "{}", created.body);

    let client = server.demo_client().await;
    let update =
        |username: &str| UpdateUserParams { username: Some(username.into()), ..UpdateUserParams::default() };
    let error = client.update_user(&update("taken_name")).await.expect_err("taken, in another case");
    assert_eq!(error.code(), "form_identifier_exists");
    assert_eq!(error.field(), Some("username"));
    let error = client.update_user(&update("abc")).await.expect_err("too short");
    assert_eq!(error.code(), "form_username_invalid_length");
    assert_eq!(error.field(), Some("username"));
    let error = client.update_user(&update(&"a".repeat(65))).await.expect_err("too long");
    assert_eq!(error.code(), "form_username_invalid_length");
    let error = client.update_user(&update("white space")).await.expect_err("bad character");
    assert_eq!(error.code(), "form_username_invalid_character");
    assert_eq!(client.me().await.expect("me").username.as_deref(), Some("demo"), "unchanged");
}

#[tokio::test]
async fn unsafe_metadata_merges_deeply_and_null_removes() {
    let server = TestServer::start().await;
    let client = server.demo_client().await;
    let user = client
        .update_unsafe_metadata(&object(json!({"theme": {"mode": "dark", "accent": "blue"}, "beta": true})))
        .await
        .expect("first patch");
    assert_eq!(
        Value::Object(user.unsafe_metadata),
        json!({"theme": {"mode": "dark", "accent": "blue"}, "beta": true})
    );
    let user = client
        .update_unsafe_metadata(&object(json!({"theme": {"accent": null, "font": 14}, "beta": null})))
        .await
        .expect("second patch");
    assert_eq!(Value::Object(user.unsafe_metadata.clone()), json!({"theme": {"mode": "dark", "font": 14}}));

    let target = object(json!({"theme": {"mode": "light"}, "lang": "fr"}));
    let user = client.replace_unsafe_metadata(&user.unsafe_metadata, &target).await.expect("replace");
    assert_eq!(user.unsafe_metadata, target);
    // Public metadata is untouched by all of this.
    assert_eq!(user.public_metadata, object(json!({"plan": "pro"})));
}

#[tokio::test]
async fn signing_out_ends_the_session_and_the_client_can_sign_in_again() {
    let server = TestServer::start().await;
    let client = server.demo_client().await;
    client.sign_out().await.expect("sign out");
    assert_eq!(client.me().await.expect_err("signed out").code(), "signed_out");
    let state = client.get_client().await.expect("client").expect("still a client");
    assert!(state.sessions.is_empty());
    assert_eq!(state.last_active_session_id, None);
    client.sign_in_with_password(DEMO_EMAIL, DEMO_PASSWORD).await.expect("sign in again");
    client.me().await.expect("me again");
}

#[tokio::test]
async fn ending_and_removing_sessions() {
    let server = TestServer::start().await;
    let client = server.demo_client().await;
    let session_id = client.session_id().expect("a session");
    let ended = client.end_session(&session_id).await.expect("end");
    assert_eq!(ended.id, session_id);
    assert_eq!(ended.status, userdesk_fapi::models::SessionStatus::Ended);
    assert_eq!(client.me().await.expect_err("signed out").code(), "signed_out");

    client.sign_in_with_password(DEMO_EMAIL, DEMO_PASSWORD).await.expect("sign in again");
    let session_id = client.session_id().expect("a new session");
    let removed = client.remove_session(&session_id).await.expect("remove");
    assert_eq!(removed.status, userdesk_fapi::models::SessionStatus::Removed);
    assert_eq!(client.me().await.expect_err("signed out").code(), "signed_out");

    let error = client.end_session("sess_unknown").await.expect_err("unknown session");
    assert_eq!(error.code(), "resource_not_found");
}

#[tokio::test]
async fn another_clients_session_is_not_reachable() {
    let server = TestServer::start().await;
    let alice = server.demo_client().await;
    let session_id = alice.session_id().expect("session");
    let mallory = server.client();
    mallory.environment().await.expect("environment");
    let error = mallory.end_session(&session_id).await.expect_err("not mallory's");
    assert_eq!(error.code(), "resource_not_found");
    alice.me().await.expect("alice is still signed in");
}

#[tokio::test]
async fn deleting_the_account_removes_it_everywhere() {
    let server = TestServer::start().await;
    let first = server.demo_client().await;
    let second = server.demo_client().await;
    let user_id = first.me().await.expect("me").id;
    first.delete_user().await.expect("delete");
    assert_eq!(first.me().await.expect_err("gone").code(), "signed_out");
    assert_eq!(second.me().await.expect_err("gone on the other device too").code(), "signed_out");
    let error =
        server.client().sign_in_with_password(DEMO_EMAIL, DEMO_PASSWORD).await.expect_err("no account");
    assert_eq!(error.code(), "form_identifier_not_found");
    let raw = server.raw();
    let reply =
        raw.backend(Method::GET, &format!("/v1/users/{user_id}"), Some(&server.secret_key), None).await;
    assert_eq!(reply.status, 404);
    assert_eq!(reply.code(), "resource_not_found");
}

#[tokio::test]
async fn deleting_is_refused_where_the_account_does_not_allow_it() {
    let server = TestServer::start().await;
    let raw = server.raw();
    let created = raw
        .backend(
            Method::POST,
            "/v1/users",
            Some(&server.secret_key),
            Some(json!({"email_address": ["keep@example.com"], "password": "long-enough-1", "delete_self_enabled": false})),
        )
        .await;
    assert_eq!(created.status, 200, "{}", created.body);
    let client = server.client();
    client.sign_in_with_password("keep@example.com", "long-enough-1").await.expect("sign in");
    let error = client.delete_user().await.expect_err("not allowed");
    assert_eq!(error.code(), "delete_self_not_enabled");
    assert_eq!(
        client
            .me()
            .await
            .expect("still there")
            .primary_email_address()
            .map(|e| e.email_address.clone())
            .as_deref(),
        Some("keep@example.com")
    );
}

#[tokio::test]
async fn edits_and_sessions_survive_a_restart() {
    let server = TestServer::start().await;
    let store: Arc<dyn TokenStore> = Arc::new(MemoryTokenStore::default());
    let client = server.client_with(store.clone());
    client.sign_in_with_password(DEMO_EMAIL, DEMO_PASSWORD).await.expect("sign in");
    client
        .update_user(&UpdateUserParams {
            first_name: Some("Persisted".into()),
            ..UpdateUserParams::default()
        })
        .await
        .expect("update");
    client.update_unsafe_metadata(&object(json!({"kept": [1, 2, 3]}))).await.expect("metadata");
    let key = server.secret_key.clone();

    let server = server.restart().await;
    assert_eq!(server.secret_key, key, "the generated key is reused");
    let client = server.client_with(store);
    let me = client.me().await.expect("the session survived");
    assert_eq!(me.first_name.as_deref(), Some("Persisted"));
    assert_eq!(Value::Object(me.unsafe_metadata), json!({"kept": [1, 2, 3]}));
    // The demo account is not created twice.
    let other = server.client();
    other.sign_in_with_password(DEMO_EMAIL, DEMO_PASSWORD).await.expect("the same demo user");
    assert_eq!(other.me().await.expect("me").id, me.id);
}
