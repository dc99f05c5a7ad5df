//! Connected accounts through the whole loop, as the app does it: `FlowRegistry` deep links,
//! `userdesk-fapi`'s client, and a browser at the development provider's consent page.

mod common;

use common::browser::{Browser, Consent};
use common::oauth::{self, authorize_url, query_param, start_connect};
use common::TestServer;
use reqwest::{Method, StatusCode};
use userdesk_fapi::models::{ExternalAccount, VerificationStatus};
use userdesk_fapi::native_flow::FlowOutcome;
use userdesk_fapi::FlowResult;

#[track_caller]
fn verified(result: &FlowResult) -> &ExternalAccount {
    match result {
        FlowResult::AccountVerified { external_account, .. } => external_account,
        other => panic!("expected a verified account, got {other:#?}"),
    }
}

#[track_caller]
fn failed(result: &FlowResult) -> (&str, Option<&ExternalAccount>) {
    match result {
        FlowResult::AccountFailed { error, external_account, .. } => {
            (error.code.as_str(), external_account.as_ref())
        }
        other => panic!("expected a failed account, got {other:#?}"),
    }
}

fn status(account: &ExternalAccount) -> VerificationStatus {
    account.verification.as_ref().expect("a verification").status
}

#[tokio::test]
async fn connecting_verifies_the_account_with_the_providers_identity() {
    let server = TestServer::start().await;
    let client = server.demo_client().await;
    let flows = oauth::flows();

    // At once: unverified, with the provider's authorization URL.
    let account = start_connect(&client, &flows, "oauth_github", &["repo"]).await;
    assert_eq!(account.provider, "oauth_github");
    assert_eq!(status(&account), VerificationStatus::Unverified);
    assert!(account.identification_id.starts_with("idn_") && account.id.starts_with("eac_"));
    assert_eq!(account.provider_user_id, "", "nothing is linked yet");
    let url = authorize_url(&account);
    assert!(url.starts_with(&format!("{}/dev/oauth/github/authorize?", server.url)), "{url}");
    assert_eq!(query_param(&url, "response_type").as_deref(), Some("code"));
    assert_eq!(query_param(&url, "client_id").as_deref(), Some("userdesk-dev-github"));
    assert_eq!(query_param(&url, "redirect_uri"), Some(format!("{}/v1/oauth_callback", server.url)));
    assert_eq!(query_param(&url, "code_challenge_method").as_deref(), Some("S256"));
    assert_eq!(query_param(&url, "code_challenge").map(|c| c.len()), Some(43));
    assert!(query_param(&url, "state").is_some_and(|s| s.len() >= 32));
    assert_eq!(query_param(&url, "scope").as_deref(), Some("read:user user:email repo"));
    let user = client.me().await.expect("me");
    assert_eq!(user.unverified_external_accounts().len(), 1, "it is on the user immediately");

    // The browser round trip, then the deep link to the app.
    let mut browser = Browser::new();
    let deep_link = browser.round_trip(&url, &Consent::approve()).await.deep_link().to_owned();
    assert!(deep_link.starts_with("dev.userdesk.app://oauth-callback?flow="), "{deep_link}");
    assert!(query_param(&deep_link, "rotating_token_nonce").is_some(), "{deep_link}");
    let flow = flows.accept(&deep_link).expect("the app accepts its own flow");
    assert!(matches!(flow.outcome, FlowOutcome::Completed { rotating_token_nonce: Some(_) }));
    let result = client.complete_flow(&flow).await.expect("the result");
    let account = verified(&result);
    assert!(account.provider_user_id.starts_with("dev_"), "{}", account.provider_user_id);
    assert_eq!(account.email_address, "devokafor@github.example");
    assert_eq!((account.first_name.as_str(), account.last_name.as_str()), ("Devon", "Okafor"));
    assert_eq!(account.username.as_deref(), Some("devokafor"));
    assert!(account.avatar_url.starts_with(&format!("{}/dev/oauth/github/avatar.svg", server.url)));
    assert_eq!(account.approved_scopes(), ["read:user", "user:email", "repo"]);
    let verification = account.verification.as_ref().expect("verification");
    assert_eq!(verification.external_verification_redirect_url, None);
    assert_eq!(verification.error, None);
    let FlowResult::AccountVerified { user, .. } = &result else { unreachable!() };
    assert!(user.verified_external_accounts().iter().any(|a| a.id == account.id));
    assert!(user.unverified_external_accounts().is_empty());

    // The avatar is served.
    let avatar = reqwest::get(&account.avatar_url).await.expect("avatar");
    assert_eq!(avatar.headers()["content-type"], "image/svg+xml");
}

#[tokio::test]
async fn an_edited_identity_and_unticked_scopes_are_what_the_account_gets() {
    let server = TestServer::start().await;
    let client = server.demo_client().await;
    let consent = Consent::approve()
        .with("first_name", "Ada")
        .with("last_name", "Lovelace")
        .with("email", "Ada@Example.com")
        .with("username", "ada")
        .with("avatar_url", "")
        .untick("grant:openid");
    let trip = oauth::connect(&client, "oauth_google", &[], &consent).await;
    let account = verified(&trip.result);
    assert_eq!(account.email_address, "ada@example.com");
    assert_eq!((account.first_name.as_str(), account.last_name.as_str()), ("Ada", "Lovelace"));
    assert_eq!(account.username.as_deref(), Some("ada"));
    assert_eq!(account.avatar_url, "");
    assert_eq!(account.approved_scopes(), ["email", "profile"]);
}

#[tokio::test]
async fn denying_leaves_an_unverified_account_with_oauth_access_denied_and_a_retry_fixes_it() {
    let server = TestServer::start().await;
    let client = server.demo_client().await;
    let trip = oauth::connect(&client, "oauth_discord", &[], &Consent::deny()).await;
    assert!(trip.deep_link.contains("flow="), "the app's parameter is kept: {}", trip.deep_link);
    assert_eq!(query_param(&trip.deep_link, "__clerk_status").as_deref(), Some("failed"));
    assert_eq!(query_param(&trip.deep_link, "__clerk_error_code").as_deref(), Some("oauth_access_denied"));
    assert_eq!(query_param(&trip.deep_link, "rotating_token_nonce"), None);
    let (code, account) = failed(&trip.result);
    assert_eq!(code, "oauth_access_denied");
    let account = account.expect("the account is still there");
    assert_eq!(status(account), VerificationStatus::Failed);
    assert_eq!(account.provider_user_id, "", "nothing half-linked");
    assert_eq!(
        account.verification.as_ref().and_then(|v| v.external_verification_redirect_url.clone()),
        None
    );
    let FlowResult::AccountFailed { user, .. } = &trip.result else { unreachable!() };
    assert_eq!(user.unverified_external_accounts().len(), 1);
    assert!(user.verified_external_accounts().is_empty());

    // Connecting again replaces the failed try.
    let retry = oauth::connect(&client, "oauth_discord", &[], &Consent::approve()).await;
    verified(&retry.result);
    let user = client.me().await.expect("me");
    assert_eq!(user.external_accounts.len(), 1, "{:#?}", user.external_accounts);
    assert_eq!(user.verified_external_accounts().len(), 1);
}

#[tokio::test]
async fn provider_failures_are_reported_and_link_nothing() {
    let server = TestServer::start().await;
    let client = server.demo_client().await;
    for (simulate, code) in [
        ("token_error", "oauth_token_exchange_error"),
        ("token_garbage", "oauth_token_exchange_error"),
        ("userinfo_error", "oauth_fetch_user_error"),
        ("userinfo_garbage", "oauth_fetch_user_error"),
    ] {
        let trip = oauth::connect(&client, "oauth_gitlab", &[], &Consent::approve().simulate(simulate)).await;
        assert_eq!(query_param(&trip.deep_link, "__clerk_error_code").as_deref(), Some(code), "{simulate}");
        let (reported, account) = failed(&trip.result);
        assert_eq!(reported, code, "{simulate}");
        let account = account.expect("the account");
        assert_eq!(status(account), VerificationStatus::Failed);
        assert_eq!(account.provider_user_id, "");
        assert_eq!(account.email_address, "");
        let error = account
            .verification
            .as_ref()
            .and_then(|v| v.error.as_ref())
            .expect("the error is on the account");
        assert!(error.long_message.contains("GitLab"), "{}", error.long_message);
    }
    // A failed account can be removed.
    let user = client.me().await.expect("me");
    assert_eq!(user.external_accounts.len(), 1, "retries replace the failed account");
    let id = user.external_accounts[0].id.clone();
    client.destroy_external_account(&id).await.expect("removed");
    assert!(client.me().await.expect("me").external_accounts.is_empty());
}

#[tokio::test]
async fn reauthorizing_grows_the_scopes_and_a_failure_keeps_the_link() {
    let server = TestServer::start().await;
    let client = server.demo_client().await;
    let connected = oauth::connect(&client, "oauth_github", &[], &Consent::approve()).await;
    let account = verified(&connected.result).clone();
    assert_eq!(account.approved_scopes(), ["read:user", "user:email"]);

    let grown = oauth::reauthorize(&client, &account.id, &["repo", "gist"], &Consent::approve()).await;
    let scopes = {
        let url = &grown.authorize_url;
        query_param(url, "scope").expect("scope")
    };
    assert_eq!(scopes, "read:user user:email repo gist", "current + additional");
    let after = verified(&grown.result);
    assert_eq!(after.id, account.id);
    assert_eq!(after.approved_scopes(), ["read:user", "user:email", "repo", "gist"]);
    assert_eq!(after.provider_user_id, account.provider_user_id);

    // Denied: the verification says so; the identity and scopes stay.
    let denied = oauth::reauthorize(&client, &account.id, &["delete_repo"], &Consent::deny()).await;
    let (code, still) = failed(&denied.result);
    assert_eq!(code, "oauth_access_denied");
    let still = still.expect("the account stays");
    assert_eq!(status(still), VerificationStatus::Failed);
    assert_eq!(still.provider_user_id, account.provider_user_id, "still linked");
    assert_eq!(still.approved_scopes(), ["read:user", "user:email", "repo", "gist"]);

    // Someone else at the provider: refused, nothing changes.
    let other = Consent::approve().with("email", "someone.else@example.com");
    let mismatch = oauth::reauthorize(&client, &account.id, &[], &other).await;
    let (code, still) = failed(&mismatch.result);
    assert_eq!(code, "external_account_identity_mismatch");
    assert_eq!(still.expect("account").email_address, "devokafor@github.example");

    // And a good reauthorization verifies it again.
    let again = oauth::reauthorize(&client, &account.id, &[], &Consent::approve()).await;
    assert_eq!(verified(&again.result).approved_scopes().len(), 4);
}

#[tokio::test]
async fn removing_an_account() {
    let server = TestServer::start().await;
    let client = server.demo_client().await;
    let trip = oauth::connect(&client, "oauth_twitch", &[], &Consent::approve()).await;
    let id = verified(&trip.result).id.clone();
    let deleted = client.destroy_external_account(&id).await.expect("removed");
    assert!(deleted.deleted);
    assert_eq!(deleted.object, "external_account");
    assert!(client.me().await.expect("me").external_accounts.is_empty());
    let again = client.destroy_external_account(&id).await.expect_err("gone");
    assert_eq!((again.status(), again.code()), (Some(404), "resource_not_found"));

    // Another user's account is not found either.
    let theirs = oauth::connect(&client, "oauth_twitch", &[], &Consent::approve()).await;
    let theirs = verified(&theirs.result).id.clone();
    let other = server.user_client("other@example.com", None).await;
    let refused = other.destroy_external_account(&theirs).await.expect_err("not theirs");
    assert_eq!(refused.status(), Some(404));
    // And the identity, once removed, can be connected by someone else.
    client.destroy_external_account(&theirs).await.expect("removed");
    verified(&oauth::connect(&other, "oauth_twitch", &[], &Consent::approve()).await.result);
}

#[tokio::test]
async fn an_identity_already_linked_is_refused_with_external_account_exists() {
    let server = TestServer::start().await;
    let first = server.demo_client().await;
    let linked = oauth::connect(&first, "oauth_microsoft", &[], &Consent::approve()).await;
    verified(&linked.result);

    let second = server.user_client("second@example.com", None).await;
    let trip = oauth::connect(&second, "oauth_microsoft", &[], &Consent::approve()).await;
    let (code, account) = failed(&trip.result);
    assert_eq!(code, "external_account_exists");
    let account = account.expect("the failed try is shown");
    assert_eq!(account.provider_user_id, "", "not linked to the second user");
    let error = account.verification.as_ref().and_then(|v| v.error.clone()).expect("error");
    assert!(error.long_message.contains("another user"), "{}", error.long_message);

    // The same person connecting it twice is told it is theirs already.
    let twice = oauth::connect(&first, "oauth_microsoft", &[], &Consent::approve()).await;
    let (code, account) = failed(&twice.result);
    assert_eq!(code, "external_account_exists");
    let error = account.and_then(|a| a.verification.clone()).and_then(|v| v.error).expect("error");
    assert!(error.long_message.contains("your account"), "{}", error.long_message);
    assert_eq!(first.me().await.expect("me").verified_external_accounts().len(), 1);
}

#[tokio::test]
async fn state_is_single_use() {
    let server = TestServer::start().await;
    let client = server.demo_client().await;
    let trip = oauth::connect(&client, "oauth_notion", &[], &Consent::approve()).await;
    verified(&trip.result);
    let callback = trip.browser.callback_url().expect("the browser went through the callback").to_owned();

    // The same callback again (a replay): refused, not redirected.
    let mut browser = Browser::new();
    let replay = browser.visit(&callback).await;
    let (_, status, body) = replay.page();
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body.contains("already"), "{body}");
    let json = server.raw().send(server.raw().http.get(&callback)).await;
    assert_eq!((json.status, json.code()), (StatusCode::BAD_REQUEST, "oauth_state_invalid"));
    // The replay changed nothing.
    let user = client.me().await.expect("me");
    assert_eq!(user.verified_external_accounts().len(), 1);
}

#[tokio::test]
async fn forged_and_missing_states_are_refused() {
    let server = TestServer::start().await;
    let raw = server.raw();
    for query in
        ["state=forged&code=abc", "code=abc", "state=&code=abc", "state=a&state=b", "error=access_denied"]
    {
        let url = format!("{}/v1/oauth_callback?{query}", server.url);
        let reply = raw.send(raw.http.get(&url)).await;
        assert_eq!((reply.status, reply.code()), (StatusCode::BAD_REQUEST, "oauth_state_invalid"), "{query}");
        assert_eq!(reply.headers.get("location"), None);
    }
    // A forged state with a real account under way changes nothing on it.
    let client = server.demo_client().await;
    let account = start_connect(&client, &oauth::flows(), "oauth_hubspot", &[]).await;
    let forged =
        format!("{}/v1/oauth_callback?state=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA&code=x", server.url);
    assert_eq!(raw.send(raw.http.get(&forged)).await.status, StatusCode::BAD_REQUEST);
    let user = client.me().await.expect("me");
    assert_eq!(status(&user.external_accounts[0]), VerificationStatus::Unverified);
    assert_eq!(user.external_accounts[0].id, account.id);
}

#[tokio::test]
async fn a_newer_round_trip_replaces_an_older_one() {
    let server = TestServer::start().await;
    let client = server.demo_client().await;
    let flows = oauth::flows();
    let older = start_connect(&client, &flows, "oauth_dropbox", &[]).await;
    let newer = start_connect(&client, &flows, "oauth_dropbox", &[]).await;
    assert_ne!(older.id, newer.id);
    let mut browser = Browser::new();
    let landed = browser.round_trip(&authorize_url(&older), &Consent::approve()).await;
    let (_, status, _) = landed.page();
    assert_eq!(status, StatusCode::BAD_REQUEST, "the older state is gone with its account");
    let user = client.me().await.expect("me");
    assert_eq!(user.external_accounts.len(), 1);
    assert_eq!(user.external_accounts[0].id, newer.id);
}

#[tokio::test]
async fn an_expired_state_fails_the_round_trip() {
    let server =
        TestServer::start_with(|config| config.oauth_state_lifetime = std::time::Duration::ZERO).await;
    let client = server.demo_client().await;
    let flows = oauth::flows();
    let account = start_connect(&client, &flows, "oauth_bitbucket", &[]).await;
    assert_eq!(status(&account), VerificationStatus::Expired, "past its time at once");
    let mut browser = Browser::new();
    let deep_link =
        browser.round_trip(&authorize_url(&account), &Consent::approve()).await.deep_link().to_owned();
    assert_eq!(query_param(&deep_link, "__clerk_error_code").as_deref(), Some("verification_expired"));
    let flow = flows.accept(&deep_link).expect("accepted");
    let result = client.complete_flow(&flow).await.expect("read");
    let (code, account) = failed(&result);
    assert_eq!(code, "verification_expired");
    let account = account.expect("account");
    assert_eq!(status(account), VerificationStatus::Expired);
    assert_eq!(account.provider_user_id, "");
}

#[tokio::test]
async fn redirect_urls_must_be_the_apps_or_this_machines() {
    let server = TestServer::start().await;
    let client = server.demo_client().await;
    for bad in [
        "https://evil.example/callback",
        "other.app://oauth-callback",
        "http://192.168.1.2/cb",
        "javascript:alert(1)",
    ] {
        let error = client.create_external_account("oauth_github", bad, &[]).await.expect_err(bad);
        assert_eq!(
            (error.status(), error.code(), error.field()),
            (Some(422), "form_param_value_invalid", Some("redirect_url")),
            "{bad}"
        );
    }
    for good in [
        "dev.userdesk.app://oauth-callback?flow=x",
        "userdesk://cb",
        "http://127.0.0.1:1420/done?x=1",
        "http://localhost:1/",
    ] {
        client
            .create_external_account("oauth_github", good, &[])
            .await
            .unwrap_or_else(|e| panic!("{good}: {e}"));
    }
    let token = server.demo_token().await;
    let raw = server.raw();
    let reply = raw
        .form(
            Method::POST,
            "/v1/me/external_accounts",
            Some(&token),
            "strategy=oauth_github&redirect_url=userdesk%3A%2F%2Fcb&action_complete_redirect_url=https%3A%2F%2Fevil.example",
        )
        .await;
    assert_eq!(
        (reply.status, reply.code(), reply.param()),
        (StatusCode::UNPROCESSABLE_ENTITY, "form_param_value_invalid", Some("action_complete_redirect_url"))
    );
    let no_url =
        raw.form(Method::POST, "/v1/me/external_accounts", Some(&token), "strategy=oauth_github").await;
    assert_eq!((no_url.code(), no_url.param()), ("form_param_missing", Some("redirect_url")));
    let token_reauth = raw
        .form(
            Method::PATCH,
            "/v1/me/external_accounts/eac_missing/reauthorize",
            Some(&token),
            "redirect_url=userdesk%3A%2F%2Fcb",
        )
        .await;
    assert_eq!((token_reauth.status, token_reauth.code()), (StatusCode::NOT_FOUND, "resource_not_found"));
}

#[tokio::test]
async fn bad_requests_name_their_parameter() {
    let server = TestServer::start().await;
    let token = server.demo_token().await;
    let raw = server.raw();
    let path = "/v1/me/external_accounts";
    let cb = "redirect_url=userdesk%3A%2F%2Fcb";
    for (body, code, param) in [
        (format!("strategy=oauth_nope&{cb}"), "form_param_value_invalid", "strategy"),
        (format!("strategy=oauth_custom_acme&{cb}"), "form_param_value_invalid", "strategy"),
        (cb.to_owned(), "form_param_missing", "strategy"),
        (format!("strategy=oauth_github&{cb}&code=abc"), "form_param_value_invalid", "code"),
        (
            format!("strategy=oauth_github&{cb}&additional_scope=%22x%22"),
            "form_param_format_invalid",
            "additional_scope",
        ),
        (format!("strategy=oauth_github&{cb}&oidc_prompt=always"), "form_param_value_invalid", "oidc_prompt"),
        (format!("strategy=oauth_github&{cb}&nope=1"), "form_param_unknown", "nope"),
    ] {
        let reply = raw.form(Method::POST, path, Some(&token), body.clone()).await;
        assert_eq!(
            (reply.status, reply.code(), reply.param()),
            (StatusCode::UNPROCESSABLE_ENTITY, code, Some(param)),
            "{body}"
        );
    }
    // Signed out: 401.
    let fresh = raw.form(Method::POST, path, None, format!("strategy=oauth_github&{cb}")).await;
    assert_eq!(fresh.status, StatusCode::UNAUTHORIZED);
    // OIDC hints reach the provider.
    let hinted = raw
        .form(
            Method::POST,
            path,
            Some(&token),
            format!("strategy=oauth_google&{cb}&oidc_login_hint=a%40b.c&oidc_prompt=consent"),
        )
        .await;
    let url =
        hinted.body["response"]["verification"]["external_verification_redirect_url"].as_str().expect("url");
    assert_eq!(query_param(url, "login_hint").as_deref(), Some("a@b.c"));
    assert_eq!(query_param(url, "prompt").as_deref(), Some("consent"));
}

#[tokio::test]
async fn the_nonce_is_single_use_and_only_the_starting_clients() {
    let server = TestServer::start().await;
    let client = server.demo_client().await;
    let flows = oauth::flows();
    let account = start_connect(&client, &flows, "oauth_linkedin", &[]).await;
    let mut browser = Browser::new();
    let deep_link =
        browser.round_trip(&authorize_url(&account), &Consent::approve()).await.deep_link().to_owned();
    let nonce = query_param(&deep_link, "rotating_token_nonce").expect("nonce");

    let other = server.demo_client().await;
    let refused = other.me_after_redirect(Some(&nonce)).await.expect_err("another client's nonce");
    assert_eq!((refused.status(), refused.code()), (Some(400), "rotating_token_nonce_invalid"));
    let user = client.me_after_redirect(Some(&nonce)).await.expect("the starting client's nonce");
    assert_eq!(user.verified_external_accounts().len(), 1);
    let replayed = client.me_after_redirect(Some(&nonce)).await.expect_err("used");
    assert_eq!(replayed.code(), "rotating_token_nonce_invalid");
    let forged = client.me_after_redirect(Some("forged")).await.expect_err("forged");
    assert_eq!(forged.code(), "rotating_token_nonce_invalid");
    // Without one, the user reads as usual.
    client.me_after_redirect(None).await.expect("no nonce");
}

#[tokio::test]
async fn every_seed_provider_works_with_its_own_test_person() {
    let server = TestServer::start().await;
    let client = server.demo_client().await;
    let mut emails = Vec::new();
    for key in userdesk_fapi::models::OAUTH_PROVIDERS {
        let strategy = format!("oauth_{key}");
        let trip = oauth::connect(&client, &strategy, &[], &Consent::approve()).await;
        let account = verified(&trip.result);
        assert_eq!(account.provider, strategy);
        assert!(!account.first_name.is_empty());
        emails.push(account.email_address.clone());
    }
    emails.sort();
    emails.dedup();
    assert_eq!(emails.len(), 14, "a different person per provider");
    let user = client.me().await.expect("me");
    assert_eq!(user.verified_external_accounts().len(), 14);
}
