//! The commands the UI calls: each translates its arguments for [`AppState`] and nothing more.

use serde_json::Value;
use tauri::{AppHandle, State};
use userdesk_fapi::models::{BackupCodes, EmailAddress, PhoneNumber, Totp, User};
use userdesk_fapi::UpdateUserParams;
use userdesk_fapi::{SecondFactor, TokenInspection, TokenService};
use userdesk_server::OutboxMessage;

use tauri_plugin_dialog::DialogExt;
use tauri_plugin_opener::OpenerExt;

use crate::avatar::{self, AvatarCrop, AvatarPreview, Avatars};
use crate::error::{CommandError, CommandResult};
use crate::settings::Settings;
use crate::state::{
    AppInfo, AppState, Devices, OAuthFinished, OAuthStarted, SignInResult, SignUpForm, VerificationStrategy,
};

#[tauri::command]
pub async fn app_info(state: State<'_, AppState>) -> CommandResult<AppInfo> {
    state.app_info().await
}

#[tauri::command]
pub async fn current_user(state: State<'_, AppState>) -> CommandResult<Option<User>> {
    state.current_user().await
}

#[tauri::command]
pub async fn sign_in(
    state: State<'_, AppState>,
    identifier: String,
    password: String,
) -> CommandResult<SignInResult> {
    state.sign_in(&identifier, &password).await
}

#[tauri::command]
pub async fn prepare_second_factor(
    state: State<'_, AppState>,
    sign_in_id: String,
    phone_number_id: String,
) -> CommandResult<()> {
    state.prepare_second_factor(&sign_in_id, &phone_number_id).await
}

#[tauri::command]
pub async fn attempt_second_factor(
    state: State<'_, AppState>,
    sign_in_id: String,
    strategy: SecondFactor,
    code: String,
) -> CommandResult<User> {
    state.attempt_second_factor(&sign_in_id, strategy, &code).await
}

#[tauri::command]
pub async fn devices(state: State<'_, AppState>) -> CommandResult<Devices> {
    state.devices().await
}

#[tauri::command]
pub async fn revoke_session(state: State<'_, AppState>, id: String) -> CommandResult<()> {
    state.revoke_session(&id).await
}

#[tauri::command]
pub async fn revoke_other_sessions(state: State<'_, AppState>) -> CommandResult<usize> {
    state.revoke_other_sessions().await
}

#[tauri::command]
pub async fn get_token(state: State<'_, AppState>, service: TokenService) -> CommandResult<TokenInspection> {
    state.get_token(service).await
}

#[tauri::command]
pub async fn create_totp(state: State<'_, AppState>) -> CommandResult<Totp> {
    state.create_totp().await
}

#[tauri::command]
pub async fn verify_totp(state: State<'_, AppState>, code: String) -> CommandResult<Totp> {
    state.verify_totp(&code).await
}

#[tauri::command]
pub async fn delete_totp(state: State<'_, AppState>) -> CommandResult<()> {
    state.delete_totp().await
}

#[tauri::command]
pub async fn create_backup_codes(state: State<'_, AppState>) -> CommandResult<BackupCodes> {
    state.create_backup_codes().await
}

/// Asks where to save the backup codes (a native dialog) and writes them there.
/// Returns `false` when the person cancelled.
#[tauri::command]
pub async fn save_backup_codes(app: AppHandle, codes: Vec<String>) -> CommandResult<bool> {
    let Some(path) = app
        .dialog()
        .file()
        .set_file_name("userdesk-backup-codes.txt")
        .add_filter("Text", &["txt"])
        .blocking_save_file()
    else {
        return Ok(false);
    };
    let path = path.into_path().map_err(|e| CommandError::new("invalid_path", e.to_string()))?;
    let text = format!(
        "Userdesk backup codes. Each works once, in place of a two-step verification code.\n\n{}\n",
        codes.join("\n")
    );
    userdesk_fapi::private_file::write(&path, text.as_bytes()).map_err(|e| {
        CommandError::new("file_not_saved", format!("Could not save {}: {e}", path.display()))
    })?;
    Ok(true)
}

#[tauri::command]
pub async fn change_password(
    state: State<'_, AppState>,
    current_password: String,
    new_password: String,
    sign_out_of_other_sessions: bool,
) -> CommandResult<User> {
    state.change_password(&current_password, &new_password, sign_out_of_other_sessions).await
}

#[tauri::command]
pub async fn remove_password(state: State<'_, AppState>, current_password: String) -> CommandResult<User> {
    state.remove_password(&current_password).await
}

#[tauri::command]
pub async fn start_sign_up(state: State<'_, AppState>, form: SignUpForm) -> CommandResult<String> {
    state.start_sign_up(form).await
}

#[tauri::command]
pub async fn verify_sign_up(
    state: State<'_, AppState>,
    sign_up_id: String,
    code: String,
) -> CommandResult<User> {
    state.verify_sign_up(&sign_up_id, &code).await
}

#[tauri::command]
pub async fn delete_account(state: State<'_, AppState>) -> CommandResult<()> {
    state.delete_account().await
}

#[tauri::command]
pub async fn sign_out(state: State<'_, AppState>) -> CommandResult<()> {
    state.sign_out().await
}

#[tauri::command]
pub async fn update_profile(state: State<'_, AppState>, params: UpdateUserParams) -> CommandResult<User> {
    state.update_profile(&params).await
}

#[tauri::command]
pub async fn set_unsafe_metadata(state: State<'_, AppState>, metadata: Value) -> CommandResult<User> {
    state.set_unsafe_metadata(metadata).await
}

#[tauri::command]
pub async fn create_email_address(
    state: State<'_, AppState>,
    email_address: String,
) -> CommandResult<EmailAddress> {
    state.create_email_address(&email_address).await
}

#[tauri::command]
pub async fn prepare_email_verification(
    state: State<'_, AppState>,
    id: String,
    strategy: VerificationStrategy,
) -> CommandResult<EmailAddress> {
    state.prepare_email_verification(&id, strategy).await
}

#[tauri::command]
pub async fn attempt_email_verification(
    state: State<'_, AppState>,
    id: String,
    code: String,
) -> CommandResult<EmailAddress> {
    state.attempt_email_verification(&id, &code).await
}

#[tauri::command]
pub async fn destroy_email_address(state: State<'_, AppState>, id: String) -> CommandResult<()> {
    state.destroy_email_address(&id).await
}

#[tauri::command]
pub async fn create_phone_number(
    state: State<'_, AppState>,
    phone_number: String,
) -> CommandResult<PhoneNumber> {
    state.create_phone_number(&phone_number).await
}

#[tauri::command]
pub async fn prepare_phone_verification(
    state: State<'_, AppState>,
    id: String,
) -> CommandResult<PhoneNumber> {
    state.prepare_phone_verification(&id).await
}

#[tauri::command]
pub async fn attempt_phone_verification(
    state: State<'_, AppState>,
    id: String,
    code: String,
) -> CommandResult<PhoneNumber> {
    state.attempt_phone_verification(&id, &code).await
}

#[tauri::command]
pub async fn set_reserved_for_second_factor(
    state: State<'_, AppState>,
    id: String,
    reserved: bool,
) -> CommandResult<PhoneNumber> {
    state.set_reserved_for_second_factor(&id, reserved).await
}

#[tauri::command]
pub async fn make_default_second_factor(
    state: State<'_, AppState>,
    id: String,
) -> CommandResult<PhoneNumber> {
    state.make_default_second_factor(&id).await
}

#[tauri::command]
pub async fn destroy_phone_number(state: State<'_, AppState>, id: String) -> CommandResult<()> {
    state.destroy_phone_number(&id).await
}

#[tauri::command]
pub async fn oauth_strategies(state: State<'_, AppState>) -> CommandResult<Vec<String>> {
    state.oauth_strategies().await
}

#[tauri::command]
pub async fn connect_external_account(
    app: AppHandle,
    state: State<'_, AppState>,
    strategy: String,
    additional_scopes: Vec<String>,
) -> CommandResult<OAuthStarted> {
    let started = state.connect_external_account(&strategy, &additional_scopes).await?;
    open_in_browser(&app, &state, started)
}

#[tauri::command]
pub async fn reauthorize_external_account(
    app: AppHandle,
    state: State<'_, AppState>,
    id: String,
    additional_scopes: Vec<String>,
) -> CommandResult<OAuthStarted> {
    let started = state.reauthorize_external_account(&id, &additional_scopes).await?;
    open_in_browser(&app, &state, started)
}

#[tauri::command]
pub async fn sign_in_with_oauth(
    app: AppHandle,
    state: State<'_, AppState>,
    strategy: String,
) -> CommandResult<OAuthStarted> {
    let started = state.sign_in_with_oauth(&strategy).await?;
    open_in_browser(&app, &state, started)
}

#[tauri::command]
pub async fn destroy_external_account(state: State<'_, AppState>, id: String) -> CommandResult<()> {
    state.destroy_external_account(&id).await
}

/// How the flow whose link started the app ended (asked once, when the UI starts).
#[tauri::command]
pub async fn launch_oauth_result(state: State<'_, AppState>) -> CommandResult<Option<OAuthFinished>> {
    Ok(state.launch_oauth_result().await)
}

#[tauri::command]
pub fn cancel_oauth(state: State<'_, AppState>, flow_id: String) {
    state.cancel_oauth(&flow_id);
}

/// The system browser, never a webview (RFC 8252 §8.12).
fn open_in_browser(app: &AppHandle, state: &AppState, started: OAuthStarted) -> CommandResult<OAuthStarted> {
    match app.opener().open_url(&started.authorization_url, None::<&str>) {
        Ok(()) => Ok(started),
        Err(error) => {
            state.cancel_oauth(&started.flow_id);
            Err(CommandError::new("browser_unavailable", format!("Could not open the web browser: {error}")))
        }
    }
}

#[tauri::command]
pub async fn dev_outbox(
    state: State<'_, AppState>,
    limit: Option<usize>,
) -> CommandResult<Vec<OutboxMessage>> {
    state.dev_outbox(limit.unwrap_or(50).clamp(1, 500)).await
}

#[tauri::command]
pub async fn get_settings(state: State<'_, AppState>) -> CommandResult<Settings> {
    Ok(state.settings().await)
}

#[tauri::command]
pub async fn save_settings(
    app: AppHandle,
    state: State<'_, AppState>,
    settings: Settings,
) -> CommandResult<AppInfo> {
    state.save_settings(&app, settings).await
}

#[tauri::command]
pub async fn avatar_pick_file(
    app: AppHandle,
    avatars: State<'_, Avatars>,
) -> CommandResult<Option<AvatarPreview>> {
    match avatar::pick_file(&app).await? {
        Some(path) => avatars.open_file(path).await.map(Some),
        None => Ok(None),
    }
}

/// The picture on the system clipboard, when the person pastes.
#[tauri::command]
pub async fn avatar_from_clipboard(
    app: AppHandle,
    avatars: State<'_, Avatars>,
) -> CommandResult<AvatarPreview> {
    avatars.open_clipboard(&app).await
}

#[tauri::command]
pub async fn avatar_upload(
    app: AppHandle,
    state: State<'_, AppState>,
    avatars: State<'_, Avatars>,
    preview_id: String,
    crop: AvatarCrop,
) -> CommandResult<User> {
    let client = state.client().await?;
    avatars.upload(client, &preview_id, crop, avatar::progress_events(&app, &preview_id)).await
}

#[tauri::command]
pub fn avatar_cancel_upload(avatars: State<'_, Avatars>) {
    avatars.cancel_upload();
}

#[tauri::command]
pub fn avatar_discard(avatars: State<'_, Avatars>, preview_id: String) {
    avatars.discard(&preview_id);
}

#[tauri::command]
pub async fn avatar_remove(state: State<'_, AppState>) -> CommandResult<User> {
    avatar::remove(&*state.client().await?).await
}
