//! The development outbox (library API, `GET /dev/outbox`, `/dev/outbox.html`) and its absence
//! in production, where nothing can be sent yet.

mod common;

use common::TestServer;
use reqwest::header::{ACCEPT, CONTENT_TYPE};
use reqwest::{Method, StatusCode};
use serde_json::Value;
use userdesk_fapi::EmailVerification;
use userdesk_server::OutboxChannel;

#[tokio::test]
async fn every_message_is_recorded_newest_first() {
    let server = TestServer::start().await;
    let client = server.demo_client().await;
    let email = client.create_email_address("inbox@example.com").await.expect("add");
    client.prepare_email_verification(&email.id, &EmailVerification::Code).await.expect("email code");
    let phone = client.create_phone_number("+1 415 555 0132").await.expect("add");
    client.prepare_phone_verification(&phone.id).await.expect("sms code");
    let other = client.create_email_address("linked@example.com").await.expect("add");
    client
        .prepare_email_verification(&other.id, &EmailVerification::Link { redirect_url: None })
        .await
        .expect("email link");

    // The library API.
    let messages = server.running().outbox(10).await.expect("outbox");
    let summary: Vec<(&str, OutboxChannel, bool, bool)> =
        messages.iter().map(|m| (m.to.as_str(), m.channel, m.code.is_some(), m.link.is_some())).collect();
    assert_eq!(
        summary,
        [
            ("linked@example.com", OutboxChannel::Email, false, true),
            ("+14155550132", OutboxChannel::Sms, true, false),
            ("inbox@example.com", OutboxChannel::Email, true, false),
        ]
    );
    assert!(messages.windows(2).all(|w| w[0].sent_at >= w[1].sent_at));
    assert!(messages.iter().all(|m| m.id.starts_with("msg_") && !m.subject.is_empty() && !m.body.is_empty()));
    assert_eq!(server.running().outbox(1).await.expect("outbox").len(), 1, "the limit holds");

    // The same as JSON over HTTP.
    let raw = server.raw();
    let reply = raw.send(raw.http.get(format!("{}/dev/outbox", server.url))).await;
    assert_eq!(reply.status, StatusCode::OK);
    let list = reply.body.as_array().expect("a plain array");
    assert_eq!(list.len(), 3);
    assert_eq!(list[0]["to"], "linked@example.com");
    assert_eq!(list[0]["channel"], "email");
    assert_eq!(list[0]["code"], Value::Null);
    assert!(list[0]["link"].as_str().expect("link").contains("/v1/verify?token="));
    assert_eq!(list[1]["channel"], "sms");
    assert_eq!(list[1]["code"], messages[1].code.clone().expect("code").as_str());
    for key in ["id", "sent_at", "subject", "body"] {
        assert!(!list[2][key].is_null(), "{key}");
    }
    let reply = raw.send(raw.http.get(format!("{}/dev/outbox?limit=2", server.url))).await;
    assert_eq!(reply.body.as_array().map(Vec::len), Some(2));
    let reply = raw.send(raw.http.get(format!("{}/dev/outbox?limit=nope", server.url))).await;
    assert_eq!(
        (reply.status, reply.code(), reply.param()),
        (StatusCode::UNPROCESSABLE_ENTITY, "form_param_format_invalid", Some("limit"))
    );
}

#[tokio::test]
async fn the_outbox_page_shows_codes_and_links_escaped() {
    let server = TestServer::start().await;
    let http = reqwest::Client::new();
    let empty = http.get(format!("{}/dev/outbox.html", server.url)).send().await.expect("page");
    assert_eq!(empty.status(), StatusCode::OK);
    assert!(empty.text().await.expect("text").contains("Nothing has been sent yet"));

    let client = server.demo_client().await;
    // A valid address with characters that mean something in HTML.
    let email = client.create_email_address("o'brien&co@example.com").await.expect("add");
    client.prepare_email_verification(&email.id, &EmailVerification::Code).await.expect("prepare");
    let code = server.latest_code("o'brien&co@example.com").await;

    for request in [
        http.get(format!("{}/dev/outbox.html", server.url)),
        http.get(format!("{}/dev/outbox", server.url))
            .header(ACCEPT, "text/html,application/xhtml+xml,*/*;q=0.8"),
    ] {
        let page = request.send().await.expect("page");
        assert_eq!(page.status(), StatusCode::OK);
        assert!(page.headers()[CONTENT_TYPE].to_str().expect("type").starts_with("text/html"));
        let text = page.text().await.expect("text");
        assert!(text.contains("Development outbox"));
        assert!(text.contains(&format!("<code>{code}</code>")), "the code is shown");
        assert!(text.contains("o&#39;brien&amp;co@example.com"), "the address is escaped");
        assert!(!text.contains("o'brien&co@"), "never raw");
    }
}

#[tokio::test]
async fn production_has_no_outbox_and_cannot_send_yet() {
    let server = TestServer::start_production().await;
    let raw = server.raw();
    for path in ["/dev/outbox", "/dev/outbox.html"] {
        let reply = raw.send(raw.http.get(format!("{}{path}", server.url))).await;
        assert_eq!((reply.status, reply.code()), (StatusCode::NOT_FOUND, "resource_not_found"), "{path}");
    }
    assert!(server.running().outbox(10).await.expect("outbox").is_empty());

    // Production has no demo account: make one, and try to verify a new address and number.
    let client = server.user_client("prod@example.com", Some("prod_user")).await;
    let email = client.create_email_address("second@example.com").await.expect("adding works");
    let error = client
        .prepare_email_verification(&email.id, &EmailVerification::Code)
        .await
        .expect_err("no delivery");
    assert_eq!((error.status(), error.code()), (Some(403), "delivery_not_configured"));
    assert!(error.to_string().contains("email"), "{error}");
    let error = client
        .prepare_email_verification(&email.id, &EmailVerification::Link { redirect_url: None })
        .await
        .expect_err("no delivery");
    assert_eq!(error.code(), "delivery_not_configured");
    let phone = client.create_phone_number("+1 415 555 0132").await.expect("adding works");
    let error = client.prepare_phone_verification(&phone.id).await.expect_err("no delivery");
    assert_eq!((error.status(), error.code()), (Some(403), "delivery_not_configured"));
    assert!(error.to_string().contains("SMS"), "{error}");

    // Nothing changed: no verification was started, nothing recorded.
    let emails = client.email_addresses().await.expect("list");
    assert!(emails.iter().any(|e| e.id == email.id && e.verification.is_none()));
    assert!(client.phone_numbers().await.expect("list")[0].verification.is_none());
    assert!(server.running().outbox(10).await.expect("outbox").is_empty());
    let token_reply = raw
        .form(Method::POST, "/v1/client/sign_ins", None, "identifier=prod_user&password=long-enough-1")
        .await;
    assert_eq!(token_reply.status, StatusCode::OK, "the account still works");
}
