//! The app's controller as the desktop runs it, with a shell that records what the desktop
//! would have done: the real embedded server on a port-0 socket, in a fresh data directory.
#![allow(dead_code)] // each test file uses a different part

#[path = "../../../server/tests/common/browser.rs"]
pub mod browser;
#[path = "../../../server/tests/common/totp.rs"]
pub mod totp;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use userdesk_app::{
    AccountSummary, ClipboardImage, CommandError, CommandResult, Controller, Event, Notice, Settings, Shell,
    SignInResult, TokenStorage,
};
use userdesk_fapi::models::User;
use userdesk_fapi::{MemoryTokenStore, TokenStore};

pub const SCHEME: &str = "dev.userdesk.app";
pub const DEMO_EMAIL: &str = userdesk_server::DEMO_EMAIL;
pub const DEMO_PASSWORD: &str = userdesk_server::DEMO_PASSWORD;

/// What the desktop was asked to do, and what it answers.
#[derive(Default)]
pub struct Desktop {
    pub events: Vec<Event>,
    pub opened: Vec<String>,
    pub focused: usize,
    pub saved_settings: Vec<Settings>,
    /// The answer of the next open dialog.
    pub picture_to_pick: Option<PathBuf>,
    /// The answer of the next save dialog.
    pub save_path: Option<PathBuf>,
    pub clipboard: Option<ClipboardImage>,
    /// Makes the browser fail to open.
    pub no_browser: bool,
    /// The keychain's entries by account: they outlive an app that stops, as a real keychain's.
    pub keychain: HashMap<String, Arc<MemoryTokenStore>>,
    /// Why there is no keychain, when there is none (the shell then keeps secrets in files).
    pub no_keychain: Option<String>,
    /// The OS notifications shown.
    pub notices: Vec<Notice>,
    /// The accounts the tray lists, as last told.
    pub tray: Vec<AccountSummary>,
}

#[derive(Clone, Default)]
pub struct TestShell(pub Arc<Mutex<Desktop>>);

impl TestShell {
    pub fn desktop(&self) -> std::sync::MutexGuard<'_, Desktop> {
        self.0.lock().unwrap()
    }

    /// The events sent so far, taken.
    pub fn take_events(&self) -> Vec<Event> {
        std::mem::take(&mut self.desktop().events)
    }
}

impl Shell for TestShell {
    fn emit(&self, event: Event) {
        self.desktop().events.push(event);
    }

    fn open_in_browser(&self, url: &str) -> Result<(), String> {
        let mut desktop = self.desktop();
        if desktop.no_browser {
            return Err("no browser is installed".into());
        }
        desktop.opened.push(url.to_owned());
        Ok(())
    }

    fn focus_window(&self) {
        self.desktop().focused += 1;
    }

    async fn pick_picture(&self) -> CommandResult<Option<PathBuf>> {
        Ok(self.desktop().picture_to_pick.take())
    }

    async fn choose_save_path(&self, _file_name: &str) -> CommandResult<Option<PathBuf>> {
        Ok(self.desktop().save_path.take())
    }

    fn clipboard_image(&self) -> CommandResult<ClipboardImage> {
        self.desktop().clipboard.clone().ok_or_else(|| {
            CommandError::new("avatar_clipboard_empty", "There is no picture on the clipboard.")
        })
    }

    fn save_settings(&self, settings: &Settings) -> Result<(), String> {
        self.desktop().saved_settings.push(settings.clone());
        Ok(())
    }

    fn notify(&self, notice: &Notice) {
        self.desktop().notices.push(notice.clone());
    }

    fn accounts_changed(&self, accounts: &[AccountSummary]) {
        self.desktop().tray = accounts.to_vec();
    }

    fn token_store(&self, account: &str, fallback_dir: &Path) -> (Arc<dyn TokenStore>, TokenStorage) {
        let mut desktop = self.desktop();
        if let Some(reason) = desktop.no_keychain.clone() {
            let path = fallback_dir.join(account).display().to_string();
            return (Arc::new(MemoryTokenStore::default()), TokenStorage::File { path, reason });
        }
        let entry = desktop.keychain.entry(account.to_owned()).or_default().clone();
        (entry, TokenStorage::Keychain)
    }
}

/// A controller on the embedded server, in its own data directory.
pub struct App {
    pub controller: Arc<Controller<TestShell>>,
    pub shell: TestShell,
    pub data: tempfile::TempDir,
}

impl App {
    pub async fn start() -> Self {
        Self::start_in(tempfile::tempdir().unwrap(), TestShell::default()).await
    }

    /// The app on `data` with the desktop `shell` (its keychain, say, from an earlier run).
    pub async fn start_in(data: tempfile::TempDir, shell: TestShell) -> Self {
        Self::start_with_settings(data, shell, Settings::default()).await
    }

    /// The app with `settings` saved (another instance, say).
    pub async fn start_with_settings(data: tempfile::TempDir, shell: TestShell, settings: Settings) -> Self {
        let controller = Controller::open(shell.clone(), settings, data.path().to_path_buf(), SCHEME).await;
        Self { controller, shell, data }
    }

    /// Stops the app and starts it again on the same data directory and desktop.
    pub async fn restart(self) -> Self {
        self.controller.shut_down().await;
        Self::start_in(self.data, self.shell).await
    }

    /// Signed in as the demo account.
    pub async fn signed_in() -> (Self, User) {
        let app = Self::start().await;
        match app.controller.sign_in(DEMO_EMAIL, DEMO_PASSWORD).await.unwrap() {
            SignInResult::Complete { user } => (app, *user),
            other => panic!("expected a complete sign-in, got {other:?}"),
        }
    }

    /// The latest code the embedded server sent to `to` (an email address or phone number).
    pub async fn latest_code(&self, to: &str) -> String {
        let messages = self.controller.dev_outbox(Some(50)).await.unwrap();
        messages
            .into_iter()
            .find(|message| message.to == to)
            .and_then(|message| message.code)
            .unwrap_or_else(|| panic!("no code was sent to {to}"))
    }

    /// Waits for the background work a window event or deep link started to report.
    pub async fn next_event(&self) -> Event {
        for _ in 0..500 {
            if let Some(event) = {
                let mut desktop = self.shell.desktop();
                (!desktop.events.is_empty()).then(|| desktop.events.remove(0))
            } {
                return event;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        panic!("no event came in 5 s");
    }

    pub async fn stop(self) {
        self.controller.shut_down().await;
    }
}
