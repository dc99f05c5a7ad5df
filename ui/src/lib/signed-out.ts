// Signing out, by choice or because a command found the session gone, is announced here once.
// Each store that keeps something of the account registers its own reset, so no store imports
// another just to clear it. It imports nothing itself: any module may use it without a cycle.

/** `signed_out`: the person signed out or deleted the account; `session_ended`: a command found the session gone. */
export type SignedOutCause = 'signed_out' | 'session_ended';

type Listener = (cause: SignedOutCause) => void;

const listeners = new Set<Listener>();

/** Calls `listener` at every sign-out; returns the function that stops it. */
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
