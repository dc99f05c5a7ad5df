// Offline: the instance did not answer, and the app shows what it last knew of the account,
// read-only, until it answers again. Tries again by itself, waiting longer each time (5 s, 10 s,
// 20 s… up to a minute), and when asked (Retry). Whoever opens the view says how to go live
// again (`reconnect`), so this store writes nobody else's fields.
import * as api from '../api';
import type { CommandError, OfflineView } from '../bindings';
import { onSignedOut } from '../signed-out';

/** The failures that mean the instance cannot be reached (not a refusal). */
export const UNREACHABLE: ReadonlySet<string> = new Set(['network', 'timeout']);

export const isUnreachable = (error: unknown): boolean =>
  typeof error === 'object' && error !== null && UNREACHABLE.has((error as CommandError).code);

const FIRST_WAIT_MS = 5_000;
const LONGEST_WAIT_MS = 60_000;

/** "14:02": when the kept copy was read, in the person's local time. */
export function knewAt(savedAt: number): string {
  return new Date(savedAt).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
}

/** Why every action is off while offline: the tooltip and the description of disabled controls. */
export const OFFLINE_REASON = 'You are offline: changes are off until the identity service answers again.';

class OfflineStore {
  view = $state<OfflineView | null>(null);
  retrying = $state(false);
  /** When the next automatic try is due (ms since the epoch), for the banner's countdown. */
  nextTryAt = $state<number | null>(null);
  #wait = FIRST_WAIT_MS;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #reconnect: (() => Promise<boolean>) | null = null;

  constructor() {
    onSignedOut(() => this.leave());
  }

  get active(): boolean {
    return this.view !== null;
  }

  /** What the app kept of the account, or null when it kept nothing. Never throws. */
  async read(): Promise<OfflineView | null> {
    try {
      return await api.offlineView();
    } catch {
      return null;
    }
  }

  /** Shows `view` read-only; `reconnect` tries the live account and says whether it is back. */
  enter(view: OfflineView, reconnect: () => Promise<boolean>): void {
    const entering = this.view === null;
    this.view = view;
    this.#reconnect = reconnect;
    if (entering) {
      this.#wait = FIRST_WAIT_MS;
      this.#schedule();
    }
  }

  /** Tries the instance now (Retry, or the timer); the live account replaces the view if it answers. */
  async retry(): Promise<boolean> {
    if (!this.#reconnect || this.retrying) return false;
    clearTimeout(this.#timer);
    this.retrying = true;
    let back = false;
    try {
      back = await this.#reconnect();
    } finally {
      this.retrying = false;
    }
    if (back) this.leave();
    else if (this.view) {
      this.#wait = Math.min(this.#wait * 2, LONGEST_WAIT_MS);
      this.#schedule();
    }
    return back;
  }

  /** Live again (or signed out): nothing offline stays. */
  leave(): void {
    clearTimeout(this.#timer);
    this.view = null;
    this.nextTryAt = null;
    this.#reconnect = null;
    this.#wait = FIRST_WAIT_MS;
  }

  #schedule(): void {
    clearTimeout(this.#timer);
    this.nextTryAt = Date.now() + this.#wait;
    this.#timer = setTimeout(() => void this.retry(), this.#wait);
  }
}

export const offline = new OfflineStore();
