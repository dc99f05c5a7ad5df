// Shared by the unit tests: fixtures, a fake Rust side that records calls, and a store reset.
import { clearMocks, mockIPC, mockWindows } from '@tauri-apps/api/mocks';
import type {
  AccountSummary,
  AppInfo,
  CommandError,
  EmailAddress,
  ExternalAccount,
  PhoneNumber,
  Settings,
  User,
  VerificationStatus,
} from '$lib/bindings';
import { accounts } from '$lib/stores/accounts.svelte';
import { appInfo } from '$lib/stores/app-info.svelte';
import { confirmation } from '$lib/stores/confirm.svelte';
import { oauth } from '$lib/stores/oauth.svelte';
import { FakeAccount, type FakeAccountOptions } from './dev/fake-account';
import { FakeSecurity, type FakeSecurityOptions } from './dev/fake-security';
import { signInFlow } from '$lib/stores/sign-in-flow.svelte';
import { settings } from '$lib/stores/settings.svelte';
import { toasts } from '$lib/stores/toast.svelte';
import { user } from '$lib/stores/user.svelte';
import { signedOut } from '$lib/signed-out';

/** An email address; `status` null means it has no verification at all. */
export function makeEmail(id: string, address: string, status: VerificationStatus | null): EmailAddress {
  const email: Partial<EmailAddress> = {
    id,
    email_address: address,
    verification: status && { status, strategy: 'email_code', attempts: 1, expire_at: null },
  };
  return email as EmailAddress;
}

/** A full email address, as the server sends it. */
export function email(
  id: string,
  address: string,
  status: VerificationStatus | null,
  more: Partial<EmailAddress> = {},
): EmailAddress {
  return {
    id,
    object: 'email_address',
    email_address: address,
    reserved: false,
    verification: status && {
      status,
      strategy: 'email_code',
      attempts: status === 'verified' ? 1 : 0,
      expire_at: status === 'verified' ? null : Date.now() + 600_000,
    },
    linked_to: [],
    created_at: 1_690_000_000_000,
    updated_at: 1_700_000_000_000,
    ...more,
  };
}

/** A phone number (E.164), as the server sends it. */
export function phone(
  id: string,
  number: string,
  status: VerificationStatus | null,
  more: Partial<PhoneNumber> = {},
): PhoneNumber {
  return {
    id,
    object: 'phone_number',
    phone_number: number,
    reserved_for_second_factor: false,
    default_second_factor: false,
    reserved: false,
    verification: status && {
      status,
      strategy: 'phone_code',
      attempts: status === 'verified' ? 1 : 0,
      expire_at: status === 'verified' ? null : Date.now() + 600_000,
    },
    linked_to: [],
    backup_codes: null,
    created_at: 1_690_000_000_000,
    updated_at: 1_700_000_000_000,
    ...more,
  };
}

/** A connected account, as the server sends it; `status` null means no verification. */
export function externalAccount(
  id: string,
  provider: string,
  status: VerificationStatus | null,
  more: Partial<ExternalAccount> = {},
): ExternalAccount {
  return {
    object: 'external_account',
    id,
    provider,
    identification_id: `idn_${id}`,
    provider_user_id: `${id}_at_provider`,
    approved_scopes: status === 'verified' ? 'read:user user:email' : '',
    email_address: 'grace@example.com',
    first_name: 'Grace',
    last_name: 'Hopper',
    avatar_url: '',
    image_url: null,
    username: 'ghopper',
    phone_number: null,
    public_metadata: {},
    label: null,
    created_at: 1_690_000_000_000,
    updated_at: 1_700_000_000_000,
    verification: status && { status, strategy: provider, attempts: null, expire_at: null, error: null },
    ...more,
  };
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
    passkeys: [],
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

/** The id in the app of the account the fake Rust side shows by default. */
export const ACCOUNT_ID = 'acc_1';

/** An account as the switcher lists it, signed in as `user` (null: being added, or signed out). */
export function makeAccount(id: string, user: User | null, more: Partial<AccountSummary> = {}): AccountSummary {
  const address = user?.email_addresses.find((e) => e.id === user.primary_email_address_id)?.email_address ?? null;
  const name = user ? [user.first_name, user.last_name].filter(Boolean).join(' ') || address || user.id : '';
  return {
    id,
    instance_kind: 'embedded',
    instance_label: 'Embedded account server',
    person: user ? { name, email: address, image_url: user.has_image ? user.image_url : null } : null,
    active: false,
    signed_out: false,
    ...more,
  };
}

export function makeAppInfo(overrides: Partial<AppInfo> = {}): AppInfo {
  return {
    version: '1.2.3',
    instance: { kind: 'embedded', fapi_url: 'http://127.0.0.1:40000', label: 'Embedded account server' },
    demo_account: { email: 'demo@example.com', password: 'userdesk-demo' },
    token_storage: { kind: 'keychain' },
    server_key_storage: { kind: 'keychain' },
    dev_outbox: false,
    ...overrides,
  } as AppInfo;
}

export function makeSettings(overrides: Partial<Settings> = {}): Settings {
  return { instance: { kind: 'embedded' }, theme: 'system', keep_in_tray: false, ...overrides };
}

export type Call = { cmd: string; args: Record<string, unknown> };
type Handler = (args: Record<string, unknown>) => unknown;

/**
 * Installs a fake Rust side. `signedIn` decides what `current_user` answers, and the one account
 * `accounts` lists (`ACCOUNT_ID`); `handlers` replace or add commands. Returns the list of calls,
 * in order, for assertions.
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
    launch_oauth_result: () => null,
    oauth_strategies: () => [],
    take_session_ended: () => false,
    take_notice_section: () => null,
    security_log: () => [],
    check_account: () => null,
    accounts: () => [makeAccount(ACCOUNT_ID, current, { active: true })],
    sign_out: () => {
      // The account removed, a new signed-out one shows (none other is in the app).
      current = null;
      return [makeAccount('acc_next', null, { active: true })];
    },
  };
  const handlers = { ...defaults, ...options.handlers };
  mockWindows('main');
  mockIPC(
    (cmd, args) => {
      const a = (args ?? {}) as Record<string, unknown>;
      calls.push({ cmd, args: a });
      const handler = handlers[cmd];
      if (!handler) throw { code: 'internal', message: `no handler for ${cmd}`, field: null } satisfies CommandError;
      return handler(a);
    },
    // Events (`listen`, `emit` from @tauri-apps/api/event) go round in memory, so a test can
    // emit what the Rust side would (e.g. `oauth-finished`).
    { shouldMockEvents: true },
  );
  return calls;
}

/** A test's own answer to a command; `fake` answers as the in-memory account would. */
type Override = (args: Record<string, unknown>, fake: Handler) => unknown;

/**
 * A fake Rust side whose account commands change an in-memory account (src/dev/fake-account.ts
 * and fake-security.ts) and always succeed; a test that needs the server to refuse says so in
 * `handlers`. Every code sent is `123456`.
 */
export function accountBackend(
  user: User,
  options: {
    info?: AppInfo;
    handlers?: Record<string, Override>;
    fake?: FakeAccountOptions;
    security?: FakeSecurityOptions;
  } = {},
): { calls: Call[]; fake: FakeAccount; security: FakeSecurity } {
  const fake = new FakeAccount(user, { code: () => '123456', ...options.fake });
  const security = new FakeSecurity(fake, { sentCode: () => '123456', ...options.security });
  const answers: Record<string, Handler> = { ...fake.handlers(), ...security.handlers() };
  const overrides = Object.entries(options.handlers ?? {}).map(([cmd, answer]): [string, Handler] => [
    cmd,
    (args) => answer(args, (a) => answers[cmd]?.(a)),
  ]);
  const calls = fakeBackend({ signedIn: user, info: options.info, handlers: { ...answers, ...Object.fromEntries(overrides) } });
  return { calls, fake, security };
}

/** Commands other than the start-up reads, i.e. the ones an action sent. */
export function actions(calls: Call[]): Call[] {
  return calls.filter(
    (c) =>
      ![
        'app_info',
        'get_settings',
        'current_user',
        'launch_oauth_result',
        'dev_outbox',
        'oauth_strategies',
        'sign_in_options',
        'account_rules',
        'passkey_authenticators',
        'take_session_ended',
        'take_notice_section',
        'security_log',
        'check_account',
        'accounts',
      ].includes(
        c.cmd,
      ),
  );
}

/** Back to a freshly started app: stores empty, no mocks, no theme override. */
export function resetAll(): void {
  clearMocks();
  // What a sign-out forgets, as the app does it; then what only a fresh start forgets.
  signedOut('signed_out');
  user.error = null;
  user.status = 'unknown';
  appInfo.current = null;
  appInfo.error = null;
  settings.current = null;
  settings.error = null;
  toasts.dismiss();
  oauth.reset();
  accounts.reset();
  signInFlow.reset();
  if (confirmation.current) confirmation.settle(false);
  document.documentElement.removeAttribute('data-theme');
}
