// Clerk's own JavaScript SDK through the sign-in paths an instance can require, against
// userdesk-server: a code by email instead of the password, a forgotten password reset with an
// emailed code, and a session verified again (reverification) before a sensitive change. Each
// flow runs on its own server, so none depends on another's leftovers.

import { afterEach, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';

import { DEMO_EMAIL, DEMO_PASSWORD, backend, latestCode, loadClerk, startServer } from './harness.js';

describe('clerk-js signs in the ways an instance allows', () => {
  let server;
  let sdk;
  let clerk;

  beforeEach(async () => {
    server = await startServer();
    sdk = await loadClerk(server);
    clerk = sdk.clerk;
  });

  afterEach(async () => {
    const strays = sdk?.strays ?? [];
    sdk?.restore();
    await server?.stop();
    assert.deepEqual(strays, [], 'no request went anywhere but this server');
  });

  /** The demo account's email factor of a sign-in started with its address. */
  async function startWithIdentifier() {
    const signIn = await clerk.client.signIn.create({ identifier: DEMO_EMAIL });
    assert.equal(signIn.status, 'needs_first_factor');
    return signIn;
  }

  const factor = (signIn, strategy) => {
    const found = signIn.supportedFirstFactors.find((f) => f.strategy === strategy);
    assert.ok(found, `the sign-in offers ${strategy}: ${JSON.stringify(signIn.supportedFirstFactors)}`);
    return found;
  };

  it('signs in with a code sent by email, and a wrong code is refused', async () => {
    let signIn = await startWithIdentifier();
    const email = factor(signIn, 'email_code');
    assert.equal(email.safeIdentifier, DEMO_EMAIL);
    signIn = await signIn.prepareFirstFactor({ strategy: 'email_code', emailAddressId: email.emailAddressId });
    assert.equal(signIn.firstFactorVerification.status, 'unverified');
    const code = await latestCode(server, DEMO_EMAIL);
    const wrong = code === '000000' ? '111111' : '000000';
    await assert.rejects(signIn.attemptFirstFactor({ strategy: 'email_code', code: wrong }), (error) => {
      assert.equal(error.errors?.[0]?.code, 'form_code_incorrect');
      return true;
    });
    signIn = await signIn.attemptFirstFactor({ strategy: 'email_code', code });
    assert.equal(signIn.status, 'complete');
    await clerk.setActive({ session: signIn.createdSessionId });
    assert.equal(clerk.user?.primaryEmailAddress?.emailAddress, DEMO_EMAIL);
  });

  it('resets a forgotten password with an emailed code; the new password signs in', async () => {
    let signIn = await startWithIdentifier();
    const reset = factor(signIn, 'reset_password_email_code');
    signIn = await signIn.prepareFirstFactor({
      strategy: 'reset_password_email_code',
      emailAddressId: reset.emailAddressId,
    });
    const code = await latestCode(server, DEMO_EMAIL);
    signIn = await signIn.attemptFirstFactor({ strategy: 'reset_password_email_code', code });
    assert.equal(signIn.status, 'needs_new_password');
    await assert.rejects(signIn.resetPassword({ password: 'short' }), (error) => {
      assert.equal(error.status, 422);
      return true;
    });
    signIn = await signIn.resetPassword({ password: 'a brand new passphrase', signOutOfOtherSessions: true });
    assert.equal(signIn.status, 'complete');
    await clerk.setActive({ session: signIn.createdSessionId });
    await clerk.signOut();

    await assert.rejects(clerk.client.signIn.create({ identifier: DEMO_EMAIL, password: DEMO_PASSWORD }));
    const again = await clerk.client.signIn.create({ identifier: DEMO_EMAIL, password: 'a brand new passphrase' });
    assert.equal(again.status, 'complete');
  });

  it('verifies its session again with the password, as useReverification does', async () => {
    const signIn = await clerk.client.signIn.create({ identifier: DEMO_EMAIL, password: DEMO_PASSWORD });
    await clerk.setActive({ session: signIn.createdSessionId });
    let verification = await clerk.session.startVerification({ level: 'first_factor' });
    assert.equal(verification.status, 'needs_first_factor');
    assert.ok(verification.supportedFirstFactors.some((f) => f.strategy === 'password'));
    await assert.rejects(clerk.session.attemptFirstFactorVerification({ strategy: 'password', password: 'not it' }));
    verification = await clerk.session.attemptFirstFactorVerification({ strategy: 'password', password: DEMO_PASSWORD });
    assert.equal(verification.status, 'complete');
    // The session's first factor is fresh again: the SDK sees it in the session it holds.
    assert.equal(clerk.session.factorVerificationAge?.[0], 0);
    const seen = await backend(server, `/v1/users/${clerk.user.id}`);
    assert.equal(seen.id, clerk.user.id);
  });
});
