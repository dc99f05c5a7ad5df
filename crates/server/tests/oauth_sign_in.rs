//! Signing in through a provider, as the app does it: an existing user by their linked account,
//! a new identity through the transfer to a sign-up, and the refusals.

mod common;

use common::browser::{Browser, Consent};
use common::oauth::{self, query_param};
use common::TestServer;
use reqwest::{Method, StatusCode};
use userdesk_fapi::models::{SignInStatus, VerificationStatus};
use userdesk_fapi::native_flow::FlowKind;
use userdesk_fapi::{FlowResult, SecondFactor};
use userdesk_server::DEMO_EMAIL;

#[tokio::test]
async fn an_existing_user_signs_in_with_their_linked_account() {
    let server = TestServer::start().await;
    let owner = server.demo_client().await;
    let owner_id = owner.me().await.expect("me").id;
    let connected = oauth::connect(&owner, "oauth_github", &[], &Consent::approve()).await;
    assert!(matches!(connected.result, FlowResult::AccountVerified { .. }));

    // Another device, signed out.
    let device = server.client();
    let flows = oauth::flows();
    let (flow_id, redirect_url) = flows.start(FlowKind::SignIn { strategy: "oauth_github".into() });
    let sign_in = device.sign_in_with_oauth("oauth_github", &redirect_url).await.expect("started");
    assert_eq!(sign_in.status, SignInStatus::NeedsFirstFactor);
    let verification = sign_in.first_factor_verification.clone().expect("the provider's verification");
    assert_eq!(
        (verification.status, verification.strategy.as_str()),
        (VerificationStatus::Unverified, "oauth_github")
    );
    assert!(verification.expire_at.is_some());
    let url = verification.external_verification_redirect_url.expect("where to go");
    assert_eq!(query_param(&url, "scope").as_deref(), Some("read:user user:email"));
    flows.attach_sign_in(&flow_id, &sign_in.id);

    let mut browser = Browser::new();
    let deep_link = browser.round_trip(&url, &Consent::approve()).await.deep_link().to_owned();
    let flow = flows.accept(&deep_link).expect("accepted");
    match device.complete_flow(&flow).await.expect("read") {
        FlowResult::SignedIn { user, new_user } => {
            assert!(!new_user);
            assert_eq!(user.id, owner_id);
        }
        other => panic!("expected a sign-in, got {other:#?}"),
    }
    // The sign-in is complete, its factor verified; the device is signed in as the owner.
    let done = device.sign_in_after_redirect(&sign_in.id, None).await.expect("the sign-in");
    assert_eq!(done.status, SignInStatus::Complete);
    assert!(done.created_session_id.is_some());
    let factor = done.first_factor_verification.expect("factor");
    assert_eq!(factor.status, VerificationStatus::Verified);
    assert_eq!(factor.external_verification_redirect_url, None);
    assert_eq!(device.me().await.expect("me").id, owner_id);
}

#[tokio::test]
async fn a_new_identity_becomes_a_new_user_through_the_transfer() {
    let server = TestServer::start().await;
    let device = server.client();
    let consent = Consent::approve()
        .with("email", "newcomer@example.com")
        .with("first_name", "Nia")
        .with("last_name", "Newcomer");
    let trip = oauth::sign_in(&device, "oauth_google", &consent).await;
    let user = match trip.result {
        FlowResult::SignedIn { user, new_user } => {
            assert!(new_user, "the identity made a new account");
            user
        }
        other => panic!("expected a sign-up, got {other:#?}"),
    };
    assert_eq!((user.first_name.as_deref(), user.last_name.as_deref()), (Some("Nia"), Some("Newcomer")));
    assert!(!user.password_enabled);
    assert_eq!(user.email_addresses.len(), 1);
    let email = &user.email_addresses[0];
    assert_eq!(email.email_address, "newcomer@example.com");
    assert_eq!(user.primary_email_address_id.as_deref(), Some(email.id.as_str()));
    let verification = email.verification.as_ref().expect("verified");
    assert_eq!(
        (verification.status, verification.strategy.as_str()),
        (VerificationStatus::Verified, "from_oauth_google")
    );
    let accounts = user.verified_external_accounts();
    assert_eq!(accounts.len(), 1);
    assert_eq!(accounts[0].email_address, "newcomer@example.com");
    assert_eq!(accounts[0].approved_scopes(), ["openid", "email", "profile"]);

    // The only way in cannot be removed.
    let refused = device.destroy_external_account(&accounts[0].id).await.expect_err("last way in");
    assert_eq!((refused.status(), refused.code()), (Some(400), "identification_deletion_failed"));

    // Signing in again is the same person.
    device.sign_out().await.expect("signed out");
    let again = oauth::sign_in(&device, "oauth_google", &consent).await;
    match again.result {
        FlowResult::SignedIn { user: again, new_user } => {
            assert!(!new_user);
            assert_eq!(again.id, user.id);
        }
        other => panic!("expected a sign-in, got {other:#?}"),
    }
}

#[tokio::test]
async fn an_address_the_provider_did_not_verify_stays_unverified() {
    let server = TestServer::start().await;
    let device = server.client();
    let consent = Consent::approve().with("email", "unsure@example.com").untick("email_verified");
    let trip = oauth::sign_in(&device, "oauth_linkedin", &consent).await;
    let FlowResult::SignedIn { user, new_user: true } = trip.result else {
        panic!("expected a sign-up, got {:#?}", trip.result);
    };
    let email = &user.email_addresses[0];
    assert_eq!(email.email_address, "unsure@example.com");
    let verification = email.verification.as_ref().expect("verification");
    assert_eq!(
        (verification.status, verification.strategy.as_str()),
        (VerificationStatus::Unverified, "from_oauth_linkedin")
    );
    assert_eq!(user.primary_email_address_id, None, "an unverified address is not primary");
}

#[tokio::test]
async fn the_transfer_step_by_step_and_its_refusals() {
    let server = TestServer::start().await;
    let raw = server.raw();
    // No OAuth sign-in: nothing to transfer.
    let fresh = raw.form(Method::POST, "/v1/client/sign_ups", None, "transfer=true").await;
    assert_eq!((fresh.status, fresh.code()), (StatusCode::BAD_REQUEST, "transfer_unavailable"));
    let token = fresh.token.clone().expect("a new client");

    // An OAuth sign-in of a new identity: transferable after the round trip.
    let started = raw
        .form(
            Method::POST,
            "/v1/client/sign_ins",
            Some(&token),
            "strategy=oauth_tiktok&redirect_url=dev.userdesk.app%3A%2F%2Foauth-callback%3Fflow%3Dabc",
        )
        .await;
    assert_eq!(started.status, StatusCode::OK, "{}", started.body);
    let sign_in_id = started.body["response"]["id"].as_str().expect("id").to_owned();
    let url = started.body["response"]["first_factor_verification"]["external_verification_redirect_url"]
        .as_str()
        .expect("url")
        .to_owned();
    let mut browser = Browser::new();
    let deep_link = browser.round_trip(&url, &Consent::approve()).await.deep_link().to_owned();
    assert!(
        deep_link.starts_with("dev.userdesk.app://oauth-callback?flow=abc&rotating_token_nonce="),
        "{deep_link}"
    );
    let nonce = query_param(&deep_link, "rotating_token_nonce").expect("nonce");
    let read = raw
        .get(&format!("/v1/client/sign_ins/{sign_in_id}?rotating_token_nonce={nonce}"), Some(&token))
        .await;
    assert_eq!(read.status, StatusCode::OK, "{}", read.body);
    assert_eq!(read.body["response"]["status"], "needs_first_factor");
    assert_eq!(read.body["response"]["first_factor_verification"]["status"], "transferable");
    assert_eq!(read.body["client"]["sign_in"]["id"], sign_in_id.as_str());

    // Other sign-up fields do not go with a transfer.
    let mixed = raw.form(Method::POST, "/v1/client/sign_ups", Some(&token), "transfer=true&password=x").await;
    assert_eq!((mixed.code(), mixed.param()), ("form_param_value_invalid", Some("password")));

    let transferred = raw.form(Method::POST, "/v1/client/sign_ups", Some(&token), "transfer=true").await;
    assert_eq!(transferred.status, StatusCode::OK, "{}", transferred.body);
    let sign_up = &transferred.body["response"];
    assert_eq!(sign_up["status"], "complete");
    assert_eq!(sign_up["email_address"], "meitanaka@tiktok.example");
    assert_eq!(sign_up["verifications"]["email_address"]["strategy"], "from_oauth_tiktok");
    assert_eq!(sign_up["verifications"]["external_account"]["status"], "verified");
    let session = sign_up["created_session_id"].as_str().expect("a session");
    assert_eq!(transferred.body["client"]["last_active_session_id"], session);

    // Done once: now signed in, so no second transfer.
    let again = raw.form(Method::POST, "/v1/client/sign_ups", Some(&token), "transfer=true").await;
    assert_eq!((again.status, again.code()), (StatusCode::BAD_REQUEST, "session_exists"));
}

#[tokio::test]
async fn a_new_identity_whose_email_is_taken_is_not_merged() {
    let server = TestServer::start().await;
    let device = server.client();
    let trip_error = {
        let flows = oauth::flows();
        let (flow_id, redirect_url) = flows.start(FlowKind::SignIn { strategy: "oauth_facebook".into() });
        let sign_in = device.sign_in_with_oauth("oauth_facebook", &redirect_url).await.expect("started");
        flows.attach_sign_in(&flow_id, &sign_in.id);
        let url = sign_in
            .first_factor_verification
            .and_then(|v| v.external_verification_redirect_url)
            .expect("url");
        let mut browser = Browser::new();
        let deep_link = browser
            .round_trip(&url, &Consent::approve().with("email", DEMO_EMAIL))
            .await
            .deep_link()
            .to_owned();
        let flow = flows.accept(&deep_link).expect("accepted");
        match device.complete_flow(&flow).await {
            Ok(FlowResult::SignInFailed { error }) => error,
            other => panic!("expected the sign-up to be refused, got {other:?}"),
        }
    };
    assert_eq!(
        (trip_error.code.as_str(), trip_error.param_name()),
        ("form_identifier_exists", Some("email_address"))
    );
    assert!(device.me().await.is_err(), "not signed in");
}

#[tokio::test]
async fn denied_and_failed_sign_ins_report_the_error() {
    let server = TestServer::start().await;
    let device = server.client();
    for (consent, code) in [
        (Consent::deny(), "oauth_access_denied"),
        (Consent::approve().simulate("token_error"), "oauth_token_exchange_error"),
        (Consent::approve().simulate("userinfo_garbage"), "oauth_fetch_user_error"),
    ] {
        let trip = oauth::sign_in(&device, "oauth_twitter", &consent).await;
        match &trip.result {
            FlowResult::SignInFailed { error } => assert_eq!(error.code, code),
            other => panic!("expected a failure, got {other:#?}"),
        }
        let sign_in_id = trip.flow.sign_in_id.clone().expect("the sign-in");
        let sign_in = device.sign_in_after_redirect(&sign_in_id, None).await.expect("read");
        let factor = sign_in.first_factor_verification.expect("factor");
        assert_eq!(factor.status, VerificationStatus::Failed);
        assert_eq!(factor.error.map(|e| e.code).as_deref(), Some(code));
        assert!(device.me().await.is_err(), "not signed in");
    }
}

#[tokio::test]
async fn sign_in_refusals() {
    let server = TestServer::start().await;
    let signed_in = server.demo_client().await;
    let busy = signed_in.sign_in_with_oauth("oauth_github", "dev.userdesk.app://oauth-callback?flow=x").await;
    assert_eq!(busy.expect_err("single session").code(), "session_exists");

    let device = server.client();
    let unknown = device
        .sign_in_with_oauth("oauth_nope", "dev.userdesk.app://oauth-callback")
        .await
        .expect_err("unknown");
    assert_eq!((unknown.code(), unknown.field()), ("form_param_value_invalid", Some("strategy")));
    let evil = device.sign_in_with_oauth("oauth_github", "https://evil.example/cb").await.expect_err("evil");
    assert_eq!((evil.code(), evil.field()), ("form_param_value_invalid", Some("redirect_url")));
    let raw = server.raw();
    let with_password = raw
        .form(
            Method::POST,
            "/v1/client/sign_ins",
            None,
            "strategy=oauth_github&redirect_url=userdesk%3A%2F%2Fx&password=p",
        )
        .await;
    assert_eq!((with_password.code(), with_password.param()), ("form_param_value_invalid", Some("password")));
    let no_redirect = raw.form(Method::POST, "/v1/client/sign_ins", None, "strategy=oauth_github").await;
    assert_eq!((no_redirect.code(), no_redirect.param()), ("form_param_missing", Some("redirect_url")));
}

#[tokio::test]
async fn a_user_with_two_step_verification_continues_to_the_second_factor() {
    let server = TestServer::start_with(|config| config.resend_cooldown = std::time::Duration::ZERO).await;
    let owner = server.demo_client().await;
    verify_second_factor_phone(&server, &owner).await;
    let connected = oauth::connect(&owner, "oauth_gitlab", &[], &Consent::approve()).await;
    assert!(matches!(connected.result, FlowResult::AccountVerified { .. }));

    let device = server.client();
    let trip = oauth::sign_in(&device, "oauth_gitlab", &Consent::approve()).await;
    let FlowResult::NeedsSecondFactor { sign_in } = trip.result else {
        panic!("expected the second-factor step: {:#?}", trip.result);
    };
    assert_eq!(sign_in.status, SignInStatus::NeedsSecondFactor);
    assert_eq!(sign_in.created_session_id, None);
    assert_eq!(sign_in.first_factor_verification.map(|v| v.status), Some(VerificationStatus::Verified));
    let factors = sign_in.supported_second_factors.unwrap_or_default();
    let phone = factors.iter().find(|factor| factor.strategy == "phone_code").expect("the phone is offered");
    assert!(device.me().await.is_err(), "no session without the second factor");

    // The person enters the SMS code on the device the provider signed in.
    let phone_number_id = phone.phone_number_id.as_deref().expect("phone id");
    device
        .prepare_second_factor(&sign_in.id, SecondFactor::PhoneCode, Some(phone_number_id))
        .await
        .expect("sms");
    let code = server.latest_code("+14155550132").await;
    let done = device.attempt_second_factor(&sign_in.id, SecondFactor::PhoneCode, &code).await.expect("code");
    assert_eq!(done.status, SignInStatus::Complete);
    assert_eq!(
        device.me().await.expect("signed in").primary_email_address().map(|e| e.email_address.as_str()),
        Some(DEMO_EMAIL)
    );
}

/// Turns on two-step verification for the signed-in user with a verified phone number.
async fn verify_second_factor_phone(server: &TestServer, client: &userdesk_fapi::Client) {
    let phone = client.create_phone_number("+14155550132").await.expect("phone");
    client.prepare_phone_verification(&phone.id).await.expect("prepare");
    let code = server.latest_code("+14155550132").await;
    client.attempt_phone_verification(&phone.id, &code).await.expect("verified");
    client.set_reserved_for_second_factor(&phone.id, true).await.expect("reserved");
    assert!(client.me().await.expect("me").two_factor_enabled);
}

#[tokio::test]
async fn a_locked_account_is_not_signed_in_through_its_provider_either() {
    let server = TestServer::start_with(|config| config.lockout_max_attempts = 2).await;
    let owner = server.demo_client().await;
    let connected = oauth::connect(&owner, "oauth_github", &[], &Consent::approve()).await;
    assert!(matches!(connected.result, FlowResult::AccountVerified { .. }));
    // Someone guesses the password until the account locks.
    for _ in 0..2 {
        server.client().sign_in_with_password(DEMO_EMAIL, "a wrong guess").await.expect_err("wrong");
    }

    let device = server.client();
    let trip = oauth::sign_in(&device, "oauth_github", &Consent::approve()).await;
    match &trip.result {
        FlowResult::SignInFailed { error } => assert_eq!(error.code, "user_locked"),
        other => panic!("a locked account must not sign in: {other:#?}"),
    }
    assert!(device.me().await.is_err(), "not signed in");
}
