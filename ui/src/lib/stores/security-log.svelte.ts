// The account's local security log (Devices): what Userdesk saw change, newest first.
import * as api from '../api';
import type { CommandError, SecurityEvent, SecurityEventKind } from '../bindings';
import { onSignedOut } from '../signed-out';

/** How each kind of event reads in the log. */
export function describeEvent(event: SecurityEvent): string {
  const texts: Record<SecurityEventKind, string> = {
    sign_in_seen: 'New sign-in',
    device_signed_out: 'Device signed out',
    two_step_turned_on: 'Two-step verification turned on',
    two_step_turned_off: 'Two-step verification turned off',
    password_changed: 'Password changed',
    password_added: 'Password set',
    password_removed: 'Password removed',
    connected_account_added: 'Connected account added',
    connected_account_removed: 'Connected account removed',
    connected_account_failed: 'Connected account needs reconnecting',
  };
  return event.detail ? `${texts[event.kind]}: ${event.detail}` : texts[event.kind];
}

class SecurityLogStore {
  events = $state<SecurityEvent[]>([]);
  loaded = $state(false);
  error = $state<CommandError | null>(null);

  constructor() {
    onSignedOut(() => this.reset());
  }

  /** Never throws: a failure is kept in `error`. */
  async load(): Promise<void> {
    try {
      this.events = await api.securityLog();
      this.error = null;
      this.loaded = true;
    } catch (err) {
      this.error = err as CommandError;
    }
  }

  reset(): void {
    this.events = [];
    this.loaded = false;
    this.error = null;
  }
}

export const securityLog = new SecurityLogStore();
