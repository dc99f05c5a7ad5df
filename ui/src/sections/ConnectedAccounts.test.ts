import { act, render, screen, waitFor, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { emit } from '@tauri-apps/api/event';
import { describe, expect, it } from 'vitest';
import App from '../App.svelte';
import type { OAuthFinished, OAuthOutcome, User } from '$lib/bindings';
import { EVENTS } from '$lib/bindings';
import { ACCOUNT_ID, actions, externalAccount, fakeBackend, makeUser } from '../test-support';

const STRATEGIES = ['oauth_github', 'oauth_google', 'oauth_discord'];

type Handlers = NonNullable<Parameters<typeof fakeBackend>[0]>['handlers'];

async function open(user: User, handlers: Handlers = {}) {
  let current: User | null = user;
  const calls = fakeBackend({
    signedIn: user,
    handlers: {
      current_user: () => current,
      oauth_strategies: () => STRATEGIES,
      connect_external_account: () => ({ flow_id: 'flow_1', authorization_url: 'https://github.com/login/oauth/authorize?x' }),
      reauthorize_external_account: () => ({ flow_id: 'flow_2', authorization_url: 'https://github.com/login/oauth/authorize?y' }),
      cancel_oauth: () => null,
      destroy_external_account: (a) => {
        current = current && { ...current, external_accounts: current.external_accounts.filter((e) => e.id !== a.id) };
        return null;
      },
      ...handlers,
    },
  });
  const ue = userEvent.setup();
  render(App);
  await ue.click(await screen.findByTestId('nav-connected'));
  await screen.findByRole('heading', { level: 1, name: 'Connected accounts' });
  return { calls, ue };
}

const finish = (payload: OAuthOutcome & { flow_id: string }) =>
  act(() => emit(EVENTS.OAUTH_FINISHED, { account_id: ACCOUNT_ID, kind: 'connect', strategy: 'oauth_github', ...payload } satisfies OAuthFinished));

const cards = () => screen.queryAllByTestId('external-account-card');

describe('connected accounts', () => {
  it('says what to do when there is none, and lists the enabled providers to connect', async () => {
    const { ue } = await open(makeUser());

    expect(screen.getByTestId('connected-empty')).toHaveTextContent('No connected accounts yet — connect one to sign in with it');
    await ue.click(screen.getByTestId('connect-account'));

    const grid = await screen.findByTestId('connect-provider-oauth_github');
    expect(grid).toHaveTextContent('GitHub');
    expect(screen.getByTestId('connect-provider-oauth_google')).toHaveTextContent('Google');
    expect(screen.getByTestId('connect-provider-oauth_discord')).toHaveTextContent('Discord');
    expect(screen.queryByTestId('connect-provider-oauth_facebook')).not.toBeInTheDocument();
  });

  it('connects in the browser: waits, ignores other flows, and shows the account when its flow ends', async () => {
    const { calls, ue } = await open(makeUser());

    await ue.click(screen.getByTestId('connect-account'));
    await ue.click(await screen.findByTestId('connect-provider-oauth_github'));

    const wait = await screen.findByTestId('oauth-wait');
    expect(wait).toHaveTextContent('Continue in your browser');
    expect(wait).toHaveTextContent('GitHub');
    expect(actions(calls)).toEqual([
      { cmd: 'connect_external_account', args: { strategy: 'oauth_github', additionalScopes: [] } },
    ]);

    const connected = makeUser({
      external_accounts: [externalAccount('eac_1', 'oauth_github', 'verified', { email_address: 'grace@github.test' })],
    });
    // Someone else's flow (an older one, another window) changes nothing.
    await finish({ flow_id: 'flow_other', status: 'account_verified', user: connected, external_account_id: 'eac_1' });
    expect(screen.getByTestId('oauth-wait')).toBeInTheDocument();
    expect(cards()).toHaveLength(0);

    await finish({ flow_id: 'flow_1', status: 'account_verified', user: connected, external_account_id: 'eac_1' });

    await waitFor(() => expect(screen.queryByTestId('oauth-wait')).not.toBeInTheDocument());
    const card = cards()[0]!;
    expect(card.dataset.provider).toBe('oauth_github');
    expect(card.dataset.state).toBe('verified');
    expect(within(card).getByTestId('external-account-badge-verified')).toHaveTextContent('Verified');
    expect(card).toHaveTextContent('grace@github.test');
    expect(card).toHaveTextContent('@ghopper');
    expect(within(card).getAllByTestId('external-account-scope').map((c) => c.textContent)).toEqual(['read:user', 'user:email']);
    expect(screen.getByTestId('toast')).toHaveTextContent('GitHub account connected');
  });

  it('cancels the wait, telling the Rust side which flow', async () => {
    const { calls, ue } = await open(makeUser());

    await ue.click(screen.getByTestId('connect-account'));
    await ue.click(await screen.findByTestId('connect-provider-oauth_google'));
    await ue.click(await screen.findByTestId('oauth-cancel'));

    expect(screen.queryByTestId('oauth-wait')).not.toBeInTheDocument();
    await waitFor(() => expect(actions(calls).at(-1)).toEqual({ cmd: 'cancel_oauth', args: { flowId: 'flow_1' } }));
    // A late end of the cancelled flow is ignored.
    await finish({ flow_id: 'flow_1', status: 'account_failed', user: makeUser(), external_account_id: null, error: { code: 'other', message: 'Too late', field: null } });
    expect(screen.queryByTestId('connect-error')).not.toBeInTheDocument();
  });

  it('shows a failed account with its error and reconnects it', async () => {
    const failed = externalAccount('eac_9', 'oauth_google', 'unverified', {
      verification: {
        status: 'unverified',
        strategy: 'oauth_google',
        attempts: null,
        expire_at: null,
        error: { code: 'oauth_token_exchange_error', message: 'Google didn’t accept the sign-in.', long_message: '' },
      },
    });
    const { calls, ue } = await open(makeUser({ external_accounts: [failed] }));

    const card = cards()[0]!;
    expect(card.dataset.state).toBe('failed');
    expect(within(card).getByTestId('external-account-badge-failed')).toHaveTextContent('Failed');
    expect(within(card).getByTestId('external-account-error')).toHaveTextContent('Google didn’t accept the sign-in.');

    await ue.click(within(card).getByTestId('external-account-reconnect'));
    expect(await screen.findByTestId('oauth-wait')).toHaveTextContent('Google');
    expect(actions(calls)).toEqual([
      { cmd: 'connect_external_account', args: { strategy: 'oauth_google', additionalScopes: [] } },
    ]);

    // It fails again: the panel closes and the card says why.
    const still = makeUser({ external_accounts: [failed] });
    await finish({
      flow_id: 'flow_1',
      status: 'account_failed',
      user: still,
      external_account_id: 'eac_9',
      error: { code: 'other', message: 'Couldn’t read your Google profile.', field: null },
    });
    await waitFor(() => expect(screen.queryByTestId('oauth-wait')).not.toBeInTheDocument());
    expect(within(cards()[0]!).getByTestId('external-account-error')).toHaveTextContent('Couldn’t read your Google profile.');
  });

  it('asks for more access with only the scopes not granted yet', async () => {
    const { calls, ue } = await open(
      makeUser({ external_accounts: [externalAccount('eac_1', 'oauth_github', 'verified', { approved_scopes: 'read:user user:email' })] }),
    );

    await ue.click(within(cards()[0]!).getByTestId('external-account-menu'));
    await ue.click(await screen.findByTestId('external-account-reauthorize'));

    const granted = screen.getByTestId('reauthorize-scope-read:user');
    expect(granted).toBeChecked();
    expect(granted).toBeDisabled();
    expect(screen.getByTestId('reauthorize-scope-user:email')).toBeDisabled();
    expect(screen.getByTestId('reauthorize-submit')).toBeDisabled();

    await ue.click(screen.getByTestId('reauthorize-scope-repo'));
    // Typed: one already granted (dropped) and one new.
    await ue.type(screen.getByTestId('reauthorize-other'), 'user:email admin:gpg_key');
    await ue.click(screen.getByTestId('reauthorize-submit'));

    expect(await screen.findByTestId('oauth-wait')).toBeInTheDocument();
    expect(actions(calls)).toEqual([
      { cmd: 'reauthorize_external_account', args: { id: 'eac_1', additionalScopes: ['repo', 'admin:gpg_key'] } },
    ]);
  });

  it('removes an account after a confirmation naming it', async () => {
    const { calls, ue } = await open(
      makeUser({ external_accounts: [externalAccount('eac_1', 'oauth_github', 'verified', { email_address: 'grace@github.test' })] }),
    );

    await ue.click(within(cards()[0]!).getByTestId('external-account-menu'));
    await ue.click(await screen.findByTestId('external-account-remove'));

    expect(screen.getByTestId('confirm-dialog')).toHaveTextContent('Remove GitHub account grace@github.test?');
    expect(actions(calls)).toEqual([]);
    await ue.click(screen.getByTestId('confirm-accept'));

    await waitFor(() => expect(cards()).toHaveLength(0));
    expect(actions(calls)).toEqual([{ cmd: 'destroy_external_account', args: { id: 'eac_1' } }]);
    expect(screen.getByTestId('connected-empty')).toBeInTheDocument();
  });
});
