import { render, screen, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import App from '../App.svelte';
import type { CodeSignInResult, CommandError, SignInResult } from '$lib/bindings';
import { actions, fakeBackend, makeUser } from '../test-support';

const grace = makeUser();

/** A signed-out app whose instance sends codes; `123456` is the right one. */
function instance(handlers: Record<string, (a: Record<string, unknown>) => unknown> = {}) {
  return fakeBackend({
    handlers: {
      start_code_sign_in: () => ({ sign_in_id: 'sia_1', sent_to: 'gr•••@example.com', by_sms: false }),
      resend_sign_in_code: () => null,
      attempt_code_sign_in: (a): CodeSignInResult => {
        if (a.code !== '123456') {
          throw { code: 'form_code_incorrect', message: 'Incorrect code. 2 attempts left.', field: 'code' } satisfies CommandError;
        }
        return a.purpose === 'reset_password'
          ? { status: 'needs_new_password', sign_in_id: 'sia_1' }
          : { status: 'complete', user: grace };
      },
      reset_password: (a): SignInResult => {
        if (String(a.password).length < 8) {
          throw { code: 'other', message: 'Passwords must be 8 characters or more.', field: 'password' } satisfies CommandError;
        }
        return { status: 'complete', user: grace };
      },
      ...handlers,
    },
  });
}

const digits = () => within(screen.getByTestId('code-signin-code')).getByTestId('code-digit-0');

describe('signing in without the password', () => {
  it('sends a code to the typed identifier and signs in with it', async () => {
    const calls = instance();
    const ue = userEvent.setup();
    render(App);
    await ue.type(await screen.findByTestId('signin-identifier'), 'grace@example.com');
    await ue.click(screen.getByTestId('signin-with-code'));

    expect(await screen.findByText('gr•••@example.com')).toBeVisible();
    expect(actions(calls)[0]).toEqual({
      cmd: 'start_code_sign_in',
      args: { identifier: 'grace@example.com', purpose: 'sign_in' },
    });
    await ue.click(digits());
    await ue.paste('123456');

    expect(await screen.findByTestId('sidebar-name')).toHaveTextContent('Grace Hopper');
  });

  it('shows a wrong code in place and keeps the screen', async () => {
    instance();
    const ue = userEvent.setup();
    render(App);
    await ue.type(await screen.findByTestId('signin-identifier'), 'grace@example.com');
    await ue.click(screen.getByTestId('signin-with-code'));
    await ue.click(await screen.findByTestId('code-digit-0'));
    await ue.paste('000000');

    expect(await screen.findByTestId('code-signin-error')).toHaveTextContent('Incorrect code. 2 attempts left.');
    expect(screen.getByRole('heading', { level: 1, name: 'Sign in with a code' })).toBeVisible();
  });
});

describe('a forgotten password', () => {
  it('is reset with the emailed code, a weak one refused at the field, and the person signed in', async () => {
    const calls = instance();
    const ue = userEvent.setup();
    render(App);
    await ue.click(await screen.findByTestId('forgot-password'));
    expect(screen.getByRole('heading', { level: 1, name: 'Reset your password' })).toBeVisible();
    await ue.type(screen.getByTestId('code-signin-identifier'), 'grace');
    await ue.click(screen.getByTestId('code-signin-send'));
    await ue.click(await screen.findByTestId('code-digit-0'));
    await ue.paste('123456');

    await screen.findByRole('heading', { level: 1, name: 'Choose a new password' });
    await ue.type(screen.getByLabelText('New password'), 'short');
    await ue.click(screen.getByTestId('reset-password-submit'));
    expect(await screen.findByTestId('reset-password-error')).toHaveTextContent('8 characters or more');

    await ue.clear(screen.getByLabelText('New password'));
    await ue.type(screen.getByLabelText('New password'), 'a much longer password');
    await ue.click(screen.getByTestId('reset-password-submit'));

    expect(await screen.findByTestId('sidebar-name')).toHaveTextContent('Grace Hopper');
    expect(actions(calls).at(-1)).toEqual({
      cmd: 'reset_password',
      args: { signInId: 'sia_1', password: 'a much longer password', signOutOfOtherSessions: true },
    });
  });

  it('goes back to the sign-in form', async () => {
    instance();
    const ue = userEvent.setup();
    render(App);
    await ue.click(await screen.findByTestId('forgot-password'));
    await ue.click(screen.getByTestId('code-signin-back'));
    expect(await screen.findByTestId('signin-password')).toBeVisible();
  });
});

describe('a device new to the instance', () => {
  it('is confirmed with the code the instance sent after the password', async () => {
    const calls = instance({
      sign_in: (): SignInResult => ({ status: 'needs_client_trust', sign_in_id: 'sia_7', sent_to: 'grace@example.com', by_sms: false }),
    });
    const ue = userEvent.setup();
    render(App);
    await ue.type(await screen.findByTestId('signin-identifier'), 'grace@example.com');
    await ue.type(screen.getByTestId('signin-password'), 'userdesk-demo');
    await ue.click(screen.getByTestId('signin-submit'));

    expect(await screen.findByRole('heading', { level: 1, name: 'Confirm it’s you' })).toBeVisible();
    expect(screen.getByText(/This device is new to your account/)).toBeVisible();
    await ue.click(digits());
    await ue.paste('123456');

    expect(await screen.findByTestId('sidebar-name')).toHaveTextContent('Grace Hopper');
    expect(actions(calls).filter((c) => c.cmd !== 'sign_in')).toEqual([
      { cmd: 'attempt_code_sign_in', args: { signInId: 'sia_7', purpose: 'client_trust', code: '123456' } },
    ]);
  });
});

describe('the sign-in form follows the instance', () => {
  it('on a passwordless instance asks the identifier only, and continues with a code', async () => {
    const calls = instance({
      sign_in_options: () => ({ password: false, code: true, link: false, reset_password: false, username: false, phone_number: false }),
    });
    const ue = userEvent.setup();
    render(App);
    const identifier = await screen.findByLabelText('Email address');
    expect(screen.queryByTestId('signin-password')).not.toBeInTheDocument();
    expect(screen.queryByTestId('forgot-password')).not.toBeInTheDocument();
    await ue.type(identifier, 'grace@example.com');
    await ue.click(screen.getByRole('button', { name: 'Continue' }));

    expect(await screen.findByRole('heading', { level: 1, name: 'Sign in with a code' })).toBeVisible();
    expect(actions(calls).find((c) => c.cmd === 'start_code_sign_in')?.args).toEqual({
      identifier: 'grace@example.com',
      purpose: 'sign_in',
    });
  });

  it('names every identifier the instance accepts, and hides what it does not offer', async () => {
    instance({
      sign_in_options: () => ({ password: true, code: false, link: false, reset_password: true, username: true, phone_number: true }),
    });
    render(App);
    expect(await screen.findByLabelText('Email address, username or phone number')).toBeVisible();
    expect(screen.getByTestId('signin-password')).toBeVisible();
    expect(screen.queryByTestId('signin-with-code')).not.toBeInTheDocument();
    expect(screen.getByTestId('forgot-password')).toBeVisible();
  });
});
