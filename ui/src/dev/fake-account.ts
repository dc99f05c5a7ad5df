// An in-memory account for the email and phone commands, with a development outbox, shared by the
// dev mock (src/dev/mock.ts) and the unit tests. Fixture data, not a server: each command changes
// the account the way a success would and refuses nothing (any code verifies). The server's rules
// are tested in Rust; a unit test that needs a refusal states it in its own handler.
import type { OutboxMessage } from '$lib/api';
import type { EmailAddress, PhoneNumber, User, Verification, VerificationStrategy } from '$lib/bindings';

export type FakeAccountOptions = {
  /** The code each prepare sends (shown in the outbox); random six digits by default. */
  code?: () => string;
};

export type Handler = (args: Record<string, unknown>) => unknown;

export const randomCode = () => String(Math.floor(Math.random() * 1_000_000)).padStart(6, '0');

export class FakeAccount {
  user: User;
  outbox: OutboxMessage[] = [];
  #next = 100;
  #code: () => string;

  constructor(user: User, options: FakeAccountOptions = {}) {
    this.user = user;
    this.#code = options.code ?? randomCode;
  }

  /** The commands it answers, for `mockIPC`. */
  handlers(): Record<string, Handler> {
    const s = (v: unknown) => String(v ?? '');
    return {
      current_user: () => this.user,
      update_profile: (a) => this.update(a.params as Partial<User>),
      set_unsafe_metadata: (a) => this.update({ unsafe_metadata: a.metadata as User['unsafe_metadata'] }),
      create_email_address: (a) => this.createEmail(s(a.emailAddress)),
      prepare_email_verification: (a) => this.prepareEmail(s(a.id), a.strategy as VerificationStrategy),
      attempt_email_verification: (a) => this.verify('email', s(a.id)),
      destroy_email_address: (a) => this.destroy('email', s(a.id)),
      create_phone_number: (a) => this.createPhone(s(a.phoneNumber)),
      prepare_phone_verification: (a) => this.preparePhone(s(a.id)),
      attempt_phone_verification: (a) => this.verify('phone', s(a.id)),
      set_reserved_for_second_factor: (a) => this.reserve(s(a.id), a.reserved === true),
      make_default_second_factor: (a) => this.makeDefault(s(a.id)),
      destroy_phone_number: (a) => this.destroy('phone', s(a.id)),
      dev_outbox: (a) => this.outbox.slice(0, Number(a.limit ?? 20)),
    };
  }

  update(changes: Partial<User>): User {
    this.user = { ...this.user, ...changes, updated_at: Date.now() };
    return this.user;
  }

  #id(): string {
    return `idn_${this.#next++}`;
  }

  #record(message: Omit<OutboxMessage, 'id' | 'sent_at'>): void {
    this.outbox = [{ ...message, id: `msg_${this.#next++}`, sent_at: Date.now() }, ...this.outbox];
  }

  createEmail(address: string): EmailAddress {
    const now = Date.now();
    const email: EmailAddress = {
      id: this.#id(),
      object: 'email_address',
      email_address: address,
      reserved: false,
      verification: null,
      linked_to: [],
      created_at: now,
      updated_at: now,
    };
    this.update({ email_addresses: [...this.user.email_addresses, email] });
    return email;
  }

  prepareEmail(id: string, strategy: VerificationStrategy): EmailAddress {
    const email = this.#email(id);
    const code = this.#code();
    const link = strategy === 'email_link' ? `http://127.0.0.1:43117/v1/verify?token=tok_${id}_${code}` : null;
    this.#record({
      to: email.email_address,
      channel: 'email',
      code: link ? null : code,
      link,
      subject: link ? 'Verify your email address' : `${code} is your verification code`,
      body: link ? `Open this link to verify your email address: ${link}` : `Your verification code is ${code}.`,
    });
    return this.#put('email', { ...email, verification: pending(strategy) });
  }

  /** What opening the link in the email does. */
  openLink(id: string): void {
    this.verify('email', id);
  }

  createPhone(number: string): PhoneNumber {
    const now = Date.now();
    const phone: PhoneNumber = {
      id: this.#id(),
      object: 'phone_number',
      phone_number: number,
      reserved_for_second_factor: false,
      default_second_factor: false,
      reserved: false,
      verification: null,
      linked_to: [],
      backup_codes: null,
      created_at: now,
      updated_at: now,
    };
    this.update({ phone_numbers: [...this.user.phone_numbers, phone] });
    return phone;
  }

  preparePhone(id: string): PhoneNumber {
    const phone = this.#phone(id);
    const code = this.#code();
    this.#record({
      to: phone.phone_number,
      channel: 'sms',
      code,
      link: null,
      subject: `${code} is your verification code`,
      body: `${code} is your Userdesk verification code.`,
    });
    return this.#put('phone', { ...phone, verification: pending('phone_code') });
  }

  verify(kind: 'email', id: string): EmailAddress;
  verify(kind: 'phone', id: string): PhoneNumber;
  verify(kind: 'email' | 'phone', id: string): EmailAddress | PhoneNumber {
    const item = kind === 'email' ? this.#email(id) : this.#phone(id);
    const verification = { ...(item.verification ?? pending(kind === 'email' ? 'email_code' : 'phone_code')), status: 'verified' as const };
    return this.#put(kind, { ...item, verification });
  }

  /** Backup codes come with the account's first second factor, once, as they would. */
  reserve(id: string, reserved: boolean): PhoneNumber {
    const noDefault = !this.user.phone_numbers.some((p) => p.default_second_factor);
    const phone = this.#put('phone', { ...this.#phone(id), reserved_for_second_factor: reserved, default_second_factor: reserved && noDefault });
    const codes = reserved && !this.user.backup_code_enabled;
    const sms = this.user.phone_numbers.some((p) => p.reserved_for_second_factor);
    this.update({ two_factor_enabled: this.user.totp_enabled || sms, backup_code_enabled: this.user.backup_code_enabled || codes });
    return codes ? { ...phone, backup_codes: DEMO_BACKUP_CODES } : phone;
  }

  makeDefault(id: string): PhoneNumber {
    this.update({ phone_numbers: this.user.phone_numbers.map((p) => ({ ...p, default_second_factor: p.id === id })) });
    return this.#phone(id);
  }

  destroy(kind: 'email' | 'phone', id: string): null {
    if (kind === 'email') this.update({ email_addresses: this.user.email_addresses.filter((e) => e.id !== id) });
    else this.update({ phone_numbers: this.user.phone_numbers.filter((p) => p.id !== id) });
    return null;
  }

  #email(id: string): EmailAddress {
    return this.user.email_addresses.find((e) => e.id === id)!;
  }

  #phone(id: string): PhoneNumber {
    return this.user.phone_numbers.find((p) => p.id === id)!;
  }

  #put(kind: 'email', item: EmailAddress): EmailAddress;
  #put(kind: 'phone', item: PhoneNumber): PhoneNumber;
  #put(kind: 'email' | 'phone', item: EmailAddress | PhoneNumber): EmailAddress | PhoneNumber;
  #put(kind: 'email' | 'phone', item: EmailAddress | PhoneNumber): EmailAddress | PhoneNumber {
    const stamped = { ...item, updated_at: Date.now() };
    if (kind === 'email') {
      this.update({ email_addresses: this.user.email_addresses.map((e) => (e.id === item.id ? (stamped as EmailAddress) : e)) });
    } else {
      this.update({ phone_numbers: this.user.phone_numbers.map((p) => (p.id === item.id ? (stamped as PhoneNumber) : p)) });
    }
    return stamped;
  }
}

/** A code (or link) just sent: waiting for it. */
function pending(strategy: string): Verification {
  return { object: 'verification_otp', status: 'unverified', strategy, attempts: 0, expire_at: Date.now() + 10 * 60_000 };
}

export const DEMO_BACKUP_CODES = ['7kq2-9xmd', 'p4wz-h3ne', 'c8rt-2vjy', 'm6fa-q9ub', 'z3hs-t5kc', 'e2ng-w7pd', 'u9bx-r4lm', 'y5cj-k8fv', 'a4tp-n6zq', 'h7ue-d3sw'];
