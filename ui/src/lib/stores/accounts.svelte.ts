// The accounts the app holds, one of them shown (the sidebar's switcher, issue 15). Each stays
// signed in on its own; the Rust side answers every change with the whole list. When another
// account is shown, every store forgets what it kept of the last one through ../signed-out
// ('switched') and the user is read again; nothing of one account shows under another's name.
import * as api from '../api';
import type { AccountSummary, CommandError } from '../bindings';
import { onSignedOut, signedOut } from '../signed-out';
import { toasts } from './toast.svelte';
import { user } from './user.svelte';

/** What an account is called where its person is not known (being added). */
export const UNNAMED_ACCOUNT = 'New account';

class AccountsStore {
  list = $state<AccountSummary[]>([]);
  /** Why the last read of the list failed. */
  error = $state<CommandError | null>(null);
  /** What an action is running for: an account's id, or 'add'; its control spins. */
  busy = $state<string | null>(null);
  /** The account shown before the one shown now: a sign-in screen goes back to it. */
  #previous = $state<string | null>(null);
  /** This store announced the switch, with the list already in hand. */
  #announcing = false;

  constructor() {
    // The shown account went another way (signed out, session ended, a sign-out that showed the
    // next account): the list is read again.
    onSignedOut(() => {
      if (!this.#announcing) void this.load();
    });
  }

  /** The account the window shows. */
  get active(): AccountSummary | null {
    return this.list.find((a) => a.active) ?? null;
  }

  /**
   * The signed-in account a sign-in screen offers to go back to: the one shown before, else
   * another signed-in one; null when there is none.
   */
  get backTo(): AccountSummary | null {
    const others = this.list.filter((a) => !a.active && signedIn(a));
    return others.find((a) => a.id === this.#previous) ?? others[0] ?? null;
  }

  /** True when `id` is the shown account, or when no list is known (a single account). */
  isShown(id: string): boolean {
    const active = this.active;
    return active === null || active.id === id;
  }

  /** The name of account `id` for a sentence, e.g. a toast about it. */
  nameOf(id: string): string {
    return this.list.find((a) => a.id === id)?.person?.name ?? 'another account';
  }

  /** Reads the list. Never throws: a failure is kept in `error`. */
  async load(): Promise<void> {
    try {
      this.#set(await api.accounts());
      this.error = null;
    } catch (err) {
      this.error = err as CommandError;
    }
  }

  /**
   * Reads the list again; when another account is shown now, every store forgets the last one and
   * the user is read again. True when that happened. Never throws.
   */
  async sync(): Promise<boolean> {
    const shown = this.active?.id;
    await this.load();
    if (this.error || this.active?.id === shown) return false;
    await this.#showNext();
    return true;
  }

  /** Adds an account: its sign-in screen shows; the others stay signed in. Throws the `CommandError`. */
  add(): Promise<void> {
    return this.#run('add', () => api.addAccount());
  }

  /** Shows account `id` at once (a signed-out one shows its sign-in screen). Throws the `CommandError`. */
  switchTo(id: string): Promise<void> {
    if (this.active?.id === id) return Promise.resolve();
    return this.#run(id, () => api.switchAccount(id));
  }

  /** Signs account `id` out and forgets it; if it was shown, the next one shows. Throws the `CommandError`. */
  remove(id: string): Promise<void> {
    return this.#run(id, () => api.removeAccount(id));
  }

  /** Follows `accounts-changed` (the tray, a session ended elsewhere, an account added twice); returns the function that stops. */
  listen(): () => void {
    const subscription = api.onAccountsChanged((changed) => void this.#changed(changed.message));
    subscription.catch((err: unknown) => console.error('Userdesk: cannot follow account changes', err));
    return () => void subscription.then((stop) => stop()).catch(() => undefined);
  }

  async #changed(message: string | null): Promise<void> {
    await this.sync();
    if (message) toasts.success(message);
  }

  /** Runs an action that answers with the list; if it shows another account, the window follows. */
  async #run(busy: string, action: () => Promise<AccountSummary[]>): Promise<void> {
    if (this.busy) return;
    this.busy = busy;
    try {
      const shown = this.active?.id;
      this.#set(await action());
      this.error = null;
      if (this.active?.id !== shown) await this.#showNext();
    } finally {
      this.busy = null;
    }
  }

  async #showNext(): Promise<void> {
    this.#announcing = true;
    try {
      signedOut('switched');
    } finally {
      this.#announcing = false;
    }
    await user.load();
  }

  #set(list: AccountSummary[]): void {
    const was = this.active?.id ?? null;
    this.list = list;
    const now = this.active?.id ?? null;
    if (was !== null && was !== now && list.some((a) => a.id === was)) this.#previous = was;
  }

  /** A fresh start (tests). */
  reset(): void {
    this.list = [];
    this.error = null;
    this.busy = null;
    this.#previous = null;
  }
}

/** Signed in: its person is known and its session did not end. */
export function signedIn(account: AccountSummary): boolean {
  return account.person !== null && !account.signed_out;
}

export const accounts = new AccountsStore();
