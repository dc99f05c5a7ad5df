//! The development OAuth provider as an authorization server: its consent page, and the
//! protocol rules it holds clients to (PKCE S256, registered clients and redirect URIs, single
//! use codes, client authentication).

mod common;

use common::browser::{Consent, Form};
use common::TestServer;
use reqwest::header::{ACCEPT, AUTHORIZATION, LOCATION};
use reqwest::StatusCode;
use serde_json::Value;

const VERIFIER: &str = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJ";
/// base64url(SHA-256(VERIFIER)).
fn challenge() -> String {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(VERIFIER.as_bytes());
    data_encoding::BASE64URL_NOPAD.encode(&digest)
}

fn no_redirects() -> reqwest::Client {
    reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().expect("client")
}

fn authorize(server: &TestServer, key: &str, extra: &[(&str, &str)]) -> String {
    let callback = format!("{}/v1/oauth_callback", server.url);
    let challenge = challenge();
    let mut pairs = vec![
        ("response_type", "code"),
        ("client_id", ""),
        ("redirect_uri", callback.as_str()),
        ("state", "st4te"),
        ("code_challenge", challenge.as_str()),
        ("code_challenge_method", "S256"),
        ("scope", "openid email"),
    ];
    let client_id = format!("userdesk-dev-{key}");
    pairs[1].1 = &client_id;
    for (name, value) in extra {
        if let Some(pair) = pairs.iter_mut().find(|(n, _)| n == name) {
            pair.1 = value;
        } else {
            pairs.push((name, value));
        }
    }
    let query = url::form_urlencoded::Serializer::new(String::new()).extend_pairs(pairs).finish();
    format!("{}/dev/oauth/{key}/authorize?{query}", server.url)
}

/// Approves at the consent page of `url` and returns the redirect's `code`.
async fn approve(url: &str) -> String {
    let http = no_redirects();
    let page =
        http.get(url).header(ACCEPT, "text/html").send().await.expect("page").text().await.expect("html");
    let form = Form::parse(&page);
    let action = url::Url::parse(url).expect("url").join(&form.action).expect("action");
    let answer = http
        .post(action)
        .form(&form.submission(&Consent::approve(), ("decision", "approve")))
        .send()
        .await
        .expect("posted");
    assert_eq!(answer.status(), StatusCode::SEE_OTHER);
    let location = answer.headers()[LOCATION].to_str().expect("ascii").to_owned();
    assert_eq!(common::oauth::query_param(&location, "state").as_deref(), Some("st4te"));
    common::oauth::query_param(&location, "code").expect("a code")
}

async fn token(
    server: &TestServer,
    key: &str,
    form: &[(&str, String)],
    basic: Option<(&str, &str)>,
) -> (StatusCode, Value) {
    let mut request = no_redirects().post(format!("{}/dev/oauth/{key}/token", server.url)).form(form);
    if let Some((id, secret)) = basic {
        let credentials = data_encoding::BASE64.encode(format!("{id}:{secret}").as_bytes());
        request = request.header(AUTHORIZATION, format!("Basic {credentials}"));
    }
    let response = request.send().await.expect("answers");
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn the_consent_page_is_self_contained_and_per_provider() {
    let server = TestServer::start().await;
    let http = no_redirects();
    let github = http.get(authorize(&server, "github", &[])).send().await.expect("page");
    assert_eq!(github.status(), StatusCode::OK);
    assert_eq!(github.headers()["cache-control"], "no-store");
    let html = github.text().await.expect("html");
    for needle in [
        "GitHub",
        "openid",
        "email",
        "Approve",
        "Deny",
        "prefers-color-scheme: dark",
        "devokafor@github.example",
    ] {
        assert!(html.contains(needle), "{needle} missing");
    }
    for external in ["<script", "<link", "src=", "@import", "url("] {
        assert!(!html.contains(external), "{external} found: the page loads nothing from anywhere");
    }
    let form = Form::parse(&html);
    for field in ["first_name", "last_name", "email", "username", "avatar_url"] {
        assert!(form.value(field).is_some_and(|v| !v.is_empty()), "{field} is prefilled");
    }
    assert!(form.checkboxes().contains(&("grant:openid".to_owned(), true)));

    let google =
        http.get(authorize(&server, "google", &[])).send().await.expect("page").text().await.expect("html");
    assert_ne!(Form::parse(&google).value("email"), form.value("email"), "another person per provider");
}

#[tokio::test]
async fn bad_authorization_requests_are_refused() {
    let server = TestServer::start().await;
    let http = no_redirects();
    // Unknown clients and foreign redirect URIs: a page, never a redirect.
    for extra in [
        [("client_id", "someone-else")],
        [("redirect_uri", "https://evil.example/v1/oauth_callback")],
        [("redirect_uri", "http://127.0.0.1:9/elsewhere")],
    ] {
        let answer = http.get(authorize(&server, "github", &extra)).send().await.expect("answers");
        assert_eq!(answer.status(), StatusCode::BAD_REQUEST, "{extra:?}");
        assert!(answer.headers().get(LOCATION).is_none());
    }
    // Other mistakes go back to the client with an OAuth error.
    for (extra, error) in [
        (vec![("code_challenge_method", "plain")], "invalid_request"),
        (vec![("code_challenge", "short")], "invalid_request"),
        (vec![("response_type", "token")], "unsupported_response_type"),
    ] {
        let answer = http.get(authorize(&server, "github", &extra)).send().await.expect("answers");
        assert_eq!(answer.status(), StatusCode::SEE_OTHER, "{extra:?}");
        let location = answer.headers()[LOCATION].to_str().expect("ascii").to_owned();
        assert_eq!(common::oauth::query_param(&location, "error").as_deref(), Some(error), "{extra:?}");
        assert_eq!(common::oauth::query_param(&location, "state").as_deref(), Some("st4te"));
    }
    assert_eq!(
        http.get(authorize(&server, "myspace", &[])).send().await.expect("answers").status(),
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn the_token_endpoint_holds_clients_to_pkce_and_single_use_codes() {
    let server = TestServer::start().await;
    let (client_id, secret) = server.running().dev_oauth_client("github").expect("credentials");
    let callback = format!("{}/v1/oauth_callback", server.url);
    let basic = Some((client_id.as_str(), secret.as_str()));

    let code = approve(&authorize(&server, "github", &[])).await;
    let grant = |code: &str, verifier: &str| {
        vec![
            ("grant_type", "authorization_code".to_owned()),
            ("code", code.to_owned()),
            ("redirect_uri", callback.clone()),
            ("code_verifier", verifier.to_owned()),
        ]
    };

    let unauthenticated = token(&server, "github", &grant(&code, VERIFIER), None).await;
    assert_eq!(
        (unauthenticated.0, unauthenticated.1["error"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("invalid_client"))
    );
    let wrong_secret = token(&server, "github", &grant(&code, VERIFIER), Some((&client_id, "nope"))).await;
    assert_eq!(wrong_secret.0, StatusCode::UNAUTHORIZED);

    // A wrong verifier uses the code up.
    let wrong = token(&server, "github", &grant(&code, &"x".repeat(43)), basic).await;
    assert_eq!((wrong.0, wrong.1["error"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_grant")));
    let after = token(&server, "github", &grant(&code, VERIFIER), basic).await;
    assert_eq!(after.1["error"], "invalid_grant");

    // A good exchange, once; then the token reads the person.
    let code = approve(&authorize(&server, "github", &[])).await;
    let good = token(&server, "github", &grant(&code, VERIFIER), basic).await;
    assert_eq!(good.0, StatusCode::OK, "{}", good.1);
    assert_eq!(good.1["token_type"], "Bearer");
    assert_eq!(good.1["scope"], "openid email");
    let access = good.1["access_token"].as_str().expect("token").to_owned();
    let replay = token(&server, "github", &grant(&code, VERIFIER), basic).await;
    assert_eq!(replay.1["error"], "invalid_grant");
    let userinfo = reqwest::Client::new()
        .get(format!("{}/dev/oauth/github/userinfo", server.url))
        .bearer_auth(&access)
        .send()
        .await
        .expect("answers");
    let claims: Value = userinfo.json().await.expect("json");
    assert_eq!(claims["email"], "devokafor@github.example");
    assert_eq!(claims["email_verified"], true);
    assert!(claims["sub"].as_str().is_some_and(|sub| sub.starts_with("dev_")));
    // The token is the provider's own: another provider's endpoint does not take it.
    let elsewhere = reqwest::Client::new()
        .get(format!("{}/dev/oauth/gitlab/userinfo", server.url))
        .bearer_auth(&access)
        .send()
        .await
        .expect("answers");
    assert_eq!(elsewhere.status(), StatusCode::UNAUTHORIZED);

    // The form's client credentials work too; a wrong redirect URI does not.
    let code = approve(&authorize(&server, "github", &[])).await;
    let mut pairs = grant(&code, VERIFIER);
    pairs[2].1 = format!("{}/v1/oauth_callback?x=1", server.url);
    pairs.push(("client_id", client_id.clone()));
    pairs.push(("client_secret", secret.clone()));
    assert_eq!(token(&server, "github", &pairs, None).await.1["error"], "invalid_grant");
}

#[tokio::test]
async fn the_discovery_document_describes_the_provider() {
    let server = TestServer::start().await;
    let document: Value =
        reqwest::get(format!("{}/dev/oauth/gitlab/.well-known/openid-configuration", server.url))
            .await
            .expect("answers")
            .json()
            .await
            .expect("json");
    let root = format!("{}/dev/oauth/gitlab", server.url);
    assert_eq!(document["issuer"], root.as_str());
    assert_eq!(document["authorization_endpoint"], format!("{root}/authorize").as_str());
    assert_eq!(document["code_challenge_methods_supported"], serde_json::json!(["S256"]));
}
