//! Session tokens and JWT templates: signed RS256 with published keys, claims as Clerk, Hasura
//! and Firebase expect them, refused for sessions that cannot act.

mod common;

use std::time::Duration;

use common::security::now_secs;
use common::TestServer;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use userdesk_fapi::{inspect_token, SignatureCheck, TokenService};
use userdesk_server::{
    Clock, JwtClaims, JwtTemplate, FIREBASE_AUDIENCE, FIREBASE_SERVICE_ACCOUNT_FILE, HASURA_CLAIMS,
};

/// The demo user's id, through the client.
async fn user_id(client: &userdesk_fapi::Client) -> String {
    client.me().await.expect("me").id
}

fn firebase_account(server: &TestServer) -> Value {
    let text =
        std::fs::read_to_string(server.dir.path().join(FIREBASE_SERVICE_ACCOUNT_FILE)).expect("the account");
    serde_json::from_str(&text).expect("JSON")
}

#[tokio::test]
async fn session_tokens_verify_and_carry_clerks_claims() {
    let server = TestServer::start_with_keys(|_| {}).await;
    let client = server.demo_client().await;
    let keys = client.jwks().await.expect("the JWKS");
    assert_eq!(keys.keys.len(), 2, "the instance's key and the Firebase account's");

    let jwt = client.get_token(TokenService::Clerk).await.expect("a token");
    let token = inspect_token(&jwt, &keys).expect("a JWT");
    assert_eq!(token.signature, SignatureCheck::Valid);
    assert_eq!(token.header["alg"], "RS256");
    let kid = token.header["kid"].as_str().expect("a key id");
    assert!(keys.find(kid).is_some());
    let claims = &token.claims;
    assert_eq!(claims["iss"], server.url.as_str());
    assert_eq!(claims["sub"], user_id(&client).await.as_str());
    assert_eq!(claims["sid"], client.session_id().expect("session").as_str());
    let iat = claims["iat"].as_i64().expect("iat");
    assert!((iat - now_secs()).abs() <= 5);
    assert_eq!(claims["exp"].as_i64().expect("exp") - iat, 60);
    assert!(claims["nbf"].as_i64().expect("nbf") <= iat);
    assert_eq!(claims["fva"], json!([0, -1]));
    assert!(claims.get("azp").is_none(), "no origin, no azp");

    // The session's own token route, with an origin: the same claims plus `azp`.
    let raw = server.raw();
    let token = server.demo_token().await;
    let session = raw.get("/v1/client", Some(&token)).await.body["response"]["last_active_session_id"]
        .as_str()
        .expect("session")
        .to_owned();
    let path = format!("/v1/client/sessions/{session}/tokens");
    let reply = raw
        .send(
            raw.request(Method::POST, &path, Some(&token))
                .header("Origin", "http://localhost:1420")
                .header("Content-Type", "application/x-www-form-urlencoded")
                .body(""),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(reply.body["object"], "token");
    let inspected = inspect_token(reply.body["jwt"].as_str().expect("jwt"), &keys).expect("JWT");
    assert_eq!(inspected.signature, SignatureCheck::Valid);
    assert_eq!(inspected.claims["sid"], session.as_str());
    assert_eq!(inspected.claims["azp"], "http://localhost:1420");
}

#[tokio::test]
async fn hasura_and_firebase_claims_are_exactly_theirs() {
    let server = TestServer::start_with_keys(|_| {}).await;
    let client = server.demo_client().await;
    let keys = client.jwks().await.expect("the JWKS");
    let user = user_id(&client).await;

    let hasura =
        inspect_token(&client.get_token(TokenService::Hasura).await.expect("hasura"), &keys).expect("JWT");
    assert_eq!(hasura.signature, SignatureCheck::Valid);
    assert_eq!(
        hasura.claims[HASURA_CLAIMS],
        json!({"x-hasura-user-id": user, "x-hasura-default-role": "user", "x-hasura-allowed-roles": ["user"]})
    );
    assert_eq!(hasura.claims["sub"], user.as_str());

    let account = firebase_account(&server);
    let email = account["client_email"].as_str().expect("client_email");
    let firebase = inspect_token(&client.get_token(TokenService::Firebase).await.expect("firebase"), &keys)
        .expect("JWT");
    assert_eq!(firebase.signature, SignatureCheck::Valid, "the Firebase key is in the JWKS");
    assert_eq!(firebase.header["kid"], account["private_key_id"]);
    assert_eq!(firebase.header["alg"], "RS256");
    let mut names: Vec<&str> =
        firebase.claims.as_object().expect("claims").keys().map(String::as_str).collect();
    names.sort_unstable();
    assert_eq!(names, ["aud", "exp", "iat", "iss", "sub", "uid"]);
    assert_eq!(
        (firebase.claims["iss"].as_str(), firebase.claims["sub"].as_str()),
        (Some(email), Some(email))
    );
    assert_eq!(firebase.claims["aud"], FIREBASE_AUDIENCE);
    assert_eq!(firebase.claims["uid"], user.as_str());
    let lifetime =
        firebase.claims["exp"].as_i64().expect("exp") - firebase.claims["iat"].as_i64().expect("iat");
    assert!(lifetime > 0 && lifetime <= 3600, "{lifetime}");
    // A different key from the instance's.
    let session =
        inspect_token(&client.get_token(TokenService::Clerk).await.expect("clerk"), &keys).expect("JWT");
    assert_ne!(session.header["kid"], firebase.header["kid"]);

    // The template routes give the same claims.
    let raw = server.raw();
    let token = server.demo_token().await;
    let sid = raw.get("/v1/client", Some(&token)).await.body["response"]["last_active_session_id"]
        .as_str()
        .expect("session")
        .to_owned();
    let reply =
        raw.form(Method::POST, &format!("/v1/client/sessions/{sid}/tokens/hasura"), Some(&token), "").await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let templated = inspect_token(reply.body["jwt"].as_str().expect("jwt"), &keys).expect("JWT");
    assert_eq!(templated.claims[HASURA_CLAIMS]["x-hasura-user-id"], user.as_str());

    // Clerk's Firebase integration asks for `integration_firebase`: the firebase template answers.
    let path = format!("/v1/client/sessions/{sid}/tokens/integration_firebase");
    let reply = raw.form(Method::POST, &path, Some(&token), "").await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let integration = inspect_token(reply.body["jwt"].as_str().expect("jwt"), &keys).expect("JWT");
    assert_eq!(
        (integration.claims["aud"].as_str(), integration.claims["uid"].as_str()),
        (Some(FIREBASE_AUDIENCE), Some(user.as_str()))
    );
    let unknown = raw
        .form(Method::POST, &format!("/v1/client/sessions/{sid}/tokens/integration_nope"), Some(&token), "")
        .await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn tokens_fail_after_expiry_and_against_other_keys() {
    // A clock ten minutes behind: the token is issued already past its minute.
    let clock = Clock::manual((now_secs() - 600) * 1000);
    let server = TestServer::start_with_keys(|config| config.clock = clock.clone()).await;
    let client = server.demo_client().await;
    let keys = client.jwks().await.expect("the JWKS");
    let jwt = client.get_token(TokenService::Clerk).await.expect("a token");
    let expired = inspect_token(&jwt, &keys).expect("JWT");
    assert_eq!(expired.signature, SignatureCheck::Expired);
    assert!(expired.expires_at.expect("exp") < now_secs() * 1000);

    clock.set_ms(now_secs() * 1000);
    let jwt = server.client();
    jwt.sign_in_with_password(userdesk_server::DEMO_USERNAME, userdesk_server::DEMO_PASSWORD)
        .await
        .expect("sign in");
    let jwt = jwt.get_token(TokenService::Clerk).await.expect("a fresh token");
    assert_eq!(inspect_token(&jwt, &keys).expect("JWT").signature, SignatureCheck::Valid);

    // No key with the token's id.
    let kid = inspect_token(&jwt, &keys).expect("JWT").header["kid"].as_str().expect("kid").to_owned();
    let mut without: Value = serde_json::to_value(&keys).expect("JWKS");
    without["keys"].as_array_mut().expect("keys").retain(|key| key["kid"] != kid.as_str());
    let without = serde_json::from_value(without).expect("JWKS");
    assert_eq!(inspect_token(&jwt, &without).expect("JWT").signature, SignatureCheck::UnknownKey);
    // The token's key id, but another key (the Firebase account's) behind it.
    let mut swapped: Value = serde_json::to_value(&keys).expect("JWKS");
    let list = swapped["keys"].as_array_mut().expect("keys");
    let other = list.iter().find(|key| key["kid"] != kid.as_str()).cloned().expect("another key");
    for key in list.iter_mut().filter(|key| key["kid"] == kid.as_str()) {
        key["n"] = other["n"].clone();
        key["e"] = other["e"].clone();
    }
    let swapped = serde_json::from_value(swapped).expect("JWKS");
    assert!(matches!(inspect_token(&jwt, &swapped).expect("JWT").signature, SignatureCheck::Invalid { .. }));
}

#[tokio::test]
async fn unknown_templates_services_and_sessions_are_refused() {
    let server = TestServer::start_with_keys(|_| {}).await;
    let raw = server.raw();
    let token = server.demo_token().await;
    let sid = raw.get("/v1/client", Some(&token)).await.body["response"]["last_active_session_id"]
        .as_str()
        .expect("session")
        .to_owned();

    let unknown =
        raw.form(Method::POST, &format!("/v1/client/sessions/{sid}/tokens/nope"), Some(&token), "").await;
    assert_eq!(
        (unknown.status, unknown.code()),
        (StatusCode::NOT_FOUND, "resource_not_found"),
        "{}",
        unknown.body
    );
    let service = raw.form(Method::POST, "/v1/me/tokens", Some(&token), "service=auth0").await;
    assert_eq!(
        (service.status, service.code(), service.param()),
        (StatusCode::UNPROCESSABLE_ENTITY, "form_param_value_invalid", Some("service"))
    );
    let missing = raw.form(Method::POST, "/v1/me/tokens", Some(&token), "").await;
    assert_eq!((missing.status, missing.code()), (StatusCode::UNPROCESSABLE_ENTITY, "form_param_missing"));
    let org = raw
        .form(
            Method::POST,
            &format!("/v1/client/sessions/{sid}/tokens"),
            Some(&token),
            "organization_id=org_1",
        )
        .await;
    assert_eq!(org.status, StatusCode::UNPROCESSABLE_ENTITY);
    let empty_org = raw
        .form(Method::POST, &format!("/v1/client/sessions/{sid}/tokens"), Some(&token), "organization_id=")
        .await;
    assert_eq!(empty_org.status, StatusCode::OK);

    // Another client's session is not this client's to ask for.
    let other = server.demo_token().await;
    let theirs = raw.form(Method::POST, &format!("/v1/client/sessions/{sid}/tokens"), Some(&other), "").await;
    assert_eq!(theirs.status, StatusCode::NOT_FOUND);

    // Signed out: 401.
    raw.form(Method::POST, &format!("/v1/client/sessions/{sid}/end"), Some(&token), "").await;
    for path in
        [format!("/v1/client/sessions/{sid}/tokens"), format!("/v1/client/sessions/{sid}/tokens/hasura")]
    {
        let reply = raw.form(Method::POST, &path, Some(&token), "").await;
        assert_eq!((reply.status, reply.code()), (StatusCode::UNAUTHORIZED, "signed_out"), "{path}");
    }
    let me = raw.form(Method::POST, "/v1/me/tokens", Some(&token), "service=hasura").await;
    assert_eq!(me.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn templates_and_the_service_account_come_from_the_configuration() {
    let shared = TestServer::start_with_keys(|_| {}).await;
    let account = firebase_account(&shared);
    // The same key under another account: the configured file is what signs.
    let configured = json!({
        "type": "service_account",
        "project_id": "acme-prod",
        "private_key_id": "0123456789abcdef0123456789abcdef01234567",
        "private_key": account["private_key"],
        "client_email": "firebase-adminsdk-x@acme-prod.iam.gserviceaccount.com",
        "client_id": "1234",
        "token_uri": "https://oauth2.googleapis.com/token",
    });
    let file = shared.dir.path().join("acme.json");
    std::fs::write(&file, configured.to_string()).expect("written");
    let server = TestServer::start_with_keys(|config| {
        config.firebase_service_account = Some(file.clone());
        config.jwt_templates = vec![
            JwtTemplate {
                name: "hasura".into(),
                claims: JwtClaims::Hasura {
                    default_role: "viewer".into(),
                    allowed_roles: vec!["viewer".into(), "editor".into()],
                },
                lifetime: Duration::from_secs(120),
            },
            JwtTemplate {
                name: "firebase".into(),
                claims: JwtClaims::Firebase,
                lifetime: Duration::from_secs(900),
            },
        ];
    })
    .await;
    let client = server.demo_client().await;
    let keys = client.jwks().await.expect("JWKS");
    assert!(keys.find("0123456789abcdef0123456789abcdef01234567").is_some());

    let hasura =
        inspect_token(&client.get_token(TokenService::Hasura).await.expect("hasura"), &keys).expect("JWT");
    assert_eq!(hasura.claims[HASURA_CLAIMS]["x-hasura-default-role"], "viewer");
    assert_eq!(hasura.claims[HASURA_CLAIMS]["x-hasura-allowed-roles"], json!(["viewer", "editor"]));
    assert_eq!(
        hasura.claims["exp"].as_i64().expect("exp") - hasura.claims["iat"].as_i64().expect("iat"),
        120
    );
    let firebase = inspect_token(&client.get_token(TokenService::Firebase).await.expect("firebase"), &keys)
        .expect("JWT");
    assert_eq!(firebase.signature, SignatureCheck::Valid);
    assert_eq!(firebase.claims["iss"], "firebase-adminsdk-x@acme-prod.iam.gserviceaccount.com");
    assert_eq!(
        firebase.claims["exp"].as_i64().expect("exp") - firebase.claims["iat"].as_i64().expect("iat"),
        900
    );
    // No `clerk` template configured: that service has nothing to give.
    let error = client.get_token(TokenService::Clerk).await.expect_err("no template");
    assert_eq!((error.status(), error.code()), (Some(404), "resource_not_found"));

    // Unusable configurations stop the start.
    let dir = tempfile::tempdir().expect("dir");
    let mut config = userdesk_server::Config::new(dir.path());
    config.jwt_templates =
        vec![JwtTemplate { lifetime: Duration::from_secs(7200), ..JwtTemplate::firebase() }];
    assert!(userdesk_server::start(config).await.is_err());
    let mut config = userdesk_server::Config::new(dir.path());
    config.firebase_service_account = Some(dir.path().join("missing.json"));
    assert!(userdesk_server::start(config).await.is_err());
}

#[tokio::test]
async fn keys_are_kept_private_and_survive_a_restart() {
    let server = TestServer::start_with_keys(|_| {}).await;
    let before = server.client().jwks().await.expect("JWKS");
    #[cfg(unix)]
    for file in
        [userdesk_server::SIGNING_KEY_FILE, FIREBASE_SERVICE_ACCOUNT_FILE, userdesk_server::AT_REST_KEY_FILE]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(server.dir.path().join(file)).expect("stat").permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "{file}");
    }
    let server = server.restart().await;
    let after = server.client().jwks().await.expect("JWKS");
    assert_eq!(before, after);
    let raw = server.raw().get("/.well-known/jwks.json", None).await;
    for key in raw.body["keys"].as_array().expect("keys") {
        assert!(key.get("d").is_none(), "no private parts: {key}");
        assert_eq!(
            (key["kty"].as_str(), key["alg"].as_str(), key["use"].as_str()),
            (Some("RSA"), Some("RS256"), Some("sig"))
        );
    }
}
