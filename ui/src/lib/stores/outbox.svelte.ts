// The development outbox of the embedded server: the mail and SMS it recorded instead of sending.
// Only there when AppInfo says so; nothing here asks the server otherwise.
import * as api from '../api';
import type { CommandError } from '../bindings';
import { onSignedOut } from '../signed-out';
import { appInfo } from './app-info.svelte';

/** How many of the latest messages to show. */
export const OUTBOX_LIMIT = 20;

class OutboxStore {
  messages = $state<api.OutboxMessage[]>([]);
  error = $state<CommandError | null>(null);
  loading = $state(false);
  /** When the list was last read (Unix ms). */
  loadedAt = $state<number | null>(null);
  /** Bumped when a message was probably just recorded, so a visible panel reads at once. */
  pokes = $state(0);

  constructor() {
    onSignedOut(() => this.reset());
  }

  get available(): boolean {
    return api.hasDevOutbox(appInfo.current);
  }

  /** Never throws: a failure is kept in `error`. Does nothing for other instances. */
  async load(): Promise<void> {
    if (!this.available || this.loading) return;
    this.loading = true;
    try {
      this.messages = await api.devOutbox(OUTBOX_LIMIT);
      this.error = null;
      this.loadedAt = Date.now();
    } catch (err) {
      this.error = err as CommandError;
    } finally {
      this.loading = false;
    }
  }

  /** A code or link was just sent. */
  poke(): void {
    if (this.available) this.pokes++;
  }

  reset(): void {
    this.messages = [];
    this.error = null;
    this.loading = false;
    this.loadedAt = null;
    this.pokes = 0;
  }
}

export const outbox = new OutboxStore();
