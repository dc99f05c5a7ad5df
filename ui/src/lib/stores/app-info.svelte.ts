// What the Rust side says about the running app: version, instance, demo account, token storage.
import * as api from '../api';
import type { AppInfo, CommandError } from '../bindings';
import { onSignedOut } from '../signed-out';

class AppInfoStore {
  current = $state<AppInfo | null>(null);
  error = $state<CommandError | null>(null);

  constructor() {
    // Another account may be on another instance.
    onSignedOut((cause) => {
      if (cause === 'switched') void this.load();
    });
  }

  /** Never throws: a failure is kept in `error`. */
  async load(): Promise<void> {
    this.error = null;
    try {
      this.current = await api.appInfo();
    } catch (err) {
      this.error = err as CommandError;
    }
  }

  set(info: AppInfo): void {
    this.current = info;
    this.error = null;
  }
}

export const appInfo = new AppInfoStore();
