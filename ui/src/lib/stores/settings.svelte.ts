// The saved settings. The theme is applied as soon as it is known or changed.
import * as api from '../api';
import type { AppInfo, CommandError, Settings, Theme } from '../bindings';
import { onSignedOut } from '../signed-out';
import { applyTheme } from '../theme';
import { appInfo } from './app-info.svelte';

class SettingsStore {
  current = $state<Settings | null>(null);
  error = $state<CommandError | null>(null);

  constructor() {
    // The saved instance is the shown account's.
    onSignedOut((cause) => {
      if (cause === 'switched') void this.load();
    });
  }

  /** Never throws: a failure is kept in `error` and the system theme stays. */
  async load(): Promise<void> {
    this.error = null;
    try {
      this.#set(await api.getSettings());
    } catch (err) {
      this.error = err as CommandError;
    }
  }

  /** Saves all settings; the app reconnects, so the new AppInfo replaces the old one. */
  async save(settings: Settings): Promise<AppInfo> {
    const info = await api.saveSettings(settings);
    this.#set(settings);
    appInfo.set(info);
    return info;
  }

  /**
   * Applies a theme at once and persists it with the saved instance unchanged. On failure the
   * previous theme comes back and the error is thrown.
   */
  async setTheme(theme: Theme): Promise<void> {
    const previous = this.current;
    if (!previous) throw { code: 'internal', message: 'Settings are not loaded yet.', field: null };
    applyTheme(theme);
    this.current = { ...previous, theme };
    try {
      await this.save({ ...previous, theme });
    } catch (err) {
      this.#set(previous);
      throw err;
    }
  }

  /** Whether closing the window keeps the app in the tray; saved with the rest unchanged. Throws on failure. */
  async setKeepInTray(keep: boolean): Promise<void> {
    const previous = this.current;
    if (!previous) throw { code: 'internal', message: 'Settings are not loaded yet.', field: null };
    await this.save({ ...previous, keep_in_tray: keep });
  }

  #set(settings: Settings): void {
    this.current = settings;
    applyTheme(settings.theme);
  }
}

export const settings = new SettingsStore();
