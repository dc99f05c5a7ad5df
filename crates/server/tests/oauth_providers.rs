//! Configured providers, reached over plain OAuth 2.0 / OIDC HTTP: a company's OIDC server
//! (found by discovery, as `oauth_custom_*`), explicit endpoints, and providers that are down,
//! slow or answer garbage. Another server's development provider plays the real provider.

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Duration;

use common::browser::Consent;
use common::oauth;
use common::TestServer;
use reqwest::{Method, StatusCode};
use serde_json::Value;
use userdesk_fapi::FlowResult;
use userdesk_server::{ClientAuth, OAuthProviderConfig, UserInfoFormat};

/// `strategy` at `idp`'s development provider for `key`, by OIDC discovery.
fn discovered(idp: &TestServer, key: &str, strategy: &str) -> OAuthProviderConfig {
    let (client_id, secret) = idp.running().dev_oauth_client(key).expect("a development provider");
    let mut provider = OAuthProviderConfig::new(strategy, client_id);
    provider.client_secret = Some(secret);
    provider.issuer = Some(format!("{}/dev/oauth/{key}", idp.url));
    provider
}

/// `strategy` at `idp`'s development provider for `key`, by explicit endpoints.
fn explicit(idp: &TestServer, key: &str, strategy: &str) -> OAuthProviderConfig {
    let (client_id, secret) = idp.running().dev_oauth_client(key).expect("a development provider");
    let root = format!("{}/dev/oauth/{key}", idp.url);
    let mut provider = OAuthProviderConfig::new(strategy, client_id);
    provider.client_secret = Some(secret);
    provider.authorize_url = Some(format!("{root}/authorize"));
    provider.token_url = Some(format!("{root}/token"));
    provider.userinfo_url = Some(format!("{root}/userinfo"));
    provider.userinfo_format = Some(UserInfoFormat::Oidc);
    provider
}

async fn demo_user(server: &TestServer) -> userdesk_fapi::Client {
    server.demo_client().await
}

#[tokio::test]
async fn a_company_oidc_server_is_found_by_discovery() {
    let idp = TestServer::start().await;
    let mut acme = discovered(&idp, "google", "oauth_custom_acme");
    acme.name = Some("Acme SSO".into());
    acme.scopes = Some(vec!["openid".into(), "email".into()]);
    let server = TestServer::start_with(|config| {
        config.oauth_providers = vec![acme];
        config.oauth_development_providers = false;
    })
    .await;

    let environment = server.raw().get("/v1/environment", None).await.body;
    let social = environment["user_settings"]["social"].as_object().expect("social");
    assert_eq!(social.keys().collect::<Vec<_>>(), ["oauth_custom_acme"]);
    assert_eq!(social["oauth_custom_acme"]["name"], "Acme SSO");
    assert_eq!(social["oauth_custom_acme"]["enabled"], true);
    assert!(environment["auth_config"]["first_factors"]
        .as_array()
        .expect("factors")
        .contains(&Value::from("oauth_custom_acme")));

    let client = demo_user(&server).await;
    let trip = oauth::connect(&client, "oauth_custom_acme", &["profile"], &Consent::approve()).await;
    assert!(
        trip.authorize_url.starts_with(&format!("{}/dev/oauth/google/authorize?", idp.url)),
        "{}",
        trip.authorize_url
    );
    assert_eq!(
        oauth::query_param(&trip.authorize_url, "redirect_uri"),
        Some(format!("{}/v1/oauth_callback", server.url))
    );
    match &trip.result {
        FlowResult::AccountVerified { external_account, .. } => {
            assert_eq!(external_account.provider, "oauth_custom_acme");
            assert_eq!(external_account.email_address, "priya.raman@google.example");
            assert_eq!(external_account.approved_scopes(), ["openid", "email", "profile"]);
        }
        other => panic!("expected a verified account, got {other:#?}"),
    }

    // And signing in through it (a new identity: the transfer).
    let device = server.client();
    let trip =
        oauth::sign_in(&device, "oauth_custom_acme", &Consent::approve().with("email", "new@acme.example"))
            .await;
    assert!(matches!(trip.result, FlowResult::SignedIn { new_user: true, .. }), "{:#?}", trip.result);
}

#[tokio::test]
async fn explicit_endpoints_and_client_secret_post() {
    let idp = TestServer::start().await;
    let mut github = explicit(&idp, "github", "oauth_github");
    github.client_auth = ClientAuth::Post;
    let server = TestServer::start_with(|config| config.oauth_providers = vec![github]).await;
    let client = demo_user(&server).await;
    let trip = oauth::connect(&client, "oauth_github", &[], &Consent::approve()).await;
    assert!(trip.authorize_url.starts_with(&idp.url), "the configured provider, not this server's own");
    assert!(matches!(trip.result, FlowResult::AccountVerified { .. }), "{:#?}", trip.result);
    // The other seed providers are still the development ones.
    let google = oauth::connect(&client, "oauth_google", &[], &Consent::approve()).await;
    assert!(google.authorize_url.starts_with(&server.url));
}

#[tokio::test]
async fn a_wrong_client_secret_is_a_token_exchange_error() {
    let idp = TestServer::start().await;
    let mut github = explicit(&idp, "github", "oauth_github");
    github.client_secret = Some("wrong".into());
    let server = TestServer::start_with(|config| config.oauth_providers = vec![github]).await;
    let client = demo_user(&server).await;
    let trip = oauth::connect(&client, "oauth_github", &[], &Consent::approve()).await;
    match &trip.result {
        FlowResult::AccountFailed { error, .. } => assert_eq!(error.code, "oauth_token_exchange_error"),
        other => panic!("expected a failure, got {other:#?}"),
    }
}

#[tokio::test]
async fn providers_that_are_down_fail_cleanly() {
    let idp = TestServer::start().await;
    let down = "http://127.0.0.1:1";
    let mut no_discovery = OAuthProviderConfig::new("oauth_custom_gone", "id");
    no_discovery.issuer = Some(down.into());
    let mut no_token = explicit(&idp, "gitlab", "oauth_gitlab");
    no_token.token_url = Some(format!("{down}/token"));
    let mut no_userinfo = explicit(&idp, "discord", "oauth_discord");
    no_userinfo.userinfo_url = Some(format!("{down}/userinfo"));
    let server =
        TestServer::start_with(|config| config.oauth_providers = vec![no_discovery, no_token, no_userinfo])
            .await;
    let client = demo_user(&server).await;

    let unreachable = client
        .create_external_account("oauth_custom_gone", "dev.userdesk.app://oauth-callback?flow=x", &[])
        .await
        .expect_err("discovery fails");
    assert_eq!((unreachable.status(), unreachable.code()), (Some(502), "oauth_provider_unreachable"));
    assert!(client.me().await.expect("me").external_accounts.is_empty(), "nothing created");
    let device = server.client();
    let sign_in = device.sign_in_with_oauth("oauth_custom_gone", "dev.userdesk.app://oauth-callback").await;
    assert_eq!(sign_in.expect_err("discovery fails").code(), "oauth_provider_unreachable");

    for (strategy, code) in
        [("oauth_gitlab", "oauth_token_exchange_error"), ("oauth_discord", "oauth_fetch_user_error")]
    {
        let trip = oauth::connect(&client, strategy, &[], &Consent::approve()).await;
        match &trip.result {
            FlowResult::AccountFailed { error, external_account, .. } => {
                assert_eq!(error.code, code, "{strategy}");
                assert_eq!(external_account.as_ref().map(|a| a.provider_user_id.as_str()), Some(""));
            }
            other => panic!("expected a failure, got {other:#?}"),
        }
    }
}

#[tokio::test]
async fn slow_providers_time_out() {
    let server =
        TestServer::start_with(|config| config.oauth_http_timeout = Duration::from_millis(400)).await;
    let client = demo_user(&server).await;
    for (simulate, code) in
        [("token_slow", "oauth_token_exchange_error"), ("userinfo_slow", "oauth_fetch_user_error")]
    {
        let started = std::time::Instant::now();
        let trip =
            oauth::connect(&client, "oauth_hubspot", &[], &Consent::approve().simulate(simulate)).await;
        match &trip.result {
            FlowResult::AccountFailed { error, .. } => assert_eq!(error.code, code, "{simulate}"),
            other => panic!("expected a failure, got {other:#?}"),
        }
        assert!(started.elapsed() < Duration::from_secs(8), "the timeout, not the provider, ended it");
    }
}

#[tokio::test]
async fn production_has_only_configured_providers() {
    let server = TestServer::start_production().await;
    let raw = server.raw();
    let environment = raw.get("/v1/environment", None).await.body;
    assert_eq!(environment["user_settings"]["social"], serde_json::json!({}));
    assert_eq!(raw.get("/dev/oauth/github/authorize", None).await.status, StatusCode::NOT_FOUND);
    let token = server
        .user_token(
            serde_json::json!({"email_address": ["p@example.com"], "password": "long-enough-1"}),
            "p@example.com",
        )
        .await;
    let reply = raw
        .form(
            Method::POST,
            "/v1/me/external_accounts",
            Some(&token),
            "strategy=oauth_github&redirect_url=userdesk%3A%2F%2Fcb",
        )
        .await;
    assert_eq!((reply.code(), reply.param()), ("form_param_value_invalid", Some("strategy")));
}

#[tokio::test]
async fn the_environment_lists_the_development_providers() {
    let server = TestServer::start().await;
    let environment = server.raw().get("/v1/environment", None).await.body;
    let social = environment["user_settings"]["social"].as_object().expect("social");
    assert_eq!(social.len(), 14);
    for key in userdesk_fapi::models::OAUTH_PROVIDERS {
        let strategy = format!("oauth_{key}");
        let entry = &social[&strategy];
        assert_eq!(entry["strategy"], strategy.as_str());
        assert_eq!(entry["enabled"], true);
        assert_eq!(entry["authenticatable"], true);
        assert!(entry["name"].as_str().is_some_and(|name| !name.is_empty()));
    }
    assert_eq!(social["oauth_github"]["name"], "GitHub");
}

#[tokio::test]
async fn bad_configurations_are_refused_at_start() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut config = userdesk_server::Config::new(dir.path());
    config.oauth_providers = vec![OAuthProviderConfig::new("oauth_custom_nowhere", "id")];
    let error = userdesk_server::start(config).await.expect_err("no endpoints");
    assert!(matches!(error, userdesk_server::Error::InvalidConfig(_)), "{error}");
    assert!(error.to_string().contains("oauth_custom_nowhere"), "{error}");
}

#[tokio::test]
async fn the_binary_reads_an_oauth_config_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("oauth.json");
    std::fs::write(
        &file,
        r#"{"development_providers": false, "providers": {
            "oauth_custom_acme": {"name": "Acme", "client_id": "c", "client_secret": "s", "issuer": "https://sso.acme.example"}}}"#,
    )
    .expect("written");
    let mut child = Command::new(env!("CARGO_BIN_EXE_userdesk-server"))
        .args(["--addr", "127.0.0.1:0", "--data"])
        .arg(dir.path().join("data"))
        .arg("--oauth-config")
        .arg(&file)
        .env_remove("USERDESK_SECRET_KEY")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("starts");
    let stdout = child.stdout.take().expect("stdout");
    let first = BufReader::new(stdout).lines().next().expect("a line").expect("readable");
    let url = first.strip_prefix("listening on ").expect("announced").to_owned();
    let environment: Value =
        reqwest::get(format!("{url}/v1/environment")).await.expect("answers").json().await.expect("json");
    let _ = child.kill();
    let _ = child.wait();
    let social = environment["user_settings"]["social"].as_object().expect("social");
    assert_eq!(social.keys().collect::<Vec<_>>(), ["oauth_custom_acme"]);

    // A file that is not right stops the binary with a message.
    std::fs::write(&file, r#"{"providers": {"oauth_x": {"client_id": "a", "secert": "b"}}}"#)
        .expect("written");
    let output = Command::new(env!("CARGO_BIN_EXE_userdesk-server"))
        .args(["--addr", "127.0.0.1:0", "--data"])
        .arg(dir.path().join("data"))
        .arg("--oauth-config")
        .arg(&file)
        .env_remove("USERDESK_SECRET_KEY")
        .stdin(Stdio::null())
        .output()
        .expect("runs");
    assert!(!output.status.success());
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("oauth.json"),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}
