//! The app's URL scheme: OAuth round trips come back as `<scheme>://oauth-callback?flow=…`.
//! The scheme is declared once, in tauri.conf.json (`plugins.deep-link.desktop.schemes`).

use tauri::{App, Manager, Runtime};
use tauri_plugin_deep_link::DeepLinkExt;

use crate::Userdesk;

/// The first scheme tauri.conf.json declares for desktop deep links.
pub fn scheme<R: Runtime>(app: &App<R>) -> Option<String> {
    let config = app.config().plugins.0.get("deep-link")?;
    let schemes = config.get("desktop")?.get("schemes")?.as_array()?;
    schemes.first()?.as_str().map(str::to_owned)
}

/// Hands deep links to the controller: those that arrive while the app runs (a second launch
/// forwards its URL through the single-instance plugin) and the one that started it.
pub fn listen<R: Runtime>(app: &App<R>) {
    // Installed packages register the scheme through their .desktop entry; a development build
    // has none, so it registers itself.
    #[cfg(all(debug_assertions, any(target_os = "linux", windows)))]
    if let Err(error) = app.deep_link().register_all() {
        tracing::warn!("cannot register the URL scheme: {error}");
    }
    let controller = app.state::<Userdesk>().inner().clone();
    let running = controller.clone();
    app.deep_link().on_open_url(move |event| {
        for url in event.urls() {
            running.deliver_link(url.to_string());
        }
    });
    match app.deep_link().get_current() {
        Ok(Some(urls)) => {
            let mut urls = urls.into_iter().map(|url| url.to_string());
            if let Some(url) = urls.next() {
                controller.complete_at_launch(url);
            }
            urls.for_each(|url| controller.deliver_link(url));
        }
        Ok(None) => {}
        Err(error) => tracing::warn!("cannot read the URL that started the app: {error}"),
    }
}
