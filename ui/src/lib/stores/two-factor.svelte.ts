// Two-step verification: enrolling an authenticator app, its backup codes, turning it off. The
// state of the account (on/off, which methods) is part of the User; each action reads it again.
import * as api from '../api';
import type { Totp } from '../bindings';
import { onSignedOut } from '../signed-out';
import { user } from './user.svelte';

class TwoFactorStore {
  /** The authenticator being set up: its secret and URI, until a first code confirms it. */
  enrolling = $state<Totp | null>(null);
  /** Backup codes just given out; shown once, until the person says they saved them. */
  backupCodes = $state<string[] | null>(null);

  constructor() {
    onSignedOut(() => this.reset());
  }

  async startTotp(): Promise<Totp> {
    const totp = await api.createTotp();
    this.enrolling = totp;
    return totp;
  }

  /** Confirms the authenticator. Throws the `CommandError` for the code boxes. */
  async verifyTotp(code: string): Promise<Totp> {
    const totp = await api.verifyTotp(code);
    this.enrolling = null;
    if (totp.backup_codes?.length) this.backupCodes = totp.backup_codes;
    await user.refresh().catch(() => undefined);
    return totp;
  }

  cancelTotp(): void {
    this.enrolling = null;
  }

  async disableTotp(): Promise<void> {
    await api.deleteTotp();
    await user.refresh();
  }

  async regenerateBackupCodes(): Promise<string[]> {
    const result = await api.createBackupCodes();
    this.backupCodes = result.codes;
    await user.refresh().catch(() => undefined);
    return result.codes;
  }

  /** True when saved, false when the person cancelled the dialog. */
  async saveBackupCodes(): Promise<boolean> {
    if (!this.backupCodes) return false;
    return api.saveBackupCodes(this.backupCodes);
  }

  doneWithBackupCodes(): void {
    this.backupCodes = null;
  }

  reset(): void {
    this.enrolling = null;
    this.backupCodes = null;
  }
}

export const twoFactor = new TwoFactorStore();
