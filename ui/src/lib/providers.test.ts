import { describe, expect, it } from 'vitest';
import { missingScopes, offerOrder, PROVIDER_IDS, provider, scopeList, strategyOf } from './providers';

describe('providers', () => {
  it('has a name and a mark for each of the 14 providers', () => {
    expect([...PROVIDER_IDS].sort()).toEqual(
      ['bitbucket', 'discord', 'dropbox', 'facebook', 'github', 'gitlab', 'google', 'hubspot', 'linkedin', 'microsoft', 'notion', 'tiktok', 'twitch', 'twitter'],
    );
    for (const id of PROVIDER_IDS) expect(provider(strategyOf(id)).shapes.length).toBeGreaterThan(0);
    expect(provider('oauth_twitter').name).toBe('X');
    expect(provider('oauth_linkedin_oidc').name).toBe('LinkedIn');
    expect(provider('oauth_custom_thing')).toMatchObject({ name: 'Custom thing', shapes: [] });
  });

  it('reads granted scopes and asks only for the missing ones', () => {
    expect(scopeList('read:user  user:email')).toEqual(['read:user', 'user:email']);
    expect(scopeList('')).toEqual([]);
    expect(missingScopes(['read:user'], ['repo', 'read:user'], 'gist, repo read:user')).toEqual(['repo', 'gist']);
  });
});

describe('offerOrder', () => {
  it('offers the most used providers first, whatever order the service lists them in', () => {
    expect(offerOrder(['oauth_bitbucket', 'oauth_discord', 'oauth_github', 'oauth_google', 'oauth_custom_acme'])).toEqual([
      'oauth_google',
      'oauth_github',
      'oauth_discord',
      'oauth_bitbucket',
      'oauth_custom_acme',
    ]);
  });
});
