// Signing out, by choice or because a command found the session gone, is announced here once;
// so is showing another account. Each store that keeps something of the account registers its
// own reset, so no store imports another just to clear it. It imports nothing itself: any module
// may use it without a cycle.

/**
 * `signed_out`: the person signed out or deleted the account, and no other account is shown;
 * `session_ended`: a command found the session gone; `switched`: another account is shown now
 * (switched to, being added, or next after the shown one was removed), and the user is read again.
 */
export type SignedOutCause = 'signed_out' | 'session_ended' | 'switched';

type Listener = (cause: SignedOutCause) => void;

const listeners = new Set<Listener>();

/** Calls `listener` at every sign-out and switch; returns the function that stops it. */
export function onSignedOut(listener: Listener): () => void {
  listeners.add(listener);
  return () => {
    listeners.delete(listener);
  };
}

/** Nothing of the last account stays behind: every registered reset runs. */
export function signedOut(cause: SignedOutCause): void {
  for (const listener of listeners) listener(cause);
}
