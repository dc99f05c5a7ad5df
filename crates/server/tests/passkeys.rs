//! Passkeys (issue 14) through the typed client against the real server, with credentials made
//! by webauthn-authenticator-rs's software authenticator: registering, listing on the user,
//! renaming, removing, signing in with an identifier and without one, and what is refused (another
//! origin, a replayed assertion, a counter going backwards, another user's passkey, a malformed
//! credential, a stale session). Every operation's answer is checked against the spec too.

mod common;

use std::time::Duration;

use common::security::{now_secs, totp_code};
use common::{Reply, TestServer};
use reqwest::Method;
use serde_json::Value;
use url::Url;
use userdesk_conformance::Spec;
use userdesk_fapi::models::{
    Passkey, ReverificationLevel, ReverificationStatus, SessionReverification, SignIn, SignInStatus,
    VerificationStatus,
};
use userdesk_fapi::{Client, SecondFactor};
use userdesk_server::{Clock, RateLimit, DEMO_EMAIL, DEMO_PASSWORD};
use webauthn_authenticator_rs::softtoken::SoftToken;
use webauthn_authenticator_rs::WebauthnAuthenticator;
use webauthn_rs_proto::{
    AllowCredentials, CreationChallengeResponse, PublicKeyCredentialCreationOptions,
    PublicKeyCredentialRequestOptions, RequestChallengeResponse,
};

/// The origin the app presents to the embedded server (its default relying party, `localhost`,
/// on any port), as a URL: the client sends it without the slash.
const ORIGIN: &str = "http://localhost:41234/";

/// The software authenticator, as a person's security key: it verifies the user (its PIN), and
/// keeps the credential ids it made so that it can answer a sign-in without an identifier (the
/// library's soft token keeps no discoverable credentials, so the ids stand in for them).
struct Key {
    token: SoftToken,
    made: Vec<Vec<u8>>,
}

impl Key {
    fn new() -> Self {
        let (token, _certificate) = SoftToken::new(true).expect("a software authenticator");
        Self { token, made: Vec::new() }
    }

    /// A copy of the key as it is now (a cloned authenticator: same keys, same counter).
    fn clone_now(&self) -> Self {
        let bytes = self.token.to_cbor().expect("the token serialises");
        Self { token: SoftToken::from_cbor(&bytes).expect("the token reads back"), made: self.made.clone() }
    }

    /// Registers with the creation options of a new passkey, presenting `origin`; the
    /// credential as the app sends it (JSON).
    fn register(&mut self, passkey: &Passkey, origin: &str) -> String {
        let options: PublicKeyCredentialCreationOptions =
            serde_json::from_value(passkey.creation_options().expect("creation options")).expect("options");
        let credential = self
            .token
            .do_registration(
                Url::parse(origin).expect("origin"),
                CreationChallengeResponse { public_key: options },
            )
            .expect("the authenticator registers");
        self.made.push(credential.raw_id.to_vec());
        serde_json::to_string(&credential).expect("JSON")
    }

    /// Answers a sign-in's request options (its first factor's `nonce`).
    fn sign(&mut self, sign_in: &SignIn, origin: &str) -> String {
        let nonce =
            sign_in.first_factor_verification.as_ref().and_then(|v| v.nonce_json()).expect("request options");
        self.answer(nonce, origin, false)
    }

    /// Answers request options (a verification's `nonce`) presenting `origin`. `own`: offers the
    /// credentials this key made whatever the options name (as a key holding another account's
    /// passkey would answer with it); else only when the options name none (discoverable).
    fn answer(&mut self, nonce: Value, origin: &str, own: bool) -> String {
        let mut options: PublicKeyCredentialRequestOptions = serde_json::from_value(nonce).expect("options");
        if own || options.allow_credentials.is_empty() {
            // The key offers what it holds for this relying party.
            options.allow_credentials = self
                .made
                .iter()
                .map(|id| AllowCredentials { type_: "public-key".into(), id: id.clone(), transports: None })
                .collect();
        }
        let credential = self
            .token
            .do_authentication(
                Url::parse(origin).expect("origin"),
                RequestChallengeResponse { public_key: options, mediation: None },
            )
            .expect("the authenticator signs");
        serde_json::to_string(&credential).expect("JSON")
    }
}

async fn server() -> TestServer {
    let plenty = RateLimit::new(1000, Duration::from_secs(1));
    TestServer::start_with(|config| {
        config.sign_in_rate_limit_per_identifier = plenty;
        config.sign_in_rate_limit_per_client = plenty;
    })
    .await
}

/// Registers a passkey with `key` for the signed-in `client`.
async fn register(client: &Client, key: &mut Key) -> Passkey {
    let started = client.create_passkey().await.expect("registration starts");
    assert!(!started.is_verified());
    let credential = key.register(&started, ORIGIN);
    client
        .attempt_passkey_verification(&started.id, ORIGIN, &credential)
        .await
        .expect("the passkey is verified")
}

/// Signs in without an identifier; the sign-in as it ends.
async fn sign_in_discoverable(server: &TestServer, key: &mut Key) -> (Client, userdesk_fapi::Result<SignIn>) {
    let client = server.client();
    let started = client.sign_in_with_passkey().await.expect("the sign-in starts");
    assert_eq!(started.status, SignInStatus::NeedsFirstFactor);
    let assertion = key.sign(&started, ORIGIN);
    let result = client.attempt_passkey_first_factor(&started.id, &assertion).await;
    (client, result)
}

fn refused_on_credential<T: std::fmt::Debug>(
    result: userdesk_fapi::Result<T>,
    what: &str,
) -> userdesk_fapi::Error {
    let error = result.expect_err(what);
    assert_eq!(error.status(), Some(422), "{what}: {error:?}");
    assert_eq!(error.field(), Some("public_key_credential"), "{what}: {error:?}");
    error
}

#[tokio::test]
async fn a_passkey_is_registered_listed_renamed_and_removed() {
    let server = server().await;
    let client = server.demo_client().await;
    let mut key = Key::new();

    let started = client.create_passkey().await.expect("registration starts");
    let options = started.creation_options().expect("the creation options are in the nonce");
    assert_eq!(options["rp"]["id"], "localhost");
    assert_eq!(options["authenticatorSelection"]["userVerification"], "required");
    assert_eq!(options["authenticatorSelection"]["residentKey"], "preferred");
    assert_eq!(options["user"]["name"], DEMO_EMAIL);
    // Not on the user until verified.
    assert!(client.me().await.expect("me").passkeys.is_empty());

    let credential = key.register(&started, ORIGIN);
    let verified =
        client.attempt_passkey_verification(&started.id, ORIGIN, &credential).await.expect("verified");
    assert!(verified.is_verified());
    assert_eq!(verified.name, "Passkey");
    assert!(verified.creation_options().is_none(), "the options are shown once");
    let user = client.me().await.expect("me");
    assert_eq!(user.passkeys.iter().map(|p| p.id.as_str()).collect::<Vec<_>>(), [verified.id.as_str()]);
    assert_eq!(user.passkeys[0].last_used_at, None);

    // The same credential again: refused, and the registration cannot be answered twice.
    let again = client.attempt_passkey_verification(&started.id, ORIGIN, &credential).await;
    assert_eq!(again.expect_err("verified once").code(), "verification_already_verified");

    let renamed = client.update_passkey(&verified.id, "  YubiKey 5C  ").await.expect("renamed");
    assert_eq!(renamed.name, "YubiKey 5C");
    assert_eq!(client.get_passkey(&verified.id).await.expect("read").name, "YubiKey 5C");
    let empty = client.update_passkey(&verified.id, " ").await.expect_err("a name is needed");
    assert_eq!(empty.field(), Some("name"));

    let deleted = client.delete_passkey(&verified.id).await.expect("removed");
    assert!(deleted.deleted);
    assert_eq!(deleted.id.as_deref(), Some(verified.id.as_str()));
    assert!(client.me().await.expect("me").passkeys.is_empty());
    assert_eq!(client.get_passkey(&verified.id).await.expect_err("gone").status(), Some(404));

    // A removed passkey no longer signs in.
    let (_, result) = sign_in_discoverable(&server, &mut key).await;
    refused_on_credential(result, "a removed passkey");
}

#[tokio::test]
async fn a_passkey_signs_in_without_an_identifier_and_after_one() {
    let server = server().await;
    let client = server.demo_client().await;
    let mut key = Key::new();
    let passkey = register(&client, &mut key).await;

    // The environment offers it.
    let environment: Value =
        serde_json::to_value(server.client().environment().await.expect("environment")).expect("json");
    assert!(environment["auth_config"]["first_factors"]
        .as_array()
        .expect("list")
        .contains(&"passkey".into()));
    assert_eq!(environment["user_settings"]["attributes"]["passkey"]["enabled"], true);
    assert_eq!(environment["user_settings"]["passkey_settings"]["show_sign_in_button"], true);

    // Discoverable: no identifier.
    let (signed_in, result) = sign_in_discoverable(&server, &mut key).await;
    let done = result.expect("signed in");
    assert_eq!(done.status, SignInStatus::Complete);
    let me = signed_in.me().await.expect("signed in as the demo user");
    assert_eq!(me.primary_email_address().map(|e| e.email_address.as_str()), Some(DEMO_EMAIL));
    assert!(me.passkeys[0].last_used_at.is_some(), "the use is recorded");

    // After the identifier: `passkey` is among the user's first factors.
    let other = server.client();
    let identified = other.sign_in_with_identifier(DEMO_EMAIL).await.expect("identified");
    let factors = identified.supported_first_factors.clone().unwrap_or_default();
    assert!(factors.iter().any(|f| f.strategy == "passkey"), "{factors:?}");
    let prepared = other.prepare_passkey_first_factor(&identified.id).await.expect("prepared");
    let nonce = prepared.first_factor_verification.as_ref().and_then(|v| v.nonce_json()).expect("options");
    let allowed = nonce["allowCredentials"].as_array().cloned().unwrap_or_default();
    assert_eq!(allowed.len(), 1, "the user's passkey is named: {nonce}");
    let assertion = key.sign(&prepared, ORIGIN);
    let done = other.attempt_passkey_first_factor(&identified.id, &assertion).await.expect("signed in");
    assert_eq!(done.status, SignInStatus::Complete);
    assert_eq!(other.me().await.expect("me").id, me.id);
    assert!(client.get_passkey(&passkey.id).await.expect("still there").is_verified());

    // A user without passkeys is not offered them, and cannot prepare them.
    let plain = server.user_client("plain@example.com", None).await;
    drop(plain);
    let third = server.client();
    let started = third.sign_in_with_identifier("plain@example.com").await.expect("identified");
    assert!(!started.supported_first_factors.unwrap_or_default().iter().any(|f| f.strategy == "passkey"));
    let refused = third.prepare_passkey_first_factor(&started.id).await.expect_err("no passkey");
    assert_eq!(refused.field(), Some("strategy"));
}

#[tokio::test]
async fn another_origin_a_replay_a_cloned_key_and_malformed_credentials_are_refused() {
    let server = server().await;
    let client = server.demo_client().await;
    let mut key = Key::new();

    // Registering from another origin: refused, nothing stored.
    let started = client.create_passkey().await.expect("starts");
    let foreign = Key::new().register(&started, "https://evil.localhost");
    let error = refused_on_credential(
        client.attempt_passkey_verification(&started.id, ORIGIN, &foreign).await,
        "another origin",
    );
    assert!(error.to_string().contains("origin"), "{error}");
    assert!(client.me().await.expect("me").passkeys.is_empty());

    // Malformed credentials: the field is named, nothing stored.
    for malformed in ["", "not json", "{}", r#"{"id": 5}"#] {
        let result = client.attempt_passkey_verification(&started.id, ORIGIN, malformed).await;
        let error = result.expect_err(malformed);
        assert_eq!(error.field(), Some("public_key_credential"), "{malformed:?}: {error:?}");
    }
    assert!(client.me().await.expect("me").passkeys.is_empty());

    let passkey = register(&client, &mut key).await;
    let clone = key.clone_now();

    // Signing in from another origin: refused.
    let other = server.client();
    let sign_in = other.sign_in_with_passkey().await.expect("starts");
    let foreign = key.sign(&sign_in, "https://evil.localhost");
    refused_on_credential(other.attempt_passkey_first_factor(&sign_in.id, &foreign).await, "another origin");
    // That challenge is used up, refused or not: a right answer to it comes too late.
    let right = key.sign(&sign_in, ORIGIN);
    let late = other.attempt_passkey_first_factor(&sign_in.id, &right).await.expect_err("used up");
    assert_eq!((late.status(), late.field()), (Some(422), Some("strategy")), "{late:?}");

    // A replayed assertion: the ceremony it answered is used up.
    let replayer = server.client();
    let sign_in = replayer.sign_in_with_passkey().await.expect("starts");
    let assertion = key.sign(&sign_in, ORIGIN);
    replayer.attempt_passkey_first_factor(&sign_in.id, &assertion).await.expect("signed in once");
    replayer.sign_out().await.expect("signed out");
    let replayed =
        replayer.attempt_passkey_first_factor(&sign_in.id, &assertion).await.expect_err("replayed");
    assert!(replayed.status() == Some(400) || replayed.status() == Some(422), "{replayed:?}");
    let fresh = replayer.sign_in_with_passkey().await.expect("starts again");
    let replayed = replayer.attempt_passkey_first_factor(&fresh.id, &assertion).await;
    refused_on_credential(replayed, "an old assertion on a new challenge");

    // The clone's counter is behind the key's: refused as a cloned authenticator.
    let mut clone = clone;
    let (_, result) = sign_in_discoverable(&server, &mut clone).await;
    let error = refused_on_credential(result, "a counter going backwards");
    assert!(error.to_string().contains("counter"), "{error}");
    // The real key still signs in.
    let (_, result) = sign_in_discoverable(&server, &mut key).await;
    assert_eq!(result.expect("the key signs in").status, SignInStatus::Complete);
    assert!(client.get_passkey(&passkey.id).await.is_ok());
}

#[tokio::test]
async fn another_users_passkey_is_not_found_and_stale_sessions_verify_again() {
    let clock = Clock::manual(now_secs() * 1000);
    let server = TestServer::start_with(|config| {
        config.clock = clock.clone();
        config.reverification_window = Duration::from_secs(60);
    })
    .await;
    let client = server.demo_client().await;
    let mut key = Key::new();
    let passkey = register(&client, &mut key).await;

    let other = server.user_client("other@example.com", None).await;
    for result in [
        other.get_passkey(&passkey.id).await.map(|_| ()),
        other.update_passkey(&passkey.id, "mine").await.map(|_| ()),
        other.delete_passkey(&passkey.id).await.map(|_| ()),
    ] {
        assert_eq!(result.expect_err("another user's passkey").status(), Some(404));
    }
    let started = other.create_passkey().await.expect("their own registration");
    let mut theirs = Key::new();
    let credential = theirs.register(&started, ORIGIN);
    let error =
        other.attempt_passkey_verification(&passkey.id, ORIGIN, &credential).await.expect_err("not theirs");
    assert_eq!(error.status(), Some(404));

    // After the window, adding and removing a passkey ask for a fresh first factor.
    clock.advance(Duration::from_secs(91));
    let error = client.create_passkey().await.expect_err("stale");
    assert!(error.needs_reverification(), "{error:?}");
    let error = client.delete_passkey(&passkey.id).await.expect_err("stale");
    assert!(error.needs_reverification(), "{error:?}");
    // Renaming is not sensitive.
    client.update_passkey(&passkey.id, "Still mine").await.expect("renamed");
    let started = client.start_reverification(userdesk_fapi::models::ReverificationLevel::FirstFactor).await;
    started.expect("reverification starts");
    client.attempt_reverification_first_factor("password", DEMO_PASSWORD).await.expect("verified again");
    client.delete_passkey(&passkey.id).await.expect("removed after verifying");
}

/// The request options of a reverification's passkey ceremony (its first factor's `nonce`).
fn reverification_options(reverification: &SessionReverification) -> Value {
    let verification = reverification.first_factor_verification.as_ref().expect("a verification");
    assert_eq!(verification.strategy, "passkey");
    assert_eq!(verification.status, VerificationStatus::Unverified);
    verification.nonce_json().expect("the request options are in the nonce")
}

#[tokio::test]
async fn a_stale_session_verifies_again_with_a_passkey_and_nothing_else_does() {
    let clock = Clock::manual(now_secs() * 1000);
    let plenty = RateLimit::new(1000, Duration::from_secs(1));
    let server = TestServer::start_with(|config| {
        config.clock = clock.clone();
        config.reverification_window = Duration::from_secs(60);
        config.sign_in_rate_limit_per_identifier = plenty;
        config.sign_in_rate_limit_per_client = plenty;
    })
    .await;
    let client = server.demo_client().await;
    let mut key = Key::new();
    let passkey = register(&client, &mut key).await;
    let other = server.user_client("other@example.com", None).await;
    let mut theirs = Key::new();
    register(&other, &mut theirs).await;

    clock.advance(Duration::from_secs(91));
    let stale = client.create_email_address("later@example.com").await.expect_err("stale");
    assert!(stale.needs_reverification(), "{stale:?}");
    let started = client.start_reverification(ReverificationLevel::MultiFactor).await.expect("started");
    let factors = started.supported_first_factors.clone().unwrap_or_default();
    assert!(factors.iter().any(|f| f.strategy == "passkey"), "{factors:?}");

    // Refused, each time with nothing verified: another origin, another account's passkey, an
    // answer to a challenge already used.
    let prepared = client.prepare_reverification_passkey().await.expect("prepared");
    let options = reverification_options(&prepared);
    assert_eq!(options["rpId"], "localhost");
    assert_eq!(options["userVerification"], "required");
    assert_eq!(
        options["allowCredentials"].as_array().map(Vec::len),
        Some(1),
        "the user's passkey: {options}"
    );
    let foreign = key.answer(options.clone(), "https://evil.localhost", false);
    let error = refused_on_credential(
        client.attempt_reverification_passkey(ORIGIN, &foreign).await,
        "another origin",
    );
    assert!(error.to_string().contains("origin"), "{error}");
    let late = key.answer(options, ORIGIN, false);
    let used = client.attempt_reverification_passkey(ORIGIN, &late).await.expect_err("used up");
    assert_eq!((used.status(), used.field()), (Some(422), Some("strategy")), "{used:?}");

    let prepared = client.prepare_reverification_passkey().await.expect("prepared again");
    let not_mine = theirs.answer(reverification_options(&prepared), ORIGIN, true);
    let error = refused_on_credential(
        client.attempt_reverification_passkey(ORIGIN, &not_mine).await,
        "another's passkey",
    );
    assert!(error.to_string().contains("not, or no longer, registered for this account"), "{error}");
    let still = client.create_email_address("later@example.com").await.expect_err("nothing verified");
    assert!(still.needs_reverification(), "{still:?}");
    assert!(client.get_passkey(&passkey.id).await.expect("read").last_used_at.is_none(), "no use recorded");

    // The user's own passkey: verified, at every level (it stands for the second factor too).
    let prepared = client.prepare_reverification_passkey().await.expect("prepared again");
    let right = key.answer(reverification_options(&prepared), ORIGIN, false);
    let done = client.attempt_reverification_passkey(ORIGIN, &right).await.expect("verified");
    assert_eq!(done.status, ReverificationStatus::Complete);
    let verification = done.first_factor_verification.expect("the first factor");
    assert_eq!(
        (verification.strategy.as_str(), verification.status),
        ("passkey", VerificationStatus::Verified)
    );
    assert!(verification.nonce.is_none(), "the options go with the ceremony");
    client.create_email_address("later@example.com").await.expect("the action goes through");
    assert!(
        client.get_passkey(&passkey.id).await.expect("read").last_used_at.is_some(),
        "the use is recorded"
    );
    // The assertion answered its ceremony once.
    client.start_reverification(ReverificationLevel::FirstFactor).await.expect("again");
    let replayed = client.attempt_reverification_passkey(ORIGIN, &right).await.expect_err("replayed");
    assert_eq!(replayed.field(), Some("strategy"), "{replayed:?}");

    // A user without a passkey is neither offered nor can prepare one.
    let started = other.start_reverification(ReverificationLevel::FirstFactor).await.expect("started");
    assert!(started.supported_first_factors.unwrap_or_default().iter().any(|f| f.strategy == "passkey"));
    let plain = server.user_client("plain@example.com", None).await;
    let started = plain.start_reverification(ReverificationLevel::FirstFactor).await.expect("started");
    assert!(!started.supported_first_factors.unwrap_or_default().iter().any(|f| f.strategy == "passkey"));
    let error = plain.prepare_reverification_passkey().await.expect_err("no passkey");
    assert_eq!(error.field(), Some("strategy"), "{error:?}");
}

#[tokio::test]
async fn a_passkey_that_does_not_stand_for_the_second_factor_leaves_it_to_ask() {
    let clock = Clock::manual((now_secs() / 30 * 30 + 15) * 1000);
    let server = TestServer::start_with(|config| {
        config.clock = clock.clone();
        config.reverification_window = Duration::from_secs(60);
        config.passkey_satisfies_second_factor = false;
    })
    .await;
    let client = server.demo_client().await;
    let mut key = Key::new();
    register(&client, &mut key).await;
    let totp = client.create_totp().await.expect("totp on");
    let secret = totp.secret.expect("the secret");
    client.attempt_totp_verification(&totp_code(&secret, clock.now_ms() / 1000)).await.expect("verified");

    clock.advance(Duration::from_secs(91));
    client.start_reverification(ReverificationLevel::MultiFactor).await.expect("started");
    let prepared = client.prepare_reverification_passkey().await.expect("prepared");
    let assertion = key.answer(reverification_options(&prepared), ORIGIN, false);
    let step = client.attempt_reverification_passkey(ORIGIN, &assertion).await.expect("the first factor");
    assert_eq!(step.status, ReverificationStatus::NeedsSecondFactor);
    let done = client
        .attempt_reverification_second_factor(SecondFactor::Totp, &totp_code(&secret, clock.now_ms() / 1000))
        .await
        .expect("the second");
    assert_eq!(done.status, ReverificationStatus::Complete);
    client.delete_totp().await.expect("a multi-factor action goes through");
}

#[tokio::test]
async fn passkeys_off_are_neither_offered_nor_accepted() {
    let server = TestServer::start_with(|config| config.passkeys = false).await;
    let client = server.demo_client().await;
    let error = client.create_passkey().await.expect_err("off");
    assert_eq!(error.field(), Some("strategy"));
    let environment: Value =
        serde_json::to_value(server.client().environment().await.expect("environment")).expect("json");
    assert!(!environment["auth_config"]["first_factors"]
        .as_array()
        .expect("list")
        .contains(&"passkey".into()));
    assert_eq!(environment["user_settings"]["attributes"]["passkey"]["enabled"], false);
    let error = server.client().sign_in_with_passkey().await.expect_err("off");
    assert_eq!(error.field(), Some("strategy"));
}

/// Every passkey operation's answers, success and refusal, as the spec describes them.
#[tokio::test]
async fn every_answer_conforms_to_the_spec() {
    let server = server().await;
    let raw = server.raw();
    let token = server.demo_token().await;
    let spec = Spec::fapi();
    let check = |method: &str, path: &str, reply: &Reply| {
        if let Err(violations) = spec.check_response(method, path, reply.status.as_u16(), &reply.body) {
            panic!("{method} {path}: {violations}\n{}", reply.body);
        }
    };
    let mut key = Key::new();

    let created = raw.form(Method::POST, "/v1/me/passkeys", Some(&token), "").await;
    check("POST", "/v1/me/passkeys", &created);
    let passkey: Passkey = serde_json::from_value(created.body["response"].clone()).expect("a passkey");
    let attempt = format!("/v1/me/passkeys/{}/attempt_verification", passkey.id);
    let malformed =
        raw.form(Method::POST, &attempt, Some(&token), "strategy=passkey&public_key_credential=x").await;
    assert_eq!(malformed.param(), Some("public_key_credential"));
    check("POST", &attempt, &malformed);
    let credential = key.register(&passkey, ORIGIN);
    let body = format!("strategy=passkey&public_key_credential={}", enc(&credential));
    let verified = raw.form(Method::POST, &attempt, Some(&token), body).await;
    assert_eq!(verified.status.as_u16(), 200, "{}", verified.body);
    check("POST", &attempt, &verified);

    // The Backend API's user before any use: its `last_used_at` is never null there.
    let me = raw.get("/v1/me", Some(&token)).await;
    let user_id = me.body["response"]["id"].as_str().expect("user id").to_owned();
    let backend_path = format!("/v1/users/{user_id}");
    let backend = raw.backend(Method::GET, &backend_path, Some(&server.secret_key), None).await;
    assert!(backend.body["passkeys"][0]["last_used_at"].is_i64(), "{}", backend.body);
    if let Err(violations) =
        Spec::bapi().check_response("GET", &format!("/users/{user_id}"), 200, &backend.body)
    {
        panic!("GET {backend_path}, an unused passkey: {violations}");
    }

    // Reverification with it: the start, the ceremony's options, a refused and a right answer.
    let client = raw.get("/v1/client", Some(&token)).await;
    let session_id = client.body["response"]["last_active_session_id"].as_str().expect("session").to_owned();
    let verify = format!("/v1/client/sessions/{session_id}/verify");
    let started = raw.form(Method::POST, &verify, Some(&token), "level=first_factor").await;
    assert_eq!(started.status.as_u16(), 200, "{}", started.body);
    check("POST", &verify, &started);
    let prepare = format!("{verify}/prepare_first_factor");
    let prepared = raw.form(Method::POST, &prepare, Some(&token), "strategy=passkey").await;
    assert_eq!(prepared.status.as_u16(), 200, "{}", prepared.body);
    check("POST", &prepare, &prepared);
    let options: Value = serde_json::from_str(
        prepared.body["response"]["first_factor_verification"]["nonce"].as_str().expect("nonce"),
    )
    .expect("options");
    let attempt = format!("{verify}/attempt_first_factor");
    let bad =
        raw.form(Method::POST, &attempt, Some(&token), "strategy=passkey&public_key_credential=x").await;
    assert_eq!(bad.param(), Some("public_key_credential"));
    check("POST", &attempt, &bad);
    let assertion = key.answer(options, ORIGIN, false);
    let body = format!("strategy=passkey&public_key_credential={}", enc(&assertion));
    let done = raw.form(Method::POST, &attempt, Some(&token), body).await;
    assert_eq!(done.status.as_u16(), 200, "{}", done.body);
    assert_eq!(done.body["response"]["status"], "complete");
    check("POST", &attempt, &done);

    let one = format!("/v1/me/passkeys/{}", passkey.id);
    check("GET", &one, &raw.get(&one, Some(&token)).await);
    check("PATCH", &one, &raw.form(Method::PATCH, &one, Some(&token), "name=Laptop").await);
    check("GET", "/v1/me/passkeys/pk_missing", &raw.get("/v1/me/passkeys/pk_missing", Some(&token)).await);
    check("GET", "/v1/me", &raw.get("/v1/me", Some(&token)).await);

    // The sign-in's steps, without an identifier and after one.
    let started = raw.form(Method::POST, "/v1/client/sign_ins", None, "strategy=passkey").await;
    check("POST", "/v1/client/sign_ins", &started);
    let other = started.token.clone().expect("a new client");
    let sign_in: SignIn = serde_json::from_value(started.body["response"].clone()).expect("a sign-in");
    let attempt = format!("/v1/client/sign_ins/{}/attempt_first_factor", sign_in.id);
    let bad =
        raw.form(Method::POST, &attempt, Some(&other), "strategy=passkey&public_key_credential=%7B%7D").await;
    assert_eq!(bad.param(), Some("public_key_credential"));
    check("POST", &attempt, &bad);
    let assertion = key.sign(&sign_in, ORIGIN);
    let body = format!("strategy=passkey&public_key_credential={}", enc(&assertion));
    let done = raw.form(Method::POST, &attempt, Some(&other), body).await;
    assert_eq!(done.status.as_u16(), 200, "{}", done.body);
    check("POST", &attempt, &done);

    let third =
        raw.form(Method::POST, "/v1/client/sign_ins", None, format!("identifier={}", enc(DEMO_EMAIL))).await;
    check("POST", "/v1/client/sign_ins", &third);
    let third_token = third.token.clone().expect("a new client");
    let id = third.body["response"]["id"].as_str().expect("id").to_owned();
    let prepare = format!("/v1/client/sign_ins/{id}/prepare_first_factor");
    let prepared = raw.form(Method::POST, &prepare, Some(&third_token), "strategy=passkey").await;
    assert_eq!(prepared.status.as_u16(), 200, "{}", prepared.body);
    check("POST", &prepare, &prepared);
    // One passkey by its id; one that is not the account's is refused.
    let body = format!("strategy=passkey&passkey_id={}", passkey.id);
    let one_key = raw.form(Method::POST, &prepare, Some(&third_token), body).await;
    assert_eq!(one_key.status.as_u16(), 200, "{}", one_key.body);
    check("POST", &prepare, &one_key);
    let missing =
        raw.form(Method::POST, &prepare, Some(&third_token), "strategy=passkey&passkey_id=pk_missing").await;
    assert_eq!((missing.status.as_u16(), missing.param()), (422, Some("passkey_id")), "{}", missing.body);
    check("POST", &prepare, &missing);

    // The Backend API's user shows the passkey (used above) in its own shape.
    let path = backend_path;
    let backend = raw.backend(Method::GET, &path, Some(&server.secret_key), None).await;
    assert_eq!(backend.body["passkeys"][0]["name"], "Laptop", "{}", backend.body);
    // The BAPI spec's paths have no `/v1` prefix.
    if let Err(violations) =
        Spec::bapi().check_response("GET", &format!("/users/{user_id}"), 200, &backend.body)
    {
        panic!("GET {path}: {violations}");
    }

    check("DELETE", &one, &raw.form(Method::DELETE, &one, Some(&token), "").await);
}

fn enc(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes()).collect()
}
