// The passkey ceremony in progress: what its authenticator asks now (the `passkey-prompt`
// events), and how it ended. PasskeyDialog shows it; callers run their command through `run`, or
// through `follow` when they show the failure themselves (the reverification dialog).
//
// Ceremonies nest: adding a passkey may be refused until the session is verified again, and that
// verification may itself use a passkey. The inner one then takes the dialog, and the outer one
// gets it back (its title, its Try again) when the inner one ends.
import * as api from '../api';
import type { CommandError, PasskeyPrompt } from '../bindings';

/** What the dialog says above each failure, by its code; the message says the rest. */
export const FAILURE_TITLES: Partial<Record<CommandError['code'], string>> = {
  no_authenticator: 'No security key found',
  timeout: 'The key was not used in time',
  pin_incorrect: 'Wrong PIN',
  authenticator_locked: 'This key is locked',
  authenticator_unsupported: 'This key can’t hold a passkey',
  passkey_wrong_relying_party: 'No passkey for this account server',
  passkey_malformed: 'The request could not be read',
};

/** A ceremony waiting for the one in the dialog to end. */
type Waiting = { title: string; retry: (() => void) | null; close: (() => void) | null };

class PasskeyCeremonyStore {
  /** A ceremony runs (its command has not answered yet). */
  active = $state(false);
  /** What the ceremony is for: "Add a passkey", "Sign in with a passkey". */
  title = $state('');
  /** The authenticator's latest request; null until the first. */
  prompt = $state<PasskeyPrompt | null>(null);
  /** How the last ceremony failed, shown in the dialog until closed or tried again. */
  failure = $state<CommandError | null>(null);
  #retry: (() => void) | null = null;
  #close: (() => void) | null = null;
  #waiting: Waiting[] = [];
  /** Stops listening to the prompts: they matter only while a ceremony runs or waits. */
  #unlisten: (() => void) | null = null;

  /** The dialog is up: the authenticator asked something, or the ceremony failed. */
  get open(): boolean {
    return (this.active && this.prompt !== null) || this.failure !== null;
  }

  /**
   * Runs `action` (a command that performs a ceremony) with the dialog following its prompts.
   * Resolves to its result, or null when the person cancelled or closed the failure (which the
   * dialog showed); "Try again" runs it anew.
   */
  run<T>(title: string, action: () => Promise<T>): Promise<T | null> {
    return new Promise((resolve) => {
      const attempt = async () => {
        try {
          const result = await this.#perform(title, action, () => void attempt());
          this.#end();
          resolve(result);
        } catch (error) {
          const failure = error as CommandError;
          if (failure.code === 'passkey_cancelled' || failure.code === 'reverification_cancelled') {
            this.#end();
            resolve(null);
          } else {
            this.failure = failure;
            this.#close = () => resolve(null);
          }
        }
      };
      void attempt();
    });
  }

  /**
   * Runs `action` with the dialog following its prompts only: a failure or Cancel rejects, for
   * the caller to show where the person asked for it.
   */
  async follow<T>(title: string, action: () => Promise<T>): Promise<T> {
    try {
      return await this.#perform(title, action, null);
    } finally {
      this.#end();
    }
  }

  /** Sends the PIN the key asked for. */
  answerPin(pin: string): void {
    this.prompt = { step: 'processing' };
    void api.answerPasskeyPin(pin);
  }

  /** Cancel while the ceremony runs: the command rejects with passkey_cancelled and `run` ends. */
  cancel(): void {
    void api.cancelPasskey();
  }

  tryAgain(): void {
    this.#close = null;
    this.#retry?.();
  }

  /** Closes the failure. */
  close(): void {
    const close = this.#close;
    this.#end();
    close?.();
  }

  /**
   * One attempt: the dialog follows `action`'s prompts until it settles (then inactive);
   * `retry` is what Try again does after a failure.
   */
  async #perform<T>(title: string, action: () => Promise<T>, retry: (() => void) | null): Promise<T> {
    if (this.active) {
      // A ceremony whose command waits for this one (a reverification inside an add).
      this.#waiting.push({ title: this.title, retry: this.#retry, close: this.#close });
    }
    this.#retry = retry;
    this.#close = null;
    this.title = title;
    this.failure = null;
    this.prompt = null;
    this.active = true;
    try {
      // Listening before the command starts, so its first prompt is not missed.
      this.#unlisten ??= await api.onPasskeyPrompt((prompt) => {
        if (this.active) this.prompt = prompt;
      });
      return await action();
    } finally {
      this.active = false;
      this.prompt = null;
    }
  }

  #end(): void {
    this.prompt = null;
    this.failure = null;
    const outer = this.#waiting.pop();
    if (outer) {
      // The ceremony that waited takes the dialog back; its command is still running.
      this.title = outer.title;
      this.#retry = outer.retry;
      this.#close = outer.close;
      this.active = true;
      return;
    }
    this.#unlisten?.();
    this.#unlisten = null;
    this.active = false;
    this.#retry = null;
    this.#close = null;
  }
}

export const passkeyCeremony = new PasskeyCeremonyStore();
