//! The tray icon: the app's accounts (the shown one checked; choosing another shows it), "Open
//! Userdesk" and Quit. With the setting on, closing the window hides it and the app keeps watching
//! every account from here.

use tauri::menu::{CheckMenuItem, IsMenuItem, Menu, MenuItem, PredefinedMenuItem};
use tauri::tray::TrayIconBuilder;
use tauri::{AppHandle, Manager, Wry};
use userdesk_app::AccountSummary;

use crate::Userdesk;

const TRAY_ID: &str = "main";
/// Menu ids of accounts: this prefix, then the account's id in the app.
const ACCOUNT_PREFIX: &str = "account:";

/// Puts the icon in the tray. Where the desktop has no tray, the app runs without it.
pub fn create(app: &AppHandle) -> tauri::Result<()> {
    let mut tray = TrayIconBuilder::with_id(TRAY_ID)
        .tooltip("Userdesk")
        .menu(&menu(app, &[])?)
        .on_menu_event(|app, event| match event.id.as_ref() {
            "open" => show_window(app),
            "quit" => app.exit(0),
            id => {
                if let Some(account) = id.strip_prefix(ACCOUNT_PREFIX) {
                    switch_to(app, account.to_owned());
                }
            }
        });
    if let Some(icon) = app.default_window_icon() {
        tray = tray.icon(icon.clone());
    }
    tray.build(app)?;
    Ok(())
}

fn menu(app: &AppHandle, accounts: &[AccountSummary]) -> tauri::Result<Menu<Wry>> {
    let mut items: Vec<Box<dyn IsMenuItem<Wry>>> = Vec::new();
    for account in accounts {
        let who = match (&account.person, account.signed_out) {
            (Some(person), false) => person.name.clone(),
            (Some(person), true) => format!("{} (signed out)", person.name),
            (None, _) => "Adding an account…".to_owned(),
        };
        let label = format!("{who} — {}", account.instance_label);
        let id = format!("{ACCOUNT_PREFIX}{}", account.id);
        items.push(Box::new(CheckMenuItem::with_id(app, id, label, true, account.active, None::<&str>)?));
    }
    if accounts.is_empty() {
        items.push(Box::new(MenuItem::with_id(app, "none", "Not signed in", false, None::<&str>)?));
    }
    items.push(Box::new(PredefinedMenuItem::separator(app)?));
    items.push(Box::new(MenuItem::with_id(app, "open", "Open Userdesk", true, None::<&str>)?));
    items.push(Box::new(MenuItem::with_id(app, "quit", "Quit", true, None::<&str>)?));
    let items: Vec<&dyn IsMenuItem<Wry>> = items.iter().map(|item| item.as_ref()).collect();
    Menu::with_items(app, &items)
}

/// Lists the accounts in the menu again.
pub fn show_accounts(app: &AppHandle, accounts: &[AccountSummary]) {
    let Some(tray) = app.tray_by_id(TRAY_ID) else { return };
    match menu(app, accounts) {
        Ok(menu) => {
            if let Err(error) = tray.set_menu(Some(menu)) {
                tracing::warn!("the tray's menu was not updated: {error}");
            }
        }
        Err(error) => tracing::warn!("the tray's menu could not be made: {error}"),
    }
}

/// Shows account `id` in the window, and the window.
fn switch_to(app: &AppHandle, id: String) {
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        let Some(controller) = app.try_state::<Userdesk>().map(|state| state.inner().clone()) else { return };
        if let Err(error) = controller.show_account(&id).await {
            tracing::warn!("the tray could not switch accounts: {}", error.message);
        }
        show_window(&app);
    });
}

/// Brings the window back (from the tray, or from behind others).
pub fn show_window(app: &AppHandle) {
    if let Some(window) = app.get_webview_window("main") {
        let _ = window.unminimize();
        let _ = window.show();
        let _ = window.set_focus();
    }
}
