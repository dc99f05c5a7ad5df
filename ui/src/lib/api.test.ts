import { mockIPC } from '@tauri-apps/api/mocks';
import { describe, expect, it } from 'vitest';
import * as api from './api';
import { makeAppInfo } from '../test-support';

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
    await api.saveSettings({ instance: { kind: 'embedded' }, theme: 'dark', keep_in_tray: false });

    expect(seen).toEqual([
      ['sign_in', { identifier: 'a@example.com', password: 'pw' }],
      ['update_profile', { params: { first_name: 'A' } }],
      ['set_unsafe_metadata', { metadata: { k: 1 } }],
      ['save_settings', { settings: { instance: { kind: 'embedded' }, theme: 'dark', keep_in_tray: false } }],
    ]);
  });

  it('passes the email, phone and outbox arguments under the names the Rust commands take', async () => {
    const seen: [string, unknown][] = [];
    mockIPC((cmd, args) => {
      seen.push([cmd, args]);
      return null;
    });

    await api.createEmailAddress('a@example.com');
    await api.prepareEmailVerification('idn_1', 'email_link');
    await api.attemptEmailVerification('idn_1', '123456');
    await api.destroyEmailAddress('idn_1');
    await api.createPhoneNumber('+12015550123');
    await api.preparePhoneVerification('idn_2');
    await api.attemptPhoneVerification('idn_2', '654321');
    await api.setReservedForSecondFactor('idn_2', true);
    await api.makeDefaultSecondFactor('idn_2');
    await api.destroyPhoneNumber('idn_2');
    await api.devOutbox(20);

    expect(seen).toEqual([
      ['create_email_address', { emailAddress: 'a@example.com' }],
      ['prepare_email_verification', { id: 'idn_1', strategy: 'email_link' }],
      ['attempt_email_verification', { id: 'idn_1', code: '123456' }],
      ['destroy_email_address', { id: 'idn_1' }],
      ['create_phone_number', { phoneNumber: '+12015550123' }],
      ['prepare_phone_verification', { id: 'idn_2' }],
      ['attempt_phone_verification', { id: 'idn_2', code: '654321' }],
      ['set_reserved_for_second_factor', { id: 'idn_2', reserved: true }],
      ['make_default_second_factor', { id: 'idn_2' }],
      ['destroy_phone_number', { id: 'idn_2' }],
      ['dev_outbox', { limit: 20 }],
    ]);
  });

  it('tells the development outbox apart by AppInfo', () => {
    expect(api.hasDevOutbox(null)).toBe(false);
    expect(api.hasDevOutbox(makeAppInfo())).toBe(false);
    expect(api.hasDevOutbox(makeAppInfo({ dev_outbox: true }))).toBe(true);
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
