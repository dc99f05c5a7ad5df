import { describe, expect, it } from 'vitest';
import type { Verification } from './bindings';
import {
  checkEmailAddress,
  emailRemovalBlock,
  identState,
  phoneRemovalBlock,
  providerName,
  relativeTime,
  secondsIn,
} from './identification';
import { email, makeUser, phone } from '../test-support';

const v = (status: Verification['status'], expire_at: number | null = null): Verification => ({
  status,
  strategy: 'email_code',
  attempts: 0,
  expire_at,
});

describe('identification state', () => {
  it('reads the verification, counting a code past its expiry as expired', () => {
    const now = 1_000_000;
    expect(identState(null, now)).toBe('none');
    expect(identState(v('verified'), now)).toBe('verified');
    expect(identState(v('unverified', now + 1), now)).toBe('pending');
    expect(identState(v('unverified', now), now)).toBe('expired');
    expect(identState(v('expired'), now)).toBe('expired');
    expect(identState(v('failed'), now)).toBe('failed');
    expect(identState(v('transferable'), now)).toBe('pending');
  });
});

describe('what may be removed', () => {
  const user = makeUser({
    primary_email_address_id: 'idn_1',
    email_addresses: [
      email('idn_1', 'grace@example.com', 'verified'),
      email('idn_2', 'navy@example.mil', 'verified'),
      email('idn_3', 'new@example.com', 'unverified'),
      email('idn_4', 'held@example.com', 'verified', { reserved: true }),
    ],
  });

  it('keeps the primary and reserved addresses', () => {
    expect(emailRemovalBlock(user, user.email_addresses[0]!)).toMatch(/primary address can’t be removed/);
    expect(emailRemovalBlock(user, user.email_addresses[1]!)).toBeNull();
    expect(emailRemovalBlock(user, user.email_addresses[2]!)).toBeNull();
    expect(emailRemovalBlock(user, user.email_addresses[3]!)).toMatch(/reserves/);
  });

  it('keeps the last address or number that signs in', () => {
    const only = makeUser({
      primary_email_address_id: null,
      email_addresses: [email('idn_2', 'navy@example.mil', 'verified')],
      phone_numbers: [phone('idn_7', '+12015550123', 'verified', { reserved_for_second_factor: true })],
    });
    expect(emailRemovalBlock(only, only.email_addresses[0]!)).toMatch(/last address you can sign in with/);
    // A number kept for two-step verification does not sign in, so it is not the last way in.
    expect(phoneRemovalBlock(only, only.phone_numbers[0]!)).toBeNull();
    const primaryPhone = makeUser({
      primary_phone_number_id: 'idn_7',
      phone_numbers: [phone('idn_7', '+12015550123', 'verified')],
    });
    expect(phoneRemovalBlock(primaryPhone, primaryPhone.phone_numbers[0]!)).toMatch(/primary number/);
  });
});

describe('small helpers', () => {
  it('checks the syntax of an email address', () => {
    expect(checkEmailAddress('grace@example.com')).toBeNull();
    expect(checkEmailAddress('  grace.hopper+navy@mail.example.co.uk ')).toBeNull();
    for (const bad of ['', 'grace', 'grace@', '@example.com', 'grace@example', 'grace @example.com', 'a@b..com', 'a@b.c']) {
      expect(checkEmailAddress(bad), bad).not.toBeNull();
    }
    expect(checkEmailAddress(`${'a'.repeat(250)}@x.com`)).toMatch(/too long/);
  });

  it('says how long ago, and reads a wait out of a message', () => {
    const now = 10_000_000;
    expect(relativeTime(now - 3_000, now)).toBe('just now');
    expect(relativeTime(now - 42_000, now)).toBe('42 s ago');
    expect(relativeTime(now - 5 * 60_000, now)).toBe('5 min ago');
    expect(relativeTime(now - 3 * 3_600_000, now)).toBe('3 h ago');
    expect(secondsIn('Too many requests. Try again in 24 seconds.')).toBe(24);
    expect(secondsIn('Please wait 2 minutes')).toBe(120);
    expect(secondsIn('Slow down')).toBeNull();
  });

  it('names providers', () => {
    expect(providerName('oauth_github')).toBe('GitHub');
    expect(providerName('oauth_google')).toBe('Google');
    expect(providerName('oauth_custom_thing')).toBe('Custom thing');
  });
});
