//! The app's URL scheme: OAuth round trips come back as `<scheme>://oauth-callback?flow=…`.
//! The scheme is declared once, in tauri.conf.json (`plugins.deep-link.desktop.schemes`).

use tauri::{App, AppHandle, Emitter, Manager, Runtime};
use tauri_plugin_deep_link::DeepLinkExt;

use crate::state::AppState;

/// The event the UI listens to for the end of a browser round trip.
pub const OAUTH_FINISHED_EVENT: &str = "oauth-finished";

/// The first scheme tauri.conf.json declares for desktop deep links.
pub fn scheme<R: Runtime>(app: &App<R>) -> Option<String> {
    let config = app.config().plugins.0.get("deep-link")?;
    let schemes = config.get("desktop")?.get("schemes")?.as_array()?;
    schemes.first()?.as_str().map(str::to_owned)
}

/// Listens for deep links: those that arrive while the app runs (a second launch forwards its
/// URL through the single-instance plugin) and the one that started it.
pub fn listen<R: Runtime>(app: &App<R>) {
    // Installed packages register the scheme through their .desktop entry; a development build
    // has none, so it registers itself.
    #[cfg(all(debug_assertions, any(target_os = "linux", windows)))]
    if let Err(error) = app.deep_link().register_all() {
        tracing::warn!("cannot register the URL scheme: {error}");
    }
    let handle = app.handle().clone();
    app.deep_link().on_open_url(move |event| {
        for url in event.urls() {
            deliver(handle.clone(), url.to_string());
        }
    });
    match app.deep_link().get_current() {
        Ok(Some(urls)) => {
            let mut urls = urls.into_iter().map(|url| url.to_string());
            if let Some(url) = urls.next() {
                complete_at_launch(app.handle().clone(), url);
            }
            urls.for_each(|url| deliver(app.handle().clone(), url));
        }
        Ok(None) => {}
        Err(error) => tracing::warn!("cannot read the URL that started the app: {error}"),
    }
}

/// The link that started the app (the browser's redirect while the app was closed): completed
/// now, its result kept for the UI, which asks for it before it loads the user.
fn complete_at_launch<R: Runtime>(app: AppHandle<R>, url: String) {
    let handle = app.clone();
    let completion = tauri::async_runtime::spawn(async move {
        let state = handle.try_state::<AppState>()?;
        state.complete_oauth(&url).await
    });
    if let Some(state) = app.try_state::<AppState>() {
        state.set_launch_flow(completion);
    }
}

fn deliver<R: Runtime>(app: AppHandle<R>, url: String) {
    tauri::async_runtime::spawn(async move {
        let Some(state) = app.try_state::<AppState>() else { return };
        if let Some(finished) = state.complete_oauth(&url).await {
            if let Err(error) = app.emit(OAUTH_FINISHED_EVENT, &finished) {
                tracing::error!("cannot tell the window about the finished sign-in: {error}");
            }
            if let Some(window) = app.get_webview_window("main") {
                let _ = window.unminimize();
                let _ = window.set_focus();
            }
        }
    });
}
