import { render, screen, waitFor } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import App from '../App.svelte';
import type { SignInOptions, SignInResult } from '$lib/bindings';
import { actions, fakeBackend, makeUser } from '../test-support';

const OPTIONS: SignInOptions = { password: true, code: true, link: false, reset_password: true, username: true, phone_number: false, passkey: true };

function backend(options: SignInOptions = OPTIONS) {
  const user = makeUser();
  return fakeBackend({
    signedIn: null,
    handlers: {
      sign_in_options: () => options,
      sign_in_with_passkey: (): SignInResult => ({ status: 'complete', user }),
    },
  });
}

describe('sign in with a passkey', () => {
  it('is offered when the instance enables passkeys, and signs in without an identifier', async () => {
    const calls = backend();
    const ue = userEvent.setup();
    render(App);

    await ue.click(await screen.findByTestId('signin-passkey'));

    await screen.findByTestId('nav-security');
    expect(actions(calls)).toEqual([{ cmd: 'sign_in_with_passkey', args: { identifier: null } }]);
  });

  it('uses the identifier when one is typed', async () => {
    const calls = backend();
    const ue = userEvent.setup();
    render(App);

    await ue.type(await screen.findByTestId('signin-identifier'), ' grace@example.com ');
    await ue.click(await screen.findByTestId('signin-passkey'));

    await waitFor(() => expect(actions(calls)).toEqual([{ cmd: 'sign_in_with_passkey', args: { identifier: 'grace@example.com' } }]));
  });

  it('is not offered where the instance has no passkeys', async () => {
    backend({ ...OPTIONS, passkey: false });
    render(App);
    await screen.findByTestId('signin-submit');
    await waitFor(() => expect(screen.queryByTestId('signin-passkey')).not.toBeInTheDocument());
  });
});
