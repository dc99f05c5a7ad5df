// The question "is it still you?" that an instance with reverification asks before a sensitive
// action. `call` in api.ts waits on it through the gate and retries the action once when it is
// answered (Clerk's `useReverification`); the dialog draws `current` and calls these methods.
import * as api from '../api';
import type { CommandError, ReverificationFirstFactor, ReverificationLevel, ReverificationSecondFactor, ReverificationStep } from '../bindings';
import { answerReverification } from '../reverification-gate';
import { onSignedOut } from '../signed-out';
import { passkeyCeremony } from './passkey-ceremony.svelte';

/** What the dialog says when the person cancels the passkey: nothing happened, and what next. */
export const PASSKEY_CANCELLED = 'The passkey was cancelled, so nothing changed. Use it again, or verify another way.';

/** The factor being answered: the password, a passkey, an emailed code, or a second factor. */
export type Answer =
  | { kind: 'first'; factor: ReverificationFirstFactor }
  | { kind: 'second'; factor: ReverificationSecondFactor };

class ReverificationStore {
  /** Open while not null: what the instance asked for. */
  level = $state<ReverificationLevel | null>(null);
  step = $state<ReverificationStep | null>(null);
  answer = $state<Answer | null>(null);
  /** When a code went out for the current answer (email or text); null until one did. */
  sentAt = $state<number | null>(null);
  busy = $state<'start' | 'send' | 'verify' | null>(null);
  error = $state<CommandError | null>(null);
  /** The element that had focus when the dialog opened. */
  returnFocus: HTMLElement | null = null;
  #resolve: ((ok: boolean) => void) | null = null;

  constructor() {
    answerReverification((level) => this.ask(level));
    onSignedOut(() => this.settle(false));
  }

  ask(level: ReverificationLevel): Promise<boolean> {
    this.#resolve?.(false);
    this.returnFocus = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    this.level = level;
    this.step = null;
    this.answer = null;
    this.sentAt = null;
    this.error = null;
    const answered = new Promise<boolean>((resolve) => (this.#resolve = resolve));
    void this.#run('start', () => api.startReverification(level));
    return answered;
  }

  /**
   * Switches to another factor (an emailed code is sent at once, a text when asked; a passkey is
   * asked of the key at once).
   */
  async choose(answer: Answer): Promise<void> {
    this.answer = answer;
    this.sentAt = null;
    this.error = null;
    if (answer.kind === 'first' && answer.factor.strategy === 'email_code') await this.send();
    if (answer.kind === 'first' && answer.factor.strategy === 'passkey') await this.usePasskey();
  }

  /**
   * Answers with one of the account's passkeys: the key's prompts show in the passkey dialog;
   * a failure, Cancel included, shows here and leaves everything as it was.
   */
  async usePasskey(): Promise<void> {
    if (this.busy) return;
    await this.#run('verify', () => passkeyCeremony.follow('Confirm it’s you', api.reverifyWithPasskey));
    if (this.error?.code === 'passkey_cancelled') this.error = { ...this.error, message: PASSKEY_CANCELLED };
  }

  /** Sends the code of the current answer. */
  async send(): Promise<void> {
    const answer = this.answer;
    if (!answer) return;
    let sending: Promise<ReverificationStep> | null = null;
    if (answer.kind === 'first' && answer.factor.strategy === 'email_code') {
      sending = api.prepareReverificationEmailCode(answer.factor.email_address_id);
    } else if (answer.kind === 'second' && answer.factor.strategy === 'phone_code' && answer.factor.phone_number_id) {
      sending = api.prepareReverificationSecondFactor(answer.factor.phone_number_id);
    }
    if (sending && (await this.#run('send', () => sending))) this.sentAt = Date.now();
  }

  /** Answers with the password or a code (a passkey answers through `usePasskey`). */
  async verify(secret: string): Promise<void> {
    const answer = this.answer;
    if (!answer) return;
    if (answer.kind === 'second') {
      const strategy = answer.factor.strategy;
      await this.#run('verify', () => api.attemptReverificationSecondFactor(strategy, secret));
      return;
    }
    const strategy = answer.factor.strategy;
    if (strategy === 'passkey') return;
    await this.#run('verify', () => api.attemptReverificationFirstFactor(strategy, secret));
  }

  /** Closes the dialog: `true` lets the refused action run again. */
  settle(ok: boolean): void {
    const resolve = this.#resolve;
    this.#resolve = null;
    this.level = null;
    this.step = null;
    this.answer = null;
    this.busy = null;
    resolve?.(ok);
  }

  /** Runs one step; the step it returns decides what is asked next. */
  async #run(busy: 'start' | 'send' | 'verify', request: () => Promise<ReverificationStep>): Promise<boolean> {
    this.busy = busy;
    this.error = null;
    try {
      const step = await request();
      if (this.level === null) return false; // cancelled meanwhile
      this.#arrive(step);
      return true;
    } catch (error) {
      if (this.level !== null) this.error = error as CommandError;
      return false;
    } finally {
      if (this.busy === busy) this.busy = null;
    }
  }

  #arrive(step: ReverificationStep): void {
    const moved = this.step?.status !== step.status;
    this.step = step;
    if (step.status === 'complete') {
      this.settle(true);
    } else if (moved) {
      // A new stage starts with its most usual factor: the password, the authenticator app.
      this.sentAt = null;
      this.answer =
        step.status === 'needs_first_factor'
          ? firstAnswer(step.first_factors)
          : secondAnswer(step.second_factors);
    }
  }
}

function firstAnswer(factors: ReverificationFirstFactor[]): Answer | null {
  const factor = factors.find((f) => f.strategy === 'password') ?? factors[0];
  return factor ? { kind: 'first', factor } : null;
}

function secondAnswer(factors: ReverificationSecondFactor[]): Answer | null {
  const order = ['totp', 'phone_code', 'backup_code'];
  const factor = [...factors].sort((a, b) => order.indexOf(a.strategy) - order.indexOf(b.strategy))[0];
  return factor ? { kind: 'second', factor } : null;
}

export const reverification = new ReverificationStore();
