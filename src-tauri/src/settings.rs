//! The person's choices on disk, with tauri-plugin-store in the app's config directory.

use tauri::{AppHandle, Runtime};
use tauri_plugin_store::StoreExt;
use userdesk_app::Settings;

const STORE_FILE: &str = "settings.json";
const KEY: &str = "settings";

/// The saved settings; defaults when none are saved or the file is unreadable.
pub fn load<R: Runtime>(app: &AppHandle<R>) -> Settings {
    let saved = app.store(STORE_FILE).ok().and_then(|store| store.get(KEY));
    match saved.map(serde_json::from_value::<Settings>) {
        Some(Ok(settings)) => settings,
        Some(Err(error)) => {
            tracing::warn!("ignoring unreadable settings: {error}");
            Settings::default()
        }
        None => Settings::default(),
    }
}

/// Saves the settings to disk.
pub fn save<R: Runtime>(app: &AppHandle<R>, settings: &Settings) -> Result<(), String> {
    let store = app.store(STORE_FILE).map_err(|e| e.to_string())?;
    let value = serde_json::to_value(settings).map_err(|e| e.to_string())?;
    store.set(KEY, value);
    store.save().map_err(|e| e.to_string())
}
