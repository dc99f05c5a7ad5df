// Shared by the unit tests: fixtures, a fake Rust side that records calls, and a store reset.
import { clearMocks, mockIPC, mockWindows } from '@tauri-apps/api/mocks';
import type { AppInfo, CommandError, EmailAddress, Settings, User, VerificationStatus } from '$lib/bindings';
import { appInfo } from '$lib/stores/app-info.svelte';
import { nav } from '$lib/stores/nav.svelte';
import { settings } from '$lib/stores/settings.svelte';
import { toasts } from '$lib/stores/toast.svelte';
import { user } from '$lib/stores/user.svelte';

/** An email address; `status` null means it has no verification at all. */
export function makeEmail(id: string, address: string, status: VerificationStatus | null): EmailAddress {
  const email: Partial<EmailAddress> = {
    id,
    email_address: address,
    verification: status && { status, strategy: 'email_code', attempts: 1, expire_at: null },
  };
  return email as EmailAddress;
}

/** A user with what the UI reads; the cast leaves room for the fields it does not. */
export function makeUser(overrides: Partial<User> = {}): User {
  const user: Partial<User> = {
    id: 'user_1',
    username: 'grace',
    first_name: 'Grace',
    last_name: 'Hopper',
    image_url: 'https://img.example.test/grace.png',
    has_image: false,
    primary_email_address_id: 'idn_1',
    primary_phone_number_id: null,
    email_addresses: [makeEmail('idn_1', 'grace@example.com', 'verified')],
    phone_numbers: [],
    external_accounts: [],
    public_metadata: { plan: 'pro' },
    unsafe_metadata: { theme: 'dark' },
    password_enabled: true,
    two_factor_enabled: false,
    totp_enabled: false,
    backup_code_enabled: false,
    last_sign_in_at: 1_700_000_000_000,
    created_at: 1_690_000_000_000,
    updated_at: 1_700_000_000_000,
    delete_self_enabled: true,
  };
  return { ...user, ...overrides } as User;
}

export function makeAppInfo(overrides: Partial<AppInfo> = {}): AppInfo {
  return {
    version: '1.2.3',
    instance: { kind: 'embedded', fapi_url: 'http://127.0.0.1:40000', label: 'Embedded account server' },
    demo_account: { email: 'demo@example.com', password: 'userdesk-demo' },
    token_storage: { kind: 'keychain' },
    ...overrides,
  };
}

export function makeSettings(overrides: Partial<Settings> = {}): Settings {
  return { instance: { kind: 'embedded' }, theme: 'system', ...overrides };
}

export type Call = { cmd: string; args: Record<string, unknown> };
type Handler = (args: Record<string, unknown>) => unknown;

/**
 * Installs a fake Rust side. `signedIn` decides what `current_user` answers; `handlers` replace or
 * add commands. Returns the list of calls, in order, for assertions.
 */
export function fakeBackend(
  options: { signedIn?: User | null; info?: AppInfo; settings?: Settings; handlers?: Record<string, Handler> } = {},
): Call[] {
  const calls: Call[] = [];
  let current: User | null = options.signedIn ?? null;
  const info = options.info ?? makeAppInfo();
  const saved = options.settings ?? makeSettings();
  const defaults: Record<string, Handler> = {
    app_info: () => info,
    get_settings: () => saved,
    current_user: () => current,
    sign_out: () => {
      current = null;
      return null;
    },
  };
  const handlers = { ...defaults, ...options.handlers };
  mockWindows('main');
  mockIPC((cmd, args) => {
    const a = (args ?? {}) as Record<string, unknown>;
    calls.push({ cmd, args: a });
    const handler = handlers[cmd];
    if (!handler) throw { code: 'internal', message: `no handler for ${cmd}`, field: null } satisfies CommandError;
    return handler(a);
  });
  return calls;
}

/** Commands other than the start-up reads, i.e. the ones an action sent. */
export function actions(calls: Call[]): Call[] {
  return calls.filter((c) => !['app_info', 'get_settings', 'current_user'].includes(c.cmd));
}

/** Back to a freshly started app: stores empty, no mocks, no theme override. */
export function resetAll(): void {
  clearMocks();
  user.current = null;
  user.error = null;
  user.status = 'unknown';
  appInfo.current = null;
  appInfo.error = null;
  settings.current = null;
  settings.error = null;
  toasts.dismiss();
  nav.reset();
  document.documentElement.removeAttribute('data-theme');
}
