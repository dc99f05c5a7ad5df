// Clerk's own JavaScript SDK connects an OAuth account through userdesk-server to a real OpenID
// provider that neither of us wrote (`oidc-provider`, the certified Node implementation): the
// SDK starts the connection, a scripted browser signs in at the provider and consents, the
// provider sends the browser to the server's callback, and the server sends it on to the app's
// deep link. Then: the account as the SDK and the server see it, a refusal at the provider
// shown on the account, and removal.

import { createServer } from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';

import Provider from 'oidc-provider';

import { DEMO_EMAIL, DEMO_PASSWORD, backend, loadClerk, nodeFetch, startServer } from './harness.js';

const STRATEGY = 'oauth_custom_acme';
// The app's own scheme: the server accepts it as where the browser goes at the end.
const APP_REDIRECT = 'userdesk://oauth-callback';
const PERSON = { sub: 'grace', email: 'grace@acme.test', given_name: 'Grace', family_name: 'Hopper' };

/**
 * `oidc-provider` on a port of its own. Its port (hence its issuer) must be known before the
 * server starts, and the server's callback (hence the client's redirect URI) only after: the
 * socket listens first and the provider is attached to it once `register` names the callback.
 */
async function startIdentityProvider() {
  let handle = (_req, res) => {
    res.statusCode = 503;
    res.end();
  };
  const socket = createServer((req, res) => handle(req, res));
  await new Promise((done) => socket.listen(0, '127.0.0.1', done));
  const issuer = `http://127.0.0.1:${socket.address().port}`;
  return {
    issuer,
    register(callback) {
      const provider = new Provider(issuer, {
        clients: [
          {
            client_id: 'userdesk',
            client_secret: 'a-secret-only-these-tests-know',
            redirect_uris: [callback],
            grant_types: ['authorization_code'],
            response_types: ['code'],
          },
        ],
        claims: {
          openid: ['sub'],
          email: ['email', 'email_verified'],
          profile: ['given_name', 'family_name'],
          phone: ['phone_number'],
        },
        findAccount: (_ctx, id) => ({
          accountId: id,
          claims: () => ({ ...PERSON, sub: id, email_verified: true }),
        }),
        // Its built-in login and consent pages, which accept any login: the person is scripted.
        features: { devInteractions: { enabled: true } },
        cookies: { keys: ['cookie-key-for-these-tests'] },
      });
      // Development-only pages print a warning per start; they are what this test wants.
      provider.on('server_error', (_ctx, error) => console.error('oidc-provider:', error));
      handle = provider.callback();
    },
    close: () => new Promise((done) => socket.close(done)),
  };
}

/**
 * The person's browser: follows redirects one at a time with the cookies each host set, fills
 * in the provider's login form with `login` and submits its consent form with `button`, and
 * stops at the first URL that is not http(s) (the app's deep link) or at a page with no form.
 */
async function browse(url, { login = PERSON.sub, decision = 'approve' } = {}) {
  const cookies = new Map();
  let request = { url, init: { redirect: 'manual' } };
  for (let hop = 0; hop < 20; hop += 1) {
    const target = new URL(request.url);
    if (target.protocol !== 'http:' && target.protocol !== 'https:') return { deepLink: target };
    const jar = cookies.get(target.host) ?? new Map();
    const headers = { ...(request.init.headers ?? {}) };
    if (jar.size) headers.cookie = [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
    const response = await nodeFetch(target, { ...request.init, headers });
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const at = pair.indexOf('=');
      jar.set(pair.slice(0, at).trim(), pair.slice(at + 1).trim());
    }
    cookies.set(target.host, jar);
    const location = response.headers.get('location');
    if (response.status >= 300 && response.status < 400 && location) {
      request = { url: new URL(location, target).href, init: { redirect: 'manual' } };
      continue;
    }
    const html = await response.text();
    const form = /<form[^>]*action="([^"]+)"[^>]*>([\s\S]*?)<\/form>/i.exec(html);
    if (!form) return { page: { url: target.href, status: response.status, html } };
    if (decision === 'deny' && /name="prompt" value="consent"/.test(form[2])) {
      // The consent page's "Cancel" link aborts the interaction: the provider answers the
      // server with `error=access_denied`.
      const abort = /href="([^"]*\/abort)"/.exec(html)?.[1];
      assert.ok(abort, `the consent page has a Cancel link:\n${html}`);
      request = { url: new URL(abort, target).href, init: { redirect: 'manual' } };
      continue;
    }
    const fields = new URLSearchParams();
    for (const input of form[2].matchAll(/<input([^>]*)>/gi)) {
      const name = /name="([^"]*)"/.exec(input[1])?.[1];
      if (!name) continue;
      const value = /value="([^"]*)"/.exec(input[1])?.[1] ?? '';
      fields.set(name, name === 'login' ? login : name === 'password' ? 'any password will do' : value);
    }
    request = {
      url: new URL(form[1].replaceAll('&amp;', '&'), target).href,
      init: {
        redirect: 'manual',
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: fields.toString(),
      },
    };
  }
  throw new Error(`more than 20 hops from ${url}`);
}

describe('clerk-js connects an account at a real OpenID provider', () => {
  let identityProvider;
  let config;
  let server;
  let sdk;
  let clerk;

  before(async () => {
    identityProvider = await startIdentityProvider();
    config = mkdtempSync(join(tmpdir(), 'userdesk-clerk-js-oidc-'));
    const file = join(config, 'oauth.json');
    writeFileSync(
      file,
      JSON.stringify({
        providers: {
          [STRATEGY]: {
            name: 'Acme SSO',
            issuer: identityProvider.issuer,
            client_id: 'userdesk',
            client_secret: 'a-secret-only-these-tests-know',
            scopes: ['openid', 'email', 'profile'],
          },
        },
      }),
    );
    server = await startServer(['--oauth-config', file]);
    identityProvider.register(`${server.url}/v1/oauth_callback`);
    sdk = await loadClerk(server);
    clerk = sdk.clerk;
    const signIn = await clerk.client.signIn.create({ identifier: DEMO_EMAIL, password: DEMO_PASSWORD });
    await clerk.setActive({ session: signIn.createdSessionId });
  });

  after(async () => {
    const strays = sdk?.strays ?? [];
    sdk?.restore();
    await server?.stop();
    await identityProvider?.close();
    if (config) rmSync(config, { recursive: true, force: true });
    assert.deepEqual(strays, [], 'the SDK itself talked to no one but the server');
  });

  const serverAccounts = async () => (await backend(server, `/v1/users/${clerk.user.id}`)).external_accounts;

  it('offers the provider in the environment', () => {
    const social = clerk.__internal_environment?.userSettings?.social ?? {};
    assert.equal(social[STRATEGY]?.enabled, true, JSON.stringify(Object.keys(social)));
    assert.equal(social[STRATEGY]?.name, 'Acme SSO');
  });

  it('connects the account: the provider signs the person in, the server verifies it', async () => {
    const account = await clerk.user.createExternalAccount({ strategy: STRATEGY, redirectUrl: APP_REDIRECT });
    assert.equal(account.verification.status, 'unverified');
    const authorize = account.verification.externalVerificationRedirectURL;
    assert.ok(authorize, 'the SDK holds where to send the browser');
    assert.equal(authorize.origin, identityProvider.issuer, 'the browser goes to the provider');
    assert.equal(authorize.searchParams.get('code_challenge_method'), 'S256', 'PKCE');

    const { deepLink, page } = await browse(authorize.href);
    assert.ok(deepLink, `the browser came back to the app, not to ${page?.url}: ${page?.html?.slice(0, 500)}`);
    assert.equal(`${deepLink.protocol}//${deepLink.host}${deepLink.pathname}`, APP_REDIRECT);
    assert.equal(deepLink.searchParams.get('__clerk_status'), null, `no failure: ${deepLink}`);

    await clerk.user.reload();
    const held = clerk.user.externalAccounts.find((a) => a.id === account.id);
    assert.equal(held?.verification?.status, 'verified');
    assert.equal(held.provider, 'custom_acme');
    assert.equal(held.emailAddress, PERSON.email);
    assert.equal(held.firstName, PERSON.given_name);
    assert.equal(held.lastName, PERSON.family_name);
    assert.equal(held.providerUserId, PERSON.sub);
    const seen = (await serverAccounts()).find((a) => a.id === account.id);
    assert.equal(seen?.verification?.status, 'verified');
    assert.equal(seen.provider_user_id, PERSON.sub);
  });

  it('reauthorizes the account with one more scope, approved at the provider', async () => {
    const [account] = clerk.user.externalAccounts.filter((a) => a.verification?.status === 'verified');
    assert.ok(account, 'the account connected above');
    // PATCH /v1/me/external_accounts/{id}/reauthorize, sent as POST ?_method=PATCH.
    const again = await account.reauthorize({ additionalScopes: ['phone'], redirectUrl: APP_REDIRECT });
    const authorize = again.verification.externalVerificationRedirectURL;
    assert.ok(authorize.searchParams.get('scope').split(' ').includes('phone'), authorize.href);
    const { deepLink } = await browse(authorize.href);
    assert.ok(deepLink, 'the browser came back to the app');
    assert.equal(deepLink.searchParams.get('__clerk_status'), null, `no failure: ${deepLink}`);
    await clerk.user.reload();
    const held = clerk.user.externalAccounts.find((a) => a.id === account.id);
    assert.equal(held.verification.status, 'verified');
    assert.deepEqual(held.approvedScopes.split(' ').sort(), ['email', 'openid', 'phone', 'profile']);
  });

  it('shows a refusal at the provider on the account, linking nothing', async () => {
    const account = await clerk.user.createExternalAccount({ strategy: STRATEGY, redirectUrl: APP_REDIRECT });
    const { deepLink } = await browse(account.verification.externalVerificationRedirectURL.href, {
      login: 'someone-else',
      decision: 'deny',
    });
    assert.ok(deepLink, 'the browser came back to the app');
    assert.equal(deepLink.searchParams.get('__clerk_status'), 'failed');
    assert.equal(deepLink.searchParams.get('__clerk_error_code'), 'oauth_access_denied');
    await clerk.user.reload();
    const held = clerk.user.externalAccounts.find((a) => a.id === account.id);
    assert.notEqual(held?.verification?.status, 'verified');
    assert.equal(held?.verification?.error?.code, 'oauth_access_denied');
    assert.equal(held.providerUserId, '', 'no identity was linked');
  });

  it('removes the connected accounts', async () => {
    for (const account of [...clerk.user.externalAccounts]) await account.destroy();
    await clerk.user.reload();
    assert.deepEqual(clerk.user.externalAccounts, []);
    assert.deepEqual(await serverAccounts(), []);
  });
});
