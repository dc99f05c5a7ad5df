// An in-memory stand-in for the email and phone commands, with a development outbox, shared by
// the dev mock (src/dev/mock.ts) and the unit tests. It answers as the Rust side does: the same
// results, and CommandErrors with Clerk's codes and a field where the server names one.
import type { OutboxMessage } from '$lib/api';
import type { CommandError, EmailAddress, PhoneNumber, User, Verification, VerificationStrategy } from '$lib/bindings';

export type FakeAccountOptions = {
  /** The code each prepare sends; random six digits by default. */
  code?: () => string;
  /** The clock (Unix ms). */
  now?: () => number;
  /** Attempts before a verification fails. */
  maxAttempts?: number;
  /** How long a code stays valid. */
  ttlMs?: number;
};

type Handler = (args: Record<string, unknown>) => unknown;

const fail = (code: string, message: string, field: string | null = null): never => {
  throw { code, message, field } satisfies CommandError;
};

export class FakeAccount {
  user: User;
  outbox: OutboxMessage[] = [];
  /** The code out for each identification. */
  codes = new Map<string, string>();
  #next = 100;
  #code: () => string;
  #now: () => number;
  #max: number;
  #ttl: number;
  #backupCodesGiven = false;

  constructor(user: User, options: FakeAccountOptions = {}) {
    this.user = user;
    this.#code = options.code ?? (() => String(Math.floor(Math.random() * 1_000_000)).padStart(6, '0'));
    this.#now = options.now ?? Date.now;
    this.#max = options.maxAttempts ?? 3;
    this.#ttl = options.ttlMs ?? 10 * 60_000;
  }

  /** The commands it answers, for `mockIPC`. */
  handlers(): Record<string, Handler> {
    const s = (v: unknown) => String(v ?? '');
    return {
      current_user: () => this.user,
      update_profile: (a) => this.updateProfile(a.params as Record<string, string>),
      create_email_address: (a) => this.createEmail(s(a.emailAddress)),
      prepare_email_verification: (a) => this.prepareEmail(s(a.id), a.strategy as VerificationStrategy),
      attempt_email_verification: (a) => this.attempt('email', s(a.id), s(a.code)),
      destroy_email_address: (a) => this.destroy('email', s(a.id)),
      create_phone_number: (a) => this.createPhone(s(a.phoneNumber)),
      prepare_phone_verification: (a) => this.preparePhone(s(a.id)),
      attempt_phone_verification: (a) => this.attempt('phone', s(a.id), s(a.code)),
      set_reserved_for_second_factor: (a) => this.reserve(s(a.id), a.reserved === true),
      make_default_second_factor: (a) => this.makeDefault(s(a.id)),
      destroy_phone_number: (a) => this.destroy('phone', s(a.id)),
      dev_outbox: (a) => this.outbox.slice(0, Number(a.limit ?? 20)),
    };
  }

  #id(): string {
    return `idn_${this.#next++}`;
  }

  #email(id: string): EmailAddress {
    return this.user.email_addresses.find((e) => e.id === id) ?? fail('resource_not_found', 'That email address no longer exists.');
  }

  #phone(id: string): PhoneNumber {
    return this.user.phone_numbers.find((p) => p.id === id) ?? fail('resource_not_found', 'That phone number no longer exists.');
  }

  #touch(): void {
    this.user = { ...this.user, updated_at: this.#now() };
  }

  updateProfile(params: Record<string, string>): User {
    const { primary_email_address_id: email, primary_phone_number_id: phone, ...rest } = params;
    if (email !== undefined && this.#email(email).verification?.status !== 'verified') {
      fail('form_param_format_invalid', 'Only a verified email address can be primary.', 'primary_email_address_id');
    }
    if (phone !== undefined && this.#phone(phone).verification?.status !== 'verified') {
      fail('form_param_format_invalid', 'Only a verified phone number can be primary.', 'primary_phone_number_id');
    }
    this.user = {
      ...this.user,
      ...rest,
      ...(email !== undefined ? { primary_email_address_id: email } : {}),
      ...(phone !== undefined ? { primary_phone_number_id: phone } : {}),
    };
    return this.user;
  }

  createEmail(address: string): EmailAddress {
    if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(address)) {
      fail('form_param_format_invalid', 'Email address must be a valid email address.', 'email_address');
    }
    if (this.user.email_addresses.some((e) => e.email_address.toLowerCase() === address.toLowerCase())) {
      fail('form_identifier_exists', 'That email address is taken. Please try another.', 'email_address');
    }
    const now = this.#now();
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
    this.user = { ...this.user, email_addresses: [...this.user.email_addresses, email] };
    return email;
  }

  #verification(strategy: string): Verification {
    return { object: 'verification_otp', status: 'unverified', strategy, attempts: 0, expire_at: this.#now() + this.#ttl };
  }

  #record(message: Omit<OutboxMessage, 'id' | 'sent_at'>): void {
    this.outbox = [{ ...message, id: `msg_${this.#next++}`, sent_at: this.#now() }, ...this.outbox];
  }

  prepareEmail(id: string, strategy: VerificationStrategy): EmailAddress {
    const email = this.#email(id);
    const code = this.#code();
    this.codes.set(id, code);
    const link = strategy === 'email_link' ? `http://127.0.0.1:43117/v1/verify?token=tok_${id}_${code}` : null;
    this.#record({
      to: email.email_address,
      channel: 'email',
      code: link ? null : code,
      link,
      subject: link ? 'Verify your email address' : `${code} is your verification code`,
      body: link ? `Open this link to verify your email address: ${link}` : `Your verification code is ${code}.`,
    });
    return this.#replace('email', { ...email, verification: this.#verification(strategy) });
  }

  /** What opening the link in the email does. */
  openLink(id: string): void {
    const email = this.#email(id);
    if (email.verification) this.#replace('email', { ...email, verification: { ...email.verification, status: 'verified' } });
  }

  createPhone(number: string): PhoneNumber {
    if (!/^\+[1-9]\d{6,14}$/.test(number)) {
      fail('form_param_format_invalid', 'Phone number must be a valid phone number in E.164 format.', 'phone_number');
    }
    if (this.user.phone_numbers.some((p) => p.phone_number === number)) {
      fail('form_identifier_exists', 'That phone number is taken. Please try another.', 'phone_number');
    }
    const now = this.#now();
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
    this.user = { ...this.user, phone_numbers: [...this.user.phone_numbers, phone] };
    return phone;
  }

  preparePhone(id: string): PhoneNumber {
    const phone = this.#phone(id);
    const code = this.#code();
    this.codes.set(id, code);
    this.#record({
      to: phone.phone_number,
      channel: 'sms',
      code,
      link: null,
      subject: `${code} is your verification code`,
      body: `${code} is your Userdesk verification code.`,
    });
    return this.#replace('phone', { ...phone, verification: this.#verification('phone_code') });
  }

  attempt(kind: 'email', id: string, code: string): EmailAddress;
  attempt(kind: 'phone', id: string, code: string): PhoneNumber;
  attempt(kind: 'email' | 'phone', id: string, code: string): EmailAddress | PhoneNumber {
    const item = kind === 'email' ? this.#email(id) : this.#phone(id);
    const v = item.verification ?? fail('verification_missing', 'Send a code first.', 'code');
    if (v.status === 'verified') fail('verification_already_verified', 'This is already verified.', 'code');
    if (v.status === 'failed') fail('verification_failed', 'Too many failed attempts. Send a new code.', 'code');
    if (v.status === 'expired' || (v.expire_at !== null && v.expire_at <= this.#now())) {
      this.#replace(kind, { ...item, verification: { ...v, status: 'expired' } });
      fail('verification_expired', 'This code has expired. Send a new one.', 'code');
    }
    const attempts = (v.attempts ?? 0) + 1;
    if (code !== this.codes.get(id)) {
      const left = this.#max - attempts;
      if (left <= 0) {
        this.#replace(kind, { ...item, verification: { ...v, attempts, status: 'failed' } });
        fail('verification_failed', 'Too many failed attempts. Send a new code.', 'code');
      }
      this.#replace(kind, { ...item, verification: { ...v, attempts } });
      fail('form_code_incorrect', `Incorrect code. ${left} ${left === 1 ? 'attempt' : 'attempts'} left.`, 'code');
    }
    this.codes.delete(id);
    return this.#replace(kind, { ...item, verification: { ...v, attempts, status: 'verified' } });
  }

  reserve(id: string, reserved: boolean): PhoneNumber {
    const phone = this.#phone(id);
    if (phone.verification?.status !== 'verified') {
      fail('form_param_format_invalid', 'Verify the number first.', 'reserved_for_second_factor');
    }
    const noDefault = !this.user.phone_numbers.some((p) => p.default_second_factor);
    const updated = this.#replace('phone', {
      ...phone,
      reserved_for_second_factor: reserved,
      default_second_factor: reserved ? phone.default_second_factor || noDefault : false,
    });
    this.user = { ...this.user, two_factor_enabled: this.user.phone_numbers.some((p) => p.reserved_for_second_factor) };
    if (reserved && !this.#backupCodesGiven) {
      this.#backupCodesGiven = true;
      const codes = Array.from({ length: 10 }, (_, i) => {
        const n = ((i + 1) * 2_654_435_761) % 2_176_782_336; // 36^6
        return n.toString(36).padStart(6, '0').replace(/^(.{3})/, '$1-');
      });
      return { ...updated, backup_codes: codes };
    }
    return updated;
  }

  makeDefault(id: string): PhoneNumber {
    const phone = this.#phone(id);
    if (!phone.reserved_for_second_factor) {
      fail('form_param_format_invalid', 'Use the number for two-step verification first.', 'default_second_factor');
    }
    this.user = {
      ...this.user,
      phone_numbers: this.user.phone_numbers.map((p) => ({ ...p, default_second_factor: p.id === id })),
    };
    return this.#phone(id);
  }

  destroy(kind: 'email' | 'phone', id: string): null {
    if (kind === 'email') {
      this.#email(id);
      if (id === this.user.primary_email_address_id) fail('form_param_format_invalid', 'The primary email address can’t be removed.');
      this.user = { ...this.user, email_addresses: this.user.email_addresses.filter((e) => e.id !== id) };
    } else {
      this.#phone(id);
      this.user = {
        ...this.user,
        phone_numbers: this.user.phone_numbers.filter((p) => p.id !== id),
        primary_phone_number_id: this.user.primary_phone_number_id === id ? null : this.user.primary_phone_number_id,
      };
    }
    this.codes.delete(id);
    this.#touch();
    return null;
  }

  #replace(kind: 'email', item: EmailAddress): EmailAddress;
  #replace(kind: 'phone', item: PhoneNumber): PhoneNumber;
  #replace(kind: 'email' | 'phone', item: EmailAddress | PhoneNumber): EmailAddress | PhoneNumber;
  #replace(kind: 'email' | 'phone', item: EmailAddress | PhoneNumber): EmailAddress | PhoneNumber {
    const stamped = { ...item, updated_at: this.#now() };
    if (kind === 'email') {
      this.user = {
        ...this.user,
        email_addresses: this.user.email_addresses.map((e) => (e.id === item.id ? (stamped as EmailAddress) : e)),
      };
    } else {
      this.user = {
        ...this.user,
        phone_numbers: this.user.phone_numbers.map((p) => (p.id === item.id ? (stamped as PhoneNumber) : p)),
      };
    }
    return stamped;
  }
}
