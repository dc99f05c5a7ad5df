import { describe, expect, it } from 'vitest';
import { fakeBackend, makeUser } from '../test-support';
import * as api from './api';
import { avatar } from './stores/avatar.svelte';
import { nav } from './stores/nav.svelte';
import { oauth } from './stores/oauth.svelte';
import { sessions } from './stores/sessions.svelte';
import { toasts } from './stores/toast.svelte';
import { tokens } from './stores/tokens.svelte';
import { twoFactor } from './stores/two-factor.svelte';
import { user } from './stores/user.svelte';
import { verifications } from './stores/verifications.svelte';

/** Something of the account in every store that keeps some. */
function fillStores(): void {
  user.put(makeUser());
  nav.go('tokens');
  sessions.currentId = 'sess_1';
  tokens.service = 'hasura';
  twoFactor.backupCodes = ['abc-123'];
  verifications.setCode('idn_1', '12');
  oauth.signInError = 'GitHub refused.';
  oauth.accountErrors = { eac_1: 'Reconnect.' };
  avatar.error = 'Too big.';
}

function expectForgotten(): void {
  expect(user.current).toBeNull();
  expect(nav.section).toBe('profile');
  expect(sessions.currentId).toBeNull();
  expect(tokens.service).toBe('clerk');
  expect(twoFactor.backupCodes).toBeNull();
  expect(verifications.code('idn_1')).toBe('');
  expect(oauth.signInError).toBeNull();
  expect(oauth.accountErrors).toEqual({});
  expect(avatar.error).toBeNull();
}

describe('signing out', () => {
  it('leaves nothing of the account in any store, without a word', async () => {
    fakeBackend({ signedIn: makeUser() });
    fillStores();

    await user.signOut();

    expectForgotten();
    expect(toasts.current).toBeNull();
  });

  it('happens when any command finds the session gone, and says so', async () => {
    fakeBackend({
      handlers: {
        devices: () => {
          throw { code: 'signed_out', message: 'You are signed out.', field: null };
        },
      },
    });
    fillStores();

    await expect(api.devices()).rejects.toMatchObject({ code: 'signed_out' });

    expectForgotten();
    expect(toasts.current?.message).toBe('Signed out — sign in again.');
  });
});
