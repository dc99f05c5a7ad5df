// How a user is named and shown, in one place for the sidebar and the sections.
import type { EmailAddress, User } from './bindings';

export function primaryEmail(user: User): EmailAddress | null {
  return user.email_addresses.find((e) => e.id === user.primary_email_address_id) ?? null;
}

/** Full name, else username, else primary email, else "Your account". */
export function displayName(user: User): string {
  const full = [user.first_name, user.last_name].filter((p) => p && p.trim()).join(' ').trim();
  return full || user.username || primaryEmail(user)?.email_address || 'Your account';
}

/** One or two letters for the avatar fallback. */
export function initials(user: User): string {
  const first = user.first_name?.trim()?.[0] ?? '';
  const last = user.last_name?.trim()?.[0] ?? '';
  const letters = (first + last) || (user.username?.[0] ?? '') || (primaryEmail(user)?.email_address[0] ?? '');
  return (letters || '?').toUpperCase();
}

/** One or two letters for the avatar of someone known only by `name` ("Ada Lovelace", an address). */
export function nameInitials(name: string): string {
  const words = name.includes('@') ? [name] : name.trim().split(/\s+/);
  const letters = words.length > 1 ? `${words[0]?.[0] ?? ''}${words.at(-1)?.[0] ?? ''}` : (words[0]?.[0] ?? '');
  return (letters || '?').toUpperCase();
}

export function isVerified(address: { verification: { status: string } | null }): boolean {
  return address.verification?.status === 'verified';
}
