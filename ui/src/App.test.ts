import { render, screen } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { emit } from '@tauri-apps/api/event';
import { describe, expect, it, vi } from 'vitest';
import App from './App.svelte';
import { accountBackend, actions, fakeBackend, makeUser } from './test-support';
import { EVENTS } from '$lib/bindings';
import { lazySections } from './screens/lazy-sections';

describe('the app frame', () => {
  it('shows the signed-in account in the sidebar with the instance under it', async () => {
    fakeBackend({ signedIn: makeUser() });
    render(App);

    expect(await screen.findByTestId('sidebar-name')).toHaveTextContent('Grace Hopper');
    expect(screen.getByTestId('sidebar-email')).toHaveTextContent('grace@example.com');
    expect(screen.getByRole('complementary')).toHaveTextContent('Embedded account server');
    expect(screen.getByTestId('nav-profile')).toHaveAttribute('aria-current', 'page');
    expect(screen.getByRole('heading', { level: 1, name: 'Profile' })).toBeVisible();
  });

  it('signs out from the sidebar and returns to the sign-in screen', async () => {
    const calls = fakeBackend({ signedIn: makeUser() });
    const ue = userEvent.setup();
    render(App);

    await ue.click(await screen.findByTestId('signout'));

    expect(await screen.findByTestId('signin-identifier')).toBeVisible();
    expect(screen.queryByTestId('sidebar-name')).not.toBeInTheDocument();
    expect(actions(calls).map((c) => c.cmd)).toEqual(['sign_out']);
    expect(screen.getByTestId('toast')).toHaveTextContent('Signed out');
  });

  it('stays signed in and says why when signing out fails', async () => {
    fakeBackend({
      signedIn: makeUser(),
      handlers: {
        sign_out: () => {
          throw { code: 'network', message: 'The server did not answer.', field: null };
        },
      },
    });
    const ue = userEvent.setup();
    render(App);

    await ue.click(await screen.findByTestId('signout'));

    expect(await screen.findByTestId('toast')).toHaveTextContent('Could not sign out: The server did not answer.');
    expect(screen.getByTestId('sidebar-name')).toBeVisible();
  });

  it('opens Security, Devices and Tokens from the sidebar', async () => {
    accountBackend(makeUser());
    const ue = userEvent.setup();
    render(App);

    await ue.click(await screen.findByTestId('nav-devices'));
    expect(await screen.findByRole('heading', { level: 1, name: 'Devices' })).toBeVisible();
    expect(await screen.findAllByTestId('device-card')).not.toHaveLength(0);
    await ue.click(screen.getByTestId('nav-tokens'));
    expect(await screen.findByRole('heading', { level: 1, name: 'Tokens' })).toBeVisible();
    await ue.click(screen.getByTestId('nav-security'));
    expect(await screen.findByRole('heading', { level: 1, name: 'Security' })).toBeVisible();
    expect(screen.queryByText('Not in this version')).not.toBeInTheDocument();
  });

  it('says when the identity service cannot be reached, and retries', async () => {
    let fail = true;
    fakeBackend({
      handlers: {
        current_user: () => {
          if (fail) throw { code: 'network', message: 'Connection refused.', field: null };
          return null;
        },
      },
    });
    const ue = userEvent.setup();
    render(App);

    expect(await screen.findByRole('heading', { name: 'Can’t reach the identity service' })).toBeVisible();
    expect(screen.getByText('Connection refused.')).toBeVisible();
    fail = false;
    await ue.click(screen.getByRole('button', { name: 'Try again' }));
    expect(await screen.findByTestId('signin-identifier')).toBeVisible();
  });
});

describe('an ended session', () => {
  it('returns to sign-in when an action finds the session gone', async () => {
    fakeBackend({
      signedIn: makeUser(),
      handlers: {
        update_profile: () => {
          throw { code: 'signed_out', message: 'You are signed out.', field: null };
        },
      },
    });
    const ue = userEvent.setup();
    render(App);

    await ue.type(await screen.findByTestId('profile-first-name'), 'x{Enter}');

    expect(await screen.findByTestId('signin-identifier')).toBeVisible();
    expect(screen.getByTestId('toast')).toHaveTextContent('Signed out — sign in again.');
  });
});

describe('a photo dropped on the window', () => {
  it('opens the picture editor over the section in use, and closes it when the session ends', async () => {
    fakeBackend({
      signedIn: makeUser(),
      handlers: {
        avatar_upload: () => {
          throw { code: 'signed_out', message: 'You are signed out.', field: null };
        },
        sign_in: () => ({ status: 'complete', user: makeUser() }),
      },
    });
    const ue = userEvent.setup();
    render(App);
    await ue.click(await screen.findByTestId('nav-settings'));

    await emit(EVENTS.AVATAR_DROP, { kind: 'enter', files: 1 });
    expect(await screen.findByTestId('drop-overlay')).toBeVisible();
    await emit(EVENTS.AVATAR_DROP, {
      kind: 'ready',
      preview: { id: 'prv_1', data_url: 'data:image/png;base64,', width: 640, height: 480, format: 'png', byte_length: 90_000 },
    });
    expect(await screen.findByTestId('avatar-editor')).toBeVisible();
    expect(screen.queryByTestId('drop-overlay')).not.toBeInTheDocument();
    expect(screen.getByRole('heading', { level: 1, name: 'Profile' })).toBeVisible();

    await ue.click(screen.getByTestId('avatar-editor-save'));

    expect(await screen.findByTestId('signin-identifier')).toBeVisible();
    expect(screen.queryByTestId('avatar-editor')).not.toBeInTheDocument();
    await ue.type(screen.getByTestId('signin-identifier'), 'grace@example.com');
    await ue.type(screen.getByTestId('signin-password'), 'secret{Enter}');
    await screen.findByTestId('profile-first-name');
    // Nothing of the interrupted upload comes back with the next sign-in.
    expect(screen.queryByTestId('avatar-editor')).not.toBeInTheDocument();
    expect(screen.queryByTestId('avatar-error')).not.toBeInTheDocument();
  });
});

describe('the sign-up screen, loaded when asked for', () => {
  it('says so when its code cannot be loaded, and goes back to sign-in', async () => {
    fakeBackend({ signedIn: null });
    const failing = vi
      .spyOn(lazySections, 'signUp')
      .mockRejectedValue(new Error('Failed to fetch dynamically imported module'));
    const ue = userEvent.setup();
    render(App);

    await ue.click(await screen.findByTestId('signup-link'));

    expect(await screen.findByRole('alert')).toHaveTextContent('The sign-up form could not be loaded');
    await ue.click(screen.getByRole('button', { name: 'Back to sign in' }));
    expect(await screen.findByTestId('signin-identifier')).toBeVisible();
    failing.mockRestore();
  });
});
