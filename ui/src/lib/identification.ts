// Email addresses and phone numbers ("identifications"): their state, what may be done with
// them, and the client-side check of a new address. Pure functions, so they are easy to test.
import type { EmailAddress, PhoneNumber, User, Verification } from './bindings';

/** The state shown as a badge. `pending` is unverified with a code or link out; `none` never sent. */
export type IdentState = 'verified' | 'pending' | 'none' | 'expired' | 'failed';

/** Where a verification stands, counting a code past its `expire_at` as expired. */
export function identState(verification: Verification | null, now = Date.now()): IdentState {
  if (!verification) return 'none';
  switch (verification.status) {
    case 'verified':
      return 'verified';
    case 'failed':
      return 'failed';
    case 'expired':
      return 'expired';
    default:
      if (verification.expire_at !== null && verification.expire_at <= now) return 'expired';
      return 'pending';
  }
}

/** True when the verification is a link (`email_link`) rather than a code. */
export function isLinkVerification(verification: Verification | null): boolean {
  return verification?.strategy === 'email_link';
}

/** A verified address or number that can be used to sign in. */
function signInIdentifiers(user: User): string[] {
  return [
    ...user.email_addresses.filter((e) => e.verification?.status === 'verified').map((e) => e.id),
    ...user.phone_numbers
      .filter((p) => p.verification?.status === 'verified' && !p.reserved_for_second_factor)
      .map((p) => p.id),
  ];
}

/** Why an email address cannot be removed, or null when it can. */
export function emailRemovalBlock(user: User, email: EmailAddress): string | null {
  if (email.id === user.primary_email_address_id) {
    return 'Your primary address can’t be removed. Make another verified address primary first.';
  }
  if (email.reserved) return 'The service reserves this address, so it can’t be removed.';
  const ids = signInIdentifiers(user);
  if (ids.length === 1 && ids[0] === email.id) {
    return 'This is the last address you can sign in with. Add and verify another one first.';
  }
  return null;
}

/** Why a phone number cannot be removed, or null when it can. */
export function phoneRemovalBlock(user: User, phone: PhoneNumber): string | null {
  if (phone.id === user.primary_phone_number_id) {
    return 'Your primary number can’t be removed. Make another verified number primary first.';
  }
  if (phone.reserved) return 'The service reserves this number, so it can’t be removed.';
  const ids = signInIdentifiers(user);
  if (ids.length === 1 && ids[0] === phone.id) {
    return 'This is the last number you can sign in with. Add and verify another one first.';
  }
  return null;
}

/**
 * A plain syntax check before the server's: one @, something before it, a domain with a dot after
 * it, no spaces. Returns the message to show, or null when it looks like an address.
 */
export function checkEmailAddress(value: string): string | null {
  const address = value.trim();
  if (!address) return 'Enter an email address.';
  if (address.length > 254) return 'That address is too long.';
  if (!/^[^\s@]+@[^\s@]+\.[^\s@.]{2,}$/.test(address) || /\.\.|@\.|\.@/.test(address)) {
    return 'Enter an email address like name@example.com.';
  }
  return null;
}

const PROVIDERS: Record<string, string> = {
  github: 'GitHub',
  gitlab: 'GitLab',
  linkedin: 'LinkedIn',
  linkedin_oidc: 'LinkedIn',
  tiktok: 'TikTok',
  x: 'X',
  hubspot: 'HubSpot',
};

/** "oauth_github" → "GitHub". */
export function providerName(type: string): string {
  const id = type.replace(/^oauth_/, '');
  return PROVIDERS[id] ?? id.charAt(0).toUpperCase() + id.slice(1).replace(/_/g, ' ');
}

/** "just now", "12 s ago", "5 min ago", "3 h ago", else the date. */
export function relativeTime(at: number, now = Date.now()): string {
  const seconds = Math.max(0, Math.round((now - at) / 1000));
  if (seconds < 10) return 'just now';
  if (seconds < 60) return `${seconds} s ago`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return `${hours} h ago`;
  return new Date(at).toLocaleDateString(undefined, { day: 'numeric', month: 'short', year: 'numeric' });
}

/** Whole seconds parsed from a server message such as "Try again in 24 seconds", or null. */
export function secondsIn(message: string): number | null {
  const m = /(\d+)\s*(s\b|sec|second)/i.exec(message);
  if (m?.[1]) return Number(m[1]);
  const min = /(\d+)\s*(min|minute)/i.exec(message);
  if (min?.[1]) return Number(min[1]) * 60;
  return null;
}
