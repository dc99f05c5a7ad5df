// The one place that talks to the Rust side. Every command has a typed wrapper here, and every
// rejection comes out as a `CommandError`, so the UI has one error shape to branch on.
import { invoke, type InvokeArgs } from '@tauri-apps/api/core';
import { listen, type UnlistenFn } from '@tauri-apps/api/event';
import type {
  AccountRules,
  AccountSummary,
  AccountsChanged,
  AppInfo,
  AuthenticatorKind,
  AvatarCrop,
  AvatarDropEvent,
  AvatarPreview,
  AvatarUploadProgress,
  CodePurpose,
  CodeSent,
  CodeSignInResult,
  CommandError,
  EmailAddress,
  EventPayloads,
  JsonValue,
  LinkSent,
  LinkSignInState,
  OAuthFinished,
  OAuthStarted,
  OutboxMessage,
  PasskeyPrompt,
  PhoneNumber,
  ReverificationLevel,
  ReverificationStep,
  SecondFactor,
  Settings,
  SignInMethod,
  SignInOptions,
  SignInResult,
  LegalDocument,
  SignUpForm,
  SignUpOptions,
  SignUpStep,
  SignUpStrategy,
  Devices,
  NoticeSection,
  OfflineView,
  SecurityEvent,
  TokenInspection,
  TokenService,
  Totp,
  BackupCodes,
  UpdateUserParams,
  User,
  VerificationStrategy,
} from './bindings';
import { EVENTS } from './bindings';
import { reverify } from './reverification-gate';
import { signedOut } from './signed-out';
import { unreachable } from './unreachable';

export type { OutboxMessage } from './bindings';

/** True when `value` already has the shape the Rust side rejects with. */
export function isCommandError(value: unknown): value is CommandError {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return (
    typeof v.code === 'string' &&
    typeof v.message === 'string' &&
    (v.field === null || v.field === undefined || typeof v.field === 'string')
  );
}

/** Turns anything a command rejected with into a `CommandError` (`internal` when it was not one). */
export function toCommandError(reason: unknown): CommandError {
  if (isCommandError(reason)) {
    const error: CommandError = { code: reason.code, message: reason.message, field: reason.field ?? null };
    if (reason.reverification) error.reverification = reason.reverification;
    return error;
  }
  let message: string;
  if (reason instanceof Error) message = reason.message;
  else if (typeof reason === 'string') message = reason;
  else message = 'Something went wrong inside Userdesk.';
  return { code: 'internal', message: message || 'Something went wrong inside Userdesk.', field: null };
}

async function call<T>(command: string, args?: InvokeArgs): Promise<T> {
  try {
    return await invokeOnce<T>(command, args);
  } catch (error) {
    if (!isCommandError(error) || error.code !== 'reverification_required') throw error;
    // The instance wants the session verified again: the person is asked, and the action runs
    // once more when they have (a second refusal is the caller's to show).
    if (!(await reverify(error.reverification ?? 'first_factor'))) throw REVERIFICATION_CANCELLED;
    return await invokeOnce<T>(command, args);
  }
}

async function invokeOnce<T>(command: string, args?: InvokeArgs): Promise<T> {
  try {
    return await invoke<T>(command, args);
  } catch (reason) {
    const error = toCommandError(reason);
    // A session that ended elsewhere (revoked, expired): every store forgets the account before
    // the caller sees the error, so the app is back at sign-in whoever asked.
    if (error.code === 'signed_out') signedOut('session_ended');
    // The instance stopped answering: the window shows what the app knew (the user store).
    if (error.code === 'network' || error.code === 'timeout') unreachable();
    throw error;
  }
}

/** What an action refused for reverification ends with when the person cancels: nothing done. */
export const REVERIFICATION_CANCELLED: CommandError = {
  code: 'reverification_cancelled',
  message: 'You did not verify it was you, so nothing was changed.',
  field: null,
};

/** Version, the instance in use, the demo account (embedded server only) and where the token lives. */
export const appInfo = (): Promise<AppInfo> => call('app_info');

/** The signed-in user, or `null` when signed out. */
export const currentUser = (): Promise<User | null> => call('current_user');

/** Signs in with an identifier (email or username) and password; two-step accounts need a second step. */
export const signIn = (identifier: string, password: string): Promise<SignInResult> =>
  call('sign_in', { identifier, password });

/** How the instance lets people sign in: password, codes, reset, which identifiers. */
export const signInOptions = (): Promise<SignInOptions> => call('sign_in_options');

/** Starts signing in by `identifier` and sends the code `purpose` needs (an email, or a text). */
export const startCodeSignIn = (identifier: string, purpose: CodePurpose): Promise<CodeSent> =>
  call('start_code_sign_in', { identifier, purpose });

/** Sends the sign-in's code again. */
export const resendSignInCode = (signInId: string, purpose: CodePurpose): Promise<null> =>
  call('resend_sign_in_code', { signInId, purpose });

/** Answers the code: signed in, a second factor, or (for a reset) a new password to set. */
export const attemptCodeSignIn = (signInId: string, purpose: CodePurpose, code: string): Promise<CodeSignInResult> =>
  call('attempt_code_sign_in', { signInId, purpose, code });

/** Starts signing in by `identifier` and emails its sign-in link. */
export const startLinkSignIn = (identifier: string): Promise<LinkSent> => call('start_link_sign_in', { identifier });

/** Emails the sign-in link again; the earlier one stops working. */
export const resendSignInLink = (signInId: string): Promise<null> => call('resend_sign_in_link', { signInId });

/** Where a sign-in by link stands: waiting for the link to be opened, expired, or signed in. */
export const checkLinkSignIn = (signInId: string): Promise<LinkSignInState> =>
  call('check_link_sign_in', { signInId });

/** The ways a started sign-in can go on instead ("Use another method"). */
export const signInMethods = (signInId: string): Promise<SignInMethod[]> => call('sign_in_methods', { signInId });

/** Sends the started sign-in's code by `method` (an email or a text) instead. */
export const useSignInCode = (signInId: string, method: SignInMethod): Promise<CodeSent> =>
  call('use_sign_in_code', { signInId, method });

/** Emails the started sign-in's link to `method`'s address instead. */
export const useSignInLink = (signInId: string, method: SignInMethod): Promise<LinkSent> =>
  call('use_sign_in_link', { signInId, method });

/** Sets the new password of a reset; signed in after, or at the second factor. */
export const resetPassword = (signInId: string, password: string, signOutOfOtherSessions: boolean): Promise<SignInResult> =>
  call('reset_password', { signInId, password, signOutOfOtherSessions });

/** Ends the shown account's session and removes it from the app; the accounts after (the next one shown). */
export const signOut = (): Promise<AccountSummary[]> => call('sign_out');

/** Updates the fields present in `params`; an empty string clears a field, a missing one stays. */
export const updateProfile = (params: UpdateUserParams): Promise<User> =>
  call('update_profile', { params });

/** Replaces the user's unsafe metadata with `metadata` (the whole new object). */
export const setUnsafeMetadata = (metadata: JsonValue): Promise<User> =>
  call('set_unsafe_metadata', { metadata });

/** The saved settings. */
export const getSettings = (): Promise<Settings> => call('get_settings');

/** Saves the settings; the app reconnects to the chosen instance and returns the new `AppInfo`. */
export const saveSettings = (settings: Settings): Promise<AppInfo> =>
  call('save_settings', { settings });

/** Adds an email address to the account, unverified and with no verification yet. */
export const createEmailAddress = (emailAddress: string): Promise<EmailAddress> =>
  call('create_email_address', { emailAddress });

/** Sends a six-digit code (`email_code`) or a link (`email_link`) to the address. */
export const prepareEmailVerification = (id: string, strategy: VerificationStrategy): Promise<EmailAddress> =>
  call('prepare_email_verification', { id, strategy });

/** Checks the code the person entered. */
export const attemptEmailVerification = (id: string, code: string): Promise<EmailAddress> =>
  call('attempt_email_verification', { id, code });

/** Removes the address from the account. */
export const destroyEmailAddress = (id: string): Promise<null> => call('destroy_email_address', { id });

/** Adds a phone number (E.164) to the account, unverified. */
export const createPhoneNumber = (phoneNumber: string): Promise<PhoneNumber> =>
  call('create_phone_number', { phoneNumber });

/** Texts a six-digit code to the number. */
export const preparePhoneVerification = (id: string): Promise<PhoneNumber> =>
  call('prepare_phone_verification', { id });

/** Checks the code the person entered. */
export const attemptPhoneVerification = (id: string, code: string): Promise<PhoneNumber> =>
  call('attempt_phone_verification', { id, code });

/** Keeps a verified number for two-step verification (or stops). May return backup codes, once. */
export const setReservedForSecondFactor = (id: string, reserved: boolean): Promise<PhoneNumber> =>
  call('set_reserved_for_second_factor', { id, reserved });

/** Makes a number the one two-step verification texts by default. */
export const makeDefaultSecondFactor = (id: string): Promise<PhoneNumber> =>
  call('make_default_second_factor', { id });

/** Removes the number from the account. */
export const destroyPhoneNumber = (id: string): Promise<null> => call('destroy_phone_number', { id });

/** The latest messages of the development outbox, newest first. */
export const devOutbox = (limit: number): Promise<OutboxMessage[]> => call('dev_outbox', { limit });

/**
 * True when the instance is the embedded server in development mode, which records mail and SMS
 * in an outbox instead of sending them.
 */
export function hasDevOutbox(info: AppInfo | null): boolean {
  return info?.dev_outbox === true;
}

// ── Security, devices, tokens, sign-up ──────────────────────────────────────────────────────────

/** Texts the sign-in's second-factor code to the account's two-step phone. */
export const prepareSecondFactor = (signInId: string, phoneNumberId: string): Promise<null> =>
  call('prepare_second_factor', { signInId, phoneNumberId });

/** Completes a two-step sign-in with a `totp`, `phone_code` or `backup_code`; signed in after. */
export const attemptSecondFactor = (signInId: string, strategy: SecondFactor, code: string): Promise<User> =>
  call('attempt_second_factor', { signInId, strategy, code });

/** The account's active sessions, with which one is this device's. */
export const devices = (): Promise<Devices> => call('devices');

/** Signs one other device out. */
export const revokeSession = (id: string): Promise<null> => call('revoke_session', { id });

/** Signs every other device out; returns how many were. */
export const revokeOtherSessions = (): Promise<number> => call('revoke_other_sessions');

/** A session token for an integration, decoded and checked against the instance's keys. */
export const getToken = (service: TokenService): Promise<TokenInspection> => call('get_token', { service });

/** Starts enrolling an authenticator app: the secret and its `otpauth://` URI. */
export const createTotp = (): Promise<Totp> => call('create_totp');

/** Confirms the authenticator with its first code; the backup codes come back once, here. */
export const verifyTotp = (code: string): Promise<Totp> => call('verify_totp', { code });

/** Removes the authenticator app. */
export const deleteTotp = (): Promise<null> => call('delete_totp');

/** A new set of backup codes; the old ones stop working. */
export const createBackupCodes = (): Promise<BackupCodes> => call('create_backup_codes');

/** Saves the codes to a file the person picks; false when they cancelled the dialog. */
export const saveBackupCodes = (codes: string[]): Promise<boolean> => call('save_backup_codes', { codes });

/** The instance's rules for changing the account (does it ask for reverification?). */
export const accountRules = (): Promise<AccountRules> => call('account_rules');

/** Changes (or sets) the password; `currentPassword` may be empty where reverification stands in for it. */
export const changePassword = (
  currentPassword: string,
  newPassword: string,
  signOutOfOtherSessions: boolean,
): Promise<User> => call('change_password', { currentPassword, newPassword, signOutOfOtherSessions });

/** Removes the password, when another way to sign in exists. */
export const removePassword = (currentPassword: string): Promise<User> => call('remove_password', { currentPassword });

/** What the instance asks of a new account. */
export const signUpOptions = (): Promise<SignUpOptions> => call('sign_up_options');

/** Starts a sign-up and sends what verifies its first email address or phone number. */
export const startSignUp = (form: SignUpForm): Promise<SignUpStep> => call('start_sign_up', { form });

/** Checks a sign-up's code; then the next verification, or signed in. */
export const verifySignUp = (signUpId: string, strategy: SignUpStrategy, code: string): Promise<SignUpStep> =>
  call('verify_sign_up', { signUpId, strategy, code });

/** Reads the sign-up again: an email link opened in the browser moves it on. */
export const checkSignUp = (signUpId: string): Promise<SignUpStep> => call('check_sign_up', { signUpId });

/** Sends the sign-up's code or link again. */
export const resendSignUpVerification = (signUpId: string, strategy: SignUpStrategy): Promise<null> =>
  call('resend_sign_up_verification', { signUpId, strategy });

/** Opens the instance's terms or privacy policy in the browser. */
export const openLegalDocument = (document: LegalDocument): Promise<null> => call('open_legal_document', { document });

/** Starts verifying the session again, at the level the refusal named. */
export const startReverification = (level: ReverificationLevel): Promise<ReverificationStep> =>
  call('start_reverification', { level });

/** Emails a code to one of the person's verified addresses, for the first factor. */
export const prepareReverificationEmailCode = (emailAddressId: string): Promise<ReverificationStep> =>
  call('prepare_reverification_email_code', { emailAddressId });

/** Answers the first factor: `password` with the password, or `email_code` with the code. */
export const attemptReverificationFirstFactor = (
  strategy: 'password' | 'email_code',
  secret: string,
): Promise<ReverificationStep> => call('attempt_reverification_first_factor', { strategy, secret });

/** Texts the code of a `phone_code` second factor. */
export const prepareReverificationSecondFactor = (phoneNumberId: string): Promise<ReverificationStep> =>
  call('prepare_reverification_second_factor', { phoneNumberId });

/** Answers the second factor. */
export const attemptReverificationSecondFactor = (strategy: SecondFactor, code: string): Promise<ReverificationStep> =>
  call('attempt_reverification_second_factor', { strategy, code });

/** Deletes the account for good (when the instance allows it) and removes it from the app; the accounts after. */
export const deleteAccount = (): Promise<AccountSummary[]> => call('delete_account');

/** The OAuth strategies the instance has enabled, e.g. `oauth_github`. */
export const oauthStrategies = (): Promise<string[]> => call('oauth_strategies');

/** Starts connecting an account at a provider: the system browser opens; `oauth-finished` ends it. */
export const connectExternalAccount = (strategy: string, additionalScopes: string[] = []): Promise<OAuthStarted> =>
  call('connect_external_account', { strategy, additionalScopes });

/** Asks the provider again for a connected account, with more scopes; the same round trip. */
export const reauthorizeExternalAccount = (id: string, additionalScopes: string[]): Promise<OAuthStarted> =>
  call('reauthorize_external_account', { id, additionalScopes });

/** Removes a connected account. */
export const destroyExternalAccount = (id: string): Promise<null> => call('destroy_external_account', { id });

/** Starts signing in (or up) with a provider from the sign-in screen; `oauth-finished` ends it. */
export const signInWithOAuth = (strategy: string): Promise<OAuthStarted> => call('sign_in_with_oauth', { strategy });

/** Stops waiting for an OAuth flow (the browser tab may stay open; its return is ignored). */
export const cancelOAuth = (flowId: string): Promise<null> => call('cancel_oauth', { flowId });

/** How the flow whose link started the app ended; null when no link started it. Answers once. */
export const launchOAuthResult = (): Promise<OAuthFinished | null> => call('launch_oauth_result');

/** Calls `handler` with each payload of one of the app's events (names and payloads generated
 * from Rust); resolves to the function that stops it. */
const onEvent = <Name extends keyof EventPayloads>(
  name: Name,
  handler: (payload: EventPayloads[Name]) => void,
): Promise<UnlistenFn> => listen<EventPayloads[Name]>(name, (event) => handler(event.payload));

/** The end of every OAuth round trip. */
export const onOAuthFinished = (handler: (finished: OAuthFinished) => void): Promise<UnlistenFn> =>
  onEvent(EVENTS.OAUTH_FINISHED, handler);

// ── Accounts ────────────────────────────────────────────────────────────────────────────────────

/** Every account in the app; the shown one is `active`. */
export const accounts = (): Promise<AccountSummary[]> => call('accounts');

/** Shows a new, signed-out account on the shown one's instance (its sign-in screen); the others stay signed in. */
export const addAccount = (): Promise<AccountSummary[]> => call('add_account');

/** Shows account `id` at once, signed in as it was; an account left before it signed in is dropped. */
export const switchAccount = (id: string): Promise<AccountSummary[]> => call('switch_account', { id });

/** Signs account `id` out and forgets it; when it was shown, the one used most recently is shown next. */
export const removeAccount = (id: string): Promise<AccountSummary[]> => call('remove_account', { id });

/** The accounts changed outside the window (the tray, a session ended elsewhere, an account added twice). */
export const onAccountsChanged = (handler: (changed: AccountsChanged) => void): Promise<UnlistenFn> =>
  onEvent(EVENTS.ACCOUNTS_CHANGED, handler);

// ── Profile picture ─────────────────────────────────────────────────────────────────────────────

/** Opens the system's file picker for a photo; its preview, or null when the person cancelled. */
export const avatarPickFile = (): Promise<AvatarPreview | null> => call('avatar_pick_file');

/** Reads the picture on the system clipboard (a paste) into a preview. */
export const avatarFromClipboard = (): Promise<AvatarPreview> => call('avatar_from_clipboard');

/** Uploads the square `crop` (source pixels) of a preview as the profile picture. */
export const avatarUpload = (previewId: string, crop: AvatarCrop): Promise<User> =>
  call('avatar_upload', { previewId, crop });

/** Stops the upload in progress; the pending `avatarUpload` rejects with `upload_cancelled`. */
export const avatarCancelUpload = (): Promise<null> => call('avatar_cancel_upload');

/** Forgets a preview that will not be uploaded (the editor closed without saving). */
export const avatarDiscard = (previewId: string): Promise<null> => call('avatar_discard', { previewId });

/** Removes the profile picture; the account goes back to its default avatar. */
export const avatarRemove = (): Promise<User> => call('avatar_remove');

/** Files dragged over the window and dropped on it. */
export const onAvatarDrop = (handler: (event: AvatarDropEvent) => void): Promise<UnlistenFn> =>
  onEvent(EVENTS.AVATAR_DROP, handler);

/** The bytes an upload has sent so far. */
export const onAvatarUploadProgress = (handler: (progress: AvatarUploadProgress) => void): Promise<UnlistenFn> =>
  onEvent(EVENTS.AVATAR_UPLOAD_PROGRESS, handler);

// ── Offline, watching, export ───────────────────────────────────────────────────────────────────

/** The account as Userdesk last knew it, for when the instance cannot be reached; null when none is kept. */
export const offlineView = (): Promise<OfflineView | null> => call('offline_view');

/** True once after this device's session ended elsewhere (revoked, expired), not by signing out here. */
export const takeSessionEnded = (): Promise<boolean> => call('take_session_ended');

/** The section the latest notification leads to, once; null when there is none. */
export const takeNoticeSection = (): Promise<NoticeSection | null> => call('take_notice_section');

/** The account's local security log, newest first. */
export const securityLog = (): Promise<SecurityEvent[]> => call('security_log');

/** Saves everything the account shows as JSON where the person picks; false when they cancelled. */
export const exportAccountData = (): Promise<boolean> => call('export_account_data');

/** Reads the account and its devices and keeps them (offline view, security log, notifications). */
export const checkAccount = (): Promise<null> => call('check_account');

// ── Passkeys ────────────────────────────────────────────────────────────────────────────────────

/** The kinds of authenticator this machine can add passkeys with (a USB key, Windows Hello). */
export const passkeyAuthenticators = (): Promise<AuthenticatorKind[]> => call('passkey_authenticators');

/** Adds a passkey: the authenticator's prompts come as `passkey-prompt` events; the user after. */
export const addPasskey = (): Promise<User> => call('add_passkey');

export const renamePasskey = (id: string, name: string): Promise<User> => call('rename_passkey', { id, name });

export const removePasskey = (id: string): Promise<User> => call('remove_passkey', { id });

/** Signs in with a passkey: any on the authenticator without `identifier`, else one of that account's. */
export const signInWithPasskey = (identifier: string | null): Promise<SignInResult> =>
  call('sign_in_with_passkey', { identifier });

/** The PIN the authenticator asked for. */
export const answerPasskeyPin = (pin: string): Promise<null> => call('answer_passkey_pin', { pin });

/** Verifies the session again with one of the account's passkeys (prompts as for adding one). */
export const reverifyWithPasskey = (): Promise<ReverificationStep> => call('reverify_with_passkey');

/** Stops the passkey ceremony in progress; its command rejects with `passkey_cancelled`. */
export const cancelPasskey = (): Promise<null> => call('cancel_passkey');

/** What the authenticator asks of the person now (insert, touch, PIN). */
export const onPasskeyPrompt = (handler: (prompt: PasskeyPrompt) => void): Promise<UnlistenFn> =>
  onEvent(EVENTS.PASSKEY_PROMPT, handler);
