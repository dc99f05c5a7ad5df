// An action the instance refuses until the session is verified again (`reverification_required`)
// waits here for the person's answer, as Clerk's `useReverification` does: the dialog that asks
// registers itself, and `call` in api.ts retries the action once when it resolves true. It
// imports nothing, so api.ts and the dialog's store can both use it without a cycle.
import type { ReverificationLevel } from './bindings';

type Asker = (level: ReverificationLevel) => Promise<boolean>;

let asker: Asker | null = null;

/** Makes `ask` the one that answers reverification requests; returns the function that stops it. */
export function answerReverification(ask: Asker): () => void {
  asker = ask;
  return () => {
    if (asker === ask) asker = null;
  };
}

/** Asks the person to verify again; false when they cancel, or nothing can ask them. */
export function reverify(level: ReverificationLevel): Promise<boolean> {
  return asker ? asker(level) : Promise.resolve(false);
}
