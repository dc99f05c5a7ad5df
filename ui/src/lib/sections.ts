// The sections of the window, in sidebar order, with the sentence each one opens with.
import type { IconName } from './icons';
import type { Section } from './stores/nav.svelte';

export type SectionInfo = {
  id: Section;
  label: string;
  icon: IconName;
  title: string;
  purpose: string;
  /** For sections this version does not have yet: what the section will show. */
  planned?: { heading: string; items: string[] };
};

export const SECTION_INFO: Record<Section, SectionInfo> = {
  profile: {
    id: 'profile',
    label: 'Profile',
    icon: 'user',
    title: 'Profile',
    purpose: 'Your name, username and the data this account carries, as apps that use this service see them.',
  },
  emails: {
    id: 'emails',
    label: 'Emails & phones',
    icon: 'mail',
    title: 'Emails & phones',
    purpose: 'The email addresses and phone numbers you can sign in with and be reached at.',
  },
  connected: {
    id: 'connected',
    label: 'Connected accounts',
    icon: 'link',
    title: 'Connected accounts',
    purpose: 'Accounts at other providers (such as Google or GitHub) that you can sign in with.',
    planned: {
      heading: 'Accounts at other providers',
      items: [
        'Each connected provider and the email it shares',
        'Connecting a new provider in your browser',
        'Reconnecting or disconnecting an account',
      ],
    },
  },
  security: {
    id: 'security',
    label: 'Security',
    icon: 'shield',
    title: 'Security',
    purpose: 'Your password and the second step that protects your sign-in.',
    planned: {
      heading: 'Password and two-step verification',
      items: [
        'Setting or changing your password',
        'An authenticator app for two-step verification',
        'Backup codes for when your authenticator is not at hand',
      ],
    },
  },
  devices: {
    id: 'devices',
    label: 'Devices',
    icon: 'monitor',
    title: 'Devices',
    purpose: 'Where you are signed in right now, and a way to sign out of the others.',
    planned: {
      heading: 'Active sessions',
      items: [
        'Each device and browser signed in to this account, with this device marked',
        'When and where each one was last active',
        'Signing a device out',
      ],
    },
  },
  tokens: {
    id: 'tokens',
    label: 'Tokens',
    icon: 'key',
    title: 'Tokens',
    purpose: 'The short-lived session tokens that apps use to act as you.',
    planned: {
      heading: 'Session tokens',
      items: [
        'The current session token and its claims',
        'When it expires and when it was last refreshed',
        'Copying a fresh token for testing an API',
      ],
    },
  },
  settings: {
    id: 'settings',
    label: 'Settings',
    icon: 'settings',
    title: 'Settings',
    purpose: 'Which identity service Userdesk connects to, how it looks, and where it keeps your sign-in.',
  },
};

/** The account sections, top of the sidebar. Settings sits apart at the bottom. */
export const ACCOUNT_SECTIONS: Section[] = ['profile', 'emails', 'connected', 'security', 'devices', 'tokens'];
