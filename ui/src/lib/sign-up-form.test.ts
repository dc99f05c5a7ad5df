import { describe, expect, it } from 'vitest';
import type { SignUpOptions } from '$lib/bindings';
import { emptyValues, formOf, placeOf, problems, shows } from './sign-up-form';

const DEFAULT: SignUpOptions = {
  email_address: 'required',
  phone_number: 'optional',
  username: 'optional',
  first_name: 'optional',
  last_name: 'optional',
  password: 'required',
  legal_consent: null,
};

describe('the sign-up form rules', () => {
  it('asks for the required fields only, and takes optional ones left empty', () => {
    const values = emptyValues();
    expect(problems(DEFAULT, values)).toEqual({
      email_address: 'Enter your email address.',
      password: 'Choose a password.',
    });
    values.email_address = 'ada@example.com';
    values.password = 'a-long-password';
    expect(problems(DEFAULT, values)).toEqual({});
  });

  it('follows the instance: a required username, no password, legal consent', () => {
    const strict: SignUpOptions = {
      ...DEFAULT,
      username: 'required',
      password: 'off',
      first_name: 'off',
      legal_consent: { terms_url: 'https://example.com/terms', privacy_policy_url: null },
    };
    const values = { ...emptyValues(), email_address: 'ada@example.com', first_name: 'Ada' };
    expect(problems(strict, values)).toEqual({
      username: 'Choose a username.',
      legal_accepted: 'Accept the terms to create your account.',
    });
    expect(shows(strict, 'first_name')).toBe(false);
    const form = formOf(strict, { ...values, username: 'ada', password: 'typed anyway', legal_accepted: true }, null);
    expect(form).toMatchObject({ username: 'ada', first_name: null, password: null, legal_accepted: true });
  });

  it('refuses a malformed email address or phone number before sending', () => {
    const values = { ...emptyValues(), email_address: 'not-an-email', phone_number: '12', password: 'x' };
    const found = problems(DEFAULT, values);
    expect(found.email_address).toBeTruthy();
    expect(found.phone_number).toMatch(/country code/);
  });

  it('sends a phone number in E.164 and trims names but not the password', () => {
    const values = {
      ...emptyValues(),
      email_address: ' ada@example.com ',
      phone_number: '+44 20 7946 0958',
      first_name: ' Ada ',
      password: ' spaced ',
    };
    expect(formOf(DEFAULT, values, { a: 1 })).toEqual({
      email_address: 'ada@example.com',
      phone_number: '+442079460958',
      username: null,
      first_name: 'Ada',
      last_name: null,
      password: ' spaced ',
      unsafe_metadata: { a: 1 },
      legal_accepted: false,
    });
  });

  it('places server errors beside their field', () => {
    expect(placeOf('username', DEFAULT)).toBe('username');
    expect(placeOf('legal_accepted', DEFAULT)).toBe('legal_accepted');
    expect(placeOf('identifier', DEFAULT)).toBe('email_address');
    expect(placeOf('first_name', { ...DEFAULT, first_name: 'off' })).toBe('form');
    expect(placeOf(null, DEFAULT)).toBe('form');
  });
});
