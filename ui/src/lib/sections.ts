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
  },
  security: {
    id: 'security',
    label: 'Security',
    icon: 'shield',
    title: 'Security',
    purpose: 'Your password, passkeys, the second step that protects your sign-in, and deleting your account.',
  },
  devices: {
    id: 'devices',
    label: 'Devices',
    icon: 'monitor',
    title: 'Devices',
    purpose: 'Where you are signed in right now, and a way to sign out of the others.',
  },
  tokens: {
    id: 'tokens',
    label: 'Tokens',
    icon: 'key',
    title: 'Tokens',
    purpose: 'The short-lived session tokens that apps and integrations use to act as you, decoded and checked.',
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
