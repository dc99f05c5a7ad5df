//! The person's choices, kept with tauri-plugin-store in the app's config directory.

use serde::{Deserialize, Serialize};
use tauri::{AppHandle, Runtime};
use tauri_plugin_store::StoreExt;
use ts_rs::TS;

const STORE_FILE: &str = "settings.json";
const KEY: &str = "settings";

/// Which identity service the app talks to.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum InstanceSetting {
    /// The account server built into the app, on this machine.
    #[default]
    Embedded,
    /// A Clerk instance, named by its publishable key.
    PublishableKey { key: String },
    /// Any FAPI-compatible server, by its base URL.
    FapiUrl { url: String },
}

/// Light, dark, or as the system says.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Theme {
    #[default]
    System,
    Light,
    Dark,
}

/// Everything the person can set in Settings.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Settings {
    pub instance: InstanceSetting,
    pub theme: Theme,
}

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
