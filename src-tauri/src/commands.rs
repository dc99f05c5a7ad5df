//! The commands the UI calls, each one call into the controller (`crates/app`): this file only
//! names them for Tauri.

use serde_json::Value;
use tauri::State;
use userdesk_app::{
    AccountRules, AppInfo, AuthenticatorKind, AvatarCrop, AvatarPreview, CodePurpose, CodeSent,
    CodeSignInResult, CommandResult, Devices, LegalDocument, LinkSent, LinkSignInState, OAuthFinished,
    OAuthStarted, ReverificationStep, Settings, SignInMethod, SignInOptions, SignInResult, SignUpForm,
    SignUpOptions, SignUpStep, SignUpStrategy, VerificationStrategy,
};
use userdesk_app::{AccountSummary, NoticeSection, OfflineView, SecurityEvent};
use userdesk_fapi::models::{BackupCodes, EmailAddress, PhoneNumber, ReverificationLevel, Totp, User};
use userdesk_fapi::{SecondFactor, TokenInspection, TokenService, UpdateUserParams};
use userdesk_server::OutboxMessage;

use crate::Userdesk;

type App<'a> = State<'a, Userdesk>;

#[tauri::command]
pub async fn app_info(app: App<'_>) -> CommandResult<AppInfo> {
    app.app_info().await
}

#[tauri::command]
pub async fn current_user(app: App<'_>) -> CommandResult<Option<User>> {
    app.current_user().await
}

#[tauri::command]
pub async fn sign_in(app: App<'_>, identifier: String, password: String) -> CommandResult<SignInResult> {
    app.sign_in(&identifier, &password).await
}

#[tauri::command]
pub async fn prepare_second_factor(
    app: App<'_>,
    sign_in_id: String,
    phone_number_id: String,
) -> CommandResult<()> {
    app.prepare_second_factor(&sign_in_id, &phone_number_id).await
}

#[tauri::command]
pub async fn attempt_second_factor(
    app: App<'_>,
    sign_in_id: String,
    strategy: SecondFactor,
    code: String,
) -> CommandResult<User> {
    app.attempt_second_factor(&sign_in_id, strategy, &code).await
}

#[tauri::command]
pub async fn sign_up_options(app: App<'_>) -> CommandResult<SignUpOptions> {
    app.sign_up_options().await
}

#[tauri::command]
pub async fn start_sign_up(app: App<'_>, form: SignUpForm) -> CommandResult<SignUpStep> {
    app.start_sign_up(form).await
}

#[tauri::command]
pub async fn verify_sign_up(
    app: App<'_>,
    sign_up_id: String,
    strategy: SignUpStrategy,
    code: String,
) -> CommandResult<SignUpStep> {
    app.verify_sign_up(&sign_up_id, strategy, &code).await
}

#[tauri::command]
pub async fn check_sign_up(app: App<'_>, sign_up_id: String) -> CommandResult<SignUpStep> {
    app.check_sign_up(&sign_up_id).await
}

#[tauri::command]
pub async fn resend_sign_up_verification(
    app: App<'_>,
    sign_up_id: String,
    strategy: SignUpStrategy,
) -> CommandResult<()> {
    app.resend_sign_up_verification(&sign_up_id, strategy).await
}

#[tauri::command]
pub async fn open_legal_document(app: App<'_>, document: LegalDocument) -> CommandResult<()> {
    app.open_legal_document(document).await
}

#[tauri::command]
pub async fn sign_out(app: App<'_>) -> CommandResult<Vec<AccountSummary>> {
    app.sign_out().await
}

#[tauri::command]
pub async fn accounts(app: App<'_>) -> CommandResult<Vec<AccountSummary>> {
    app.accounts().await
}

#[tauri::command]
pub async fn add_account(app: App<'_>) -> CommandResult<Vec<AccountSummary>> {
    app.add_account().await
}

#[tauri::command]
pub async fn switch_account(app: App<'_>, id: String) -> CommandResult<Vec<AccountSummary>> {
    app.switch_account(&id).await
}

#[tauri::command]
pub async fn remove_account(app: App<'_>, id: String) -> CommandResult<Vec<AccountSummary>> {
    app.remove_account(&id).await
}

#[tauri::command]
pub async fn update_profile(app: App<'_>, params: UpdateUserParams) -> CommandResult<User> {
    app.update_profile(&params).await
}

#[tauri::command]
pub async fn set_unsafe_metadata(app: App<'_>, metadata: Value) -> CommandResult<User> {
    app.set_unsafe_metadata(metadata).await
}

#[tauri::command]
pub async fn create_email_address(app: App<'_>, email_address: String) -> CommandResult<EmailAddress> {
    app.create_email_address(&email_address).await
}

#[tauri::command]
pub async fn prepare_email_verification(
    app: App<'_>,
    id: String,
    strategy: VerificationStrategy,
) -> CommandResult<EmailAddress> {
    app.prepare_email_verification(&id, strategy).await
}

#[tauri::command]
pub async fn attempt_email_verification(
    app: App<'_>,
    id: String,
    code: String,
) -> CommandResult<EmailAddress> {
    app.attempt_email_verification(&id, &code).await
}

#[tauri::command]
pub async fn destroy_email_address(app: App<'_>, id: String) -> CommandResult<()> {
    app.destroy_email_address(&id).await
}

#[tauri::command]
pub async fn create_phone_number(app: App<'_>, phone_number: String) -> CommandResult<PhoneNumber> {
    app.create_phone_number(&phone_number).await
}

#[tauri::command]
pub async fn prepare_phone_verification(app: App<'_>, id: String) -> CommandResult<PhoneNumber> {
    app.prepare_phone_verification(&id).await
}

#[tauri::command]
pub async fn attempt_phone_verification(
    app: App<'_>,
    id: String,
    code: String,
) -> CommandResult<PhoneNumber> {
    app.attempt_phone_verification(&id, &code).await
}

#[tauri::command]
pub async fn set_reserved_for_second_factor(
    app: App<'_>,
    id: String,
    reserved: bool,
) -> CommandResult<PhoneNumber> {
    app.set_reserved_for_second_factor(&id, reserved).await
}

#[tauri::command]
pub async fn make_default_second_factor(app: App<'_>, id: String) -> CommandResult<PhoneNumber> {
    app.make_default_second_factor(&id).await
}

#[tauri::command]
pub async fn destroy_phone_number(app: App<'_>, id: String) -> CommandResult<()> {
    app.destroy_phone_number(&id).await
}

#[tauri::command]
pub async fn devices(app: App<'_>) -> CommandResult<Devices> {
    app.devices().await
}

#[tauri::command]
pub async fn revoke_session(app: App<'_>, id: String) -> CommandResult<()> {
    app.revoke_session(&id).await
}

#[tauri::command]
pub async fn revoke_other_sessions(app: App<'_>) -> CommandResult<usize> {
    app.revoke_other_sessions().await
}

#[tauri::command]
pub async fn get_token(app: App<'_>, service: TokenService) -> CommandResult<TokenInspection> {
    app.get_token(service).await
}

#[tauri::command]
pub async fn create_totp(app: App<'_>) -> CommandResult<Totp> {
    app.create_totp().await
}

#[tauri::command]
pub async fn verify_totp(app: App<'_>, code: String) -> CommandResult<Totp> {
    app.verify_totp(&code).await
}

#[tauri::command]
pub async fn delete_totp(app: App<'_>) -> CommandResult<()> {
    app.delete_totp().await
}

#[tauri::command]
pub async fn create_backup_codes(app: App<'_>) -> CommandResult<BackupCodes> {
    app.create_backup_codes().await
}

#[tauri::command]
pub async fn save_backup_codes(app: App<'_>, codes: Vec<String>) -> CommandResult<bool> {
    app.save_backup_codes(&codes).await
}

#[tauri::command]
pub async fn change_password(
    app: App<'_>,
    current_password: String,
    new_password: String,
    sign_out_of_other_sessions: bool,
) -> CommandResult<User> {
    app.change_password(&current_password, &new_password, sign_out_of_other_sessions).await
}

#[tauri::command]
pub async fn remove_password(app: App<'_>, current_password: String) -> CommandResult<User> {
    app.remove_password(&current_password).await
}

#[tauri::command]
pub async fn delete_account(app: App<'_>) -> CommandResult<Vec<AccountSummary>> {
    app.delete_account().await
}

#[tauri::command]
pub async fn oauth_strategies(app: App<'_>) -> CommandResult<Vec<String>> {
    app.oauth_strategies().await
}

#[tauri::command]
pub async fn connect_external_account(
    app: App<'_>,
    strategy: String,
    additional_scopes: Vec<String>,
) -> CommandResult<OAuthStarted> {
    app.connect_external_account(&strategy, &additional_scopes).await
}

#[tauri::command]
pub async fn reauthorize_external_account(
    app: App<'_>,
    id: String,
    additional_scopes: Vec<String>,
) -> CommandResult<OAuthStarted> {
    app.reauthorize_external_account(&id, &additional_scopes).await
}

#[tauri::command]
pub async fn sign_in_with_oauth(app: App<'_>, strategy: String) -> CommandResult<OAuthStarted> {
    app.sign_in_with_oauth(&strategy).await
}

#[tauri::command]
pub async fn destroy_external_account(app: App<'_>, id: String) -> CommandResult<()> {
    app.destroy_external_account(&id).await
}

#[tauri::command]
pub async fn launch_oauth_result(app: App<'_>) -> CommandResult<Option<OAuthFinished>> {
    app.launch_oauth_result().await
}

#[tauri::command]
pub async fn cancel_oauth(app: App<'_>, flow_id: String) -> CommandResult<()> {
    app.cancel_oauth(&flow_id).await;
    Ok(())
}

#[tauri::command]
pub async fn dev_outbox(app: App<'_>, limit: Option<usize>) -> CommandResult<Vec<OutboxMessage>> {
    app.dev_outbox(limit).await
}

#[tauri::command]
pub async fn get_settings(app: App<'_>) -> CommandResult<Settings> {
    app.settings().await
}

#[tauri::command]
pub async fn save_settings(app: App<'_>, settings: Settings) -> CommandResult<AppInfo> {
    app.save_settings(settings).await
}

#[tauri::command]
pub async fn avatar_pick_file(app: App<'_>) -> CommandResult<Option<AvatarPreview>> {
    app.avatar_pick_file().await
}

#[tauri::command]
pub async fn avatar_from_clipboard(app: App<'_>) -> CommandResult<AvatarPreview> {
    app.avatar_from_clipboard().await
}

#[tauri::command]
pub async fn avatar_upload(app: App<'_>, preview_id: String, crop: AvatarCrop) -> CommandResult<User> {
    app.avatar_upload(&preview_id, crop).await
}

#[tauri::command]
pub fn avatar_cancel_upload(app: App<'_>) {
    app.avatar_cancel_upload();
}

#[tauri::command]
pub fn avatar_discard(app: App<'_>, preview_id: String) {
    app.avatar_discard(&preview_id);
}

#[tauri::command]
pub async fn avatar_remove(app: App<'_>) -> CommandResult<User> {
    app.avatar_remove().await
}

#[tauri::command]
pub async fn start_reverification(
    app: App<'_>,
    level: ReverificationLevel,
) -> CommandResult<ReverificationStep> {
    app.start_reverification(level).await
}

#[tauri::command]
pub async fn prepare_reverification_email_code(
    app: App<'_>,
    email_address_id: String,
) -> CommandResult<ReverificationStep> {
    app.prepare_reverification_email_code(&email_address_id).await
}

#[tauri::command]
pub async fn attempt_reverification_first_factor(
    app: App<'_>,
    strategy: String,
    secret: String,
) -> CommandResult<ReverificationStep> {
    app.attempt_reverification_first_factor(&strategy, &secret).await
}

#[tauri::command]
pub async fn prepare_reverification_second_factor(
    app: App<'_>,
    phone_number_id: String,
) -> CommandResult<ReverificationStep> {
    app.prepare_reverification_second_factor(&phone_number_id).await
}

#[tauri::command]
pub async fn attempt_reverification_second_factor(
    app: App<'_>,
    strategy: SecondFactor,
    code: String,
) -> CommandResult<ReverificationStep> {
    app.attempt_reverification_second_factor(strategy, &code).await
}

#[tauri::command]
pub async fn account_rules(app: App<'_>) -> CommandResult<AccountRules> {
    app.account_rules().await
}

#[tauri::command]
pub async fn sign_in_options(app: App<'_>) -> CommandResult<SignInOptions> {
    app.sign_in_options().await
}

#[tauri::command]
pub async fn start_code_sign_in(
    app: App<'_>,
    identifier: String,
    purpose: CodePurpose,
) -> CommandResult<CodeSent> {
    app.start_code_sign_in(&identifier, purpose).await
}

#[tauri::command]
pub async fn resend_sign_in_code(
    app: App<'_>,
    sign_in_id: String,
    purpose: CodePurpose,
) -> CommandResult<()> {
    app.resend_sign_in_code(&sign_in_id, purpose).await
}

#[tauri::command]
pub async fn attempt_code_sign_in(
    app: App<'_>,
    sign_in_id: String,
    purpose: CodePurpose,
    code: String,
) -> CommandResult<CodeSignInResult> {
    app.attempt_code_sign_in(&sign_in_id, purpose, &code).await
}

#[tauri::command]
pub async fn start_link_sign_in(app: App<'_>, identifier: String) -> CommandResult<LinkSent> {
    app.start_link_sign_in(&identifier).await
}

#[tauri::command]
pub async fn resend_sign_in_link(app: App<'_>, sign_in_id: String) -> CommandResult<()> {
    app.resend_sign_in_link(&sign_in_id).await
}

#[tauri::command]
pub async fn check_link_sign_in(app: App<'_>, sign_in_id: String) -> CommandResult<LinkSignInState> {
    app.check_link_sign_in(&sign_in_id).await
}

#[tauri::command]
pub async fn sign_in_methods(app: App<'_>, sign_in_id: String) -> CommandResult<Vec<SignInMethod>> {
    app.sign_in_methods(&sign_in_id).await
}

#[tauri::command]
pub async fn use_sign_in_code(
    app: App<'_>,
    sign_in_id: String,
    method: SignInMethod,
) -> CommandResult<CodeSent> {
    app.use_sign_in_code(&sign_in_id, method).await
}

#[tauri::command]
pub async fn use_sign_in_link(
    app: App<'_>,
    sign_in_id: String,
    method: SignInMethod,
) -> CommandResult<LinkSent> {
    app.use_sign_in_link(&sign_in_id, method).await
}

#[tauri::command]
pub async fn reset_password(
    app: App<'_>,
    sign_in_id: String,
    password: String,
    sign_out_of_other_sessions: bool,
) -> CommandResult<SignInResult> {
    app.reset_password(&sign_in_id, &password, sign_out_of_other_sessions).await
}

#[tauri::command]
pub async fn offline_view(app: App<'_>) -> CommandResult<Option<OfflineView>> {
    app.offline_view().await
}

#[tauri::command]
pub fn take_session_ended(app: App<'_>) -> bool {
    app.take_session_ended()
}

#[tauri::command]
pub async fn take_notice_section(app: App<'_>) -> CommandResult<Option<NoticeSection>> {
    Ok(app.take_notice_section().await)
}

#[tauri::command]
pub async fn security_log(app: App<'_>) -> CommandResult<Vec<SecurityEvent>> {
    app.security_log().await
}

#[tauri::command]
pub async fn export_account_data(app: App<'_>) -> CommandResult<bool> {
    app.export_account_data().await
}

#[tauri::command]
pub async fn check_account(app: App<'_>) -> CommandResult<()> {
    app.check_account().await
}

#[tauri::command]
pub fn passkey_authenticators(app: App<'_>) -> Vec<AuthenticatorKind> {
    app.passkey_authenticators()
}

#[tauri::command]
pub async fn add_passkey(app: App<'_>) -> CommandResult<User> {
    app.add_passkey().await
}

#[tauri::command]
pub async fn rename_passkey(app: App<'_>, id: String, name: String) -> CommandResult<User> {
    app.rename_passkey(&id, &name).await
}

#[tauri::command]
pub async fn remove_passkey(app: App<'_>, id: String) -> CommandResult<User> {
    app.remove_passkey(&id).await
}

#[tauri::command]
pub async fn sign_in_with_passkey(app: App<'_>, identifier: Option<String>) -> CommandResult<SignInResult> {
    app.sign_in_with_passkey(identifier.as_deref()).await
}

#[tauri::command]
pub async fn reverify_with_passkey(app: App<'_>) -> CommandResult<ReverificationStep> {
    app.reverify_with_passkey().await
}

#[tauri::command]
pub fn answer_passkey_pin(app: App<'_>, pin: String) {
    app.answer_passkey_pin(pin);
}

#[tauri::command]
pub fn cancel_passkey(app: App<'_>) {
    app.cancel_passkey();
}
