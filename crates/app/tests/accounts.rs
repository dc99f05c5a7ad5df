//! Several accounts side by side: on two instances (each a userdesk-server of its own, reached by
//! URL as a Clerk instance is) and on one (the embedded server). Switching needs no sign-in, each
//! account keeps its own token and session, a deep link completes in the account that started
//! it, one account can go without touching the others, and the same person is not added twice.

mod common;

use common::browser::{Browser, Consent};
use common::{App, TestShell, DEMO_EMAIL, DEMO_PASSWORD};
use userdesk_app::{
    AccountSummary, Event, InstanceSetting, OAuthOutcome, Settings, SignInResult, SignUpForm, SignUpStep,
};
use userdesk_fapi::{Client, MemoryTokenStore, TokenStore, UpdateUserParams};
use userdesk_server::{Config, RunningServer};

async fn instance(dir: &std::path::Path) -> RunningServer {
    userdesk_server::start(Config::new(dir.to_path_buf())).await.expect("the instance starts")
}

fn on(server: &RunningServer) -> Settings {
    Settings { instance: InstanceSetting::FapiUrl { url: server.url() }, ..Settings::default() }
}

async fn sign_in(app: &App, email: &str, password: &str) -> userdesk_fapi::models::User {
    match app.controller.sign_in(email, password).await.expect("signed in") {
        SignInResult::Complete { user } => *user,
        other => panic!("expected a complete sign-in, got {other:?}"),
    }
}

/// The demo account signed in on another device of `server`.
async fn other_device(server: &RunningServer) -> Client {
    let client = Client::builder(server.url().parse().expect("url"))
        .token_store(std::sync::Arc::new(MemoryTokenStore::default()))
        .build()
        .expect("client");
    client.sign_in_with_password(DEMO_EMAIL, DEMO_PASSWORD).await.expect("the other device signs in");
    client
}

fn shown(accounts: &[AccountSummary]) -> &AccountSummary {
    accounts.iter().find(|account| account.active).expect("one account is shown")
}

/// The app said the person signed in again is already in Userdesk (and showed that account).
fn assert_told_already_in(app: &App) {
    let told = app.shell.take_events().into_iter().find_map(|event| match event {
        Event::AccountsChanged(changed) => changed.message,
        _ => None,
    });
    assert!(told.as_deref().is_some_and(|message| message.contains("already in Userdesk")), "{told:?}");
}

fn named<'a>(accounts: &'a [AccountSummary], name: &str) -> &'a AccountSummary {
    accounts
        .iter()
        .find(|account| account.person.as_ref().is_some_and(|person| person.name.starts_with(name)))
        .unwrap_or_else(|| panic!("no account named {name} in {accounts:?}"))
}

#[tokio::test]
async fn accounts_on_two_instances_switch_without_signing_in_and_one_goes_alone() {
    let dirs = (tempfile::tempdir().expect("dir"), tempfile::tempdir().expect("dir"));
    let (first, second) = (instance(dirs.0.path()).await, instance(dirs.1.path()).await);
    let shell = TestShell::default();
    let app = App::start_with_settings(tempfile::tempdir().expect("dir"), shell.clone(), on(&first)).await;
    let controller = app.controller.clone();
    sign_in(&app, DEMO_EMAIL, DEMO_PASSWORD).await;
    let ada = controller
        .update_profile(&UpdateUserParams { first_name: Some("Ada".into()), ..Default::default() })
        .await
        .expect("named");
    controller.current_user().await.expect("read");

    // Another instance in Settings: its sign-in screen, the first account still signed in.
    controller.save_settings(on(&second)).await.expect("the second instance answers");
    assert_eq!(controller.current_user().await.expect("read"), None, "a new account signs in first");
    let accounts = controller.accounts().await.expect("accounts");
    assert_eq!(accounts.len(), 2);
    assert!(shown(&accounts).person.is_none(), "the shown one is being added: {accounts:?}");
    sign_in(&app, DEMO_EMAIL, DEMO_PASSWORD).await;
    let bea = controller
        .update_profile(&UpdateUserParams { first_name: Some("Bea".into()), ..Default::default() })
        .await
        .expect("named");
    controller.current_user().await.expect("read");
    let accounts = controller.accounts().await.expect("accounts");
    let (ada_account, bea_account) = (named(&accounts, "Ada").clone(), named(&accounts, "Bea").clone());
    assert!(bea_account.active);
    assert_eq!(ada_account.instance_label, "127.0.0.1");
    assert_eq!(shell.desktop().tray.len(), 2, "the tray lists both");

    // Switching shows the other account as it is, with no sign-in; Settings follow it.
    controller.switch_account(&ada_account.id).await.expect("switched");
    assert_eq!(controller.current_user().await.expect("read").map(|u| u.id), Some(ada.id.clone()));
    assert_eq!(controller.settings().await.expect("settings"), on(&first));
    controller.switch_account(&bea_account.id).await.expect("switched");
    assert_eq!(controller.current_user().await.expect("read").map(|u| u.id), Some(bea.id.clone()));

    // A round trip Bea started completes in Bea's account, though Ada is shown when it returns.
    let started = controller.connect_external_account("oauth_github", &[]).await.expect("started");
    controller.switch_account(&ada_account.id).await.expect("switched");
    let link = Browser::new().round_trip(&started.authorization_url, &Consent::approve()).await;
    let ended = controller.complete_oauth(link.deep_link()).await.expect("a flow of this app");
    assert_eq!(ended.account_id, bea_account.id);
    let OAuthOutcome::AccountVerified { user, .. } = ended.outcome else {
        panic!("connected: {:?}", ended.outcome);
    };
    assert_eq!((user.id.as_str(), user.external_accounts.len()), (bea.id.as_str(), 1));
    let ada_now = controller.current_user().await.expect("read").expect("Ada still shown");
    assert!(ada_now.external_accounts.is_empty(), "nothing was connected to Ada");

    // The accounts outlive a restart, each still signed in.
    let app = app.restart().await;
    let controller = app.controller.clone();
    assert_eq!(controller.current_user().await.expect("read").map(|u| u.id), Some(ada.id.clone()));
    controller.switch_account(&bea_account.id).await.expect("switched after a restart");
    assert_eq!(controller.current_user().await.expect("read").map(|u| u.id), Some(bea.id.clone()));

    // Removing Bea signs her out there and forgets her token; Ada is shown and stays signed in.
    let accounts = controller.remove_account(&bea_account.id).await.expect("removed");
    assert_eq!(accounts.len(), 1);
    assert_eq!(shown(&accounts).id, ada_account.id);
    assert_eq!(controller.current_user().await.expect("read").map(|u| u.id), Some(ada.id.clone()));
    let kept = |prefix: &str| {
        let desktop = shell.desktop();
        let entries = desktop.keychain.iter().filter(|(name, _)| name.starts_with(prefix));
        entries.filter(|(_, entry)| entry.load().ok().flatten().is_some()).count()
    };
    assert_eq!(kept(&second.url()), 0, "Bea's token is forgotten");
    assert_eq!(kept(&format!("account-data/{}", second.url())), 0, "and what was kept of her");
    assert_eq!(kept(&first.url()), 1, "Ada's token stays");
    let elsewhere = other_device(&second).await;
    let sessions = elsewhere.get_sessions().await.expect("sessions");
    assert_eq!(sessions.len(), 1, "Bea's session in the app ended on her instance: {sessions:?}");

    app.stop().await;
    first.shutdown().await;
    second.shutdown().await;
}

/// A second person on the embedded server, signed up through the app.
async fn sign_up(app: &App, email: &str, first_name: &str) -> userdesk_fapi::models::User {
    let form = SignUpForm {
        email_address: Some(email.into()),
        password: Some("a long and unusual passphrase 42".into()),
        first_name: Some(first_name.into()),
        ..SignUpForm::default()
    };
    let SignUpStep::NeedsVerification { sign_up_id, strategy, .. } =
        app.controller.start_sign_up(form).await.expect("started")
    else {
        panic!("expected a code to verify");
    };
    let code = app.latest_code(email).await;
    match app.controller.verify_sign_up(&sign_up_id, strategy, &code).await.expect("verified") {
        SignUpStep::Complete { user } => *user,
        other => panic!("expected to be signed in, got {other:?}"),
    }
}

#[tokio::test]
async fn two_people_on_one_instance_each_keep_their_own_client_and_the_same_person_is_not_added_twice() {
    let (app, demo) = App::signed_in().await;
    let controller = app.controller.clone();
    controller.current_user().await.expect("read");
    let accounts = controller.add_account().await.expect("adding");
    assert_eq!(accounts.len(), 2);
    assert_eq!(controller.current_user().await.expect("read"), None, "the sign-in screen");

    // Leaving an account before it signed in drops it.
    let demo_account = accounts.iter().find(|a| !a.active).expect("the demo account").id.clone();
    let accounts = controller.switch_account(&demo_account).await.expect("back");
    assert_eq!(accounts.len(), 1, "the unfinished account went: {accounts:?}");

    controller.add_account().await.expect("adding");
    let grace = sign_up(&app, "grace@example.com", "Grace").await;
    controller.current_user().await.expect("read");
    let accounts = controller.accounts().await.expect("accounts");
    assert_eq!(accounts.len(), 2);
    let grace_account = named(&accounts, "Grace").id.clone();
    assert_eq!(shown(&accounts).id, grace_account);

    // Each has a session of its own, on a client of its own.
    let devices = controller.devices().await.expect("Grace's devices");
    assert_eq!(devices.sessions.len(), 1);
    controller.switch_account(&demo_account).await.expect("switched");
    assert_eq!(controller.current_user().await.expect("read").map(|u| u.id), Some(demo.id.clone()));
    let demo_devices = controller.devices().await.expect("the demo account's devices");
    assert_ne!(demo_devices.current_session_id, devices.current_session_id);

    // Signing the demo account in again as a new account shows the existing one instead.
    controller.add_account().await.expect("adding");
    app.shell.take_events();
    sign_in(&app, DEMO_EMAIL, DEMO_PASSWORD).await;
    assert_eq!(controller.current_user().await.expect("read").map(|u| u.id), Some(demo.id.clone()));
    let accounts = controller.accounts().await.expect("accounts");
    assert_eq!(accounts.len(), 2, "not added twice: {accounts:?}");
    assert_eq!(shown(&accounts).id, demo_account);
    assert_told_already_in(&app);
    let demo_devices_now = controller.devices().await.expect("devices");
    assert_eq!(demo_devices_now.sessions.len(), 1, "the second session was ended");

    // Signing out keeps the account, signed out, and shows the other one.
    let accounts = controller.sign_out().await.expect("signed out");
    assert_eq!(shown(&accounts).id, grace_account);
    assert!(accounts.iter().any(|a| a.id == demo_account && a.signed_out));
    assert_eq!(controller.current_user().await.expect("read").map(|u| u.id), Some(grace.id));
    app.stop().await;
}

#[tokio::test]
async fn the_watcher_reports_an_account_not_shown_and_its_session_ending_touches_no_other() {
    let dirs = (tempfile::tempdir().expect("dir"), tempfile::tempdir().expect("dir"));
    let (first, second) = (instance(dirs.0.path()).await, instance(dirs.1.path()).await);
    let app =
        App::start_with_settings(tempfile::tempdir().expect("dir"), TestShell::default(), on(&first)).await;
    let controller = app.controller.clone();
    let hidden = sign_in(&app, DEMO_EMAIL, DEMO_PASSWORD).await;
    controller.current_user().await.expect("read");
    controller.save_settings(on(&second)).await.expect("the second instance");
    let shown_user = sign_in(&app, DEMO_EMAIL, DEMO_PASSWORD).await;
    controller.current_user().await.expect("read");
    let accounts = controller.accounts().await.expect("accounts");
    let hidden_account = accounts.iter().find(|a| !a.active).expect("the hidden account").id.clone();
    controller.check_every_account().await; // the baseline: nothing in it is news
    assert!(app.shell.desktop().notices.is_empty());

    // A new device on the hidden account's instance: notified, and the notice opens that account.
    let elsewhere = other_device(&first).await;
    controller.check_every_account().await;
    let notices = std::mem::take(&mut app.shell.desktop().notices);
    assert_eq!(notices.len(), 1, "{notices:?}");
    assert_eq!(notices[0].account_id, hidden_account);
    app.shell.take_events();
    assert_eq!(controller.take_notice_section().await, Some(userdesk_app::NoticeSection::Devices));
    assert_eq!(shown(&controller.accounts().await.expect("accounts")).id, hidden_account);
    assert!(app.shell.take_events().iter().any(|e| matches!(e, Event::AccountsChanged(_))), "the UI is told");
    assert_eq!(controller.current_user().await.expect("read").map(|u| u.id), Some(hidden.id.clone()));

    // Back to the other account; the hidden one's session is ended from that device.
    let other_id = accounts.iter().find(|a| a.active).expect("shown").id.clone();
    controller.switch_account(&other_id).await.expect("switched");
    let own = elsewhere.session_id();
    for session in elsewhere.get_sessions().await.expect("sessions") {
        if Some(&session.id) != own.as_ref() {
            elsewhere.revoke_session(&session.id).await.expect("revoked");
        }
    }
    controller.check_every_account().await;
    let accounts = controller.accounts().await.expect("accounts");
    let ended = accounts.iter().find(|a| a.id == hidden_account).expect("still listed");
    assert!(ended.signed_out, "marked signed out: {ended:?}");
    assert!(ended.person.is_some(), "still named");
    assert!(!controller.take_session_ended(), "the shown account's session did not end");
    assert_eq!(controller.current_user().await.expect("read").map(|u| u.id), Some(shown_user.id));

    // Shown again, it asks for a sign-in; signing in clears the mark.
    controller.switch_account(&hidden_account).await.expect("switched");
    assert_eq!(controller.current_user().await.expect("read"), None);
    sign_in(&app, DEMO_EMAIL, DEMO_PASSWORD).await;
    controller.current_user().await.expect("read");
    let accounts = controller.accounts().await.expect("accounts");
    assert!(!accounts.iter().any(|a| a.signed_out), "{accounts:?}");
    assert_eq!(accounts.len(), 2);
    app.stop().await;
    first.shutdown().await;
    second.shutdown().await;
}

#[tokio::test]
async fn an_app_from_before_the_switcher_opens_signed_in_as_it_was() {
    let (app, demo) = App::signed_in().await;
    app.controller.current_user().await.expect("read");
    app.controller.shut_down().await;
    // What the app left before the switcher: no list, and a pointer to the account shown.
    let data = app.data.path().to_path_buf();
    std::fs::remove_file(data.join("accounts.json")).expect("the list");
    let pointer = data.join("accounts").join("embedded").join("last-account");
    std::fs::write(&pointer, &demo.id).expect("the pointer");

    let app = App::start_in(app.data, app.shell).await;
    assert_eq!(app.controller.current_user().await.expect("read").map(|u| u.id), Some(demo.id.clone()));
    let accounts = app.controller.accounts().await.expect("accounts");
    assert_eq!(accounts.len(), 1);
    assert!(accounts[0].active && accounts[0].person.is_some(), "{accounts:?}");
    assert!(!pointer.exists(), "the list names the account now");
    app.stop().await;
}

/// A person made through the instance's Backend API, with the password `long-enough-1`.
async fn create_user(server: &RunningServer, email: &str) {
    let reply = reqwest::Client::new()
        .post(format!("{}/v1/users", server.url()))
        .bearer_auth(server.secret_key())
        .json(&serde_json::json!({"email_address": [email], "password": "long-enough-1"}))
        .send()
        .await
        .expect("the Backend API answers");
    assert!(reply.status().is_success(), "{}", reply.text().await.unwrap_or_default());
}

#[tokio::test]
async fn on_a_multi_session_instance_accounts_share_one_client_each_with_its_own_session() {
    let dir = tempfile::tempdir().expect("dir");
    let config = Config { multi_session: true, ..Config::new(dir.path().to_path_buf()) };
    let server = userdesk_server::start(config).await.expect("the instance starts");
    create_user(&server, "ada@example.com").await;
    let shell = TestShell::default();
    let app = App::start_with_settings(tempfile::tempdir().expect("dir"), shell.clone(), on(&server)).await;
    let controller = app.controller.clone();
    let demo = sign_in(&app, DEMO_EMAIL, DEMO_PASSWORD).await;
    controller.current_user().await.expect("read");

    // A second person signs in beside the first, on the same client.
    controller.add_account().await.expect("adding");
    assert_eq!(controller.current_user().await.expect("read"), None, "the new account's sign-in screen");
    let ada = sign_in(&app, "ada@example.com", "long-enough-1").await;
    assert_eq!(controller.current_user().await.expect("read").map(|u| u.id), Some(ada.id.clone()));
    let accounts = controller.accounts().await.expect("accounts");
    assert_eq!(accounts.len(), 2);
    let ada_account = shown(&accounts).id.clone();
    let demo_account = accounts.iter().find(|a| !a.active).expect("demo's account").id.clone();
    let devices = controller.devices().await.expect("Ada's devices");
    assert_eq!(devices.sessions.len(), 1, "Ada sees her own session only");
    let ada_session = devices.current_session_id.clone();
    let tokens = |prefix: String| {
        let desktop = shell.desktop();
        let entries = desktop.keychain.iter().filter(|(name, _)| name.starts_with(&prefix));
        entries.filter_map(|(_, entry)| entry.load().ok().flatten()).collect::<Vec<_>>()
    };
    assert_eq!(tokens(server.url()).len(), 1, "one client, one token: {:?}", tokens(server.url()));

    // Switching shows demo at once and makes demo's session the client's active one.
    controller.switch_account(&demo_account).await.expect("switched");
    assert_eq!(controller.current_user().await.expect("read").map(|u| u.id), Some(demo.id.clone()));
    let token = tokens(server.url()).pop().expect("the client's token");
    // The app's client, read from outside the app.
    let store = std::sync::Arc::new(MemoryTokenStore::default());
    store.save(&token).expect("stored");
    let client =
        Client::builder(server.url().parse().expect("url")).token_store(store).build().expect("client");
    let state = client.get_client().await.expect("the client").expect("known");
    assert_eq!(state.sessions.len(), 2);
    let demo_session = controller.devices().await.expect("demo's devices").current_session_id;
    assert!(demo_session.is_some() && demo_session != ada_session);
    assert_eq!(state.last_active_session_id, demo_session, "touched on the switch");

    // Signing demo in again as a new account shows demo's account instead: one session each.
    controller.add_account().await.expect("adding");
    app.shell.take_events();
    assert_eq!(sign_in(&app, DEMO_EMAIL, DEMO_PASSWORD).await.id, demo.id);
    let accounts = controller.accounts().await.expect("accounts");
    assert_eq!(accounts.len(), 2, "not added twice: {accounts:?}");
    assert_eq!(shown(&accounts).id, demo_account);
    assert_told_already_in(&app);

    // After a restart each account still names its own session.
    let app = app.restart().await;
    let controller = app.controller.clone();
    assert_eq!(controller.current_user().await.expect("read").map(|u| u.id), Some(demo.id.clone()));
    controller.switch_account(&ada_account).await.expect("switched after a restart");
    assert_eq!(controller.current_user().await.expect("read").map(|u| u.id), Some(ada.id.clone()));

    // Removing Ada ends her session only; the client and demo's session stay.
    let accounts = controller.remove_account(&ada_account).await.expect("removed");
    assert_eq!(accounts.len(), 1);
    assert_eq!(controller.current_user().await.expect("read").map(|u| u.id), Some(demo.id.clone()));
    assert_eq!(tokens(server.url()).len(), 1, "the shared client's token stays");
    let state = client.get_client().await.expect("the client").expect("known");
    let active = state.sessions.iter().filter(|s| s.status == userdesk_fapi::models::SessionStatus::Active);
    assert_eq!(active.count(), 1, "Ada's session went, demo's stayed: {:?}", state.sessions);

    app.stop().await;
    server.shutdown().await;
}

#[tokio::test]
async fn a_token_the_person_asked_for_is_notified_when_it_expires() {
    let dir = tempfile::tempdir().expect("dir");
    // A Hasura template whose tokens live two seconds, so that one expires while the test waits.
    let hasura = userdesk_server::JwtTemplate {
        lifetime: std::time::Duration::from_secs(2),
        ..userdesk_server::JwtTemplate::hasura()
    };
    let config = Config {
        jwt_templates: vec![userdesk_server::JwtTemplate::clerk(), hasura],
        ..Config::new(dir.path().to_path_buf())
    };
    let server = userdesk_server::start(config).await.expect("the instance starts");
    let shell = TestShell::default();
    let app = App::start_with_settings(tempfile::tempdir().expect("dir"), shell.clone(), on(&server)).await;
    let controller = app.controller.clone();
    sign_in(&app, DEMO_EMAIL, DEMO_PASSWORD).await;
    let account = shown(&controller.accounts().await.expect("accounts")).id.clone();

    let token = controller.get_token(userdesk_fapi::TokenService::Hasura).await.expect("a token");
    let expires_at = token.expires_at.expect("it expires");
    assert!(shell.desktop().notices.is_empty(), "nothing to say while it is valid");

    let mut notices = Vec::new();
    for _ in 0..100 {
        notices = std::mem::take(&mut shell.desktop().notices);
        if !notices.is_empty() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).expect("clock").as_millis();
    assert!(i64::try_from(now).expect("ms") >= expires_at, "not before it expired");
    assert_eq!(notices.len(), 1, "one notice: {notices:?}");
    assert!(notices[0].body.contains("hasura"), "{:?}", notices[0]);
    assert_eq!(notices[0].account_id, account);
    assert_eq!(controller.take_notice_section().await, Some(userdesk_app::NoticeSection::Tokens));

    app.stop().await;
    server.shutdown().await;
}
