import { act, render, screen, waitFor, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { emit } from '@tauri-apps/api/event';
import { describe, expect, it } from 'vitest';
import App from '../App.svelte';
import type { OAuthFinished, OAuthOutcome } from '$lib/bindings';
import { EVENTS } from '$lib/bindings';
import { ACCOUNT_ID, actions, fakeBackend, makeUser } from '../test-support';

const SIX = ['oauth_google', 'oauth_github', 'oauth_microsoft', 'oauth_discord', 'oauth_gitlab', 'oauth_twitter'];

function backend(strategies = SIX) {
  return fakeBackend({
    handlers: {
      oauth_strategies: () => strategies,
      sign_in_with_oauth: () => ({ flow_id: 'flow_s', authorization_url: 'https://accounts.google.com/o/oauth2/auth?x' }),
      cancel_oauth: () => null,
    },
  });
}

const finish = (payload: OAuthOutcome & { flow_id: string }) =>
  act(() => emit(EVENTS.OAUTH_FINISHED, { account_id: ACCOUNT_ID, kind: 'sign_in', strategy: 'oauth_google', ...payload } satisfies OAuthFinished));

describe('sign-in with a provider', () => {
  it('shows the four most used providers under "or", and the rest behind More', async () => {
    backend([...SIX].reverse());
    const ue = userEvent.setup();
    render(App);

    expect(await screen.findByTestId('signin-oauth-oauth_google')).toHaveTextContent('Continue with Google');
    expect(screen.getByText('or')).toBeVisible();
    const shown = screen.getAllByTestId(/^signin-oauth-oauth_/).map((button) => button.dataset.testid);
    expect(shown).toEqual([
      'signin-oauth-oauth_google',
      'signin-oauth-oauth_github',
      'signin-oauth-oauth_microsoft',
      'signin-oauth-oauth_twitter',
    ]);
    expect(screen.queryByTestId('signin-oauth-oauth_discord')).not.toBeInTheDocument();

    await ue.click(screen.getByTestId('signin-oauth-more'));
    expect(screen.getByTestId('signin-oauth-oauth_discord')).toHaveTextContent('Continue with Discord');
  });

  it('shows no divider nor buttons when the instance enables no provider', async () => {
    backend([]);
    render(App);
    await screen.findByTestId('signin-submit');
    await waitFor(() => expect(screen.queryByText('or')).not.toBeInTheDocument());
    expect(screen.queryByTestId(/signin-oauth-/)).not.toBeInTheDocument();
  });

  it('waits for the browser and opens the frame when the flow signs in', async () => {
    const calls = backend();
    const ue = userEvent.setup();
    render(App);

    await ue.click(await screen.findByTestId('signin-oauth-oauth_google'));
    expect(await screen.findByTestId('oauth-wait')).toHaveTextContent('Google');
    expect(actions(calls)).toEqual([{ cmd: 'sign_in_with_oauth', args: { strategy: 'oauth_google' } }]);

    await finish({ flow_id: 'flow_s', status: 'signed_in', user: makeUser(), new_user: true });

    expect(await screen.findByTestId('nav-connected')).toBeInTheDocument();
    expect(screen.queryByTestId('oauth-wait')).not.toBeInTheDocument();
    expect(screen.getByTestId('toast')).toHaveTextContent('Account created with Google');
  });

  it('shows why a sign-in with a provider failed', async () => {
    backend();
    const ue = userEvent.setup();
    render(App);

    await ue.click(await screen.findByTestId('signin-oauth-oauth_github'));
    await screen.findByTestId('oauth-wait');
    await finish({
      flow_id: 'flow_s',
      status: 'sign_in_failed',
      error: { code: 'other', message: 'You did not grant access to GitHub.', field: null },
    });

    expect(await screen.findByTestId('signin-oauth-error')).toHaveTextContent('You did not grant access to GitHub.');
    expect(screen.queryByTestId('oauth-wait')).not.toBeInTheDocument();
    expect(screen.queryByTestId('nav-connected')).not.toBeInTheDocument();
  });

  it('asks for the second factor when the provider signs in an account with two-step verification', async () => {
    const calls = fakeBackend({
      handlers: {
        oauth_strategies: () => SIX,
        sign_in_with_oauth: () => ({ flow_id: 'flow_s', authorization_url: 'https://gitlab.com/oauth/authorize?x' }),
        attempt_second_factor: (a) => (a.code === '123456' ? makeUser() : null),
      },
    });
    const ue = userEvent.setup();
    render(App);

    await ue.click(await screen.findByTestId('signin-oauth-oauth_github'));
    await screen.findByTestId('oauth-wait');
    await finish({
      flow_id: 'flow_s',
      status: 'needs_second_factor',
      second_factor: { sign_in_id: 'sia_9', strategies: ['totp', 'backup_code'], phone: null },
    });

    await screen.findByRole('heading', { level: 1, name: 'Two-step verification' });
    expect(screen.queryByTestId('oauth-wait')).not.toBeInTheDocument();
    expect(screen.queryByTestId('signin-oauth-error')).not.toBeInTheDocument();
    await ue.click(within(screen.getByTestId('second-factor-code-input')).getByTestId('code-digit-0'));
    await ue.paste('123456');
    expect(await screen.findByTestId('sidebar-name')).toBeVisible();
    expect(actions(calls)).toContainEqual({
      cmd: 'attempt_second_factor',
      args: { signInId: 'sia_9', strategy: 'totp', code: '123456' },
    });
  });

  it('finishes the sign-in whose browser link started the app', async () => {
    let signedIn = false;
    const calls = fakeBackend({
      handlers: {
        // The link completed the flow in Rust before the page was up: the user is signed in after it.
        launch_oauth_result: () => {
          signedIn = true;
          return {
            flow_id: 'flow_cold', account_id: ACCOUNT_ID, kind: 'sign_in', strategy: 'oauth_github', status: 'signed_in', user: makeUser(),
            new_user: false,
          } satisfies OAuthFinished;
        },
        current_user: () => (signedIn ? makeUser() : null),
      },
    });
    render(App);

    expect(await screen.findByTestId('sidebar-name')).toBeVisible();
    expect(screen.getByTestId('toast')).toHaveTextContent('Welcome, signed in with GitHub');
    expect(calls.map((c) => c.cmd).indexOf('launch_oauth_result')).toBeLessThan(calls.map((c) => c.cmd).indexOf('current_user'));
  });

  it('stays quiet when no link started the app', async () => {
    fakeBackend({ handlers: { launch_oauth_result: () => null } });
    render(App);
    await screen.findByTestId('signin-submit');
    expect(screen.queryByTestId('toast')).not.toBeInTheDocument();
    expect(screen.queryByTestId('signin-oauth-error')).not.toBeInTheDocument();
  });
});
