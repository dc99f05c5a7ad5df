//! The person's choices. The shell keeps them on disk ([`crate::Shell::save_settings`]).

use serde::{Deserialize, Serialize};
use ts_rs::TS;

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
    /// Closing the window keeps Userdesk running in the tray, watching over the account.
    #[serde(default)]
    pub keep_in_tray: bool,
}
