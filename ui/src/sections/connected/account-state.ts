// Where a connected account stands, and the error to show for it.
import type { ExternalAccount } from '$lib/bindings';

export type AccountState = 'verified' | 'failed' | 'unverified';

export function accountState(account: ExternalAccount): AccountState {
  const v = account.verification;
  if (v?.status === 'verified') return 'verified';
  if (v?.status === 'failed' || v?.status === 'expired' || v?.error) return 'failed';
  return 'unverified';
}

/** The verification's error message, or what to say when there is none. */
export function accountError(account: ExternalAccount): string {
  const e = account.verification?.error;
  if (e) return e.long_message && e.long_message !== e.message ? `${e.message} ${e.long_message}` : e.message;
  if (account.verification?.status === 'expired') return 'The connection expired before it was finished in the browser.';
  return 'The connection was not finished in the browser.';
}
