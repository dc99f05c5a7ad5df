// The one place that talks to the Rust side. Every command has a typed wrapper here, and every
// rejection comes out as a `CommandError`, so the UI has one error shape to branch on.
import { invoke, type InvokeArgs } from '@tauri-apps/api/core';
import type {
  AppInfo,
  CommandError,
  JsonValue,
  Settings,
  UpdateUserParams,
  User,
} from './bindings';

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

/** Signs in with an identifier (email or username) and password. */
export const signIn = (identifier: string, password: string): Promise<User> =>
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
