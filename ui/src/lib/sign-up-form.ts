// The create-account form's rules, from what the instance asks (`SignUpOptions`): which fields
// show, which must be filled, what the form can refuse before asking the server, and what it
// sends. The server decides again; its field errors land beside the same fields.
import type { JsonValue, SignUpForm, SignUpOptions } from '$lib/bindings';
import { checkEmailAddress } from '$lib/identification';
import { defaultCountry, toE164 } from '$lib/phone';

export type SignUpField = 'first_name' | 'last_name' | 'username' | 'email_address' | 'phone_number' | 'password';
/** A field, or the legal checkbox, or the metadata box: where an error can show. */
export type ErrorPlace = SignUpField | 'legal_accepted' | 'unsafe_metadata';

/** The fields in the order the form shows them. */
export const FIELDS: SignUpField[] = ['first_name', 'last_name', 'username', 'email_address', 'phone_number', 'password'];

export const LABELS: Record<SignUpField, string> = {
  first_name: 'First name',
  last_name: 'Last name',
  username: 'Username',
  email_address: 'Email address',
  phone_number: 'Phone number',
  password: 'Password',
};

const ASK: Record<SignUpField, string> = {
  first_name: 'Enter your first name.',
  last_name: 'Enter your last name.',
  username: 'Choose a username.',
  email_address: 'Enter your email address.',
  phone_number: 'Enter your phone number.',
  password: 'Choose a password.',
};

export type SignUpValues = Record<SignUpField, string> & { legal_accepted: boolean };

export function emptyValues(): SignUpValues {
  return { first_name: '', last_name: '', username: '', email_address: '', phone_number: '', password: '', legal_accepted: false };
}

/** `true` when the instance takes the field. */
export const shows = (options: SignUpOptions, field: SignUpField): boolean => options[field] !== 'off';

/** `true` when the field must be filled. */
export const requires = (options: SignUpOptions, field: SignUpField): boolean => options[field] === 'required';

/** The phone number as the server keeps it (E.164), read in the person's region when national. */
export const phoneE164 = (text: string): string | null => toE164(text, defaultCountry());

/**
 * What the form can see is wrong before sending, one message per place: a required field left
 * empty, a malformed email address or phone number, the terms not accepted.
 */
export function problems(options: SignUpOptions, values: SignUpValues): Partial<Record<ErrorPlace, string>> {
  const found: Partial<Record<ErrorPlace, string>> = {};
  for (const field of FIELDS) {
    if (!shows(options, field)) continue;
    const value = field === 'password' ? values.password : values[field].trim();
    if (value === '') {
      if (requires(options, field)) found[field] = ASK[field];
      continue;
    }
    if (field === 'email_address') {
      const problem = checkEmailAddress(value);
      if (problem) found.email_address = problem;
    }
    if (field === 'phone_number' && phoneE164(value) === null) {
      found.phone_number = 'Enter a phone number with its country code, like +1 415 555 0100.';
    }
  }
  if (options.legal_consent && !values.legal_accepted) found.legal_accepted = 'Accept the terms to create your account.';
  return found;
}

/** What goes to `start_sign_up`: the fields the instance takes, empty ones as null. */
export function formOf(options: SignUpOptions, values: SignUpValues, unsafeMetadata: JsonValue | null): SignUpForm {
  const value = (field: SignUpField): string | null => {
    if (!shows(options, field)) return null;
    const text = field === 'password' ? values.password : values[field].trim();
    if (text === '') return null;
    return field === 'phone_number' ? (phoneE164(text) ?? text) : text;
  };
  return {
    email_address: value('email_address'),
    phone_number: value('phone_number'),
    username: value('username'),
    first_name: value('first_name'),
    last_name: value('last_name'),
    password: value('password'),
    unsafe_metadata: unsafeMetadata,
    legal_accepted: options.legal_consent !== null && values.legal_accepted,
  };
}

/** Where a server error shows: its field when the form has that place, else above the form. */
export function placeOf(field: string | null | undefined, options: SignUpOptions): ErrorPlace | 'form' {
  if (field === 'legal_accepted' || field === 'unsafe_metadata') return field;
  if (field === 'identifier') return 'email_address';
  const known = FIELDS.find((f) => f === field);
  return known && shows(options, known) ? known : 'form';
}
