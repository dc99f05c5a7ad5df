// The actions on one card of a list (make primary, remove, sign out…): one runs at a time, so
// its button spins and the others wait; its result shows as a toast, its refusal on the card.
import type { CommandError } from '$lib/bindings';
import { confirmation, type ConfirmRequest } from '$lib/stores/confirm.svelte';
import { toasts } from '$lib/stores/toast.svelte';
import { user } from '$lib/stores/user.svelte';

export class CardAction<Kind extends string> {
  /** The action running now, if any. */
  busy = $state<Kind | null>(null);
  /** Why the last action failed, for the card to show (see CardError). */
  error = $state<string | null>(null);
  readonly #reloadUserWhenGone: boolean;

  /**
   * `reloadUserWhenGone`: the item belongs to the user (an address, a number, an account), so
   * when the server says it is gone (removed elsewhere) the user is reloaded and the card leaves.
   */
  constructor({ reloadUserWhenGone }: { reloadUserWhenGone: boolean }) {
    this.#reloadUserWhenGone = reloadUserWhenGone;
  }

  /** Runs `action`, which returns the toast to show, unless another action is running. */
  async run(what: Kind, action: () => Promise<string>): Promise<void> {
    if (this.busy) return;
    this.busy = what;
    this.error = null;
    try {
      toasts.success(await action());
    } catch (err) {
      const e = err as CommandError;
      this.error = e.message;
      if (e.code === 'resource_not_found' && this.#reloadUserWhenGone) void user.refresh().catch(() => undefined);
    } finally {
      this.busy = null;
    }
  }

  /** Asks first (removing, signing out) and runs `action` only if the person agrees. */
  async confirmAndRun(what: Kind, question: ConfirmRequest, action: () => Promise<string>): Promise<void> {
    if (await confirmation.ask(question)) await this.run(what, action);
  }
}
