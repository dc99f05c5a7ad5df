// The OAuth providers a Clerk-compatible service offers: their names, the scopes people commonly
// ask them for, and a small mark of each in its brand colour, drawn for Userdesk as SVG shapes on
// a 24-unit grid (no external assets). `currentColor` marks follow the text colour, so the black
// ones stay visible in dark mode; `surface` is the card's background.
import { providerName } from './identification';

export type ProviderShape = {
  d: string;
  /** A colour, `currentColor`, or `surface` (the background the icon sits on). */
  fill?: string;
  stroke?: string;
  width?: number;
  evenodd?: boolean;
  cap?: 'round' | 'butt';
};

export type Provider = {
  /** e.g. `github`; the strategy is `oauth_github`. */
  id: string;
  name: string;
  /** Scopes offered in "Ask for more access…"; others can be typed. */
  scopes: string[];
  shapes: ProviderShape[];
};

const P = (id: string, name: string, scopes: string[], shapes: ProviderShape[]): Provider => ({ id, name, scopes, shapes });

const PROVIDERS: Provider[] = [
  P('google', 'Google', ['openid', 'email', 'profile', 'https://www.googleapis.com/auth/calendar.readonly', 'https://www.googleapis.com/auth/drive.readonly'], [
    { d: 'M19.6 7.2A8.6 8.6 0 0 0 5 7.6', stroke: '#EA4335', width: 3.6, cap: 'butt' },
    { d: 'M5 7.6a8.6 8.6 0 0 0 0 8.8', stroke: '#FBBC05', width: 3.6, cap: 'butt' },
    { d: 'M5 16.4a8.6 8.6 0 0 0 13.4 1.8', stroke: '#34A853', width: 3.6, cap: 'butt' },
    { d: 'M18.4 18.2A8.6 8.6 0 0 0 20.6 12H12', stroke: '#4285F4', width: 3.6, cap: 'butt' },
  ]),
  P('github', 'GitHub', ['read:user', 'user:email', 'repo', 'read:org', 'gist', 'workflow'], [
    {
      fill: 'currentColor',
      d: 'M12 .8C5.8.8.8 5.8.8 12c0 5 3.2 9.2 7.7 10.7.6.1.8-.2.8-.5v-2c-3.1.7-3.8-1.3-3.8-1.3-.5-1.3-1.2-1.7-1.2-1.7-1-.7.1-.7.1-.7 1.1.1 1.7 1.2 1.7 1.2 1 1.7 2.6 1.2 3.3.9.1-.7.4-1.2.7-1.5-2.5-.3-5.1-1.2-5.1-5.5 0-1.2.4-2.2 1.2-3-.1-.3-.5-1.4.1-3 0 0 .9-.3 3.1 1.2a10.6 10.6 0 0 1 5.6 0c2.1-1.5 3.1-1.2 3.1-1.2.6 1.6.2 2.7.1 3 .7.8 1.2 1.8 1.2 3 0 4.3-2.6 5.2-5.1 5.5.4.3.8 1 .8 2.1v3.1c0 .3.2.7.8.5 4.5-1.5 7.7-5.7 7.7-10.7C23.2 5.8 18.2.8 12 .8z',
    },
  ]),
  P('microsoft', 'Microsoft', ['openid', 'profile', 'email', 'offline_access', 'User.Read', 'Calendars.Read', 'Mail.Read'], [
    { d: 'M2.5 2.5h9v9h-9z', fill: '#F25022' },
    { d: 'M12.5 2.5h9v9h-9z', fill: '#7FBA00' },
    { d: 'M2.5 12.5h9v9h-9z', fill: '#00A4EF' },
    { d: 'M12.5 12.5h9v9h-9z', fill: '#FFB900' },
  ]),
  P('facebook', 'Facebook', ['email', 'public_profile', 'user_friends', 'user_birthday'], [
    { d: 'M12 1a11 11 0 0 0-1.7 21.9V15.2H7.5V12h2.8V9.6c0-2.8 1.7-4.3 4.2-4.3 1.2 0 2.5.2 2.5.2v2.7h-1.4c-1.4 0-1.8.9-1.8 1.8V12h3.1l-.5 3.2h-2.6v7.7A11 11 0 0 0 12 1z', fill: '#1877F2' },
  ]),
  P('twitter', 'X', ['users.read', 'tweet.read', 'follows.read', 'offline.access'], [
    { d: 'M3 2.5h6.2L21 21.5h-6.2z', fill: 'currentColor' },
    { d: 'M5.6 4.3h2.8l10 15.4h-2.8z', fill: 'surface' },
    { d: 'M19.2 2.5h2.1L13.6 11l-1.2-1.7z M4.9 21.5H2.7l7.9-8.9 1.2 1.8z', fill: 'currentColor' },
  ]),
  P('gitlab', 'GitLab', ['read_user', 'read_api', 'api', 'read_repository', 'write_repository'], [
    { d: 'M12 21.6 2 14.2l2.7-9.9c.2-.6 1-.6 1.2 0l2.2 6.8h7.8l2.2-6.8c.2-.6 1-.6 1.2 0l2.7 9.9z', fill: '#FC6D26' },
    { d: 'M12 21.6 8.1 11.1h7.8z', fill: '#E24329' },
    { d: 'M12 21.6 2 14.2l6.1-3.1z M12 21.6l10-7.4-6.1-3.1z', fill: '#FCA326' },
  ]),
  P('discord', 'Discord', ['identify', 'email', 'guilds', 'connections'], [
    {
      fill: '#5865F2',
      evenodd: true,
      d: 'M19.3 5.3A17 17 0 0 0 15 4l-.6 1.1a15.8 15.8 0 0 0-4.8 0L9 4a17 17 0 0 0-4.3 1.3C2 9.4 1.3 13.3 1.6 17.2a17.2 17.2 0 0 0 5.3 2.7l1.1-1.8a11 11 0 0 1-1.8-.9l.4-.3a12.2 12.2 0 0 0 10.6 0l.4.3-1.8.9 1.1 1.8a17.1 17.1 0 0 0 5.3-2.7c.4-4.5-.7-8.4-2.9-11.9zM8.7 14.8c-1 0-1.9-1-1.9-2.1s.8-2.1 1.9-2.1 1.9 1 1.9 2.1-.8 2.1-1.9 2.1zm6.6 0c-1 0-1.9-1-1.9-2.1s.8-2.1 1.9-2.1 1.9 1 1.9 2.1-.8 2.1-1.9 2.1z',
    },
  ]),
  P('twitch', 'Twitch', ['user:read:email', 'channel:read:subscriptions', 'user:read:follows'], [
    { d: 'M4.5 2 2.5 6v14h5v2.5h2.6L12.6 20h4l5-5V2z', fill: '#9146FF' },
    { d: 'M6.3 4h13.3v10l-3.2 3.2h-4.5l-2.6 2.6v-2.6H6.3z', fill: 'surface' },
    { d: 'M11 7.5h2v5.2h-2z M16 7.5h2v5.2h-2z', fill: '#9146FF' },
  ]),
  P('linkedin', 'LinkedIn', ['openid', 'profile', 'email', 'w_member_social'], [
    { d: 'M4.5 2h15A2.5 2.5 0 0 1 22 4.5v15a2.5 2.5 0 0 1-2.5 2.5h-15A2.5 2.5 0 0 1 2 19.5v-15A2.5 2.5 0 0 1 4.5 2z', fill: '#0A66C2' },
    {
      fill: '#fff',
      d: 'M5.6 9.6h2.9v9H5.6z M7 5a1.7 1.7 0 1 1 0 3.4A1.7 1.7 0 0 1 7 5z M10.3 9.6H13v1.3c.5-.8 1.5-1.5 3-1.5 3 0 3.5 2 3.5 4.5v4.7h-2.9v-4.2c0-1 0-2.3-1.4-2.3s-1.6 1.1-1.6 2.2v4.3h-2.9z',
    },
  ]),
  P('dropbox', 'Dropbox', ['account_info.read', 'files.metadata.read', 'files.content.read', 'files.content.write'], [
    { d: 'M7 2.8l5 3.2-5 3.2-5-3.2z M17 2.8l5 3.2-5 3.2-5-3.2z M7 9.2l5 3.2-5 3.2-5-3.2z M17 9.2l5 3.2-5 3.2-5-3.2z M12 16.6l5-3.2v1.2l-5 3.2-5-3.2v-1.2z', fill: '#0061FF' },
  ]),
  P('bitbucket', 'Bitbucket', ['account', 'email', 'repository', 'pullrequest'], [
    { d: 'M2.7 3h18.6c.4 0 .7.3.6.7l-2.7 16.6c0 .4-.4.7-.8.7H5.6c-.4 0-.7-.3-.8-.7L2.1 3.7c-.1-.4.2-.7.6-.7z M9.6 15.2h4.8l1.2-6.8H8.4z', fill: '#2684FF', evenodd: true },
  ]),
  P('notion', 'Notion', [], [
    { d: 'M4.5 2.5h12.2l3.8 3.6v13.4c0 1.1-.9 2-2 2H5.5c-1.1 0-2-.9-2-2v-16c0-.6.4-1 1-1z', fill: 'surface', stroke: 'currentColor', width: 1.6 },
    { d: 'M8 7.5h1.8l4.6 6.9V7.5h1.6v9h-1.8L9.6 9.6v6.9H8z', fill: 'currentColor' },
  ]),
  P('hubspot', 'HubSpot', ['oauth', 'crm.objects.contacts.read', 'crm.objects.contacts.write'], [
    { d: 'M15 15.2m-3.6 0a3.6 3.6 0 1 0 7.2 0 3.6 3.6 0 1 0-7.2 0', stroke: '#FF7A59', width: 2.4 },
    { d: 'M15 11.6V6 M12.3 17.7l-4 3.4 M12.4 12.8 5.6 7.6', stroke: '#FF7A59', width: 2.2 },
    { d: 'M15 4.2m-1.8 0a1.8 1.8 0 1 0 3.6 0 1.8 1.8 0 1 0-3.6 0 M4.6 6.8m-1.6 0a1.6 1.6 0 1 0 3.2 0 1.6 1.6 0 1 0-3.2 0', fill: '#FF7A59' },
  ]),
  P('tiktok', 'TikTok', ['user.info.basic', 'user.info.profile', 'video.list'], [
    { d: 'M12.2 4v11.3a3 3 0 1 1-3-3 M12.2 4c.4 2.6 2 4.1 4.6 4.3', stroke: '#25F4EE', width: 2.6 },
    { d: 'M13.8 5.6v11.3a3 3 0 1 1-3-3 M13.8 5.6c.4 2.6 2 4.1 4.6 4.3', stroke: '#FE2C55', width: 2.6 },
    { d: 'M13 4.8v11.3a3 3 0 1 1-3-3 M13 4.8c.4 2.6 2 4.1 4.6 4.3', stroke: 'currentColor', width: 2.6 },
  ]),
];

const BY_ID = new Map(PROVIDERS.map((p) => [p.id, p]));

/** The 14 providers, the ones people use most first: the order in which they are offered. */
export const PROVIDER_IDS: readonly string[] = PROVIDERS.map((p) => p.id);

/** Strategies in the order they are offered: known providers by use, then the others as given. */
export function offerOrder(strategies: string[]): string[] {
  const rank = (strategy: string) => {
    const index = PROVIDER_IDS.indexOf(strategy.replace(/^oauth_/, ''));
    return index < 0 ? PROVIDER_IDS.length : index;
  };
  return strategies.map((strategy, i) => ({ strategy, i })).sort((a, b) => rank(a.strategy) - rank(b.strategy) || a.i - b.i).map((x) => x.strategy);
}

/** "oauth_github" or "github" → the provider; unknown ones get a name and no mark. */
export function provider(strategy: string): Provider {
  const id = strategy.replace(/^oauth_/, '');
  return BY_ID.get(id) ?? BY_ID.get(id.replace(/_oidc$/, '')) ?? { id, name: providerName(id), scopes: [], shapes: [] };
}

/** The strategy of a provider id: "github" → "oauth_github". */
export const strategyOf = (id: string): string => (id.startsWith('oauth_') ? id : `oauth_${id}`);

/** `approved_scopes` as the server sends it (space-separated), as a list. */
export function scopeList(scopes: string | null | undefined): string[] {
  return (scopes ?? '').split(/[\s,]+/).filter(Boolean);
}

/**
 * The scopes to ask for: the ones chosen plus the ones typed (spaces or commas between), without
 * those already granted and without repeats.
 */
export function missingScopes(granted: string[], chosen: string[], typed: string): string[] {
  const have = new Set(granted);
  const out: string[] = [];
  for (const s of [...chosen, ...scopeList(typed)]) {
    if (!have.has(s) && !out.includes(s)) out.push(s);
  }
  return out;
}
