// Clerk's own JavaScript SDK creating an account on userdesk-server: signUp.create with part of
// what the instance requires (missingFields says the rest), update with the rest, the email
// address verified by an emailed code (a wrong one refused), then setActive with the session the
// completed sign-up made; the Backend API sees the same user.

import { afterEach, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';

import { backend, latestCode, loadClerk, startServer } from './harness.js';

const EMAIL = 'grace@example.com';

describe('clerk-js signs up', () => {
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

  it('creates an account with the required fields, verified by an emailed code', async () => {
    const signUp = await clerk.client.signUp.create({ emailAddress: EMAIL, firstName: 'Grace', unsafeMetadata: { plan: 'free' } });
    assert.equal(signUp.status, 'missing_requirements');
    assert.deepEqual(signUp.requiredFields, ['email_address', 'password']);
    assert.deepEqual(signUp.missingFields, ['password']);
    assert.deepEqual(signUp.unverifiedFields, ['email_address']);

    await signUp.update({ password: 'grace-hopper-1906' });
    assert.deepEqual(signUp.missingFields, []);
    await signUp.prepareEmailAddressVerification({ strategy: 'email_code' });
    assert.equal(signUp.verifications.emailAddress.status, 'unverified');
    const code = await latestCode(server, EMAIL);
    const wrong = code === '000000' ? '111111' : '000000';
    await assert.rejects(signUp.attemptEmailAddressVerification({ code: wrong }), (error) => {
      assert.equal(error.errors?.[0]?.code, 'form_code_incorrect');
      return true;
    });
    await signUp.attemptEmailAddressVerification({ code });
    assert.equal(signUp.status, 'complete');
    assert.ok(signUp.createdSessionId && signUp.createdUserId);

    await clerk.setActive({ session: signUp.createdSessionId });
    assert.equal(clerk.user?.id, signUp.createdUserId);
    assert.equal(clerk.user?.primaryEmailAddress?.emailAddress, EMAIL);
    assert.equal(clerk.user?.primaryEmailAddress?.verification?.status, 'verified');
    assert.deepEqual(clerk.user?.unsafeMetadata, { plan: 'free' });
    const seen = await backend(server, `/v1/users/${signUp.createdUserId}`);
    assert.equal(seen.first_name, 'Grace');
    assert.equal(seen.password_enabled, true);
  });

  it('refuses a taken address at its field', async () => {
    await assert.rejects(clerk.client.signUp.create({ emailAddress: 'demo@example.com', password: 'a-long-password-1' }), (error) => {
      assert.equal(error.errors?.[0]?.code, 'form_identifier_exists');
      assert.equal(error.errors?.[0]?.meta?.paramName, 'email_address');
      return true;
    });
  });
});
