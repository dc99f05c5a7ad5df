//! Desktop mode, as the app embeds the server: every request needs the per-launch secret; the
//! pages a browser opens need the one-time capability in the URL the server handed out; the
//! outbox is read in-process only.

mod common;

use std::sync::Arc;

use common::browser::{Browser, Consent};
use common::oauth::{self as app_side, query_param};
use reqwest::header::{ACCEPT, AUTHORIZATION};
use reqwest::StatusCode;
use tempfile::TempDir;
use userdesk_fapi::models::VerificationStatus;
use userdesk_fapi::{Client, EmailVerification, MemoryTokenStore};
use userdesk_server::{
    Config, Mode, RunningServer, DEMO_EMAIL, DEMO_PASSWORD, DESKTOP_CAPABILITY_PARAM, DESKTOP_SECRET_HEADER,
};

struct Desktop {
    server: RunningServer,
    secret: String,
    _dir: TempDir,
}

impl Desktop {
    async fn start() -> Self {
        let dir = tempfile::tempdir().expect("temporary directory");
        let config = Config::desktop(dir.path());
        assert_eq!(config.mode, Mode::Desktop);
        let secret = config.desktop_secret().expect("a desktop configuration has a secret").to_owned();
        let server = userdesk_server::start(config).await.expect("server starts");
        Self { server, secret, _dir: dir }
    }

    fn url(&self) -> String {
        self.server.url()
    }

    /// The app's own client: it carries the secret.
    fn app_client(&self) -> Client {
        let url = url::Url::parse(&self.url()).expect("url");
        Client::builder(url)
            .token_store(Arc::new(MemoryTokenStore::default()))
            .header(DESKTOP_SECRET_HEADER, &self.secret)
            .build()
            .expect("client builds")
    }

    /// Another client on the machine: the same API, no secret.
    fn stranger_client(&self) -> Client {
        let url = url::Url::parse(&self.url()).expect("url");
        Client::builder(url).build().expect("client builds")
    }

    async fn demo_client(&self) -> Client {
        let client = self.app_client();
        client.sign_in_with_password(DEMO_EMAIL, DEMO_PASSWORD).await.expect("the demo account signs in");
        client
    }
}

/// `GET url` without the secret, as a browser or another process would: status and body.
async fn stranger_get(url: &str) -> (StatusCode, String) {
    let http =
        reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().expect("client");
    let response = http.get(url).header(ACCEPT, "text/html").send().await.expect("the server answers");
    let status = response.status();
    (status, response.text().await.expect("a body"))
}

#[track_caller]
fn assert_refused((status, body): (StatusCode, String), what: &str) {
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{what}: {body}");
    assert!(body.is_empty(), "{what}: 401 and nothing else, got {body:?}");
}

#[tokio::test]
async fn a_client_without_the_secret_gets_401_and_nothing_else_everywhere() {
    let desktop = Desktop::start().await;
    let base = desktop.url();
    let stranger = desktop.stranger_client();
    assert_eq!(stranger.environment().await.unwrap_err().status(), Some(401), "GET /v1/environment");
    assert_eq!(stranger.me().await.unwrap_err().status(), Some(401), "GET /v1/me");
    let error = stranger.sign_in_with_password(DEMO_EMAIL, DEMO_PASSWORD).await.unwrap_err();
    assert_eq!(error.status(), Some(401), "the demo account's published password gets nobody in");

    for path in [
        "/v1/environment",
        "/v1/me?_is_native=1",
        "/v1/client?_is_native=1",
        "/dev/outbox",
        "/dev/oauth/github/authorize?client_id=userdesk-dev-github&response_type=code",
        "/dev/oauth/github/.well-known/openid-configuration",
        "/v1/oauth_callback?code=c&state=s",
        "/v1/verify?token=t",
        "/.well-known/jwks.json",
        "/no/such/route",
    ] {
        assert_refused(stranger_get(&format!("{base}{path}")).await, path);
    }
    // A made-up capability is not one.
    assert_refused(stranger_get(&format!("{base}/v1/environment?cap=guess")).await, "a guessed capability");

    let http = reqwest::Client::new();
    let bapi = http
        .get(format!("{base}/v1/users/user_1"))
        .header(AUTHORIZATION, format!("Bearer {}", desktop.server.secret_key()))
        .send()
        .await
        .expect("answers");
    assert_eq!(bapi.status(), StatusCode::UNAUTHORIZED, "BAPI: the secret key alone is not enough");
    let wrong = http
        .get(format!("{base}/v1/environment"))
        .header(DESKTOP_SECRET_HEADER, "0".repeat(64))
        .send()
        .await
        .expect("answers");
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED, "a wrong secret");
    let post = http
        .post(format!("{base}/v1/client/sign_ins?_is_native=1"))
        .form(&[("identifier", DEMO_EMAIL), ("password", DEMO_PASSWORD)])
        .send()
        .await
        .expect("answers");
    assert_eq!(post.status(), StatusCode::UNAUTHORIZED);
    assert!(post.text().await.expect("body").is_empty());
    desktop.server.shutdown().await;
}

#[tokio::test]
async fn the_apps_client_works_and_the_outbox_is_read_in_process_only() {
    let desktop = Desktop::start().await;
    let client = desktop.demo_client().await;
    let environment = client.environment().await.expect("the environment");
    assert_eq!(
        environment.display_config.instance_environment_type, "development",
        "development behaviour, privately"
    );
    assert_eq!(client.me().await.expect("me").username.as_deref(), Some("demo"));
    let added = client.create_email_address("second@example.com").await.expect("add");
    client.prepare_email_verification(&added.id, &EmailVerification::Code).await.expect("a code is sent");
    let outbox = desktop.server.outbox(10).await.expect("the outbox, in-process");
    assert_eq!(outbox[0].to, "second@example.com");
    let code = outbox[0].code.clone().expect("a code");
    let verified = client.attempt_email_verification(&added.id, &code).await.expect("verified");
    assert!(verified.is_verified());

    // With the secret, the outbox still is not served over HTTP.
    let reply = reqwest::Client::new()
        .get(format!("{}/dev/outbox", desktop.url()))
        .header(DESKTOP_SECRET_HEADER, &desktop.secret)
        .send()
        .await
        .expect("answers");
    assert_eq!(reply.status(), StatusCode::NOT_FOUND);
    // The BAPI with both the secret key and the secret.
    let user_id = client.me().await.expect("me").id;
    let bapi = reqwest::Client::new()
        .get(format!("{}/v1/users/{user_id}", desktop.url()))
        .header(DESKTOP_SECRET_HEADER, &desktop.secret)
        .header(AUTHORIZATION, format!("Bearer {}", desktop.server.secret_key()))
        .send()
        .await
        .expect("answers");
    assert_eq!(bapi.status(), StatusCode::OK);
    desktop.server.shutdown().await;
}

#[tokio::test]
async fn the_oauth_round_trip_works_through_capabilities_once() {
    let desktop = Desktop::start().await;
    let client = desktop.demo_client().await;
    let flows = app_side::flows();
    let account = app_side::start_connect(&client, &flows, "oauth_github", &[]).await;
    let authorize_url = app_side::authorize_url(&account);
    assert!(query_param(&authorize_url, DESKTOP_CAPABILITY_PARAM).is_some(), "{authorize_url}");
    let stripped = authorize_url
        .replace(&format!("&{DESKTOP_CAPABILITY_PARAM}="), "&nocap=")
        .replace(&format!("?{DESKTOP_CAPABILITY_PARAM}="), "?nocap=");
    assert_refused(stranger_get(&stripped).await, "the consent page without its capability");

    // The person's browser has no secret: the capabilities carry it through.
    let mut browser = Browser::new();
    let landed = browser.round_trip(&authorize_url, &Consent::approve()).await;
    let deep_link = landed.deep_link().to_owned();
    let flow = flows.accept(&deep_link).expect("the app's own flow");
    match client.complete_flow(&flow).await.expect("the result") {
        userdesk_fapi::FlowResult::AccountVerified { external_account, .. } => {
            assert_eq!(external_account.id, account.id);
            assert_eq!(
                external_account.verification.as_ref().map(|v| v.status),
                Some(VerificationStatus::Verified)
            );
        }
        other => panic!("expected the account verified, got {other:?}"),
    }

    // Each URL of the round trip worked once: not twice.
    assert_refused(stranger_get(&authorize_url).await, "the consent page again");
    let callback = browser.callback_url().expect("the browser went through the callback").to_owned();
    assert_refused(stranger_get(&callback).await, "the callback again");
    desktop.server.shutdown().await;
}

#[tokio::test]
async fn a_capability_opens_only_the_round_trip_it_was_made_for() {
    let desktop = Desktop::start().await;
    let client = desktop.demo_client().await;
    let flows = app_side::flows();
    let first = app_side::authorize_url(&app_side::start_connect(&client, &flows, "oauth_github", &[]).await);
    let second =
        app_side::authorize_url(&app_side::start_connect(&client, &flows, "oauth_gitlab", &[]).await);
    let first_cap = query_param(&first, DESKTOP_CAPABILITY_PARAM).expect("a capability");
    let second_cap = query_param(&second, DESKTOP_CAPABILITY_PARAM).expect("a capability");
    // The first round trip's capability on the second's URL (another path): refused, and spent.
    assert_refused(stranger_get(&second.replace(&second_cap, &first_cap)).await, "another path");
    assert_refused(stranger_get(&first).await, "spent by the wrong try");

    // Same provider, another round trip's `state`: the page is refused.
    let third = app_side::authorize_url(&app_side::start_connect(&client, &flows, "oauth_github", &[]).await);
    let fourth =
        app_side::authorize_url(&app_side::start_connect(&client, &flows, "oauth_github", &[]).await);
    let third_cap = query_param(&third, DESKTOP_CAPABILITY_PARAM).expect("a capability");
    let fourth_cap = query_param(&fourth, DESKTOP_CAPABILITY_PARAM).expect("a capability");
    assert_refused(stranger_get(&fourth.replace(&fourth_cap, &third_cap)).await, "another flow");

    // The consent form's own capability is for its POST only.
    let mut browser = Browser::new();
    let page = browser.visit(&second).await;
    let (_, status, body) = page.page();
    assert_eq!(status, StatusCode::OK);
    let action = common::browser::Form::parse(body).action;
    assert!(action.contains(&format!("?{DESKTOP_CAPABILITY_PARAM}=")), "{action}");
    assert_refused(
        stranger_get(&format!("{}{action}", desktop.url())).await,
        "the form's capability for a GET",
    );
    desktop.server.shutdown().await;
}

#[tokio::test]
async fn a_denied_consent_comes_back_through_the_callback() {
    let desktop = Desktop::start().await;
    let client = desktop.demo_client().await;
    let flows = app_side::flows();
    let account = app_side::start_connect(&client, &flows, "oauth_discord", &[]).await;
    let landed = Browser::new().round_trip(&app_side::authorize_url(&account), &Consent::deny()).await;
    let deep_link = landed.deep_link();
    assert!(deep_link.contains("__clerk_status=failed"), "{deep_link}");
    desktop.server.shutdown().await;
}

#[tokio::test]
async fn an_email_link_works_once_through_its_capability() {
    let desktop = Desktop::start().await;
    let client = desktop.demo_client().await;
    let added = client.create_email_address("link@example.com").await.expect("add");
    client
        .prepare_email_verification(&added.id, &EmailVerification::Link { redirect_url: None })
        .await
        .expect("prepare");
    let outbox = desktop.server.outbox(10).await.expect("the outbox");
    let link = outbox[0].link.clone().expect("a link");
    assert!(query_param(&link, DESKTOP_CAPABILITY_PARAM).is_some(), "{link}");
    let token = query_param(&link, "token").expect("the link's token");
    assert_refused(
        stranger_get(&format!("{}/v1/verify?token={token}", desktop.url())).await,
        "the link without its capability",
    );
    let (status, body) = stranger_get(&link).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body.contains("Email address verified"), "{body}");
    assert_refused(stranger_get(&link).await, "the link again");
    let emails = client.email_addresses().await.expect("addresses");
    assert!(emails.iter().any(|e| e.email_address == "link@example.com" && e.is_verified()));
    desktop.server.shutdown().await;
}

#[tokio::test]
async fn profile_pictures_stay_viewable_by_the_webview() {
    let desktop = Desktop::start().await;
    let client = desktop.demo_client().await;
    let image_url = client.me().await.expect("me").image_url;
    let (status, _) = stranger_get(&image_url).await;
    assert_eq!(status, StatusCode::OK, "an <img> cannot send the secret: {image_url}");
    let initials = format!("{}/dev/oauth/github/avatar.svg?initials=AB", desktop.url());
    assert_eq!(stranger_get(&initials).await.0, StatusCode::OK, "a connected account's picture");
    desktop.server.shutdown().await;
}

#[tokio::test]
async fn desktop_mode_without_a_secret_does_not_start() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let mut config = Config::new(dir.path());
    config.mode = Mode::Desktop;
    let error = userdesk_server::start(config).await.expect_err("refused");
    assert!(error.to_string().contains("secret"), "{error}");
    let config = Config::desktop(dir.path());
    let secret = config.desktop_secret().expect("a secret");
    assert_eq!(secret.len(), 64, "256 bits, hex");
    assert!(!format!("{config:?}").contains(secret), "a logged configuration does not show it");
    assert_ne!(Some(secret), Config::desktop(dir.path()).desktop_secret(), "one per launch");
}

/// The development provider's person behind `email` (through a full round trip) on `desktop`.
async fn dev_person(desktop: &Desktop, email: &str) -> String {
    let client = desktop.demo_client().await;
    let trip =
        app_side::connect(&client, "oauth_github", &[], &Consent::approve().with("email", email)).await;
    match trip.result {
        userdesk_fapi::FlowResult::AccountVerified { external_account, .. } => {
            external_account.provider_user_id
        }
        other => panic!("expected the account verified, got {other:?}"),
    }
}

#[tokio::test]
async fn the_development_providers_people_belong_to_their_data_directory() {
    let here = Desktop::start().await;
    let elsewhere = Desktop::start().await;
    let person = dev_person(&here, "victim@example.com").await;
    assert!(person.starts_with("dev_"), "{person}");
    assert_ne!(
        person,
        dev_person(&elsewhere, "victim@example.com").await,
        "the same address on another install is somebody else"
    );
    here.server.shutdown().await;
    elsewhere.server.shutdown().await;
}
