import { mockIPC } from '@tauri-apps/api/mocks';
import { describe, expect, it } from 'vitest';
import * as api from './api';

describe('api', () => {
  it('passes arguments under the names the commands take', async () => {
    const seen: [string, unknown][] = [];
    mockIPC((cmd, args) => {
      seen.push([cmd, args]);
      return null;
    });

    await api.signIn('a@example.com', 'pw');
    await api.updateProfile({ first_name: 'A' });
    await api.setUnsafeMetadata({ k: 1 });
    await api.saveSettings({ instance: { kind: 'embedded' }, theme: 'dark' });

    expect(seen).toEqual([
      ['sign_in', { identifier: 'a@example.com', password: 'pw' }],
      ['update_profile', { params: { first_name: 'A' } }],
      ['set_unsafe_metadata', { metadata: { k: 1 } }],
      ['save_settings', { settings: { instance: { kind: 'embedded' }, theme: 'dark' } }],
    ]);
  });

  it('passes a CommandError through', async () => {
    mockIPC(() => {
      throw { code: 'form_password_incorrect', message: 'Wrong.', field: 'password' };
    });
    await expect(api.signIn('a', 'b')).rejects.toEqual({
      code: 'form_password_incorrect',
      message: 'Wrong.',
      field: 'password',
    });
  });

  it('turns any other rejection into an internal CommandError', async () => {
    mockIPC(() => {
      throw new Error('command current_user not found');
    });
    await expect(api.currentUser()).rejects.toEqual({
      code: 'internal',
      message: 'command current_user not found',
      field: null,
    });

    mockIPC(() => Promise.reject('plain string'));
    await expect(api.appInfo()).rejects.toEqual({ code: 'internal', message: 'plain string', field: null });
  });
});
