// Verifications in progress, by the id of the address or number they are for: the code being
// typed, when a new one may be asked for, and the last error. Kept here rather than in a card so
// that the development outbox can fill a code in, and so that a card drawn anew keeps them.
import type { CommandError } from '../bindings';
import { secondsIn } from '../identification';
import { onSignedOut } from '../signed-out';

/** How long after a code or link was sent before another may be asked for. */
export const RESEND_SECONDS = 30;

/** Errors after which the code in hand is no use: a new one must be sent. */
const NEEDS_NEW_CODE = new Set(['verification_failed', 'verification_expired']);

class VerificationStore {
  #codes = $state<Record<string, string>>({});
  #resendAt = $state<Record<string, number>>({});
  #errors = $state<Record<string, CommandError>>({});
  #newCodeNeeded = $state<Record<string, boolean>>({});
  /** The id whose code boxes should take focus next (after adding, or a code from the outbox). */
  focusId = $state<string | null>(null);

  constructor() {
    onSignedOut(() => this.reset());
  }

  /** The code typed so far: up to six characters, a space for a box left empty. */
  code(id: string): string {
    return this.#codes[id] ?? '';
  }

  setCode(id: string, code: string): void {
    this.#codes[id] = code;
  }

  /** When a new code may be asked for (Unix ms), or null when it may now. */
  resendAt(id: string): number | null {
    return this.#resendAt[id] ?? null;
  }

  error(id: string): CommandError | null {
    return this.#errors[id] ?? null;
  }

  /** True after too many attempts or an expired code: only a new code helps. */
  newCodeNeeded(id: string): boolean {
    return this.#newCodeNeeded[id] ?? false;
  }

  /** A code or link went out: empty boxes, no error, and the resend countdown starts. */
  sent(id: string, now = Date.now()): void {
    this.#codes[id] = '';
    this.#resendAt[id] = now + RESEND_SECONDS * 1000;
    delete this.#errors[id];
    delete this.#newCodeNeeded[id];
  }

  /** Records a failed action; a wrong code empties the boxes for the next try. */
  failed(id: string, error: CommandError, now = Date.now()): void {
    this.#errors[id] = error;
    if (error.code === 'form_code_incorrect' || NEEDS_NEW_CODE.has(error.code)) this.#codes[id] = '';
    if (NEEDS_NEW_CODE.has(error.code)) this.#newCodeNeeded[id] = true;
    if (error.code === 'too_many_requests') {
      const wait = secondsIn(error.message);
      if (wait !== null) this.#resendAt[id] = now + wait * 1000;
    }
  }

  clearError(id: string): void {
    delete this.#errors[id];
  }

  /** Verified or removed: nothing left to keep. */
  forget(id: string): void {
    delete this.#codes[id];
    delete this.#resendAt[id];
    delete this.#errors[id];
    delete this.#newCodeNeeded[id];
  }

  /** Fills in a code from elsewhere (the development outbox); a full code submits itself. */
  fill(id: string, code: string): void {
    this.#codes[id] = code;
    delete this.#errors[id];
    this.focusId = id;
  }

  reset(): void {
    this.focusId = null;
    this.#codes = {};
    this.#resendAt = {};
    this.#errors = {};
    this.#newCodeNeeded = {};
  }
}

export const verifications = new VerificationStore();
