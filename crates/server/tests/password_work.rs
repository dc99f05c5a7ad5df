//! Signing in does the same argon2 work whether the identifier exists or not, so the answer's
//! time does not tell. Asserted on the server's count of argon2 verifications, not on wall time
//! (which would flake). The count is process-wide: this binary holds this one test, so nothing
//! else verifies passwords meanwhile.

mod common;

use common::{enc, TestServer};
use reqwest::{Method, StatusCode};
use serde_json::json;
use userdesk_server::argon2_verifications;

#[tokio::test]
async fn unknown_identifiers_and_wrong_passwords_cost_one_verification_each() {
    let server = TestServer::start().await;
    server.create_user(json!({"email_address": ["pat@example.com"], "password": "long-enough-1"})).await;
    server
        .create_user(json!({"email_address": ["nopass@example.com"], "skip_password_requirement": true}))
        .await;

    // (identifier, password, expected code): each from a new client.
    let cases = [
        ("pat@example.com", "not-the-password", "form_password_incorrect"),
        ("nobody@example.com", "not-the-password", "form_identifier_not_found"),
        ("nobody-else", "not-the-password", "form_identifier_not_found"),
        ("nopass@example.com", "not-the-password", "form_password_incorrect"),
    ];
    for (identifier, password, code) in cases {
        let before = argon2_verifications();
        let form = format!("identifier={}&password={}", enc(identifier), enc(password));
        let reply = server.raw().form(Method::POST, "/v1/client/sign_ins", None, form).await;
        assert_eq!(reply.code(), code, "{identifier}: {}", reply.body);
        assert_eq!(argon2_verifications() - before, 1, "{identifier}: one argon2 verification");
    }

    // A right password is one verification too; a password longer than any accepted is none,
    // for a known identifier and an unknown one alike.
    let before = argon2_verifications();
    let reply = server
        .raw()
        .form(
            Method::POST,
            "/v1/client/sign_ins",
            None,
            "identifier=pat%40example.com&password=long-enough-1",
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(argon2_verifications() - before, 1);
    let long = "x".repeat(300);
    for identifier in ["pat@example.com", "nobody@example.com"] {
        let before = argon2_verifications();
        let form = format!("identifier={}&password={long}", enc(identifier));
        server.raw().form(Method::POST, "/v1/client/sign_ins", None, form).await;
        assert_eq!(argon2_verifications(), before, "{identifier}: nothing to hash");
    }
}
