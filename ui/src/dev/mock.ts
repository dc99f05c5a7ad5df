// Dev-server only (see main.ts): answers the IPC commands from memory so the UI can be seen in a
// plain browser. Fixture data, not a server: every command succeeds (any password, any code); the
// server's rules are tested in Rust. Query parameters pick the state to look at:
//   ?signed-in            start signed in (otherwise at the sign-in screen)
//   ?section=settings     open a section once signed in
//   ?theme=dark|light     the saved theme
//   ?storage=file         the token is stored in a file (fallback)
//   ?instance=clerk       connected to a Clerk instance (no demo account, no outbox)
//   ?accounts=many        several addresses and numbers in every state (Emails & phones)
//   ?code=123456          the code every message sends (otherwise random; see the outbox)
//   ?connected=many, ?oauth=fail|slow   connected accounts and OAuth flows (see fake-oauth.ts)
//   ?avatar=set|fail|slow the profile picture (see fake-avatar.ts); files dragged onto the page
//                         and pasted images work as in the app
//   ?two-factor           the demo account has an authenticator app and backup codes: signing in
//                         asks for the second step
//   ?others               more accounts in the switcher (see fake-accounts.ts)
import { mockIPC } from '@tauri-apps/api/mocks';
import type { AppInfo, CommandError, EmailAddress, PhoneNumber, Settings, Theme, User } from '$lib/bindings';
import { nav, SECTIONS, type Section } from '$lib/stores/nav.svelte';
import { FakeAccount, type Handler } from './fake-account';
import { DEMO_ACCOUNT, FakeAccounts } from './fake-accounts';
import { FakeAvatar } from './fake-avatar';
import { FakeOAuth } from './fake-oauth';
import { FakeSecurity } from './fake-security';

const DEMO = { email: 'demo@example.com', password: 'userdesk-demo' };

function demoUser(): User {
  // What the screens read; the casts leave room for the fields they do not.
  const email: Partial<EmailAddress> = {
    id: 'idn_1',
    email_address: DEMO.email,
    verification: { status: 'verified', strategy: 'email_code', attempts: 1, expire_at: null },
  };
  const user: Partial<User> = {
    id: 'user_2demo',
    username: 'ada',
    first_name: 'Ada',
    last_name: 'Lovelace',
    image_url: '',
    has_image: false,
    primary_email_address_id: 'idn_1',
    primary_phone_number_id: null,
    email_addresses: [email as EmailAddress],
    phone_numbers: [],
    external_accounts: [],
    public_metadata: { plan: 'pro', roles: ['admin', 'billing'], seats: 5 },
    unsafe_metadata: { onboarding: { completed: true, step: 4 }, theme: 'dark' },
    password_enabled: true,
    two_factor_enabled: false,
    totp_enabled: false,
    backup_code_enabled: false,
    last_sign_in_at: Date.now(),
    created_at: Date.now() - 86_400_000 * 30,
    updated_at: Date.now(),
    delete_self_enabled: true,
  };
  return user as User;
}

/** The demo user with an address and a number in every state, for looking at Emails & phones. */
function manyAccounts(user: User, fake: FakeAccount): User {
  const now = Date.now();
  const day = 86_400_000;
  const email = (id: string, address: string, v: EmailAddress['verification'], linked: string[] = []): EmailAddress => ({
    id,
    object: 'email_address',
    email_address: address,
    reserved: false,
    verification: v,
    linked_to: linked.map((type, i) => ({ type, id: `idn_link_${i}` })),
    created_at: now - 20 * day,
    updated_at: now - day,
  });
  const verified = { status: 'verified' as const, strategy: 'email_code', attempts: 1, expire_at: null };
  const phone = (id: string, number: string, v: PhoneNumber['verification'], twoFactor = false, isDefault = false): PhoneNumber => ({
    id,
    object: 'phone_number',
    phone_number: number,
    reserved_for_second_factor: twoFactor,
    default_second_factor: isDefault,
    reserved: false,
    verification: v,
    linked_to: [],
    backup_codes: null,
    created_at: now - 10 * day,
    updated_at: now - day,
  });
  fake.outbox = [
    { id: 'msg_2', to: 'ada.work@example.org', channel: 'email', code: '424242', link: null, sent_at: now - 40_000, subject: '424242 is your verification code', body: 'Your verification code is 424242.' },
    { id: 'msg_1', to: 'ada.work@example.org', channel: 'email', code: '918273', link: null, sent_at: now - 5 * 60_000, subject: '918273 is your verification code', body: 'Your verification code is 918273.' },
  ];
  return {
    ...user,
    email_addresses: [
      ...user.email_addresses,
      email('idn_2', 'ada@lovelace.dev', verified, ['oauth_github']),
      email('idn_3', 'ada.work@example.org', { status: 'unverified', strategy: 'email_code', attempts: 0, expire_at: now + 9 * 60_000 }),
      email('idn_4', 'old@analytical.engine', { status: 'expired', strategy: 'email_code', attempts: 1, expire_at: now - day }),
    ],
    phone_numbers: [
      phone('idn_5', '+14155550142', { ...verified, strategy: 'phone_code' }, true, true),
      phone('idn_6', '+442079460958', { ...verified, strategy: 'phone_code' }),
      phone('idn_7', '+33612345678', null),
    ],
    primary_phone_number_id: 'idn_6',
    two_factor_enabled: true,
  };
}

const delay = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Written to the console by the mock, and looked for in ui/dist by scripts/check-dist.mjs. */
export const DEV_MOCK_MARKER = 'userdesk-dev-mock';

/** Every command the dev mock answers, by name, and the avatar fake (its drops need the page). */
export function devBackend(query: URLSearchParams): { commands: Record<string, Handler>; avatar: FakeAvatar } {
  const fixedCode = query.get('code');
  const fake = new FakeAccount(demoUser(), fixedCode ? { code: () => fixedCode } : {});
  if (query.get('accounts') === 'many') fake.user = manyAccounts(fake.user, fake);
  const security = new FakeSecurity(fake, fixedCode ? { sentCode: () => fixedCode } : {});
  if (query.has('two-factor')) {
    fake.user = { ...fake.user, two_factor_enabled: true, totp_enabled: true, backup_code_enabled: true };
    console.info(`${DEV_MOCK_MARKER}: backup codes`, security.backupCodes.join(' '));
  }
  let signedIn = query.has('signed-in');
  // The accounts in the switcher; `signedIn` is the demo account's state.
  const accounts = new FakeAccounts(() => fake.user, signedIn, query);
  const markSignedIn = (identifier: string | null = null) => {
    if (accounts.active === DEMO_ACCOUNT) signedIn = true;
    accounts.signedIn(identifier);
  };
  const clerk = query.get('instance') === 'clerk';
  let settings: Settings = {
    instance: clerk ? { kind: 'publishable_key', key: 'pk_test_Y2xlcmsuZXhhbXBsZS5jb20k' } : { kind: 'embedded' },
    theme: (query.get('theme') as Theme | null) ?? 'system',
    keep_in_tray: false,
  };
  const info = (): AppInfo => ({
    version: '0.1.0',
    instance:
      settings.instance.kind === 'embedded'
        ? { kind: 'embedded', fapi_url: 'http://127.0.0.1:43117', label: 'Embedded account server' }
        : settings.instance.kind === 'publishable_key'
          ? { kind: 'clerk', fapi_url: 'https://clerk.example.com', label: 'clerk.example.com' }
          : { kind: 'url', fapi_url: settings.instance.url, label: new URL(settings.instance.url).host },
    demo_account: settings.instance.kind === 'embedded' ? DEMO : null,
    dev_outbox: settings.instance.kind === 'embedded' && query.get('outbox') !== 'off',
    token_storage:
      query.get('storage') === 'file'
        ? {
            kind: 'file',
            path: '/home/ada/.local/share/userdesk/client-token',
            reason: 'No secret service is running on this desktop session.',
          }
        : { kind: 'keychain' },
    server_key_storage:
      settings.instance.kind !== 'embedded'
        ? null
        : query.get('storage') === 'file'
          ? {
              kind: 'file',
              path: '/home/ada/.local/share/userdesk/server/at_rest_key',
              reason: 'No secret service is running on this desktop session.',
            }
          : { kind: 'keychain' },
  });
  // Opened once, at the first answer; refreshes after an action leave the section alone.
  let section = query.get('section') as Section | null;

  // OAuth (see fake-oauth.ts: ?connected=many, ?oauth=fail|slow); flows end with an event.
  const oauth = new FakeOAuth(fake, query);
  oauth.onSignedIn = () => markSignedIn();
  oauth.shownAccount = () => accounts.active;
  // The profile picture (see fake-avatar.ts); drops on the page become `avatar-drop` events.
  const avatar = new FakeAvatar(fake, query);
  avatar.signedIn = () => signedIn;
  const account = fake.handlers();
  const sec = security.handlers();
  const signingIn = (handler: Handler | undefined): Handler => (a) => {
    markSignedIn();
    return handler?.(a);
  };

  const commands: Record<string, Handler> = {
    ...account,
    ...sec,
    ...oauth.handlers(),
    ...avatar.handlers(),
    ...accounts.handlers(),
    app_info: () => info(),
    get_settings: () => settings,
    save_settings: (a) => {
      settings = a.settings as Settings;
      return info();
    },
    launch_oauth_result: () => null,
    take_session_ended: () => false,
    take_notice_section: () => null,
    offline_view: () => null,
    security_log: () => [],
    export_account_data: () => true,
    check_account: () => null,
    current_user: () => {
      if (accounts.active !== DEMO_ACCOUNT) return accounts.shownUser();
      if (!signedIn) return null;
      if (section && (SECTIONS as readonly string[]).includes(section)) {
        nav.go(section);
        section = null;
      }
      return fake.user;
    },
    sign_in: (a) => {
      if (accounts.active === DEMO_ACCOUNT && fake.user.two_factor_enabled) return security.needsSecondFactor();
      markSignedIn(String(a.identifier));
      return { status: 'complete', user: accounts.shownUser() ?? fake.user };
    },
    sign_out: () => {
      if (accounts.active === DEMO_ACCOUNT) signedIn = false;
      return accounts.leave();
    },
    delete_account: () => {
      if (accounts.active === DEMO_ACCOUNT) signedIn = false;
      return accounts.leave();
    },
    attempt_second_factor: signingIn(sec.attempt_second_factor),
    verify_sign_up: signingIn(sec.verify_sign_up),
    check_sign_up: signingIn(sec.check_sign_up),
    prepare_email_verification: (a) => {
      // The email link "opens" itself a few seconds after it was sent.
      if (a.strategy === 'email_link') setTimeout(() => fake.openLink(String(a.id)), 4000);
      return account.prepare_email_verification?.(a);
    },
  };
  return { commands, avatar };
}

export function installDevMock(query: URLSearchParams): void {
  const { commands, avatar } = devBackend(query);
  avatar.installDropBridge();
  console.info(`${DEV_MOCK_MARKER}: no Tauri here, commands are answered from memory (src/dev/mock.ts)`);
  mockIPC(
    async (cmd, args) => {
      await delay(150);
      const handler = commands[cmd];
      if (!handler) throw { code: 'internal', message: `Unknown command ${cmd}`, field: null } satisfies CommandError;
      return handler((args ?? {}) as Record<string, unknown>);
    },
    { shouldMockEvents: true },
  );
}
