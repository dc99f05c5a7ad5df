//! The connection and response rules (issue 11 §2): slow or silent connections are closed,
//! requests past their time answer ClerkErrors, and HTML pages cannot be framed or load anything.

mod common;

use std::time::{Duration, Instant};

use common::TestServer;
use reqwest::header::{CONTENT_SECURITY_POLICY, CONTENT_TYPE, X_CONTENT_TYPE_OPTIONS, X_FRAME_OPTIONS};
use serde_json::Value;
use sha2::{Digest, Sha256};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const HEADER_TIMEOUT: Duration = Duration::from_millis(300);

async fn server_with_short_timeouts() -> TestServer {
    TestServer::start_with(|config| {
        config.header_read_timeout = HEADER_TIMEOUT;
        config.request_timeout = Duration::from_millis(400);
        config.upload_timeout = Duration::from_secs(20);
    })
    .await
}

async fn connect(server: &TestServer) -> TcpStream {
    TcpStream::connect(server.running().local_addr()).await.expect("connects")
}

/// Reads until the server closes the connection (or resets it); fails after 5 s.
async fn read_until_closed(stream: &mut TcpStream) -> String {
    let mut received = Vec::new();
    let mut buffer = [0u8; 4096];
    let read = tokio::time::timeout(Duration::from_secs(5), async {
        loop {
            match stream.read(&mut buffer).await {
                Ok(0) | Err(_) => break,
                Ok(n) => received.extend_from_slice(&buffer[..n]),
            }
        }
    })
    .await;
    assert!(
        read.is_ok(),
        "the server kept the connection open; got {:?}",
        String::from_utf8_lossy(&received)
    );
    String::from_utf8_lossy(&received).into_owned()
}

#[tokio::test]
async fn a_connection_that_sends_half_a_request_line_is_closed() {
    let server = server_with_short_timeouts().await;
    let mut stream = connect(&server).await;
    let started = Instant::now();
    stream.write_all(b"GET /v1/envir").await.expect("writes");
    read_until_closed(&mut stream).await;
    let waited = started.elapsed();
    assert!(waited >= HEADER_TIMEOUT - Duration::from_millis(50), "closed too soon: {waited:?}");
    assert!(waited < Duration::from_secs(3), "closed after {waited:?}");
}

#[tokio::test]
async fn an_idle_keep_alive_connection_is_closed() {
    let server = server_with_short_timeouts().await;
    let mut stream = connect(&server).await;
    let request = format!(
        "GET /v1/environment?_is_native=1 HTTP/1.1\r\nHost: {}\r\n\r\n",
        server.running().local_addr()
    );
    stream.write_all(request.as_bytes()).await.expect("writes");
    let started = Instant::now();
    let received = read_until_closed(&mut stream).await;
    assert!(received.starts_with("HTTP/1.1 200"), "{received}");
    assert!(!received.contains("connection: close"), "kept alive, then closed when idle: {received}");
    assert!(started.elapsed() < Duration::from_secs(3));
}

/// Sends a request whose body stops half-way, then waits.
async fn stalled_post(server: &TestServer, path: &str, token: Option<&str>, content_type: &str) -> String {
    let mut stream = connect(server).await;
    let authorization = token.map(|t| format!("Authorization: {t}\r\n")).unwrap_or_default();
    let head = format!(
        "POST {path}?_is_native=1 HTTP/1.1\r\nHost: {}\r\nContent-Type: {content_type}\r\n{authorization}Content-Length: 100\r\n\r\nidentifier=",
        server.running().local_addr()
    );
    stream.write_all(head.as_bytes()).await.expect("writes");
    read_until_closed(&mut stream).await
}

#[tokio::test]
async fn a_request_past_its_time_is_answered_in_clerks_shape() {
    let server = server_with_short_timeouts().await;
    let received =
        stalled_post(&server, "/v1/client/sign_ins", None, "application/x-www-form-urlencoded").await;
    assert!(received.starts_with("HTTP/1.1 408"), "{received}");
    assert!(received.to_ascii_lowercase().contains("content-type: application/json"), "{received}");
    let body = received.split("\r\n\r\n").nth(1).expect("a body");
    let body: Value = serde_json::from_str(body).expect("JSON");
    assert_eq!(body["errors"][0]["code"], "request_timeout", "{body}");
    assert!(body["errors"][0]["long_message"].as_str().is_some_and(|m| !m.is_empty()));
}

#[tokio::test]
async fn a_slow_profile_image_upload_is_not_cut_at_the_request_timeout() {
    let server = server_with_short_timeouts().await;
    let token = server.demo_token().await;
    let mut stream = connect(&server).await;
    let body = b"this is not a picture, sent slowly".repeat(4);
    let head = format!(
        "POST /v1/me/profile_image?_is_native=1 HTTP/1.1\r\nHost: {}\r\nAuthorization: {token}\r\n\
         Content-Type: application/octet-stream\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        server.running().local_addr(),
        body.len()
    );
    stream.write_all(head.as_bytes()).await.expect("writes");
    let (first, rest) = body.split_at(body.len() / 2);
    stream.write_all(first).await.expect("writes");
    // Longer than the request timeout (400 ms), well inside the upload's.
    tokio::time::sleep(Duration::from_millis(900)).await;
    stream.write_all(rest).await.expect("writes");
    let received = read_until_closed(&mut stream).await;
    assert!(received.starts_with("HTTP/1.1 422"), "read to its end and judged: {received}");
    assert!(received.contains("image_not_supported"), "{received}");
}

fn header(response: &reqwest::Response, name: reqwest::header::HeaderName) -> &str {
    response.headers().get(&name).and_then(|v| v.to_str().ok()).unwrap_or("")
}

#[tokio::test]
async fn html_pages_cannot_be_framed_or_load_anything_and_every_response_is_nosniff() {
    let server = TestServer::start().await;
    let http = reqwest::Client::new();
    for path in ["/dev/outbox.html", "/v1/verify?token=not-a-real-token"] {
        let response = http
            .get(format!("{}{path}", server.url))
            .header("accept", "text/html")
            .send()
            .await
            .expect("answers");
        assert!(header(&response, CONTENT_TYPE).starts_with("text/html"), "{path}");
        let policy = header(&response, CONTENT_SECURITY_POLICY).to_owned();
        for directive in ["default-src 'none'", "frame-ancestors 'none'", "base-uri 'none'"] {
            assert!(policy.contains(directive), "{path}: {policy}");
        }
        assert!(!policy.contains("unsafe-inline"), "{policy}");
        assert_eq!(header(&response, X_FRAME_OPTIONS), "DENY", "{path}");
        assert_eq!(header(&response, X_CONTENT_TYPE_OPTIONS), "nosniff", "{path}");
        // The page's style sheet is allowed by its hash, so the page still looks as it should.
        let page = response.text().await.expect("page");
        let css =
            page.split("<style>").nth(1).and_then(|rest| rest.split("</style>").next()).expect("a style");
        let hash = data_encoding::BASE64.encode(&Sha256::digest(css.as_bytes()));
        assert!(policy.contains(&format!("'sha256-{hash}'")), "{path}: {policy}");
    }
    for path in ["/v1/environment?_is_native=1", "/v1/no-such-thing"] {
        let response = http.get(format!("{}{path}", server.url)).send().await.expect("answers");
        assert_eq!(header(&response, CONTENT_TYPE), "application/json", "{path}");
        assert_eq!(header(&response, X_CONTENT_TYPE_OPTIONS), "nosniff", "{path}");
        assert_eq!(header(&response, CONTENT_SECURITY_POLICY), "", "{path}: pages only");
    }
}
