//! Shared test support: a real server on 127.0.0.1:0 in a temporary directory, the real FAPI
//! client, and raw HTTP for what a well-behaved client never sends.
#![allow(dead_code)]

// OAuth round trips: the person's browser, and the app's side of them.
pub mod browser;
pub mod oauth;
// Two-step verification, tokens, deletion: shared signing keys, row counts.
pub mod security;
// Codes as an authenticator app shows them.
pub mod totp;

use std::sync::Arc;

use reqwest::header::{HeaderMap, AUTHORIZATION, CONTENT_TYPE};
use reqwest::{Method, StatusCode};
use serde_json::Value;
use tempfile::TempDir;
use userdesk_fapi::{MemoryTokenStore, TokenStore};
use userdesk_server::{Config, Mode, OutboxMessage, RunningServer, DEMO_EMAIL, DEMO_PASSWORD};

/// A server and the directory it keeps its data in (removed when dropped).
pub struct TestServer {
    pub server: Option<RunningServer>,
    pub dir: TempDir,
    pub url: String,
    pub secret_key: String,
}

impl TestServer {
    /// A development-mode server on a fresh directory.
    pub async fn start() -> Self {
        let dir = tempfile::tempdir().expect("temporary directory");
        Self::start_in(dir).await
    }

    /// A development-mode server on `dir`.
    pub async fn start_in(dir: TempDir) -> Self {
        Self::start_config(dir, |_| {}).await
    }

    /// A development-mode server whose configuration `adjust` changes (lifetimes, cooldown, …).
    pub async fn start_with(adjust: impl FnOnce(&mut Config)) -> Self {
        Self::start_config(tempfile::tempdir().expect("temporary directory"), adjust).await
    }

    /// A production-mode server (no demo account, no outbox).
    pub async fn start_production() -> Self {
        Self::start_with(|config| config.mode = Mode::Production).await
    }

    async fn start_config(dir: TempDir, adjust: impl FnOnce(&mut Config)) -> Self {
        let mut config = Config::new(dir.path());
        adjust(&mut config);
        let server = userdesk_server::start(config).await.expect("server starts");
        let url = server.url();
        let secret_key = server.secret_key().to_owned();
        Self { server: Some(server), dir, url, secret_key }
    }

    /// The running server (for its library API).
    pub fn running(&self) -> &RunningServer {
        self.server.as_ref().expect("the server is running")
    }

    /// The development outbox, newest first.
    pub async fn outbox(&self) -> Vec<OutboxMessage> {
        self.running().outbox(100).await.expect("the outbox")
    }

    /// The code of the latest message to `to`, as a person would read it from their inbox.
    pub async fn latest_code(&self, to: &str) -> String {
        self.outbox()
            .await
            .into_iter()
            .find(|message| message.to == to)
            .and_then(|message| message.code)
            .unwrap_or_else(|| panic!("no code was sent to {to}"))
    }

    /// The link of the latest message to `to`.
    pub async fn latest_link(&self, to: &str) -> String {
        self.outbox()
            .await
            .into_iter()
            .find(|message| message.to == to)
            .and_then(|message| message.link)
            .unwrap_or_else(|| panic!("no link was sent to {to}"))
    }

    /// Creates a user through the Backend API (its password must be `long-enough-1`).
    pub async fn create_user(&self, body: serde_json::Value) {
        let created = self.raw().backend(Method::POST, "/v1/users", Some(&self.secret_key), Some(body)).await;
        assert_eq!(created.status, StatusCode::OK, "{}", created.body);
    }

    /// Creates a user (see [`Self::create_user`]) and signs in as them by `identifier` over raw
    /// HTTP: the new client's token.
    pub async fn user_token(&self, body: serde_json::Value, identifier: &str) -> String {
        self.create_user(body).await;
        let form = format!("identifier={}&password=long-enough-1", enc(identifier));
        let reply = self.raw().form(Method::POST, "/v1/client/sign_ins", None, form).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        reply.token.expect("a new client gets a token")
    }

    /// Creates a user through the Backend API (verified `email`, `username`, a password) and
    /// returns a FAPI client signed in as them.
    pub async fn user_client(&self, email: &str, username: Option<&str>) -> userdesk_fapi::Client {
        let mut body = serde_json::json!({"email_address": [email], "password": "long-enough-1"});
        if let Some(username) = username {
            body["username"] = username.into();
        }
        self.create_user(body).await;
        let client = self.client();
        client.sign_in_with_password(email, "long-enough-1").await.expect("sign in");
        client
    }

    /// Stops the server and starts a new one on the same directory.
    pub async fn restart(mut self) -> Self {
        if let Some(server) = self.server.take() {
            server.shutdown().await;
        }
        Self::start_in(self.dir).await
    }

    /// A FAPI client with its own token store.
    pub fn client(&self) -> userdesk_fapi::Client {
        self.client_with(Arc::new(MemoryTokenStore::default()))
    }

    /// A FAPI client using `store`.
    pub fn client_with(&self, store: Arc<dyn TokenStore>) -> userdesk_fapi::Client {
        let url = url::Url::parse(&self.url).expect("server url");
        userdesk_fapi::Client::builder(url).token_store(store).build().expect("client builds")
    }

    /// A FAPI client signed in as the demo user.
    pub async fn demo_client(&self) -> userdesk_fapi::Client {
        let client = self.client();
        client.sign_in_with_password(DEMO_EMAIL, DEMO_PASSWORD).await.expect("demo sign-in");
        client
    }

    /// Raw HTTP against this server.
    pub fn raw(&self) -> Raw {
        Raw { http: reqwest::Client::new(), url: self.url.clone() }
    }

    /// A raw client already signed in as the demo user: its token.
    pub async fn demo_token(&self) -> String {
        let raw = self.raw();
        let response = raw
            .form(
                Method::POST,
                "/v1/client/sign_ins",
                None,
                format!("identifier={DEMO_EMAIL}&password={DEMO_PASSWORD}"),
            )
            .await;
        assert_eq!(response.status, StatusCode::OK, "{}", response.body);
        response.token.expect("a new client gets a token")
    }
}

/// A response read whole.
#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Value,
    /// The bare token of the `Authorization` response header, if any.
    pub token: Option<String>,
}

impl Reply {
    /// The first error's code.
    pub fn code(&self) -> &str {
        self.body["errors"][0]["code"].as_str().unwrap_or("(no error code)")
    }

    /// The first error's `meta.param_name`.
    pub fn param(&self) -> Option<&str> {
        self.body["errors"][0]["meta"]["param_name"].as_str()
    }

    /// The first error's long message.
    pub fn long_message(&self) -> &str {
        self.body["errors"][0]["long_message"].as_str().unwrap_or("")
    }
}

pub struct Raw {
    pub http: reqwest::Client,
    pub url: String,
}

impl Raw {
    /// Sends a request; `path` may carry a query, `_is_native=1` is added.
    pub async fn send(&self, request: reqwest::RequestBuilder) -> Reply {
        let response = request.send().await.expect("the server answers");
        let status = response.status();
        let headers = response.headers().clone();
        let token = headers.get(AUTHORIZATION).and_then(|v| v.to_str().ok()).map(str::to_owned);
        let bytes = response.bytes().await.expect("a body");
        let body = if bytes.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&bytes)
                .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned()))
        };
        Reply { status, headers, body, token }
    }

    pub fn url(&self, path: &str) -> String {
        let separator = if path.contains('?') { '&' } else { '?' };
        format!("{}{path}{separator}_is_native=1", self.url)
    }

    pub fn request(&self, method: Method, path: &str, token: Option<&str>) -> reqwest::RequestBuilder {
        let mut request = self.http.request(method, self.url(path));
        if let Some(token) = token {
            request = request.header(AUTHORIZATION, token);
        }
        request
    }

    pub async fn get(&self, path: &str, token: Option<&str>) -> Reply {
        self.send(self.request(Method::GET, path, token)).await
    }

    /// A form-encoded body (given already encoded, or deliberately broken).
    pub async fn form(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: impl Into<reqwest::Body>,
    ) -> Reply {
        self.send(
            self.request(method, path, token)
                .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(body),
        )
        .await
    }

    /// A Backend API request with `key` and a JSON body.
    pub async fn backend(&self, method: Method, path: &str, key: Option<&str>, body: Option<Value>) -> Reply {
        let mut request = self.http.request(method, format!("{}{path}", self.url));
        if let Some(key) = key {
            request = request.header(AUTHORIZATION, format!("Bearer {key}"));
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        self.send(request).await
    }
}

/// Percent-encodes a form value.
pub fn enc(value: &str) -> String {
    url::form_urlencoded::byte_serialize(value.as_bytes()).collect()
}
