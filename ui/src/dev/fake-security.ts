// The security commands (devices, tokens, two-step verification, password, sign-up, the second
// sign-in step, account deletion) on a FakeAccount's user, shared by the dev mock and the unit
// tests. Fixture data like FakeAccount: every command succeeds (any code, any password).
import type {
  AccountSummary,
  BackupCodes,
  CodeSent,
  CodeSignInResult,
  Devices,
  JsonValue,
  LinkSent,
  LinkSignInState,
  Passkey,
  ReverificationLevel,
  ReverificationStep,
  SignInMethod,
  SecondFactor,
  SessionWithActivities,
  SignInOptions,
  SignInResult,
  SignUpForm,
  SignUpOptions,
  SignUpStep,
  TokenInspection,
  TokenService,
  Totp,
  User,
} from '$lib/bindings';
import { DEMO_BACKUP_CODES, randomCode, type FakeAccount, type Handler } from './fake-account';

export type FakeSecurityOptions = {
  /** How long a token lives. */
  tokenTtlMs?: number;
  /** The code each text message or sign-up email sends (shown in the outbox); random by default. */
  sentCode?: () => string;
  /** What `save_backup_codes` answers (false: the dialog was cancelled). */
  saveAnswer?: boolean;
  /** The instance verifies sessions again for sensitive changes (no current password asked). */
  reverification?: boolean;
};

const b64url = (value: unknown) =>
  btoa(JSON.stringify(value)).replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_');

const SECRET = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';

function session(id: string, minutesAgo: number, activity: Partial<NonNullable<SessionWithActivities['latest_activity']>>): SessionWithActivities {
  const now = Date.now();
  return {
    id,
    object: 'session',
    status: 'active',
    expire_at: now + 7 * 86_400_000,
    abandon_at: now + 30 * 86_400_000,
    last_active_at: now - minutesAgo * 60_000,
    latest_activity: { object: 'session_activity', id: `sess_act_${id}`, is_mobile: false, ...activity },
  };
}

export class FakeSecurity {
  currentSessionId = 'sess_this';
  sessions: SessionWithActivities[] = [
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
  backupCodes: string[] = DEMO_BACKUP_CODES;
  /** Set by `save_backup_codes`. */
  savedCodes: string[] | null = null;
  saveAnswer: boolean;
  #account: FakeAccount;
  #ttl: number;
  #sent: () => string;
  #next = 1;
  #reverification: boolean;

  constructor(account: FakeAccount, options: FakeSecurityOptions = {}) {
    this.#account = account;
    this.#reverification = options.reverification ?? false;
    this.#ttl = options.tokenTtlMs ?? 60_000;
    this.saveAnswer = options.saveAnswer ?? true;
    this.#sent = options.sentCode ?? randomCode;
  }

  get user(): User {
    return this.#account.user;
  }

  /** The commands it answers, for `mockIPC`. */
  handlers(): Record<string, Handler> {
    const update = (changes: Partial<User>) => this.#account.update(changes);
    const totp = (verified: boolean, backupCodes: string[] | null): Totp => ({
      object: 'totp',
      id: 'totp_1',
      secret: verified ? null : SECRET,
      uri: verified ? null : `otpauth://totp/Userdesk:${encodeURIComponent(this.user.email_addresses[0]?.email_address ?? this.user.id)}?secret=${SECRET}&issuer=Userdesk&algorithm=SHA1&digits=6&period=30`,
      verified,
      backup_codes: backupCodes,
      created_at: Date.now(),
      updated_at: Date.now(),
    });
    return {
      devices: (): Devices => ({ current_session_id: this.currentSessionId, sessions: this.sessions }),
      revoke_session: (a) => {
        this.sessions = this.sessions.filter((x) => x.id !== a.id);
        return null;
      },
      revoke_other_sessions: () => this.revokeOthers(),
      get_token: (a) => this.token(a.service as TokenService),
      create_totp: () => totp(false, null),
      verify_totp: () => {
        // Backup codes come with the first second factor, once.
        const first = !this.user.backup_code_enabled;
        update({ totp_enabled: true, backup_code_enabled: true, two_factor_enabled: true });
        return totp(true, first ? this.backupCodes : null);
      },
      delete_totp: () => {
        const sms = this.user.phone_numbers.some((p) => p.reserved_for_second_factor);
        update({ totp_enabled: false, two_factor_enabled: sms, backup_code_enabled: sms });
        return null;
      },
      create_backup_codes: (): BackupCodes => {
        this.backupCodes = this.backupCodes.map((c) => [...c].reverse().join(''));
        update({ backup_code_enabled: true });
        return { object: 'backup_code', id: 'bcode_1', codes: this.backupCodes, created_at: Date.now(), updated_at: Date.now() };
      },
      save_backup_codes: (a) => {
        this.savedCodes = a.codes as string[];
        return this.saveAnswer;
      },
      change_password: (a) => {
        if (a.signOutOfOtherSessions === true) this.revokeOthers();
        return update({ password_enabled: true });
      },
      remove_password: () => update({ password_enabled: false }),
      // The account deleted and removed from the app; a new, signed-out one shows.
      delete_account: (): AccountSummary[] => [
        { id: 'acc_new', instance_kind: 'embedded', instance_label: 'Embedded account server', person: null, active: true, signed_out: false },
      ],
      prepare_second_factor: () => {
        const phone = this.user.phone_numbers.find((p) => p.reserved_for_second_factor);
        if (phone) this.#send(phone.phone_number, 'sms');
        return null;
      },
      attempt_second_factor: () => this.user,
      // The instance's default: an email address and a password, the rest optional.
      sign_up_options: (): SignUpOptions => ({
        email_address: 'required',
        phone_number: 'optional',
        username: 'optional',
        first_name: 'optional',
        last_name: 'optional',
        password: 'required',
        legal_consent: null,
      }),
      start_sign_up: (a) => {
        const to = (a.form as SignUpForm).email_address ?? '';
        this.#send(to, 'email');
        return { status: 'needs_verification', sign_up_id: `sua_${this.#next++}`, strategy: 'email_code', to } satisfies SignUpStep;
      },
      verify_sign_up: (): SignUpStep => ({ status: 'complete', user: this.user }),
      check_sign_up: (): SignUpStep => ({ status: 'complete', user: this.user }),
      resend_sign_up_verification: () => null,
      open_legal_document: () => null,
      account_rules: () => ({ reverification: this.#reverification }),
      sign_in_options: (): SignInOptions => ({ password: true, code: true, link: false, reset_password: true, username: true, phone_number: false, passkey: true }),
      // Passkeys: a security key is at hand, and every ceremony succeeds at once (no prompts).
      passkey_authenticators: () => ['security_key'],
      add_passkey: () => {
        const at = Date.now();
        const added: Passkey = { id: `pk_${this.#next++}`, object: 'passkey', name: 'Security key', last_used_at: null, verification: null, created_at: at, updated_at: at };
        return update({ passkeys: [...this.user.passkeys, added] });
      },
      rename_passkey: (a) => update({ passkeys: this.user.passkeys.map((p) => (p.id === a.id ? { ...p, name: String(a.name) } : p)) }),
      remove_passkey: (a) => update({ passkeys: this.user.passkeys.filter((p) => p.id !== a.id) }),
      sign_in_with_passkey: (): SignInResult => ({ status: 'complete', user: this.user }),
      answer_passkey_pin: () => null,
      cancel_passkey: () => null,
      // A sign-in by code, or a password reset: the code goes to the first address; any code is right.
      start_code_sign_in: () => {
        const to = this.user.email_addresses[0]?.email_address ?? '';
        this.#send(to, 'email');
        return { sign_in_id: `sia_${this.#next++}`, sent_to: to, by_sms: false } satisfies CodeSent;
      },
      resend_sign_in_code: () => {
        this.#send(this.user.email_addresses[0]?.email_address ?? '', 'email');
        return null;
      },
      attempt_code_sign_in: (a): CodeSignInResult =>
        a.purpose === 'reset_password'
          ? { status: 'needs_new_password', sign_in_id: String(a.signInId) }
          : { status: 'complete', user: this.user },
      // A sign-in link goes to the first address; the first look after it finds it opened.
      start_link_sign_in: () => {
        const to = this.user.email_addresses[0]?.email_address ?? '';
        this.#send(to, 'email');
        return { sign_in_id: `sia_${this.#next++}`, sent_to: to } satisfies LinkSent;
      },
      resend_sign_in_link: () => {
        this.#send(this.user.email_addresses[0]?.email_address ?? '', 'email');
        return null;
      },
      check_link_sign_in: (): LinkSignInState => ({ status: 'complete', user: this.user }),
      // "Use another method": the password, and a code or a link to each address.
      sign_in_methods: (): SignInMethod[] => [
        { strategy: 'password', safe_identifier: null, target_id: null },
        ...this.user.email_addresses.flatMap((e) =>
          (['email_code', 'email_link'] as const).map((strategy) => ({ strategy, safe_identifier: e.email_address, target_id: e.id })),
        ),
      ],
      use_sign_in_code: (a) => {
        const method = a.method as SignInMethod;
        this.#send(method.safe_identifier ?? '', 'email');
        return { sign_in_id: String(a.signInId), sent_to: method.safe_identifier ?? '', by_sms: false } satisfies CodeSent;
      },
      use_sign_in_link: (a) => {
        const method = a.method as SignInMethod;
        this.#send(method.safe_identifier ?? '', 'email');
        return { sign_in_id: String(a.signInId), sent_to: method.safe_identifier ?? '' } satisfies LinkSent;
      },
      reset_password: (): SignInResult => ({ status: 'complete', user: update({ password_enabled: true }) }),
      // Reverification: the password, a passkey (when the account has one) and an email code are
      // offered; any answer completes it.
      start_reverification: (a) => this.reverificationStep(a.level as ReverificationLevel, 'needs_first_factor'),
      prepare_reverification_email_code: () => {
        this.#send(this.user.email_addresses[0]?.email_address ?? '', 'email');
        return this.reverificationStep('first_factor', 'needs_first_factor');
      },
      attempt_reverification_first_factor: () => this.reverificationStep('first_factor', 'complete'),
      reverify_with_passkey: () => this.reverificationStep('first_factor', 'complete'),
      prepare_reverification_second_factor: () => this.reverificationStep('multi_factor', 'needs_second_factor'),
      attempt_reverification_second_factor: () => this.reverificationStep('multi_factor', 'complete'),
    };
  }

  reverificationStep(level: ReverificationLevel, status: ReverificationStep['status']): ReverificationStep {
    const email = this.user.email_addresses[0];
    return {
      level,
      status,
      first_factors: [
        ...(this.user.password_enabled ? [{ strategy: 'password' as const }] : []),
        ...(this.user.passkeys.length ? [{ strategy: 'passkey' as const }] : []),
        ...(email ? [{ strategy: 'email_code' as const, email_address_id: email.id, safe_identifier: email.email_address }] : []),
      ],
      second_factors: this.user.totp_enabled ? [{ strategy: 'totp', phone_number_id: null, safe_identifier: null }] : [],
    };
  }

  revokeOthers(): number {
    const count = this.sessions.filter((x) => x.id !== this.currentSessionId).length;
    this.sessions = this.sessions.filter((x) => x.id === this.currentSessionId);
    return count;
  }

  token(service: TokenService): TokenInspection {
    const now = Date.now();
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

  /** What `sign_in` answers for an account with two-step verification. */
  needsSecondFactor(): SignInResult {
    const phone = this.user.phone_numbers.find((p) => p.reserved_for_second_factor) ?? null;
    const offered: [SecondFactor, boolean][] = [
      ['totp', this.user.totp_enabled],
      ['phone_code', phone !== null],
      ['backup_code', this.user.backup_code_enabled],
    ];
    const strategies = offered.filter(([, on]) => on).map(([strategy]) => strategy);
    return {
      status: 'needs_second_factor',
      sign_in_id: 'sia_1',
      strategies,
      phone: phone && { phone_number_id: phone.id, safe_identifier: `+•••••••${phone.phone_number.slice(-4)}` },
    };
  }

  #send(to: string, channel: 'sms' | 'email'): void {
    const code = this.#sent();
    this.#account.outbox = [
      { id: `msg_sec_${this.#next++}`, to, channel, code, link: null, sent_at: Date.now(), subject: `${code} is your verification code`, body: `Your verification code is ${code}.` },
      ...this.#account.outbox,
    ];
  }
}
