// The passkey ceremony in progress: what its authenticator asks now (the `passkey-prompt`
// events), and how it ended. PasskeyDialog shows it; callers run their command through `run`.
import * as api from '../api';
import type { CommandError, PasskeyPrompt } from '../bindings';

/** What the dialog says above each failure, by its code; the message says the rest. */
export const FAILURE_TITLES: Partial<Record<CommandError['code'], string>> = {
  no_authenticator: 'No security key found',
  timeout: 'The key was not used in time',
  pin_incorrect: 'Wrong PIN',
  authenticator_locked: 'This key is locked',
  passkey_wrong_relying_party: 'No passkey for this account server',
  passkey_malformed: 'The request could not be read',
};

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
  /** Stops listening to the prompts: they matter only while a ceremony runs. */
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
        this.title = title;
        this.failure = null;
        this.prompt = null;
        this.active = true;
        this.#retry = () => void attempt();
        try {
          // Listening before the command starts, so its first prompt is not missed.
          this.#stopListening();
          this.#unlisten = await api.onPasskeyPrompt((prompt) => {
            if (this.active) this.prompt = prompt;
          });
          const result = await action();
          this.#end();
          resolve(result);
        } catch (error) {
          const failure = error as CommandError;
          this.active = false;
          this.prompt = null;
          this.#stopListening();
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

  #stopListening(): void {
    this.#unlisten?.();
    this.#unlisten = null;
  }

  #end(): void {
    this.#stopListening();
    this.active = false;
    this.prompt = null;
    this.failure = null;
    this.#retry = null;
    this.#close = null;
  }
}

export const passkeyCeremony = new PasskeyCeremonyStore();
