// Clerk's own JavaScript SDK on an instance in multi-session mode (`--multi-session`): two people
// signed in on one client, switched between with setActive (which touches the session and names
// it in each request), a person signed in twice told which session is theirs, and one person
// signed out while the other stays.

import { afterEach, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';

import { DEMO_EMAIL, DEMO_PASSWORD, frontend, latestCode, loadClerk, startServer, verifiedClaims } from './harness.js';

describe('clerk-js on a multi-session instance', () => {
  let server;
  let sdk;
  let clerk;

  beforeEach(async () => {
    server = await startServer(['--multi-session']);
    sdk = await loadClerk(server);
    clerk = sdk.clerk;
  });

  afterEach(async () => {
    const strays = sdk?.strays ?? [];
    sdk?.restore();
    await server?.stop();
    assert.deepEqual(strays, [], 'no request went anywhere but this server');
  });

  /** Demo signs in, then Grace signs up on the same client: their two session ids. */
  async function twoPeople() {
    const signIn = await clerk.client.signIn.create({ identifier: DEMO_EMAIL, password: DEMO_PASSWORD });
    assert.equal(signIn.status, 'complete');
    const demo = signIn.createdSessionId;
    await clerk.setActive({ session: demo });

    let signUp = await clerk.client.signUp.create({
      emailAddress: 'grace@example.com',
      password: 'grace-hopper-1906',
    });
    signUp = await signUp.prepareEmailAddressVerification({ strategy: 'email_code' });
    const code = await latestCode(server, 'grace@example.com');
    signUp = await signUp.attemptEmailAddressVerification({ code });
    assert.equal(signUp.status, 'complete');
    const grace = signUp.createdSessionId;
    assert.notEqual(grace, demo);
    await clerk.setActive({ session: grace });
    return { demo, grace };
  }

  it('keeps two people signed in on one client and switches between them', async () => {
    assert.equal(clerk.__internal_environment?.isSingleSession(), false);
    const { demo, grace } = await twoPeople();
    assert.equal(clerk.user?.primaryEmailAddress?.emailAddress, 'grace@example.com');
    const active = clerk.client.sessions.filter((session) => session.status === 'active');
    assert.deepEqual(active.map((session) => session.id).sort(), [demo, grace].sort());

    // Each session's token is its own person's.
    const graceClaims = await verifiedClaims(server, await clerk.session.getToken({ skipCache: true }));
    assert.equal(graceClaims.sid, grace);

    sdk.requests.length = 0;
    await clerk.setActive({ session: demo });
    assert.equal(clerk.user?.primaryEmailAddress?.emailAddress, DEMO_EMAIL);
    assert.ok(
      sdk.requests.some((r) => r.method === 'POST' && r.path === `/v1/client/sessions/${demo}/touch`),
      `setActive touched demo's session: ${sdk.requests.map((r) => `${r.method} ${r.path}`).join(', ')}`,
    );
    const demoClaims = await verifiedClaims(server, await clerk.session.getToken({ skipCache: true }));
    assert.equal(demoClaims.sid, demo);
    assert.notEqual(demoClaims.sub, graceClaims.sub);

    // The server's view: the client's active session is demo's, and `/v1/me` names whoever the
    // request asks for.
    const client = await frontend(server, sdk.token(), '/v1/client');
    assert.equal(client.body.response.last_active_session_id, demo);
    const asGrace = await frontend(server, sdk.token(), `/v1/me?_clerk_session_id=${grace}`);
    assert.equal(asGrace.status, 200);
    assert.equal(asGrace.body.response.email_addresses[0].email_address, 'grace@example.com');
  });

  it('tells a person signed in twice which session is theirs', async () => {
    const { demo } = await twoPeople();
    await assert.rejects(clerk.client.signIn.create({ identifier: DEMO_EMAIL, password: DEMO_PASSWORD }), (error) => {
      assert.equal(error.errors?.[0]?.code, 'identifier_already_signed_in');
      assert.equal(error.errors?.[0]?.meta?.sessionId, demo);
      return true;
    });
  });

  it('signs one person out and keeps the other', async () => {
    const { demo, grace } = await twoPeople();
    await clerk.signOut({ sessionId: grace });
    const active = clerk.client.sessions.filter((session) => session.status === 'active');
    assert.deepEqual(
      active.map((session) => session.id),
      [demo],
    );
    const asDemo = await frontend(server, sdk.token(), `/v1/me?_clerk_session_id=${demo}`);
    assert.equal(asDemo.status, 200, 'demo is still signed in');
    const asGrace = await frontend(server, sdk.token(), `/v1/me?_clerk_session_id=${grace}`);
    assert.equal(asGrace.status, 401, 'grace is not');
  });
});
