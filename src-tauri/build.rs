fn main() {
    // Declaring the app's commands makes each one need an explicit permission in
    // src-tauri/capabilities/, so the webview can call only what a capability grants.
    let commands = &[
        "app_info",
        "current_user",
        "sign_in",
        "sign_out",
        "update_profile",
        "set_unsafe_metadata",
        "create_email_address",
        "prepare_email_verification",
        "attempt_email_verification",
        "destroy_email_address",
        "create_phone_number",
        "prepare_phone_verification",
        "attempt_phone_verification",
        "set_reserved_for_second_factor",
        "make_default_second_factor",
        "destroy_phone_number",
        "oauth_strategies",
        "connect_external_account",
        "reauthorize_external_account",
        "sign_in_with_oauth",
        "destroy_external_account",
        "cancel_oauth",
        "launch_oauth_result",
        "dev_outbox",
        "prepare_second_factor",
        "attempt_second_factor",
        "devices",
        "revoke_session",
        "revoke_other_sessions",
        "get_token",
        "create_totp",
        "verify_totp",
        "delete_totp",
        "create_backup_codes",
        "save_backup_codes",
        "change_password",
        "remove_password",
        "start_sign_up",
        "verify_sign_up",
        "delete_account",
        "get_settings",
        "save_settings",
        "avatar_pick_file",
        "avatar_from_clipboard",
        "avatar_upload",
        "avatar_cancel_upload",
        "avatar_discard",
        "avatar_remove",
        "start_reverification",
        "prepare_reverification_email_code",
        "attempt_reverification_first_factor",
        "prepare_reverification_second_factor",
        "attempt_reverification_second_factor",
        "sign_in_options",
        "account_rules",
        "start_code_sign_in",
        "resend_sign_in_code",
        "attempt_code_sign_in",
        "reset_password",
    ];
    // The capabilities live in src-tauri/ with the rest of the shell, not beside tauri.conf.json.
    println!("cargo:rerun-if-changed=src-tauri/capabilities");
    let attributes = tauri_build::Attributes::new()
        .capabilities_path_pattern("src-tauri/capabilities/**/*")
        .app_manifest(tauri_build::AppManifest::new().commands(commands));
    if let Err(error) = tauri_build::try_build(attributes) {
        panic!("tauri-build failed: {error:#}");
    }
}
