// An in-memory stand-in for the security commands (devices, tokens, two-step verification,
// password, sign-up, the second sign-in step, account deletion), working on a FakeAccount's user.
// Shared by the dev mock (src/dev/mock.ts) and the unit tests; answers as the Rust side does.
import type {
  BackupCodes,
  CommandError,
  Devices,
  JsonValue,
  SessionWithActivities,
  SignInResult,
  SignUpForm,
  TokenInspection,
  TokenService,
  Totp,
  User,
} from '$lib/bindings';
import type { FakeAccount } from './fake-account';

type Handler = (args: Record<string, unknown>) => unknown;

const fail = (code: string, message: string, field: string | null = null): never => {
  throw { code, message, field } satisfies CommandError;
};

export type FakeSecurityOptions = {
  /** The code the authenticator app "shows". */
  totpCode?: string;
  /** The account's password. */
  password?: string;
  /** The clock (Unix ms). */
  now?: () => number;
  /** How long a token lives. */
  tokenTtlMs?: number;
  /** The code each text message or sign-up email sends; random six digits by default. */
  sentCode?: () => string;
  /** What `save_backup_codes` answers (false: the dialog was cancelled). */
  saveAnswer?: boolean;
};

const b64url = (value: unknown) =>
  btoa(JSON.stringify(value)).replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_');

export class FakeSecurity {
  sessions: SessionWithActivities[];
  currentSessionId = 'sess_this';
  password: string;
  backupCodes: string[] = [];
  totpCode: string;
  /** Set by `save_backup_codes`. */
  savedCodes: string[] | null = null;
  saveAnswer: boolean;
  /** Sign-ups waiting for their code, by id. */
  signUps = new Map<string, { form: SignUpForm; code: string }>();
  /** The code texted for the second sign-in step. */
  secondFactorCode: string | null = null;
  #account: FakeAccount;
  #now: () => number;
  #ttl: number;
  #next = 1;
  #sent: () => string;

  constructor(account: FakeAccount, options: FakeSecurityOptions = {}) {
    this.#account = account;
    this.#now = options.now ?? Date.now;
    this.#ttl = options.tokenTtlMs ?? 60_000;
    this.totpCode = options.totpCode ?? '123456';
    this.password = options.password ?? 'userdesk-demo';
    this.saveAnswer = options.saveAnswer ?? true;
    this.#sent = options.sentCode ?? (() => String(Math.floor(Math.random() * 1_000_000)).padStart(6, '0'));
    const now = this.#now();
    const session = (
      id: string,
      minutesAgo: number,
      activity: Partial<NonNullable<SessionWithActivities['latest_activity']>>,
    ): SessionWithActivities => ({
      id,
      object: 'session',
      status: 'active',
      expire_at: now + 7 * 86_400_000,
      abandon_at: now + 30 * 86_400_000,
      last_active_at: now - minutesAgo * 60_000,
      latest_activity: { object: 'session_activity', id: `sess_act_${id}`, is_mobile: false, ...activity },
    });
    this.sessions = [
      session('sess_this', 0, { browser_name: 'Userdesk', browser_version: '0.1.0', device_type: 'Linux', ip_address: '127.0.0.1' }),
      session('sess_mac', 3, {
        browser_name: 'Chrome',
        browser_version: '124.0.6367.91',
        device_type: 'Macintosh',
        ip_address: '203.0.113.24',
        city: 'Berlin',
        country: 'Germany',
      }),
      session('sess_phone', 60 * 26, {
        browser_name: 'Safari',
        browser_version: '17.4',
        device_type: 'iPhone',
        is_mobile: true,
        ip_address: '198.51.100.7',
        city: 'Lisbon',
        country: 'Portugal',
      }),
    ];
  }

  get user(): User {
    return this.#account.user;
  }

  set user(user: User) {
    this.#account.user = user;
  }

  #update(changes: Partial<User>): User {
    this.user = { ...this.user, ...changes, updated_at: this.#now() };
    return this.user;
  }

  #twoFactor(changes: Partial<User>): User {
    const next = { ...this.user, ...changes };
    const sms = next.phone_numbers.some((p) => p.reserved_for_second_factor);
    return this.#update({ ...changes, two_factor_enabled: next.totp_enabled || sms });
  }

  #codes(): string[] {
    // Deterministic but varied: a small linear congruential generator over a-z0-9.
    let seed = 0x2f6b1d + this.#next * 7919;
    const char = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
      return 'abcdefghijkmnpqrstuvwxyz23456789'[(seed >>> 16) % 32];
    };
    return Array.from({ length: 10 }, () => Array.from({ length: 8 }, char).join(''));
  }

  /** The commands it answers, for `mockIPC`. */
  handlers(): Record<string, Handler> {
    const s = (v: unknown) => String(v ?? '');
    return {
      devices: () => this.devices(),
      revoke_session: (a) => this.revoke(s(a.id)),
      revoke_other_sessions: () => this.revokeOthers(),
      get_token: (a) => this.token(a.service as TokenService),
      create_totp: () => this.createTotp(),
      verify_totp: (a) => this.verifyTotp(s(a.code)),
      delete_totp: () => this.deleteTotp(),
      create_backup_codes: () => this.createBackupCodes(),
      save_backup_codes: (a) => {
        this.savedCodes = a.codes as string[];
        return this.saveAnswer;
      },
      change_password: (a) => this.changePassword(s(a.currentPassword), s(a.newPassword), a.signOutOfOtherSessions === true),
      remove_password: (a) => this.removePassword(s(a.currentPassword)),
      delete_account: () => this.deleteAccount(),
      prepare_second_factor: () => this.prepareSecondFactor(),
      attempt_second_factor: (a) => this.attemptSecondFactor(s(a.strategy), s(a.code)),
      start_sign_up: (a) => this.startSignUp(a.form as SignUpForm),
      verify_sign_up: (a) => this.verifySignUp(s(a.signUpId), s(a.code)),
    };
  }

  devices(): Devices {
    return { current_session_id: this.currentSessionId, sessions: this.sessions };
  }

  revoke(id: string): null {
    if (id === this.currentSessionId) fail('session_current', 'Use Sign out to end this device’s session.');
    if (!this.sessions.some((x) => x.id === id)) fail('resource_not_found', 'That session has already ended.');
    this.sessions = this.sessions.filter((x) => x.id !== id);
    return null;
  }

  revokeOthers(): number {
    const count = this.sessions.filter((x) => x.id !== this.currentSessionId).length;
    this.sessions = this.sessions.filter((x) => x.id === this.currentSessionId);
    return count;
  }

  token(service: TokenService): TokenInspection {
    const now = this.#now();
    const iat = Math.floor(now / 1000);
    const exp = Math.floor((now + this.#ttl) / 1000);
    const header = { alg: 'RS256', kid: 'ins_2demoKey', typ: 'JWT' };
    const claims: Record<string, JsonValue> = {
      azp: 'userdesk://',
      exp,
      iat,
      iss: 'http://127.0.0.1:43117',
      nbf: iat - 10,
      sid: this.currentSessionId,
      sub: this.user.id,
    };
    if (service === 'hasura') {
      claims['https://hasura.io/jwt/claims'] = {
        'x-hasura-allowed-roles': ['user'],
        'x-hasura-default-role': 'user',
        'x-hasura-user-id': this.user.id,
      };
    }
    if (service === 'firebase') claims.aud = 'https://identitytoolkit.googleapis.com/google.identity.identitytoolkit.v1.IdentityToolkit';
    const jwt = `${b64url(header)}.${b64url(claims)}.c2lnbmF0dXJlLW9mLXRoZS1kZW1vLXRva2VuLW5vdC1hLXJlYWwtb25l`;
    return { jwt, header, claims, expires_at: exp * 1000, signature: { status: 'valid' } };
  }

  createTotp(): Totp {
    if (this.user.totp_enabled) fail('totp_already_enabled', 'An authenticator app is already set up.');
    const secret = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
    const label = encodeURIComponent(this.user.email_addresses[0]?.email_address ?? this.user.id);
    const now = this.#now();
    return {
      object: 'totp',
      id: 'totp_1',
      secret,
      uri: `otpauth://totp/Userdesk:${label}?secret=${secret}&issuer=Userdesk&algorithm=SHA1&digits=6&period=30`,
      verified: false,
      backup_codes: null,
      created_at: now,
      updated_at: now,
    };
  }

  verifyTotp(code: string): Totp {
    if (code !== this.totpCode) fail('form_code_incorrect', 'Incorrect code. Check your authenticator app and try again.', 'code');
    const first = !this.user.backup_code_enabled;
    if (first) this.backupCodes = this.#codes();
    this.#twoFactor({ totp_enabled: true, backup_code_enabled: true });
    const now = this.#now();
    return {
      object: 'totp',
      id: 'totp_1',
      secret: null,
      uri: null,
      verified: true,
      backup_codes: first ? this.backupCodes : null,
      created_at: now,
      updated_at: now,
    };
  }

  deleteTotp(): null {
    this.#twoFactor({ totp_enabled: false });
    if (!this.user.two_factor_enabled) this.#update({ backup_code_enabled: false });
    return null;
  }

  createBackupCodes(): BackupCodes {
    this.#next++;
    this.backupCodes = this.#codes();
    this.#update({ backup_code_enabled: true });
    const now = this.#now();
    return { object: 'backup_code', id: 'bcode_1', codes: this.backupCodes, created_at: now, updated_at: now };
  }

  changePassword(current: string, next: string, signOutOthers: boolean): User {
    if (this.user.password_enabled && current !== this.password) {
      fail('form_password_incorrect', 'Password is incorrect. Try again, or use another method.', 'current_password');
    }
    if (next.length < 8) fail('form_password_length_too_short', 'Passwords must be 8 characters or more.', 'new_password');
    if (next === 'password123') fail('form_password_pwned', 'This password has been found in a data breach. Choose another.', 'new_password');
    this.password = next;
    if (signOutOthers) this.revokeOthers();
    return this.#update({ password_enabled: true });
  }

  removePassword(current: string): User {
    if (current !== this.password) {
      fail('form_password_incorrect', 'Password is incorrect. Try again, or use another method.', 'current_password');
    }
    this.password = '';
    return this.#update({ password_enabled: false });
  }

  deleteAccount(): null {
    if (!this.user.delete_self_enabled) fail('delete_self_disabled', 'This instance does not let you delete your account.');
    return null;
  }

  /** What `sign_in` answers for an account with two-step verification. */
  needsSecondFactor(): SignInResult {
    const phone = this.user.phone_numbers.find((p) => p.reserved_for_second_factor) ?? null;
    const strategies = [
      ...(this.user.totp_enabled ? ['totp'] : []),
      ...(phone ? ['phone_code'] : []),
      ...(this.user.backup_code_enabled ? ['backup_code'] : []),
    ];
    return {
      status: 'needs_second_factor',
      sign_in_id: 'sia_1',
      strategies,
      phone: phone && { phone_number_id: phone.id, safe_identifier: `+•••••••${phone.phone_number.slice(-4)}` },
    };
  }

  prepareSecondFactor(): null {
    const phone = this.user.phone_numbers.find((p) => p.reserved_for_second_factor) ?? fail('no_second_factor_phone', 'No phone is kept for two-step verification.');
    const code = this.#sent();
    this.secondFactorCode = code;
    this.#account.outbox = [
      { id: `msg_2fa_${this.#next++}`, to: phone.phone_number, channel: 'sms', code, link: null, sent_at: this.#now(), subject: `${code} is your verification code`, body: `${code} is your Userdesk verification code.` },
      ...this.#account.outbox,
    ];
    return null;
  }

  attemptSecondFactor(strategy: string, code: string): User {
    const ok =
      (strategy === 'totp' && code === this.totpCode) ||
      (strategy === 'phone_code' && code === this.secondFactorCode) ||
      (strategy === 'backup_code' && this.backupCodes.includes(code));
    if (!ok) fail('form_code_incorrect', 'Incorrect code. Try again.', 'code');
    if (strategy === 'backup_code') this.backupCodes = this.backupCodes.filter((c) => c !== code);
    return this.user;
  }

  startSignUp(form: SignUpForm): string {
    if (this.user.email_addresses.some((e) => e.email_address.toLowerCase() === form.email_address.toLowerCase())) {
      fail('form_identifier_exists', 'That email address is taken. Please try another.', 'email_address');
    }
    if (form.password.length < 8) fail('form_password_length_too_short', 'Passwords must be 8 characters or more.', 'password');
    const id = `sua_${this.#next++}`;
    const code = this.#sent();
    this.signUps.set(id, { form, code });
    this.#account.outbox = [
      { id: `msg_su_${this.#next++}`, to: form.email_address, channel: 'email', code, link: null, sent_at: this.#now(), subject: `${code} is your verification code`, body: `Your verification code is ${code}.` },
      ...this.#account.outbox,
    ];
    return id;
  }

  verifySignUp(id: string, code: string): User {
    const pending = this.signUps.get(id) ?? fail('resource_not_found', 'This sign-up has expired. Start again.');
    if (code !== pending.code) fail('form_code_incorrect', 'Incorrect code. Try again.', 'code');
    this.signUps.delete(id);
    const now = this.#now();
    const { form } = pending;
    this.user = {
      ...this.user,
      id: 'user_new',
      username: null,
      first_name: form.first_name,
      last_name: form.last_name,
      primary_email_address_id: 'idn_new',
      primary_phone_number_id: null,
      email_addresses: [
        {
          id: 'idn_new',
          object: 'email_address',
          email_address: form.email_address,
          reserved: false,
          verification: { status: 'verified', strategy: 'email_code', attempts: 1, expire_at: null },
          linked_to: [],
          created_at: now,
          updated_at: now,
        },
      ],
      phone_numbers: [],
      external_accounts: [],
      public_metadata: {},
      unsafe_metadata: (form.unsafe_metadata ?? {}) as User['unsafe_metadata'],
      password_enabled: true,
      two_factor_enabled: false,
      totp_enabled: false,
      backup_code_enabled: false,
      created_at: now,
      updated_at: now,
    };
    this.password = form.password;
    return this.user;
  }
}
