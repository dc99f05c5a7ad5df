import { act, render, screen, waitFor, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { emit } from '@tauri-apps/api/event';
import { describe, expect, it } from 'vitest';
import App from '../App.svelte';
import { EVENTS, type AccountSummary, type OAuthFinished, type User } from '$lib/bindings';
import { oauth } from '$lib/stores/oauth.svelte';
import { sessions } from '$lib/stores/sessions.svelte';
import { user } from '$lib/stores/user.svelte';
import { actions, fakeBackend, makeAccount, makeAppInfo, makeEmail, makeUser } from '../test-support';

const grace = makeUser();
const ada = makeUser({
  id: 'user_ada',
  first_name: 'Ada',
  last_name: 'Lovelace',
  username: 'ada',
  primary_email_address_id: 'idn_a',
  email_addresses: [makeEmail('idn_a', 'ada@example.com', 'verified')],
});
const alan = makeUser({ id: 'user_alan', first_name: 'Alan', last_name: 'Turing', email_addresses: [] });

type Handler = (args: Record<string, unknown>) => unknown;

/**
 * Three accounts as data: Grace (shown), Ada, and Alan on a Clerk instance whose session ended.
 * `shown` is which one the Rust side shows; `people` who is signed in where.
 */
function threeAccounts(handlers: (state: State) => Record<string, Handler> = () => ({})) {
  const state: State = {
    shown: 'acc_1',
    accounts: [
      makeAccount('acc_1', grace),
      makeAccount('acc_2', ada),
      makeAccount('acc_3', alan, { instance_kind: 'clerk', instance_label: 'clerk.example.com', signed_out: true }),
    ],
    people: { acc_1: grace, acc_2: ada },
    list: () => state.accounts.map((a) => ({ ...a, active: a.id === state.shown })),
  };
  const calls = fakeBackend({
    handlers: {
      current_user: () => state.people[state.shown] ?? null,
      accounts: () => state.list(),
      switch_account: (a) => {
        state.shown = String(a.id);
        return state.list();
      },
      devices: () => ({ current_session_id: `sess_${state.shown}`, sessions: [] }),
      ...handlers(state),
    },
  });
  return { calls, state };
}

type State = {
  shown: string;
  accounts: AccountSummary[];
  people: Record<string, User>;
  list: () => AccountSummary[];
};

/** What `add_account` comes to: a new account, not signed in, is shown. */
function adding(state: State): AccountSummary[] {
  state.accounts = [...state.accounts, makeAccount('acc_new', null)];
  state.shown = 'acc_new';
  return state.list();
}

async function start() {
  const ue = userEvent.setup();
  render(App);
  await screen.findByTestId('account-switcher');
  expect(screen.getByTestId('sidebar-name')).toHaveTextContent('Grace Hopper');
  return ue;
}

async function openMenu(ue: ReturnType<typeof userEvent.setup>) {
  await ue.click(screen.getByTestId('account-switcher'));
  return screen.getByRole('menu');
}

describe('the account switcher', () => {
  it('lists every account with its instance, and marks the one shown', async () => {
    threeAccounts();
    const ue = await start();

    const menu = await openMenu(ue);

    const rows = within(menu).getAllByRole('menuitemradio');
    expect(rows.map((r) => r.dataset.testid)).toEqual(['account-acc_1', 'account-acc_2', 'account-acc_3']);
    const shown = screen.getByTestId('account-acc_1');
    expect(shown).toHaveAttribute('aria-checked', 'true');
    expect(shown).toHaveTextContent('Grace Hopper');
    expect(shown).toHaveTextContent('grace@example.com');
    expect(shown).toHaveTextContent('Embedded account server');
    expect(screen.getByTestId('account-acc_2')).toHaveAttribute('aria-checked', 'false');
    const ended = screen.getByTestId('account-acc_3');
    expect(ended).toHaveTextContent('Alan Turing');
    expect(ended).toHaveTextContent('clerk.example.com');
    expect(ended).toHaveTextContent('Signed out — sign in again');
    expect(within(shown).queryByText('Signed out — sign in again')).not.toBeInTheDocument();
    expect(screen.getByTestId('account-add')).toHaveTextContent('Add account');
  });

  it('reads the list again when it opens: who an account that just signed in is', async () => {
    const { state } = threeAccounts();
    state.accounts = state.accounts.map((a) => (a.id === 'acc_2' ? makeAccount('acc_2', null) : a));
    const ue = await start();
    await openMenu(ue);
    expect(screen.getByTestId('account-acc_2')).toHaveTextContent('New account');
    await ue.keyboard('{Escape}');

    state.accounts = state.accounts.map((a) => (a.id === 'acc_2' ? makeAccount('acc_2', ada) : a));
    await openMenu(ue);

    await waitFor(() => expect(screen.getByTestId('account-acc_2')).toHaveTextContent('Ada Lovelace'));
  });

  it('opens with the keyboard, moves with the arrows and closes with Escape', async () => {
    threeAccounts();
    const ue = await start();

    screen.getByTestId('account-switcher').focus();
    await ue.keyboard('{Enter}');
    expect(screen.getByTestId('account-acc_1')).toHaveFocus();
    await ue.keyboard('{ArrowDown}');
    expect(screen.getByTestId('account-remove-acc_1')).toHaveFocus();
    await ue.keyboard('{ArrowDown}');
    expect(screen.getByTestId('account-acc_2')).toHaveFocus();
    await ue.keyboard('{Escape}');

    expect(screen.queryByRole('menu')).not.toBeInTheDocument();
    expect(screen.getByTestId('account-switcher')).toHaveFocus();
  });

  it('shows another account at once, in the same section, and nothing of the last one stays', async () => {
    const { calls } = threeAccounts();
    const ue = await start();
    await ue.click(screen.getByTestId('nav-devices'));
    await waitFor(() => expect(sessions.currentId).toBe('sess_acc_1'));

    await openMenu(ue);
    await ue.click(screen.getByTestId('account-acc_2'));

    await waitFor(() => expect(screen.getByTestId('sidebar-name')).toHaveTextContent('Ada Lovelace'));
    expect(screen.getByTestId('sidebar-email')).toHaveTextContent('ada@example.com');
    // Devices again, read anew for the account shown now.
    expect(screen.getByTestId('nav-devices')).toHaveAttribute('aria-current', 'page');
    await waitFor(() => expect(sessions.currentId).toBe('sess_acc_2'));
    const sent = actions(calls).map((c) => c.cmd);
    expect(sent).toEqual(['devices', 'switch_account', 'devices']);
    expect(calls.find((c) => c.cmd === 'switch_account')?.args).toEqual({ id: 'acc_2' });
    // The user is read again after the switch, not before.
    expect(calls.map((c) => c.cmd).lastIndexOf('current_user')).toBeGreaterThan(calls.findIndex((c) => c.cmd === 'switch_account'));
    expect(screen.queryByTestId('signin-identifier')).not.toBeInTheDocument();
  });

  it('adds an account through its sign-in screen, which can go back', async () => {
    const { calls } = threeAccounts((state) => ({
      add_account: () => adding(state),
      switch_account: (a) => {
        // The account left before it signed in is dropped.
        state.accounts = state.accounts.filter((x) => x.id !== 'acc_new');
        state.shown = String(a.id);
        return state.list();
      },
    }));
    const ue = await start();

    await openMenu(ue);
    await ue.click(screen.getByTestId('account-add'));

    expect(await screen.findByTestId('signin-identifier')).toBeVisible();
    expect(screen.getByRole('heading', { level: 1 })).toHaveTextContent('Add an account');
    const back = screen.getByTestId('back-to-account');
    expect(back).toHaveTextContent('Back to Grace Hopper');

    await ue.click(back);

    await waitFor(() => expect(screen.getByTestId('sidebar-name')).toHaveTextContent('Grace Hopper'));
    expect(actions(calls).map((c) => [c.cmd, c.args])).toEqual([
      ['add_account', {}],
      ['switch_account', { id: 'acc_1' }],
    ]);
  });

  it('offers no way back when no other account is signed in', async () => {
    fakeBackend();
    render(App);

    expect(await screen.findByTestId('signin-identifier')).toBeVisible();
    expect(screen.getByRole('heading', { level: 1 })).toHaveTextContent('Sign in to Userdesk');
    expect(screen.queryByTestId('back-to-account')).not.toBeInTheDocument();
  });

  it('keeps Settings open over the new account’s sign-in when its instance changes there', async () => {
    const { calls } = threeAccounts((state) => ({
      add_account: () => adding(state),
      save_settings: () => {
        // Another instance: a new account there is shown, the one being added is dropped.
        state.accounts = [
          ...state.accounts.filter((x) => x.id !== 'acc_new'),
          makeAccount('acc_other', null, { instance_kind: 'url', instance_label: 'other.example' }),
        ];
        state.shown = 'acc_other';
        return makeAppInfo({ instance: { kind: 'url', fapi_url: 'https://other.example', label: 'other.example' } });
      },
    }));
    const ue = await start();
    await openMenu(ue);
    await ue.click(screen.getByTestId('account-add'));
    await ue.click(await screen.findByTestId('signin-settings'));

    await ue.click(screen.getByTestId('instance-fapi_url'));
    await ue.type(screen.getByTestId('settings-fapi-url'), 'https://other.example');
    await ue.click(screen.getByTestId('settings-save'));

    expect(await screen.findByTestId('toast')).toHaveTextContent('Connected to other.example');
    await waitFor(() => expect(calls.filter((c) => c.cmd === 'accounts').length).toBeGreaterThan(1));
    expect(screen.getByTestId('back-to-signin')).toBeVisible();
    await ue.click(screen.getByTestId('back-to-signin'));
    expect(screen.getByTestId('signin-identifier')).toBeVisible();
    expect(screen.getByTestId('back-to-account')).toHaveTextContent('Back to Grace Hopper');
  });

  it('opens the sign-in screen of an account whose session ended, naming it', async () => {
    threeAccounts();
    const ue = await start();

    await openMenu(ue);
    await ue.click(screen.getByTestId('account-acc_3'));

    expect(await screen.findByTestId('signin-ended')).toHaveTextContent('Your session for Alan Turing ended — sign in again.');
    expect(screen.getByTestId('back-to-account')).toHaveTextContent('Back to Grace Hopper');
  });

  it('removes an account after a confirmation naming it', async () => {
    const { calls } = threeAccounts((state) => ({
      remove_account: (a) => {
        state.accounts = state.accounts.filter((x) => x.id !== a.id);
        return state.list();
      },
    }));
    const ue = await start();

    await openMenu(ue);
    await ue.click(screen.getByTestId('account-remove-acc_2'));
    const dialog = screen.getByTestId('confirm-dialog');
    expect(dialog).toHaveTextContent('Remove Ada Lovelace from Userdesk?');
    expect(dialog).toHaveTextContent('You will be signed out of it on this computer.');
    expect(actions(calls)).toEqual([]);
    await ue.click(screen.getByTestId('confirm-accept'));

    expect(await screen.findByTestId('toast')).toHaveTextContent('Ada Lovelace was removed from Userdesk');
    expect(actions(calls)).toEqual([{ cmd: 'remove_account', args: { id: 'acc_2' } }]);
    await openMenu(ue);
    expect(screen.queryByTestId('account-acc_2')).not.toBeInTheDocument();
    expect(screen.getByTestId('sidebar-name')).toHaveTextContent('Grace Hopper');
  });

  it('removes nothing when the confirmation is cancelled', async () => {
    const { calls } = threeAccounts();
    const ue = await start();

    await openMenu(ue);
    await ue.click(screen.getByTestId('account-remove-acc_2'));
    await ue.click(screen.getByTestId('confirm-cancel'));

    expect(actions(calls)).toEqual([]);
  });

  it('shows the next signed-in account after signing out, not the sign-in screen', async () => {
    threeAccounts((state) => ({
      sign_out: () => {
        state.accounts = state.accounts.filter((x) => x.id !== state.shown);
        state.shown = 'acc_2';
        return state.list();
      },
    }));
    const ue = await start();

    await ue.click(screen.getByTestId('signout'));

    await waitFor(() => expect(screen.getByTestId('sidebar-name')).toHaveTextContent('Ada Lovelace'));
    expect(screen.getByTestId('toast')).toHaveTextContent('Signed out of Grace Hopper');
    expect(screen.queryByTestId('signin-identifier')).not.toBeInTheDocument();
  });
});

describe('accounts changed outside the window', () => {
  it('shows the account the Rust side shows now, and says why', async () => {
    const { state } = threeAccounts();
    await start();

    state.shown = 'acc_2';
    await act(() => emit(EVENTS.ACCOUNTS_CHANGED, { message: 'Ada Lovelace is already in Userdesk: it is shown now.' }));

    await waitFor(() => expect(screen.getByTestId('sidebar-name')).toHaveTextContent('Ada Lovelace'));
    expect(await screen.findByTestId('toast')).toHaveTextContent('Ada Lovelace is already in Userdesk: it is shown now.');
  });

  it('reads the list again when a hidden account’s session ended', async () => {
    const { state } = threeAccounts();
    const ue = await start();

    state.accounts = state.accounts.map((a) => (a.id === 'acc_2' ? { ...a, signed_out: true } : a));
    await act(() => emit(EVENTS.ACCOUNTS_CHANGED, { message: null }));

    await openMenu(ue);
    await waitFor(() => expect(screen.getByTestId('account-acc_2')).toHaveTextContent('Signed out — sign in again'));
    expect(screen.getByTestId('sidebar-name')).toHaveTextContent('Grace Hopper');
    expect(screen.queryByTestId('toast')).not.toBeInTheDocument();
  });
});

describe('a browser round trip of an account no longer shown', () => {
  it('ends there: a toast names it, and the shown user stays', async () => {
    threeAccounts(() => ({
      connect_external_account: () => ({ flow_id: 'flow_g', authorization_url: 'https://github.com/login/oauth/authorize' }),
    }));
    const ue = await start();
    void oauth.connect('oauth_github');
    await waitFor(() => expect(oauth.pending?.flowId).toBe('flow_g'));

    await openMenu(ue);
    await ue.click(screen.getByTestId('account-acc_2'));
    await waitFor(() => expect(screen.getByTestId('sidebar-name')).toHaveTextContent('Ada Lovelace'));
    expect(oauth.pending).toBeNull();

    const connected = { ...grace, external_accounts: [] };
    await act(() =>
      emit(EVENTS.OAUTH_FINISHED, {
        flow_id: 'flow_g',
        account_id: 'acc_1',
        kind: 'connect',
        strategy: 'oauth_github',
        status: 'account_verified',
        user: connected,
        external_account_id: 'eac_1',
      } satisfies OAuthFinished),
    );

    expect(await screen.findByTestId('toast')).toHaveTextContent('GitHub account connected to Grace Hopper');
    expect(user.current?.id).toBe('user_ada');
    expect(screen.getByTestId('sidebar-name')).toHaveTextContent('Ada Lovelace');
  });
});
