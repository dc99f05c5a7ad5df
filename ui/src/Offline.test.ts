import { render, screen, waitFor, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import App from './App.svelte';
import type { Devices, OfflineView, SecurityEvent, User } from '$lib/bindings';
import { FOCUS_REFRESH_MS } from '$lib/focus-refresh';
import { knewAt, offline } from '$lib/stores/offline.svelte';
import { accountBackend, actions, fakeBackend, makeAppInfo, makeUser } from './test-support';

const UNREACHABLE = { code: 'network', message: 'Could not reach http://127.0.0.1:9/: connection refused', field: null };
const SAVED_AT = new Date(2026, 11, 7, 14, 2).getTime();

/** A signed-in instance that answers until `stop()`; the app kept `kept` of the account. */
function stoppingInstance(kept: User, handlers: Record<string, () => unknown> = {}) {
  let answering = true;
  fakeBackend({
    signedIn: makeUser(),
    handlers: {
      current_user: () => {
        if (!answering) throw UNREACHABLE;
        return makeUser();
      },
      offline_view: () => view(kept),
      ...handlers,
    },
  });
  return { stop: () => (answering = false) };
}

function view(user: User, devices: Devices | null = null): OfflineView {
  return { saved_at: SAVED_AT, user, devices };
}

/** The instance does not answer until `back()`; the app kept `kept`. */
function unreachable(kept: OfflineView | null, live: User = makeUser()) {
  let answering = false;
  const calls = fakeBackend({
    signedIn: live,
    handlers: {
      current_user: () => {
        if (!answering) throw UNREACHABLE;
        return live;
      },
      offline_view: () => kept,
      devices: () => {
        if (!answering) throw UNREACHABLE;
        return kept?.devices;
      },
    },
  });
  return { calls, back: () => (answering = true) };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('offline', () => {
  it('opens on what the app knew, read-only, with the time in the banner and the reason on every control', async () => {
    unreachable(view(makeUser({ first_name: 'Kept' })));
    render(App);

    const banner = await screen.findByTestId('offline-banner');
    expect(within(banner).getByTestId('offline-title')).toHaveTextContent(
      `Offline — showing what Userdesk knew at ${knewAt(SAVED_AT)}`,
    );
    expect(knewAt(SAVED_AT)).toMatch(/14.02|2.02/);
    expect(screen.getByTestId('sidebar-name')).toHaveTextContent('Kept Hopper');
    const content = screen.getByTestId('section-content');
    expect(content).toBeDisabled();
    expect(content).toHaveAttribute('title', expect.stringContaining('You are offline'));
    expect(content).toHaveAttribute('aria-describedby', 'offline-reason');
    for (const control of within(content).getAllByRole('textbox')) expect(control).toBeDisabled();
    for (const button of within(content).getAllByRole('button')) expect(button).toBeDisabled();
    expect(screen.getByTestId('signout')).toBeDisabled();
    expect(screen.getByTestId('signout')).toHaveAttribute('title', expect.stringContaining('You are offline'));
    expect(screen.getByTestId('offline-retry')).toBeEnabled();
  });

  it('turns offline as soon as an action cannot reach the instance, not at the next focus', async () => {
    const instance = stoppingInstance(makeUser({ first_name: 'Kept' }), {
      update_profile: () => {
        throw UNREACHABLE;
      },
    });
    const ue = userEvent.setup();
    render(App);
    const first = await screen.findByTestId('profile-first-name');
    expect(screen.queryByTestId('offline-banner')).toBeNull();

    instance.stop();
    await ue.clear(first);
    await ue.type(first, 'Ada');
    await ue.click(screen.getByTestId('profile-save'));
    expect(await screen.findByTestId('offline-banner')).toBeInTheDocument();
    expect(screen.getByTestId('sidebar-name')).toHaveTextContent('Kept Hopper');
  });

  it('shows the devices it last listed, with nothing to sign out', async () => {
    const devices: Devices = {
      current_session_id: 'sess_this',
      sessions: [
        { id: 'sess_this', object: 'session', status: 'active', expire_at: 0, abandon_at: 0, last_active_at: SAVED_AT },
        { id: 'sess_mac', object: 'session', status: 'active', expire_at: 0, abandon_at: 0, last_active_at: SAVED_AT },
      ],
    };
    const { calls } = unreachable(view(makeUser(), devices));
    const ue = userEvent.setup();
    render(App);
    await screen.findByTestId('offline-banner');

    await ue.click(screen.getByTestId('nav-devices'));
    const cards = await screen.findAllByTestId('device-card');
    expect(cards.map((c) => c.dataset.session)).toEqual(['sess_this', 'sess_mac']);
    expect(within(cards[1] as HTMLElement).getByTestId('device-revoke')).toBeDisabled();
    expect(actions(calls).map((c) => c.cmd)).not.toContain('devices');
  });

  it('goes live on Retry, in the section the person was in', async () => {
    const { back } = unreachable(view(makeUser({ first_name: 'Kept' })), makeUser({ first_name: 'Live' }));
    const ue = userEvent.setup();
    render(App);
    await screen.findByTestId('offline-banner');
    await ue.click(screen.getByTestId('nav-security'));

    await ue.click(screen.getByTestId('offline-retry'));
    expect(screen.getByTestId('offline-banner')).toBeVisible();
    expect(screen.getByTestId('offline-banner')).toHaveTextContent(/Trying again in 1[01] s/);

    back();
    await ue.click(screen.getByTestId('offline-retry'));
    await waitFor(() => expect(screen.queryByTestId('offline-banner')).not.toBeInTheDocument());
    expect(screen.getByTestId('sidebar-name')).toHaveTextContent('Live Hopper');
    expect(screen.getByTestId('nav-security')).toHaveAttribute('aria-current', 'page');
    expect(screen.getByTestId('section-content')).toBeEnabled();
  });

  it('without a kept copy, says it cannot reach the service', async () => {
    unreachable(null);
    render(App);

    expect(await screen.findByRole('alert')).toHaveTextContent('Can’t reach the identity service');
    expect(screen.queryByTestId('offline-banner')).not.toBeInTheDocument();
  });

  it('tries again by itself, waiting longer each time, until the instance answers', async () => {
    vi.useFakeTimers();
    const answers = [false, false, true];
    const reconnect = vi.fn(async () => answers.shift() ?? true);
    offline.enter(view(makeUser()), reconnect);

    await vi.advanceTimersByTimeAsync(4_999);
    expect(reconnect).toHaveBeenCalledTimes(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(reconnect).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(9_999);
    expect(reconnect).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(reconnect).toHaveBeenCalledTimes(2);
    expect(offline.active).toBe(true);
    await vi.advanceTimersByTimeAsync(20_000);
    expect(reconnect).toHaveBeenCalledTimes(3);
    expect(offline.active).toBe(false);
    await vi.advanceTimersByTimeAsync(120_000);
    expect(reconnect).toHaveBeenCalledTimes(3);
  });
});

describe('refresh on focus', () => {
  it('reads the user again when the window comes back, at most every 15 s', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    let name = 'Grace';
    const calls = fakeBackend({ signedIn: makeUser(), handlers: { current_user: () => makeUser({ first_name: name }) } });
    render(App);
    await screen.findByTestId('sidebar-name');
    const reads = () => calls.filter((c) => c.cmd === 'current_user').length;
    expect(reads()).toBe(1);

    name = 'Changed';
    window.dispatchEvent(new FocusEvent('focus'));
    expect(reads()).toBe(1);
    vi.setSystemTime(Date.now() + FOCUS_REFRESH_MS);
    window.dispatchEvent(new FocusEvent('focus'));
    await waitFor(() => expect(screen.getByTestId('sidebar-name')).toHaveTextContent('Changed Hopper'));
    expect(reads()).toBe(2);
  });

  it('turns the window into the kept view when the instance stopped answering', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const instance = stoppingInstance(makeUser());
    render(App);
    await screen.findByTestId('sidebar-name');

    instance.stop();
    vi.setSystemTime(Date.now() + FOCUS_REFRESH_MS);
    window.dispatchEvent(new FocusEvent('focus'));
    expect(await screen.findByTestId('offline-banner')).toBeVisible();
    expect(screen.getByTestId('section-content')).toBeDisabled();
  });

  it('opens the section a notification pointed to', async () => {
    let section: string | null = 'devices';
    accountBackend(makeUser(), { handlers: { take_notice_section: () => section } });
    render(App);

    await waitFor(() => expect(screen.getByTestId('nav-devices')).toHaveAttribute('aria-current', 'page'));
    section = null;
  });

  it('says so when the session ended elsewhere', async () => {
    fakeBackend({ signedIn: null, handlers: { take_session_ended: () => true } });
    render(App);

    expect(await screen.findByTestId('toast')).toHaveTextContent('Signed out — sign in again.');
    expect(screen.getByTestId('signin-identifier')).toBeVisible();
  });
});

describe('security log and export', () => {
  it('lists the log in Devices, newest first, or says what will show there', async () => {
    const log: SecurityEvent[] = [
      { at: SAVED_AT, kind: 'sign_in_seen', detail: 'Firefox 121 on Linux · 203.0.113.9' },
      { at: SAVED_AT - 60_000, kind: 'password_changed', detail: '' },
    ];
    accountBackend(makeUser(), { handlers: { security_log: () => log } });
    const ue = userEvent.setup();
    render(App);
    await ue.click(await screen.findByTestId('nav-devices'));

    const entries = await screen.findAllByTestId('security-log-entry');
    expect(entries.map((e) => e.querySelector('.what')?.textContent)).toEqual([
      'New sign-in: Firefox 121 on Linux · 203.0.113.9',
      'Password changed',
    ]);
  });

  it('says the log is empty when nothing was seen', async () => {
    accountBackend(makeUser());
    const ue = userEvent.setup();
    render(App);
    await ue.click(await screen.findByTestId('nav-devices'));

    expect(await screen.findByTestId('security-log-empty')).toHaveTextContent('Nothing yet');
  });

  it('exports the data from Settings, and says where it went wrong', async () => {
    let fail = false;
    const calls = fakeBackend({
      signedIn: makeUser(),
      handlers: {
        export_account_data: () => {
          if (fail) throw { code: 'other', message: 'Could not save /x.json: read-only', field: null };
          return true;
        },
      },
    });
    const ue = userEvent.setup();
    render(App);
    await ue.click(await screen.findByTestId('nav-settings'));

    await ue.click(await screen.findByTestId('export-data'));
    expect(await screen.findByTestId('toast')).toHaveTextContent('Your data was saved');
    expect(actions(calls).map((c) => c.cmd)).toContain('export_account_data');
    fail = true;
    await ue.click(screen.getByTestId('export-data'));
    expect(await screen.findByTestId('export-data-error')).toHaveTextContent('read-only');
  });
});

describe('the tray setting', () => {
  it('is off by default and saved when turned on', async () => {
    const calls = fakeBackend({ signedIn: makeUser(), handlers: { save_settings: () => makeAppInfo() } });
    const ue = userEvent.setup();
    render(App);
    await ue.click(await screen.findByTestId('nav-settings'));

    const box = await screen.findByTestId('settings-keep-in-tray');
    expect(box).not.toBeChecked();
    await ue.click(box);
    await waitFor(() => expect(box).toBeChecked());
    expect(actions(calls)).toContainEqual({
      cmd: 'save_settings',
      args: { settings: { instance: { kind: 'embedded' }, theme: 'system', keep_in_tray: true } },
    });
  });
});
