// The account's active sessions (Devices). Read on demand; revoking one reads the list again.
import * as api from '../api';
import type { CommandError, SessionWithActivities } from '../bindings';
import { onSignedOut } from '../signed-out';
import { offline } from './offline.svelte';

class SessionStore {
  sessions = $state<SessionWithActivities[]>([]);
  /** This device's session. */
  currentId = $state<string | null>(null);
  loading = $state(false);
  loaded = $state(false);
  /** Why the last read failed. */
  error = $state<CommandError | null>(null);

  constructor() {
    onSignedOut(() => this.reset());
  }

  /** Never throws: a failure is kept in `error`. */
  async load(): Promise<void> {
    this.loading = true;
    try {
      // Offline, the devices are the ones the app last listed (none when it never did).
      const result = offline.view
        ? (offline.view.devices ?? { current_session_id: null, sessions: [] })
        : await api.devices();
      // This device first, then the most recently active.
      this.sessions = [...result.sessions].sort(
        (a, b) =>
          Number(b.id === result.current_session_id) - Number(a.id === result.current_session_id) ||
          b.last_active_at - a.last_active_at,
      );
      this.currentId = result.current_session_id;
      this.error = null;
      this.loaded = true;
    } catch (err) {
      this.error = err as CommandError;
    } finally {
      this.loading = false;
    }
  }

  /** Signs one other device out. Throws the `CommandError` for its card. */
  async revoke(id: string): Promise<void> {
    if (id === this.currentId) throw { code: 'current_session', message: 'Use Sign out to end this device’s session.', field: null };
    await api.revokeSession(id);
    this.sessions = this.sessions.filter((s) => s.id !== id);
    await this.load();
  }

  /** Signs every other device out; returns how many were. */
  async revokeOthers(): Promise<number> {
    const count = await api.revokeOtherSessions();
    this.sessions = this.sessions.filter((s) => s.id === this.currentId);
    await this.load();
    return count;
  }

  reset(): void {
    this.sessions = [];
    this.currentId = null;
    this.loading = false;
    this.loaded = false;
    this.error = null;
  }
}

export const sessions = new SessionStore();
