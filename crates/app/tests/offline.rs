//! What the app keeps of the account and watches over: the read-only view when the instance
//! stops answering (and the live one when it is back), a damaged file ignored and rebuilt, the
//! new-device detector, the security log and the data export. The instance is a userdesk-server
//! of its own, reached by URL as a Clerk instance is, so the test can stop and start it.

mod common;

use std::sync::Arc;

use common::{App, TestShell, DEMO_EMAIL, DEMO_PASSWORD};
use userdesk_app::{ErrorCode, InstanceSetting, NoticeSection, SecurityEventKind, Settings, SignInResult};
use userdesk_fapi::{Client, MemoryTokenStore, UpdateUserParams};
use userdesk_server::{Config, RunningServer};

async fn instance(dir: &std::path::Path, addr: Option<std::net::SocketAddr>) -> RunningServer {
    let mut config = Config::new(dir.to_path_buf());
    if let Some(addr) = addr {
        config.addr = addr;
    }
    userdesk_server::start(config).await.expect("the instance starts")
}

async fn app_on(server: &RunningServer, data: tempfile::TempDir, shell: TestShell) -> App {
    let settings =
        Settings { instance: InstanceSetting::FapiUrl { url: server.url() }, ..Settings::default() };
    App::start_with_settings(data, shell, settings).await
}

async fn signed_in(app: &App) {
    match app.controller.sign_in(DEMO_EMAIL, DEMO_PASSWORD).await.expect("signed in") {
        SignInResult::Complete { .. } => {}
        other => panic!("expected a complete sign-in, got {other:?}"),
    }
}

/// Another device of the same person: a second client with a browser's user agent.
async fn other_device(server: &RunningServer) -> Client {
    let client = Client::builder(server.url().parse().expect("url"))
        .token_store(Arc::new(MemoryTokenStore::default()))
        .user_agent("Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0")
        .build()
        .expect("client");
    client.sign_in_with_password(DEMO_EMAIL, DEMO_PASSWORD).await.expect("the other device signs in");
    client
}

#[tokio::test]
async fn an_instance_that_stops_answering_opens_on_what_the_app_knew_until_it_is_back() {
    let dir = tempfile::tempdir().expect("temp dir");
    let server = instance(dir.path(), None).await;
    let addr = server.local_addr();
    let shell = TestShell::default();
    let app = app_on(&server, tempfile::tempdir().expect("temp dir"), shell.clone()).await;
    signed_in(&app).await;
    let user = app.controller.current_user().await.expect("read").expect("signed in");
    let devices = app.controller.devices().await.expect("devices");

    server.shutdown().await;
    let error = app.controller.current_user().await.expect_err("nobody answers");
    assert_eq!(error.code, ErrorCode::Network, "unreachable, not signed out: {error:?}");
    let view = app.controller.offline_view().await.expect("read").expect("the last account is kept");
    assert_eq!(view.user, user);
    assert_eq!(view.devices.as_ref().map(|d| d.sessions.len()), Some(devices.sessions.len()));
    assert!(view.devices.iter().flat_map(|d| &d.sessions).all(|s| s.last_active_token.is_none()));

    // A new start while the instance is still down opens on the same view.
    let data = app.data;
    app.controller.shut_down().await;
    let app = App::start_with_settings(
        data,
        shell,
        Settings {
            instance: InstanceSetting::FapiUrl { url: format!("http://{addr}") },
            ..Settings::default()
        },
    )
    .await;
    assert_eq!(app.controller.current_user().await.expect_err("still down").code, ErrorCode::Network);
    let view = app.controller.offline_view().await.expect("read").expect("kept across starts");
    assert_eq!(view.user.id, user.id);
    let sealed = std::fs::read_dir(app.data.path().join("accounts")).expect("the accounts' folder");
    for instance in sealed {
        for file in std::fs::read_dir(instance.expect("entry").path()).expect("files") {
            let bytes = std::fs::read(file.expect("file").path()).expect("read");
            let text = String::from_utf8_lossy(&bytes);
            assert!(!text.contains(DEMO_EMAIL), "the kept account is sealed, not readable on disk");
        }
    }

    // Back: the live user replaces what was kept.
    let server = instance(dir.path(), Some(addr)).await;
    let renamed = app
        .controller
        .update_profile(&UpdateUserParams { first_name: Some("Back".into()), ..Default::default() })
        .await
        .expect("the instance answers again");
    let live = app.controller.current_user().await.expect("live").expect("still signed in");
    assert_eq!(live.first_name.as_deref(), Some("Back"));
    assert_eq!(renamed.id, live.id);
    let view = app.controller.offline_view().await.expect("read").expect("kept");
    assert_eq!(view.user.first_name.as_deref(), Some("Back"), "the kept copy follows the live one");
    app.stop().await;
    server.shutdown().await;
}

#[tokio::test]
async fn a_damaged_file_is_ignored_and_rebuilt() {
    let dir = tempfile::tempdir().expect("temp dir");
    let server = instance(dir.path(), None).await;
    let app = app_on(&server, tempfile::tempdir().expect("temp dir"), TestShell::default()).await;
    signed_in(&app).await;
    let user = app.controller.current_user().await.expect("read").expect("signed in");
    let files: Vec<_> = walk(&app.data.path().join("accounts"))
        .into_iter()
        .filter(|path| path.extension().is_some_and(|e| e == "sealed"))
        .collect();
    assert_eq!(files.len(), 1, "one file for the one account");
    for damage in [&b""[..], b"udacct1\nshort", b"not even the format"] {
        std::fs::write(&files[0], damage).expect("damage it");
        assert!(app.controller.offline_view().await.expect("no failure").is_none(), "ignored");
        assert!(app.controller.security_log().await.expect("no failure").is_empty());
        app.controller.current_user().await.expect("read").expect("signed in");
        let view = app.controller.offline_view().await.expect("read").expect("rebuilt");
        assert_eq!(view.user, user);
    }
    app.stop().await;
    server.shutdown().await;
}

#[tokio::test]
async fn a_new_device_is_reported_once_and_this_one_never() {
    let dir = tempfile::tempdir().expect("temp dir");
    let server = instance(dir.path(), None).await;
    let app = app_on(&server, tempfile::tempdir().expect("temp dir"), TestShell::default()).await;
    signed_in(&app).await;
    app.controller.check_account().await.expect("first check");
    app.controller.check_account().await.expect("second check");
    assert!(
        app.shell.desktop().notices.is_empty(),
        "this device is not news: {:?}",
        app.shell.desktop().notices
    );

    let other = other_device(&server).await;
    app.controller.check_account().await.expect("check");
    let notices = std::mem::take(&mut app.shell.desktop().notices);
    assert_eq!(notices.len(), 1, "{notices:?}");
    assert_eq!(notices[0].section, NoticeSection::Devices);
    assert!(notices[0].body.contains("Firefox"), "names the device: {}", notices[0].body);
    assert_eq!(app.controller.take_notice_section().await, Some(NoticeSection::Devices));
    assert_eq!(app.controller.take_notice_section().await, None, "taken once");
    app.controller.check_account().await.expect("check again");
    app.controller.devices().await.expect("the Devices section reads them too");
    assert!(app.shell.desktop().notices.is_empty(), "reported once, not twice");

    // Signing out and in again here starts a new session on this device: still not news.
    app.controller.sign_out().await.expect("signed out");
    signed_in(&app).await;
    app.controller.check_account().await.expect("check");
    app.controller.check_account().await.expect("check");
    assert!(app.shell.desktop().notices.is_empty(), "{:?}", app.shell.desktop().notices);

    // The other device signs out and the password changes: both are logged, newest first.
    other.sign_out().await.expect("the other device signs out");
    app.controller.change_password(DEMO_PASSWORD, "a new long passphrase 42", false).await.expect("changed");
    app.controller.check_account().await.expect("check");
    let log = app.controller.security_log().await.expect("log");
    let kinds: Vec<_> = log.iter().map(|event| event.kind).collect();
    assert_eq!(
        kinds,
        vec![SecurityEventKind::DeviceSignedOut, SecurityEventKind::PasswordChanged],
        "{log:?}"
    );
    assert!(log[0].detail.contains("Firefox"));
    app.stop().await;
    server.shutdown().await;
}

#[tokio::test]
async fn a_session_revoked_elsewhere_signs_out_and_forgets_the_account() {
    let dir = tempfile::tempdir().expect("temp dir");
    let server = instance(dir.path(), None).await;
    let app = app_on(&server, tempfile::tempdir().expect("temp dir"), TestShell::default()).await;
    signed_in(&app).await;
    app.controller.current_user().await.expect("read").expect("signed in");
    let this_session =
        app.controller.devices().await.expect("devices").current_session_id.expect("a session");
    assert!(!app.controller.take_session_ended());

    let other = other_device(&server).await;
    other.revoke_session(&this_session).await.expect("revoked from the other device");
    assert_eq!(app.controller.current_user().await.expect("answers"), None);
    assert!(app.controller.take_session_ended(), "the UI says the session ended");
    assert!(!app.controller.take_session_ended(), "once");
    assert!(app.controller.offline_view().await.expect("read").is_none(), "nothing of it is kept");
    app.stop().await;
    server.shutdown().await;
}

#[tokio::test]
async fn the_export_holds_everything_the_account_shows() {
    let dir = tempfile::tempdir().expect("temp dir");
    let server = instance(dir.path(), None).await;
    let app = app_on(&server, tempfile::tempdir().expect("temp dir"), TestShell::default()).await;
    signed_in(&app).await;
    let user = app.controller.current_user().await.expect("read").expect("signed in");
    let target = app.data.path().join("export.json");
    app.shell.desktop().save_path = Some(target.clone());
    assert!(app.controller.export_account_data().await.expect("exported"));
    let export: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&target).expect("written")).expect("JSON");
    assert_eq!(export["profile"]["id"], user.id.as_str());
    assert_eq!(export["email_addresses"][0]["email_address"], DEMO_EMAIL);
    assert_eq!(export["sessions"].as_array().map(Vec::len), Some(1));
    assert!(export["sessions"][0].get("last_active_token").is_none(), "no live token in the file");
    assert!(export["connected_accounts"].is_array() && export["security_log"].is_array());
    assert_eq!(export["read_from_instance"], true);

    // Offline, the export is what the app knew, and says so.
    server.shutdown().await;
    let target = app.data.path().join("offline-export.json");
    app.shell.desktop().save_path = Some(target.clone());
    assert!(app.controller.export_account_data().await.expect("exported from what was kept"));
    let export: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&target).expect("written")).expect("JSON");
    assert_eq!(export["read_from_instance"], false);
    assert_eq!(export["profile"]["id"], user.id.as_str());
    assert!(!app.controller.export_account_data().await.expect("cancelled"), "the dialog was cancelled");
    app.stop().await;
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            found.extend(walk(&path));
        } else {
            found.push(path);
        }
    }
    found
}
