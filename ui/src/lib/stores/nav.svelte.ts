// Which section the main pane shows.
import { onSignedOut } from '../signed-out';

export const SECTIONS = [
  'profile',
  'emails',
  'connected',
  'security',
  'devices',
  'tokens',
  'settings',
] as const;

export type Section = (typeof SECTIONS)[number];

class NavStore {
  section = $state<Section>('profile');
  /** Signed out, Settings opens over the sign-in screen. */
  signedOutSettings = $state(false);

  constructor() {
    // Another account shown keeps the section (its Devices for Devices), and Settings open over a
    // sign-in screen stay open (changing the instance there shows another account).
    onSignedOut((cause) => {
      if (cause !== 'switched') this.reset();
    });
  }

  go(section: Section): void {
    this.section = section;
  }

  reset(): void {
    this.section = 'profile';
    this.signedOutSettings = false;
  }
}

export const nav = new NavStore();
