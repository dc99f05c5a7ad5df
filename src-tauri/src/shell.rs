//! The desktop as the app's controller reaches it: Tauri's events, window, dialogs, opener,
//! clipboard and store, and the OS keychain.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use tauri::{AppHandle, Emitter, Manager};
use tauri_plugin_clipboard_manager::ClipboardExt;
use tauri_plugin_dialog::{DialogExt, FileDialogBuilder, FilePath};
use tauri_plugin_notification::NotificationExt;
use tauri_plugin_opener::OpenerExt;
use tokio::sync::oneshot;
use userdesk_app::{
    AccountSummary, ClipboardImage, CommandError, CommandResult, Event, Notice, Settings, Shell, TokenStorage,
};
use userdesk_fapi::TokenStore;

use crate::{settings, token_store, tray};

pub struct TauriShell {
    app: AppHandle,
    /// The bundle identifier, tauri.conf.json's: the keychain service.
    identifier: String,
}

impl TauriShell {
    pub fn new(app: AppHandle) -> Self {
        let identifier = app.config().identifier.clone();
        Self { app, identifier }
    }

    /// A file dialog over the main window.
    fn file_dialog(&self) -> FileDialogBuilder<tauri::Wry> {
        let dialog = self.app.dialog().file();
        match self.app.get_webview_window("main") {
            Some(window) => dialog.set_parent(&window),
            None => dialog,
        }
    }
}

impl Shell for TauriShell {
    fn emit(&self, event: Event) {
        let sent = event
            .payload()
            .map_err(|e| e.to_string())
            .and_then(|payload| self.app.emit(event.name(), payload).map_err(|e| e.to_string()));
        if let Err(error) = sent {
            tracing::warn!("cannot send {} to the window: {error}", event.name());
        }
    }

    fn open_in_browser(&self, url: &str) -> Result<(), String> {
        self.app.opener().open_url(url, None::<&str>).map_err(|error| error.to_string())
    }

    fn focus_window(&self) {
        if let Some(window) = self.app.get_webview_window("main") {
            let _ = window.unminimize();
            let _ = window.set_focus();
        }
    }

    async fn pick_picture(&self) -> CommandResult<Option<PathBuf>> {
        let (chosen, choice) = oneshot::channel();
        // The callback form leaves this task's thread free while the dialog is open.
        self.file_dialog()
            .set_title("Choose a profile picture")
            .add_filter("Pictures", &["jpg", "jpeg", "png", "webp", "gif", "bmp"])
            .pick_file(move |path| {
                let _ = chosen.send(path);
            });
        local_path(choice.await.ok().flatten(), "avatar_unreadable")
    }

    async fn choose_save_path(&self, file_name: &str) -> CommandResult<Option<PathBuf>> {
        let (chosen, choice) = oneshot::channel();
        let (kind, extension) = match Path::new(file_name).extension().and_then(|e| e.to_str()) {
            Some("json") => ("JSON", "json"),
            _ => ("Text", "txt"),
        };
        self.file_dialog().set_file_name(file_name).add_filter(kind, &[extension]).save_file(move |path| {
            let _ = chosen.send(path);
        });
        local_path(choice.await.ok().flatten(), "invalid_path")
    }

    fn clipboard_image(&self) -> CommandResult<ClipboardImage> {
        let image = self.app.clipboard().read_image().map_err(|error| {
            tracing::info!("no picture on the clipboard: {error}");
            CommandError::new(
                "avatar_clipboard_empty",
                "There is no picture on the clipboard. Copy a picture, then paste it here.",
            )
        })?;
        Ok(ClipboardImage { width: image.width(), height: image.height(), rgba: image.rgba().to_vec() })
    }

    fn save_settings(&self, settings: &Settings) -> Result<(), String> {
        settings::save(&self.app, settings)
    }

    fn notify(&self, notice: &Notice) {
        // Where the desktop has no notification service, the log in Devices still has it.
        let shown = self.app.notification().builder().title(&notice.title).body(&notice.body).show();
        if let Err(error) = shown {
            tracing::warn!("cannot show a notification: {error}");
        }
    }

    fn accounts_changed(&self, accounts: &[AccountSummary]) {
        tray::show_accounts(&self.app, accounts);
    }

    fn token_store(&self, account: &str, fallback_dir: &Path) -> (Arc<dyn TokenStore>, TokenStorage) {
        token_store::open(&self.identifier, account, fallback_dir)
    }
}

/// A dialog's answer as a path on this machine; `code` when it names something else (a URI).
fn local_path(chosen: Option<FilePath>, code: &str) -> CommandResult<Option<PathBuf>> {
    let Some(chosen) = chosen else { return Ok(None) };
    chosen
        .into_path()
        .map(Some)
        .map_err(|error| CommandError::new(code, format!("Userdesk cannot open this file: {error}")))
}
