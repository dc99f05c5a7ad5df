//! The embedded server runs in desktop mode: the app's own client carries the per-launch
//! secret, anything else on the machine is answered 401, and the webview never sees the secret.

mod common;

use common::App;
use reqwest::StatusCode;

#[tokio::test]
async fn only_the_app_reaches_its_embedded_server() {
    let (app, user) = App::signed_in().await;
    let controller = &app.controller;
    let info = controller.app_info().await.unwrap();
    let base = info.instance.fapi_url.trim_end_matches('/').to_owned();

    // Another process on the machine: the same URLs, no secret.
    let stranger = reqwest::Client::new();
    for path in ["/v1/environment", "/v1/me?_is_native=1", "/dev/outbox"] {
        let reply = stranger.get(format!("{base}{path}")).send().await.unwrap();
        assert_eq!(reply.status(), StatusCode::UNAUTHORIZED, "{path}");
        assert!(reply.text().await.unwrap().is_empty(), "{path}: nothing else");
    }

    // The app itself works, the outbox included (in-process).
    assert_eq!(controller.current_user().await.unwrap(), Some(user));
    assert!(info.dev_outbox, "the outbox is still there for the app");
    controller.dev_outbox(Some(10)).await.unwrap();

    // Nothing the UI is given looks like the secret (64 hex characters).
    let shown = serde_json::to_string(&info).unwrap();
    let hex_run = shown.split(|c: char| !c.is_ascii_hexdigit()).map(str::len).max().unwrap_or(0);
    assert!(hex_run < 64, "{shown}");
    app.stop().await;
}
