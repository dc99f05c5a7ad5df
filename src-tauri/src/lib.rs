//! Userdesk's desktop shell: starts the instance connection, registers the commands, and keeps
//! the window single. The logic lives in `crates/`; this crate translates.

mod commands;
mod deep_link;
mod former_identifier;
mod memory;
mod settings;
mod shell;
mod token_store;
mod tray;

use std::sync::Arc;

use tauri::{DragDropEvent, Manager, RunEvent, WindowEvent};
use userdesk_app::{Controller, DragDrop, WATCH_INTERVAL};

use crate::shell::TauriShell;

/// The app's controller, as Tauri manages it.
type Userdesk = Arc<Controller<TauriShell>>;

/// Runs the app until the person quits.
pub fn run() {
    memory::run_scripts_without_jit();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .init();
    memory::give_large_blocks_back();

    let app = tauri::Builder::default()
        // First, so a second launch hands over to the running app before anything else starts.
        .plugin(tauri_plugin_single_instance::init(|app, _argv, _cwd| {
            if let Some(window) = app.get_webview_window("main") {
                let _ = window.unminimize();
                let _ = window.show();
                let _ = window.set_focus();
            }
        }))
        .plugin(tauri_plugin_deep_link::init())
        .plugin(tauri_plugin_opener::init())
        .plugin(tauri_plugin_dialog::init())
        .plugin(tauri_plugin_clipboard_manager::init())
        .plugin(tauri_plugin_store::Builder::default().build())
        // Sent from Rust only: the webview is granted none of its commands.
        .plugin(tauri_plugin_notification::init())
        .on_window_event(|window, event| {
            let Some(controller) = window.try_state::<Userdesk>() else { return };
            match event {
                WindowEvent::Focused(true) => controller.on_window_focused(),
                // With the setting on, closing hides the window and the app stays in the tray.
                WindowEvent::CloseRequested { api, .. }
                    if tauri::async_runtime::block_on(controller.settings())
                        .is_ok_and(|s| s.keep_in_tray) =>
                {
                    api.prevent_close();
                    let _ = window.hide();
                }
                WindowEvent::DragDrop(drag) => {
                    let drag = match drag {
                        DragDropEvent::Enter { paths, .. } => DragDrop::Enter { files: paths.len() },
                        DragDropEvent::Leave => DragDrop::Leave,
                        DragDropEvent::Drop { paths, .. } => DragDrop::Drop { paths: paths.clone() },
                        // `Over` comes with every mouse move and says nothing new.
                        _ => return,
                    };
                    controller.on_drag_drop(drag);
                }
                _ => {}
            }
        })
        .setup(|app| {
            memory::keep_jit_option_to_ourselves();
            let data_dir = app.path().app_data_dir()?;
            former_identifier::adopt_data_dir(&data_dir);
            let settings = settings::load(app.handle());
            let scheme = deep_link::scheme(app).ok_or("tauri.conf.json declares no deep-link scheme")?;
            let shell = TauriShell::new(app.handle().clone());
            let controller =
                tauri::async_runtime::block_on(Controller::open(shell, settings, data_dir, &scheme));
            controller.start_watching(WATCH_INTERVAL);
            app.manage(controller.clone());
            match tray::create(app.handle()) {
                // Listed once the accounts are read; changes come through the shell after that.
                Ok(()) => {
                    let app = app.handle().clone();
                    tauri::async_runtime::spawn(async move {
                        if let Ok(accounts) = controller.accounts().await {
                            tray::show_accounts(&app, &accounts);
                        }
                    });
                }
                Err(error) => tracing::warn!("no tray icon: {error}"),
            }
            deep_link::listen(app);
            Ok(())
        })
        .invoke_handler(tauri::generate_handler![
            commands::app_info,
            commands::current_user,
            commands::sign_in,
            commands::sign_out,
            commands::accounts,
            commands::add_account,
            commands::switch_account,
            commands::remove_account,
            commands::update_profile,
            commands::set_unsafe_metadata,
            commands::create_email_address,
            commands::prepare_email_verification,
            commands::attempt_email_verification,
            commands::destroy_email_address,
            commands::create_phone_number,
            commands::prepare_phone_verification,
            commands::attempt_phone_verification,
            commands::set_reserved_for_second_factor,
            commands::make_default_second_factor,
            commands::destroy_phone_number,
            commands::oauth_strategies,
            commands::connect_external_account,
            commands::reauthorize_external_account,
            commands::sign_in_with_oauth,
            commands::destroy_external_account,
            commands::cancel_oauth,
            commands::launch_oauth_result,
            commands::dev_outbox,
            commands::prepare_second_factor,
            commands::attempt_second_factor,
            commands::devices,
            commands::revoke_session,
            commands::revoke_other_sessions,
            commands::get_token,
            commands::create_totp,
            commands::verify_totp,
            commands::delete_totp,
            commands::create_backup_codes,
            commands::save_backup_codes,
            commands::change_password,
            commands::remove_password,
            commands::sign_up_options,
            commands::start_sign_up,
            commands::verify_sign_up,
            commands::check_sign_up,
            commands::resend_sign_up_verification,
            commands::open_legal_document,
            commands::delete_account,
            commands::get_settings,
            commands::save_settings,
            commands::avatar_pick_file,
            commands::avatar_from_clipboard,
            commands::avatar_upload,
            commands::avatar_cancel_upload,
            commands::avatar_discard,
            commands::avatar_remove,
            commands::passkey_authenticators,
            commands::add_passkey,
            commands::rename_passkey,
            commands::remove_passkey,
            commands::sign_in_with_passkey,
            commands::reverify_with_passkey,
            commands::answer_passkey_pin,
            commands::cancel_passkey,
            commands::start_reverification,
            commands::prepare_reverification_email_code,
            commands::attempt_reverification_first_factor,
            commands::prepare_reverification_second_factor,
            commands::attempt_reverification_second_factor,
            commands::sign_in_options,
            commands::account_rules,
            commands::start_code_sign_in,
            commands::resend_sign_in_code,
            commands::attempt_code_sign_in,
            commands::start_link_sign_in,
            commands::resend_sign_in_link,
            commands::check_link_sign_in,
            commands::sign_in_methods,
            commands::use_sign_in_code,
            commands::use_sign_in_link,
            commands::reset_password,
            commands::check_account,
            commands::offline_view,
            commands::take_session_ended,
            commands::take_notice_section,
            commands::security_log,
            commands::export_account_data,
        ])
        .build(tauri::generate_context!());

    let app = match app {
        Ok(app) => app,
        Err(error) => {
            eprintln!("Userdesk could not start: {error}");
            std::process::exit(1);
        }
    };
    app.run(|app, event| {
        if let RunEvent::Exit = event {
            // Let the embedded server finish its writes before the process ends.
            if let Some(controller) = app.try_state::<Userdesk>() {
                tauri::async_runtime::block_on(controller.shut_down());
            }
        }
    });
}
