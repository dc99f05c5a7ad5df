//! The commands the UI calls: each translates its arguments for [`AppState`] and nothing more.

use serde_json::Value;
use tauri::{AppHandle, State};
use userdesk_fapi::models::User;
use userdesk_fapi::UpdateUserParams;

use crate::error::CommandResult;
use crate::settings::Settings;
use crate::state::{AppInfo, AppState};

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
