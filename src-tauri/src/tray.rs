//! The tray icon: the account shown (by name, not clickable), "Open Userdesk" and Quit. With the
//! setting on, closing the window hides it and the app keeps watching from here.

use tauri::menu::{Menu, MenuItem, PredefinedMenuItem};
use tauri::tray::TrayIconBuilder;
use tauri::{AppHandle, Manager, Wry};

/// The menu's first line, renamed as the shown account changes.
pub struct AccountItem(MenuItem<Wry>);

const SIGNED_OUT: &str = "Not signed in";

/// Puts the icon in the tray. Where the desktop has no tray, the app runs without it.
pub fn create(app: &AppHandle) -> tauri::Result<()> {
    let account = MenuItem::with_id(app, "account", SIGNED_OUT, false, None::<&str>)?;
    let open = MenuItem::with_id(app, "open", "Open Userdesk", true, None::<&str>)?;
    let quit = MenuItem::with_id(app, "quit", "Quit", true, None::<&str>)?;
    let separator = PredefinedMenuItem::separator(app)?;
    let menu = Menu::with_items(app, &[&account, &separator, &open, &quit])?;
    let mut tray =
        TrayIconBuilder::with_id("main").tooltip("Userdesk").menu(&menu).on_menu_event(|app, event| {
            match event.id.as_ref() {
                "open" => show_window(app),
                "quit" => app.exit(0),
                _ => {}
            }
        });
    if let Some(icon) = app.default_window_icon() {
        tray = tray.icon(icon.clone());
    }
    tray.build(app)?;
    app.manage(AccountItem(account));
    Ok(())
}

/// Names the shown account in the menu.
pub fn show_account(app: &AppHandle, label: Option<&str>) {
    if let Some(item) = app.try_state::<AccountItem>() {
        let _ = item.0.set_text(label.unwrap_or(SIGNED_OUT));
    }
}

/// Brings the window back (from the tray, or from behind others).
pub fn show_window(app: &AppHandle) {
    if let Some(window) = app.get_webview_window("main") {
        let _ = window.unminimize();
        let _ = window.show();
        let _ = window.set_focus();
    }
}
