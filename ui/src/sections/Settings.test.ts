import { render, screen, waitFor } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import App from '../App.svelte';
import type { Settings } from '$lib/bindings';
import { actions, fakeBackend, makeAppInfo, makeSettings, makeUser } from '../test-support';

// base64("clerk.example.com$")
const KEY = 'pk_test_Y2xlcmsuZXhhbXBsZS5jb20k';

async function openSettings(options: Parameters<typeof fakeBackend>[0] = {}) {
  const calls = fakeBackend({ signedIn: makeUser(), ...options });
  const ue = userEvent.setup();
  render(App);
  await ue.click(await screen.findByTestId('nav-settings'));
  await screen.findByTestId('instance-embedded');
  return { calls, ue };
}

describe('settings', () => {
  it('validates a publishable key and shows the host it decodes to', async () => {
    const { calls, ue } = await openSettings();

    await ue.click(screen.getByTestId('instance-publishable_key'));
    const input = screen.getByTestId('settings-publishable-key');
    await ue.type(input, 'pk_test_nothost');
    await ue.click(screen.getByTestId('settings-save'));
    expect(await screen.findByTestId('settings-publishable-key-error')).toHaveTextContent('not valid');
    expect(screen.queryByTestId('settings-fapi-host')).not.toBeInTheDocument();
    expect(actions(calls)).toEqual([]);

    await ue.clear(input);
    await ue.type(input, KEY);
    expect(screen.getByTestId('settings-fapi-host')).toHaveTextContent('Frontend API: clerk.example.com');
    expect(screen.queryByTestId('settings-publishable-key-error')).not.toBeInTheDocument();
  });

  it('saves the chosen instance, reconnects and says where', async () => {
    const { calls, ue } = await openSettings({
      handlers: {
        save_settings: () =>
          makeAppInfo({
            instance: { kind: 'clerk', fapi_url: 'https://clerk.example.com', label: 'clerk.example.com' },
            demo_account: null,
          }),
      },
    });

    await ue.click(screen.getByTestId('instance-publishable_key'));
    await ue.type(screen.getByTestId('settings-publishable-key'), KEY);
    await ue.click(screen.getByTestId('settings-save'));

    expect(await screen.findByTestId('toast')).toHaveTextContent('Connected to clerk.example.com');
    expect(actions(calls)).toEqual([
      {
        cmd: 'save_settings',
        args: { settings: { instance: { kind: 'publishable_key', key: KEY }, theme: 'system', keep_in_tray: false } },
      },
    ]);
    // Asked again who is signed in, on the new instance.
    expect(calls.filter((c) => c.cmd === 'current_user')).toHaveLength(2);
  });

  it('shows the server’s error at the field it concerns', async () => {
    const { ue } = await openSettings({
      handlers: {
        save_settings: () => {
          throw { code: 'other', message: 'Nothing answers at this URL.', field: 'url' };
        },
      },
    });

    await ue.click(screen.getByTestId('instance-fapi_url'));
    const url = screen.getByTestId('settings-fapi-url');
    await ue.type(url, 'auth.example.com');
    await ue.click(screen.getByTestId('settings-save'));
    expect(await screen.findByTestId('settings-fapi-url-error')).toHaveTextContent('Enter a full URL');

    await ue.clear(url);
    await ue.type(url, 'https://auth.example.com{Enter}');
    expect(await screen.findByTestId('settings-fapi-url-error')).toHaveTextContent('Nothing answers at this URL.');
  });

  it('applies a theme at once and saves it with the instance unchanged', async () => {
    const saved: Settings = makeSettings({ instance: { kind: 'fapi_url', url: 'https://auth.example.com' } });
    const { calls, ue } = await openSettings({ settings: saved, handlers: { save_settings: () => makeAppInfo() } });

    await ue.click(screen.getByTestId('theme-dark'));

    expect(document.documentElement).toHaveAttribute('data-theme', 'dark');
    await waitFor(() =>
      expect(actions(calls)).toEqual([
        { cmd: 'save_settings', args: { settings: { ...saved, theme: 'dark' } } },
      ]),
    );
    await ue.click(screen.getByTestId('theme-system'));
    expect(document.documentElement).not.toHaveAttribute('data-theme');
  });

  it('puts the theme back when it cannot be saved', async () => {
    const { ue } = await openSettings({
      handlers: {
        save_settings: () => {
          throw { code: 'internal', message: 'Disk full.', field: null };
        },
      },
    });

    await ue.click(screen.getByTestId('theme-light'));

    expect(await screen.findByTestId('toast')).toHaveTextContent('Could not save the theme: Disk full.');
    expect(document.documentElement).not.toHaveAttribute('data-theme');
    expect(screen.getByTestId('theme-system')).toBeChecked();
  });

  it('shows where the token is kept, visibly when it is a file, and the version', async () => {
    await openSettings({
      info: makeAppInfo({
        token_storage: { kind: 'file', path: '/home/g/.local/share/userdesk/token', reason: 'No secret service.' },
      }),
    });

    const storage = screen.getByTestId('token-storage');
    expect(storage).toHaveTextContent('not the OS keychain');
    expect(storage).toHaveTextContent('No secret service.');
    expect(storage).toHaveTextContent('/home/g/.local/share/userdesk/token');
    expect(screen.getByTestId('app-version')).toHaveTextContent('Userdesk 1.2.3');
  });

  it('names the OS keychain when the token is there', async () => {
    await openSettings();
    expect(screen.getByTestId('token-storage')).toHaveTextContent('OS keychain');
  });

  it('shows where the embedded server keeps the key to two-step secrets', async () => {
    await openSettings({
      info: makeAppInfo({
        server_key_storage: {
          kind: 'file',
          path: '/home/g/.local/share/userdesk/server/at_rest_key',
          reason: 'No secret service.',
        },
      }),
    });

    const key = screen.getByTestId('server-key-storage');
    expect(key).toHaveTextContent('The key to your two-step secrets: a file on this computer, not the OS keychain');
    expect(key).toHaveTextContent('/home/g/.local/share/userdesk/server/at_rest_key');
    expect(screen.getByTestId('token-storage')).toHaveTextContent('OS keychain');
    expect(screen.getByText('File')).toBeVisible();
  });

  it('has no server key on another instance', async () => {
    await openSettings({ info: makeAppInfo({ server_key_storage: null }) });
    expect(screen.queryByTestId('server-key-storage')).not.toBeInTheDocument();
    expect(screen.getByText('Protected')).toBeVisible();
  });
});
