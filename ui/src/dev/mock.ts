// Dev-server only (see main.ts): answers the IPC commands from memory so the UI can be seen in a
// plain browser. Query parameters pick the state to look at:
//   ?signed-in            start signed in (otherwise at the sign-in screen)
//   ?section=settings     open a section once signed in
//   ?theme=dark|light     the saved theme
//   ?storage=file         the token is stored in a file (fallback)
//   ?instance=clerk       connected to a Clerk instance (no demo account)
import { mockIPC } from '@tauri-apps/api/mocks';
import type { AppInfo, CommandError, EmailAddress, Settings, Theme, UpdateUserParams, User } from '$lib/bindings';
import { nav, SECTIONS, type Section } from '$lib/stores/nav.svelte';

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

const delay = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function installDevMock(query: URLSearchParams): void {
  let user: User | null = query.has('signed-in') ? demoUser() : null;
  const clerk = query.get('instance') === 'clerk';
  let settings: Settings = {
    instance: clerk ? { kind: 'publishable_key', key: 'pk_test_Y2xlcmsuZXhhbXBsZS5jb20k' } : { kind: 'embedded' },
    theme: (query.get('theme') as Theme | null) ?? 'system',
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
    token_storage:
      query.get('storage') === 'file'
        ? {
            kind: 'file',
            path: '/home/ada/.local/share/userdesk/client-token',
            reason: 'No secret service is running on this desktop session.',
          }
        : { kind: 'keychain' },
  });
  const section = query.get('section') as Section | null;

  mockIPC(async (cmd, args) => {
    await delay(150);
    const a = (args ?? {}) as Record<string, unknown>;
    const fail = (e: CommandError): never => {
      throw e;
    };
    switch (cmd) {
      case 'app_info':
        return info();
      case 'current_user':
        if (user && section && (SECTIONS as readonly string[]).includes(section)) nav.go(section);
        return user;
      case 'sign_in':
        if (a.identifier !== DEMO.email) {
          fail({ code: 'form_identifier_not_found', message: 'Couldn’t find your account.', field: 'identifier' });
        }
        if (a.password !== DEMO.password) {
          fail({ code: 'form_password_incorrect', message: 'Password is incorrect. Try again, or use another method.', field: 'password' });
        }
        user = demoUser();
        return user;
      case 'sign_out':
        user = null;
        return null;
      case 'update_profile': {
        if (!user) return fail({ code: 'signed_out', message: 'You are signed out.', field: null });
        const p = a.params as UpdateUserParams;
        if (p.username === 'taken') {
          fail({ code: 'form_identifier_exists', message: 'That username is taken. Please try another.', field: 'username' });
        }
        user = { ...user, ...p } as User;
        return user;
      }
      case 'set_unsafe_metadata':
        if (!user) return fail({ code: 'signed_out', message: 'You are signed out.', field: null });
        user = { ...user, unsafe_metadata: a.metadata as User['unsafe_metadata'] };
        return user;
      case 'get_settings':
        return settings;
      case 'save_settings':
        settings = a.settings as Settings;
        return info();
      default:
        return fail({ code: 'internal', message: `Unknown command ${cmd}`, field: null });
    }
  });
}
