// Clerk's own JavaScript SDK (the native build Expo uses) against userdesk-server: a person signs
// in with a password and manages their account. Each step checks what the SDK holds afterwards
// and what the server itself says (its Backend API, or the client's own Frontend API reads).
// The steps build on each other, in order, on one server and one signed-in client.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';

import {
  DEMO_EMAIL,
  DEMO_PASSWORD,
  backend,
  frontend,
  latestCode,
  loadClerk,
  startServer,
  verifiedClaims,
} from './harness.js';

// A 1×1 PNG: the server re-encodes whatever it is given, so the smallest real picture will do.
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
  'base64',
);

describe('clerk-js against userdesk-server', () => {
  let server;
  let sdk;
  let clerk;

  /** The user as the server's Backend API shows it. */
  const serverUser = () => backend(server, `/v1/users/${clerk.user.id}`);

  before(async () => {
    server = await startServer();
    sdk = await loadClerk(server);
    clerk = sdk.clerk;
  });

  after(async () => {
    sdk?.restore();
    await server?.stop();
  });

  it('loads the environment and an empty client', () => {
    assert.equal(clerk.loaded, true);
    assert.equal(clerk.user, null);
    assert.ok(clerk.client, 'a client object');
    assert.equal(clerk.client.sessions.length, 0);
    assert.deepEqual(
      sdk.requests.map((r) => `${r.method} ${r.path}`),
      ['GET /v1/environment', 'GET /v1/client'],
    );
  });

  it('signs in with a password', async () => {
    const signIn = await clerk.client.signIn.create({ identifier: DEMO_EMAIL, password: DEMO_PASSWORD });
    assert.equal(signIn.status, 'complete');
    await clerk.setActive({ session: signIn.createdSessionId });
    assert.ok(sdk.token(), 'the client token came in `authorization`');
    assert.equal(clerk.session?.id, signIn.createdSessionId);
    assert.equal(clerk.user?.primaryEmailAddress?.emailAddress, DEMO_EMAIL);
    const seen = await serverUser();
    assert.equal(seen.id, clerk.user.id);
  });

  it('updates the first and last name and the username', async () => {
    // PATCH /v1/me, sent as POST ?_method=PATCH.
    await clerk.user.update({ firstName: 'Ada', lastName: 'Lovelace', username: 'ada_lovelace' });
    assert.equal(clerk.user.firstName, 'Ada');
    assert.equal(clerk.user.lastName, 'Lovelace');
    assert.equal(clerk.user.fullName, 'Ada Lovelace');
    assert.equal(clerk.user.username, 'ada_lovelace');
    const seen = await serverUser();
    assert.deepEqual([seen.first_name, seen.last_name, seen.username], ['Ada', 'Lovelace', 'ada_lovelace']);
  });

  it('merges unsafe metadata, removing keys set to null', async () => {
    // PATCH /v1/me/metadata (a deep merge), sent as POST ?_method=PATCH.
    await clerk.user.updateMetadata({ unsafeMetadata: { theme: 'dark', editor: { font: 'mono', size: 12 } } });
    assert.deepEqual(clerk.user.unsafeMetadata, { theme: 'dark', editor: { font: 'mono', size: 12 } });
    await clerk.user.updateMetadata({ unsafeMetadata: { editor: { size: null, tabs: 2 } } });
    const expected = { theme: 'dark', editor: { font: 'mono', tabs: 2 } };
    assert.deepEqual(clerk.user.unsafeMetadata, expected);
    assert.deepEqual((await serverUser()).unsafe_metadata, expected);
  });

  it('adds an email address and verifies it with the code it was sent', async () => {
    // POST /v1/me/email_addresses/ (trailing slash).
    const email = await clerk.user.createEmailAddress({ email: 'ada@example.com' });
    assert.equal(email.verification.status, null);
    await email.prepareVerification({ strategy: 'email_code' });
    assert.equal(email.verification.status, 'unverified');
    const verified = await email.attemptVerification({ code: await latestCode(server, 'ada@example.com') });
    assert.equal(verified.verification.status, 'verified');
    await clerk.user.reload();
    const held = clerk.user.emailAddresses.find((e) => e.emailAddress === 'ada@example.com');
    assert.equal(held?.verification.status, 'verified');
    // The demo address stays primary.
    assert.equal(clerk.user.primaryEmailAddress.emailAddress, DEMO_EMAIL);
    const seen = (await serverUser()).email_addresses.find((e) => e.email_address === 'ada@example.com');
    assert.equal(seen?.verification?.status, 'verified');
  });

  it('refuses a wrong code with the attempts left, as Clerk does', async () => {
    const email = await clerk.user.createEmailAddress({ email: 'second@example.com' });
    await email.prepareVerification({ strategy: 'email_code' });
    const right = await latestCode(server, 'second@example.com');
    const wrong = right === '000000' ? '111111' : '000000';
    await assert.rejects(email.attemptVerification({ code: wrong }), (error) => {
      assert.equal(error.status, 422);
      assert.equal(error.errors?.[0]?.code, 'form_code_incorrect');
      assert.equal(error.errors?.[0]?.meta?.paramName, 'code');
      return true;
    });
    // DELETE /v1/me/email_addresses/{id}, sent as POST ?_method=DELETE.
    await email.destroy();
    await clerk.user.reload();
    assert.ok(!clerk.user.emailAddresses.some((e) => e.emailAddress === 'second@example.com'));
    const seen = await serverUser();
    assert.ok(!seen.email_addresses.some((e) => e.email_address === 'second@example.com'));
  });

  it('adds a phone number and verifies it with the SMS code', async () => {
    // POST /v1/me/phone_numbers/ (trailing slash).
    const phone = await clerk.user.createPhoneNumber({ phoneNumber: '+14155550132' });
    await phone.prepareVerification();
    const verified = await phone.attemptVerification({ code: await latestCode(server, '+14155550132') });
    assert.equal(verified.verification.status, 'verified');
    await clerk.user.reload();
    assert.equal(clerk.user.phoneNumbers.length, 1);
    assert.equal(clerk.user.phoneNumbers[0].phoneNumber, '+14155550132');
    assert.equal(clerk.user.primaryPhoneNumber?.phoneNumber, '+14155550132', 'the first verified number is primary');
    const seen = await serverUser();
    assert.deepEqual(
      seen.phone_numbers.map((p) => [p.phone_number, p.verification?.status]),
      [['+14155550132', 'verified']],
    );
  });

  it('lists its signed-in sessions', async () => {
    const sessions = await clerk.user.getSessions();
    assert.equal(sessions.length, 1);
    assert.equal(sessions[0].id, clerk.session.id);
    assert.equal(sessions[0].status, 'active');
    const client = await frontend(server, sdk.token(), '/v1/client');
    assert.deepEqual(
      client.body.response.sessions.map((s) => s.id),
      [clerk.session.id],
    );
  });

  it('gets a session token the server signed for this user and session', async () => {
    const jwt = await clerk.session.getToken({ skipCache: true });
    const claims = await verifiedClaims(server, jwt);
    assert.equal(claims.sub, clerk.user.id);
    assert.equal(claims.sid, clerk.session.id);
    assert.ok(claims.exp > Date.now() / 1000, 'not expired');
  });

  it('gets hasura and firebase template tokens', async () => {
    const hasura = await verifiedClaims(server, await clerk.session.getToken({ template: 'hasura' }));
    assert.equal(hasura.sub, clerk.user.id);
    assert.equal(hasura['https://hasura.io/jwt/claims']?.['x-hasura-user-id'], clerk.user.id);
    const firebase = await verifiedClaims(server, await clerk.session.getToken({ template: 'firebase' }));
    assert.equal(firebase.uid, clerk.user.id);
    assert.equal(firebase.aud, 'https://identitytoolkit.googleapis.com/google.identity.identitytoolkit.v1.IdentityToolkit');
    // The name Clerk's Firebase guide has apps ask for.
    const integration = await verifiedClaims(server, await clerk.session.getToken({ template: 'integration_firebase' }));
    assert.equal(integration.uid, clerk.user.id);
    assert.equal(integration.aud, firebase.aud);
  });

  it('sets a profile image and removes it again', async () => {
    const before = clerk.user.imageUrl;
    assert.equal(clerk.user.hasImage, false);
    // POST /v1/me/profile_image, multipart with `file`.
    await clerk.user.setProfileImage({ file: new Blob([PNG], { type: 'image/png' }) });
    assert.equal(clerk.user.hasImage, true);
    assert.notEqual(clerk.user.imageUrl, before);
    const picture = await fetch(clerk.user.imageUrl);
    assert.equal(picture.status, 200);
    assert.match(picture.headers.get('content-type'), /^image\/(png|jpeg)$/);
    assert.equal((await serverUser()).has_image, true);
    // DELETE /v1/me/profile_image, sent as POST ?_method=DELETE.
    await clerk.user.setProfileImage({ file: null });
    assert.equal(clerk.user.hasImage, false);
    const seen = await serverUser();
    assert.equal(seen.has_image, false);
    assert.equal(clerk.user.imageUrl, seen.image_url, 'the default avatar again');
  });

  it('signs out, keeping the client for the next sign-in', async () => {
    const clientId = clerk.client.id;
    const token = sdk.token();
    // DELETE /v1/client/sessions, sent as POST ?_method=DELETE.
    await clerk.signOut();
    assert.equal(clerk.user, null);
    assert.equal(clerk.session, null);
    assert.equal(clerk.client.sessions.length, 0);
    assert.equal(clerk.client.id, clientId);
    const me = await frontend(server, token, '/v1/me');
    assert.equal(me.status, 401);
    assert.equal(me.body.errors[0].code, 'signed_out');
    const client = await frontend(server, token, '/v1/client');
    assert.equal(client.body.response.id, clientId);
    assert.deepEqual(client.body.response.sessions, []);
  });

  it('went through the method override and trailing slashes, and nowhere but this server', () => {
    assert.deepEqual(sdk.strays, []);
    const wire = sdk.requests.map((r) => `${r.method} ${r.path}${r.query.has('_method') ? `?_method=${r.query.get('_method')}` : ''}`);
    // What this suite relies on the server accepting: if clerk-js stops sending these, the
    // server-side tests in crates/server/tests/clerk_js_requests.rs still cover them.
    for (const expected of [
      'POST /v1/me?_method=PATCH',
      'POST /v1/me/metadata?_method=PATCH',
      'POST /v1/me/email_addresses/',
      'POST /v1/me/phone_numbers/',
      'POST /v1/me/profile_image?_method=DELETE',
      'POST /v1/client/sessions?_method=DELETE',
    ]) {
      assert.ok(wire.includes(expected), `clerk-js sent ${expected}; it sent:\n${wire.join('\n')}`);
    }
    assert.ok(!wire.some((w) => /^(PATCH|PUT|DELETE) /.test(w)), 'clerk-js sends only GET and POST');
  });
});
