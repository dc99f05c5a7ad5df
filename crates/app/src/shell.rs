//! What the controller asks of the desktop around it: the window, the system's dialogs, browser,
//! clipboard and keychain, and the settings file. The Tauri shell implements it; tests implement
//! it with recordings.

use std::future::Future;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use userdesk_fapi::TokenStore;

use crate::accounts::AccountSummary;
use crate::connection::TokenStorage;
use crate::error::CommandResult;
use crate::events::Event;
use crate::settings::Settings;
use crate::watch::Notice;

/// An image read from the system clipboard: 8-bit RGBA, rows top to bottom.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClipboardImage {
    pub width: u32,
    pub height: u32,
    pub rgba: Vec<u8>,
}

pub trait Shell: Send + Sync + 'static {
    /// Tells the UI something happened (it may not be listening yet).
    fn emit(&self, event: Event);

    /// Opens `url` in the system browser, never in a webview (RFC 8252 §8.12).
    fn open_in_browser(&self, url: &str) -> Result<(), String>;

    /// Brings the window forward (a round trip in the browser finished).
    fn focus_window(&self);

    /// Asks for a picture with the system's open dialog; `None` when the person cancels.
    fn pick_picture(&self) -> impl Future<Output = CommandResult<Option<PathBuf>>> + Send;

    /// Asks where to save a file suggested as `file_name`; `None` when the person cancels.
    fn choose_save_path(
        &self,
        file_name: &str,
    ) -> impl Future<Output = CommandResult<Option<PathBuf>>> + Send;

    /// The picture on the system clipboard. Blocks until the clipboard's owner answers: called
    /// off the async threads.
    fn clipboard_image(&self) -> CommandResult<ClipboardImage>;

    /// Keeps the settings for the next start.
    fn save_settings(&self, settings: &Settings) -> Result<(), String>;

    /// Shows an OS notification (the watcher found something the person should know).
    fn notify(&self, notice: &Notice);

    /// The app's accounts changed (who they are, which is shown), for the tray to list them.
    fn accounts_changed(&self, accounts: &[AccountSummary]);

    /// The store for one secret (an account's client token, the key of what the app keeps of it),
    /// `account` naming its keychain entry, preferring the OS keychain; `fallback_dir` is where a
    /// file goes when there is none.
    fn token_store(&self, account: &str, fallback_dir: &Path) -> (Arc<dyn TokenStore>, TokenStorage);
}
