//! The library API the app uses: start, stop, refusals at startup.

use std::net::SocketAddr;

use userdesk_server::{Config, Error, Mode};

#[tokio::test]
async fn a_non_loopback_address_is_refused_before_anything_is_created() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut config = Config::new(dir.path().join("data"));
    config.addr = SocketAddr::from(([0, 0, 0, 0], 0));
    match userdesk_server::start(config).await {
        Err(Error::NonLoopbackAddr(addr)) => assert_eq!(addr.port(), 0),
        other => panic!("expected NonLoopbackAddr, got {other:?}"),
    }
    assert!(!dir.path().join("data").exists());
}

#[tokio::test]
async fn production_mode_has_no_demo_account_and_a_live_key() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut config = Config::new(dir.path());
    config.mode = Mode::Production;
    let server = userdesk_server::start(config).await.expect("starts");
    assert!(server.secret_key().starts_with("sk_live_"));
    assert!(server.url().starts_with("http://127.0.0.1:"));
    assert_eq!(server.local_addr().ip().to_string(), "127.0.0.1");
    let reply = reqwest::Client::new()
        .post(format!("{}/v1/client/sign_ins?_is_native=1", server.url()))
        .form(&[("identifier", userdesk_server::DEMO_EMAIL), ("password", userdesk_server::DEMO_PASSWORD)])
        .send()
        .await
        .expect("answers");
    assert_eq!(reply.status(), 422);
    let environment: serde_json::Value = reqwest::get(format!("{}/v1/environment", server.url()))
        .await
        .expect("answers")
        .json()
        .await
        .expect("json");
    assert_eq!(environment["display_config"]["instance_environment_type"], "production");
    server.shutdown().await;
}

#[tokio::test]
async fn after_shutdown_the_port_is_closed_and_the_data_dir_reopens() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("new-data-dir");
    let server = userdesk_server::start(Config::new(&data)).await.expect("starts");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&data).expect("stat").permissions().mode();
        assert_eq!(mode & 0o777, 0o700, "a new data directory is private");
    }
    assert!(data.join(userdesk_server::DATABASE_FILE).exists());
    let url = server.url();
    server.shutdown().await;
    assert!(reqwest::get(format!("{url}/v1/environment")).await.is_err(), "nothing listens any more");
    let again = userdesk_server::start(Config::new(&data)).await.expect("restarts on the same data");
    again.shutdown().await;
}

#[tokio::test]
async fn the_demo_account_comes_with_a_new_database_only() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = Config::desktop(dir.path());
    let secret = config.desktop_secret().expect("secret").to_owned();
    let server = userdesk_server::start(config).await.expect("starts");
    assert!(server.has_demo_account().await.expect("asks"), "the first start has it");
    // Its owner removes it.
    let client = userdesk_fapi::Client::builder(url::Url::parse(&server.url()).expect("url"))
        .header(userdesk_server::DESKTOP_SECRET_HEADER, &secret)
        .build()
        .expect("client");
    client
        .sign_in_with_password(userdesk_server::DEMO_EMAIL, userdesk_server::DEMO_PASSWORD)
        .await
        .expect("in");
    client.delete_user().await.expect("deleted");
    assert!(!server.has_demo_account().await.expect("asks"));
    server.shutdown().await;
    // An empty database that is not new stays empty.
    let server = userdesk_server::start(Config::desktop(dir.path())).await.expect("restarts");
    assert!(!server.has_demo_account().await.expect("asks"), "not brought back");
    server.shutdown().await;
}
