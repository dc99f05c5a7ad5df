//! Sign-in rate limits: a token bucket per identifier and one per client, with the defaults, on a
//! manual clock (refilling is a clock move, not a wait).

mod common;

use std::time::Duration;

use common::security::now_secs;
use common::{enc, Reply, TestServer};
use reqwest::header::RETRY_AFTER;
use reqwest::{Method, StatusCode};
use serde_json::json;
use userdesk_server::{
    Clock, RateLimit, DEFAULT_SIGN_IN_RATE_LIMIT_PER_CLIENT, DEFAULT_SIGN_IN_RATE_LIMIT_PER_IDENTIFIER,
    DEMO_EMAIL, DEMO_PASSWORD,
};

async fn sign_in(server: &TestServer, token: Option<&str>, identifier: &str, password: &str) -> Reply {
    let form = format!("identifier={}&password={}", enc(identifier), enc(password));
    server.raw().form(Method::POST, "/v1/client/sign_ins", token, form).await
}

fn assert_limited(reply: &Reply, retry_after: u64) {
    assert_eq!(
        (reply.status, reply.code()),
        (StatusCode::TOO_MANY_REQUESTS, "too_many_requests"),
        "{}",
        reply.body
    );
    assert_eq!(reply.body["errors"][0]["meta"]["retry_after_seconds"], retry_after);
    let header = reply.headers.get(RETRY_AFTER).and_then(|v| v.to_str().ok());
    assert_eq!(header, Some(retry_after.to_string().as_str()));
}

#[tokio::test]
async fn a_burst_on_one_identifier_is_refused_and_another_identifier_is_not() {
    assert_eq!(DEFAULT_SIGN_IN_RATE_LIMIT_PER_IDENTIFIER, RateLimit::new(5, Duration::from_secs(10)));
    let clock = Clock::manual(now_secs() * 1000);
    let server = TestServer::start_with(|config| config.clock = clock.clone()).await;
    server.create_user(json!({"email_address": ["pat@example.com"], "password": "long-enough-1"})).await;

    // Five guesses at the demo account, each from a new client: each checked.
    for _ in 0..5 {
        let reply = sign_in(&server, None, DEMO_EMAIL, "a-wrong-guess").await;
        assert_eq!(reply.code(), "form_password_incorrect");
    }
    // The sixth is refused before anything is checked, the right password too, from any client,
    // and the identifier's case changes nothing.
    assert_limited(&sign_in(&server, None, DEMO_EMAIL, "a-wrong-guess").await, 2);
    assert_limited(&sign_in(&server, None, &DEMO_EMAIL.to_uppercase(), DEMO_PASSWORD).await, 2);

    // Another identifier is unaffected.
    let other = sign_in(&server, None, "pat@example.com", "long-enough-1").await;
    assert_eq!(other.status, StatusCode::OK, "{}", other.body);

    // One token every 2 s.
    clock.advance(Duration::from_secs(2));
    let demo = sign_in(&server, None, DEMO_EMAIL, DEMO_PASSWORD).await;
    assert_eq!(demo.status, StatusCode::OK, "{}", demo.body);
    assert_limited(&sign_in(&server, None, DEMO_EMAIL, DEMO_PASSWORD).await, 2);
}

#[tokio::test]
async fn a_burst_from_one_client_is_refused_and_another_client_is_not() {
    assert_eq!(DEFAULT_SIGN_IN_RATE_LIMIT_PER_CLIENT, RateLimit::new(10, Duration::from_secs(10)));
    let clock = Clock::manual(now_secs() * 1000);
    let server = TestServer::start_with(|config| config.clock = clock.clone()).await;

    // One client trying ten identifiers nobody has: each looked up (and argon2 run).
    let first =
        server.raw().form(Method::POST, "/v1/client/sign_ins", None, "identifier=who-1@example.com").await;
    assert_eq!(first.code(), "form_identifier_not_found", "{}", first.body);
    let token = first.token.expect("a client");
    for n in 2..=10 {
        let reply = sign_in(&server, Some(&token), &format!("who-{n}@example.com"), "a-wrong-guess").await;
        assert_eq!(reply.code(), "form_identifier_not_found");
    }
    // The eleventh is refused, whatever the identifier.
    assert_limited(&sign_in(&server, Some(&token), "who-11@example.com", "a-wrong-guess").await, 1);
    assert_limited(&sign_in(&server, Some(&token), DEMO_EMAIL, DEMO_PASSWORD).await, 1);

    // Another client, even on an identifier the first one tried, is unaffected.
    let reply = sign_in(&server, None, "who-11@example.com", "a-wrong-guess").await;
    assert_eq!(reply.code(), "form_identifier_not_found");
    let demo = sign_in(&server, None, DEMO_EMAIL, DEMO_PASSWORD).await;
    assert_eq!(demo.status, StatusCode::OK, "{}", demo.body);

    clock.advance(Duration::from_secs(1));
    let reply = sign_in(&server, Some(&token), "who-12@example.com", "a-wrong-guess").await;
    assert_eq!(reply.code(), "form_identifier_not_found", "refilled");
}
