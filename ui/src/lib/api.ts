// The one place that talks to the Rust side. Every command has a typed wrapper here, and every
// rejection comes out as a `CommandError`, so the UI has one error shape to branch on.
import { invoke, type InvokeArgs } from '@tauri-apps/api/core';
import type {
  AppInfo,
  CommandError,
  EmailAddress,
  JsonValue,
  OutboxMessage,
  PhoneNumber,
  Settings,
  SignInResult,
  UpdateUserParams,
  User,
  VerificationStrategy,
} from './bindings';

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
    return { code: reason.code, message: reason.message, field: reason.field ?? null };
  }
  let message: string;
  if (reason instanceof Error) message = reason.message;
  else if (typeof reason === 'string') message = reason;
  else message = 'Something went wrong inside Userdesk.';
  return { code: 'internal', message: message || 'Something went wrong inside Userdesk.', field: null };
}

async function call<T>(command: string, args?: InvokeArgs): Promise<T> {
  try {
    return await invoke<T>(command, args);
  } catch (reason) {
    throw toCommandError(reason);
  }
}

/** Version, the instance in use, the demo account (embedded server only) and where the token lives. */
export const appInfo = (): Promise<AppInfo> => call('app_info');

/** The signed-in user, or `null` when signed out. */
export const currentUser = (): Promise<User | null> => call('current_user');

/** Signs in with an identifier (email or username) and password; two-step accounts need a second step. */
export const signIn = (identifier: string, password: string): Promise<SignInResult> =>
  call('sign_in', { identifier, password });

/** Ends the session on the server and forgets it locally. */
export const signOut = (): Promise<null> => call('sign_out');

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
