//! The commands the UI calls: each translates its arguments for [`AppState`] and nothing more.

use serde_json::Value;
use tauri::{AppHandle, State};
use userdesk_fapi::models::{EmailAddress, PhoneNumber, User};
use userdesk_fapi::UpdateUserParams;
use userdesk_server::OutboxMessage;

use tauri_plugin_opener::OpenerExt;

use crate::error::{CommandError, CommandResult};
use crate::settings::Settings;
use crate::state::{AppInfo, AppState, OAuthStarted, VerificationStrategy};

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
) -> CommandResult<User> {
    state.sign_in(&identifier, &password).await
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
