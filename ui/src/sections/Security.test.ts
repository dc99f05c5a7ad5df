import { render, screen, waitFor, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import App from '../App.svelte';
import type { User } from '$lib/bindings';
import { accountBackend, actions, makeUser, phone } from '../test-support';

async function open(user: User = makeUser(), options: Parameters<typeof accountBackend>[1] = {}) {
  const backend = accountBackend(user, options);
  const ue = userEvent.setup();
  render(App);
  await ue.click(await screen.findByTestId('nav-security'));
  await screen.findByRole('heading', { level: 1, name: 'Security' });
  return { ...backend, ue };
}

const digits = (container: HTMLElement) =>
  Array.from({ length: 6 }, (_, i) => within(container).getByTestId(`code-digit-${i}`) as HTMLInputElement);

async function typeCode(ue: ReturnType<typeof userEvent.setup>, code: string) {
  await ue.click(digits(screen.getByTestId('totp-code-input'))[0]!);
  await ue.paste(code);
}

describe('authenticator app', () => {
  it('sets up: QR code and secret, a code, then the backup codes once', async () => {
    const { calls, security, ue } = await open();
    expect(screen.getByTestId('two-factor-status')).toHaveTextContent('Off');

    await ue.click(screen.getByTestId('totp-setup'));

    const qr = await screen.findByTestId('totp-qr');
    expect(qr.dataset.text).toMatch(/^otpauth:\/\/totp\/Userdesk:.+secret=JBSWY3DPEHPK3PXP/);
    expect(qr.querySelector('path')?.getAttribute('d')).toMatch(/^M\d+ \d+h1v1h-1z/);
    expect(screen.getByTestId('totp-secret')).toHaveTextContent('JBSW Y3DP EHPK 3PXP JBSW Y3DP EHPK 3PXP');
    expect(screen.queryByTestId('totp-setup')).not.toBeInTheDocument();

    await typeCode(ue, '123456');

    const codes = await screen.findByTestId('backup-codes');
    expect(within(codes).getAllByTestId('backup-code').map((c) => c.textContent)).toEqual(security.backupCodes);
    expect(security.backupCodes).toHaveLength(10);
    expect(actions(calls).map((c) => c.cmd)).toEqual(['create_totp', 'verify_totp']);
    expect(actions(calls)[1]!.args).toEqual({ code: '123456' });
    expect(screen.queryByTestId('totp-qr')).not.toBeInTheDocument();
    await waitFor(() => expect(screen.getByTestId('two-factor-status')).toHaveTextContent('On'));
    expect(screen.getByTestId('totp-disable')).toBeVisible();

    await ue.click(screen.getByTestId('backup-codes-save'));
    await waitFor(() => expect(security.savedCodes).toEqual(security.backupCodes));
    expect(screen.getByTestId('toast')).toHaveTextContent('Backup codes saved');

    await ue.click(screen.getByTestId('backup-codes-done'));
    expect(screen.queryByTestId('backup-codes')).not.toBeInTheDocument();
    // Shown once: coming back to the section does not show them again.
    await ue.click(screen.getByTestId('nav-profile'));
    await ue.click(screen.getByTestId('nav-security'));
    await screen.findByRole('heading', { level: 1, name: 'Security' });
    expect(screen.queryByTestId('backup-codes')).not.toBeInTheDocument();
  });

  it('shows a wrong code at the boxes and lets the person try again', async () => {
    const { calls, ue } = await open(makeUser(), {
      handlers: {
        verify_totp: (a, fake) => {
          if (a.code === '999999') {
            throw { code: 'form_code_incorrect', message: 'Incorrect code. Check your authenticator app and try again.', field: 'code' };
          }
          return fake(a);
        },
      },
    });

    await ue.click(screen.getByTestId('totp-setup'));
    await screen.findByTestId('totp-qr');
    await typeCode(ue, '999999');

    expect(await screen.findByTestId('totp-code-error')).toHaveTextContent('Incorrect code. Check your authenticator app and try again.');
    expect(digits(screen.getByTestId('totp-code-input'))[0]).toHaveAttribute('aria-invalid', 'true');
    expect(screen.queryByTestId('backup-codes')).not.toBeInTheDocument();
    expect(screen.getByTestId('two-factor-status')).toHaveTextContent('Off');

    await typeCode(ue, '123456');
    expect(await screen.findByTestId('backup-codes')).toBeVisible();
    expect(actions(calls).filter((c) => c.cmd === 'verify_totp').map((c) => c.args.code)).toEqual(['999999', '123456']);
  });

  it('keeps the codes on screen when the save dialog is cancelled', async () => {
    const { ue } = await open(makeUser(), { security: { saveAnswer: false } });

    await ue.click(screen.getByTestId('totp-setup'));
    await screen.findByTestId('totp-qr');
    await typeCode(ue, '123456');
    await ue.click(await screen.findByTestId('backup-codes-save'));

    expect(screen.getByTestId('backup-codes-save')).toHaveTextContent('Save to file');
    expect(screen.getByTestId('backup-codes')).toBeVisible();
  });

  it('turns the app off after a confirmation', async () => {
    const { calls, ue } = await open(makeUser({ two_factor_enabled: true, totp_enabled: true, backup_code_enabled: true }));
    expect(screen.getByTestId('two-factor-status')).toHaveTextContent('On');

    await ue.click(screen.getByTestId('totp-disable'));
    expect(screen.getByTestId('confirm-dialog')).toHaveTextContent('Turn off the authenticator app?');
    await ue.click(screen.getByTestId('confirm-accept'));

    await waitFor(() => expect(screen.getByTestId('two-factor-status')).toHaveTextContent('Off'));
    expect(actions(calls).map((c) => c.cmd)).toEqual(['delete_totp']);
    expect(screen.getByTestId('totp-setup')).toBeVisible();
  });

  it('makes new backup codes only after warning that the old ones stop working', async () => {
    const { calls, security, ue } = await open(
      makeUser({ two_factor_enabled: true, totp_enabled: true, backup_code_enabled: true }),
    );

    await ue.click(screen.getByTestId('backup-codes-regenerate'));
    expect(screen.getByTestId('confirm-dialog')).toHaveTextContent('current backup codes will stop working');
    await ue.click(screen.getByTestId('confirm-cancel'));
    expect(actions(calls)).toEqual([]);

    await ue.click(screen.getByTestId('backup-codes-regenerate'));
    await ue.click(screen.getByTestId('confirm-accept'));

    const codes = await screen.findByTestId('backup-codes');
    expect(within(codes).getAllByTestId('backup-code').map((c) => c.textContent)).toEqual(security.backupCodes);
    expect(actions(calls).map((c) => c.cmd)).toEqual(['create_backup_codes']);
  });

  it('names the phones that receive codes by text message', async () => {
    const { ue } = await open(
      makeUser({ two_factor_enabled: true, phone_numbers: [phone('idn_9', '+14155550142', 'verified', { reserved_for_second_factor: true })] }),
    );

    expect(screen.getByTestId('two-factor-sms')).toHaveTextContent('Codes are texted to +1 415 555 0142');
    await ue.click(screen.getByTestId('two-factor-manage-phones'));
    expect(await screen.findByRole('heading', { level: 1, name: 'Emails & phones' })).toBeVisible();
  });
});

describe('password', () => {
  it('asks no current password where the instance verifies the session again instead', async () => {
    const { calls, ue } = await open(makeUser(), { security: { reverification: true } });

    await waitFor(() => expect(screen.queryByTestId('password-current')).not.toBeInTheDocument());
    await ue.type(screen.getByTestId('password-new'), 'a-new-password');
    await ue.type(screen.getByTestId('password-confirm'), 'a-new-password');
    await ue.click(screen.getByTestId('password-save'));

    await waitFor(() => expect(screen.getByTestId('toast')).toHaveTextContent('Password changed'));
    expect(actions(calls)).toEqual([
      { cmd: 'change_password', args: { currentPassword: '', newPassword: 'a-new-password', signOutOfOtherSessions: true } },
    ]);
  });

  it('refuses a confirmation that does not match, without asking the server', async () => {
    const { calls, ue } = await open();

    await ue.type(screen.getByTestId('password-current'), 'userdesk-demo');
    await ue.type(screen.getByTestId('password-new'), 'a-new-password');
    await ue.type(screen.getByTestId('password-confirm'), 'a-new-passwort');
    await ue.click(screen.getByTestId('password-save'));

    expect(screen.getByTestId('password-confirm-error')).toHaveTextContent('The passwords don’t match.');
    expect(screen.getByTestId('password-confirm')).toHaveAttribute('aria-invalid', 'true');
    expect(actions(calls)).toEqual([]);
  });

  it('changes the password, signing the other devices out when asked', async () => {
    const { calls, security, ue } = await open();

    await ue.type(screen.getByTestId('password-current'), 'userdesk-demo');
    await ue.type(screen.getByTestId('password-new'), 'a-new-password');
    await ue.type(screen.getByTestId('password-confirm'), 'a-new-password');
    expect(screen.getByTestId('password-signout-others')).toBeChecked();
    await ue.click(screen.getByTestId('password-save'));

    await waitFor(() => expect(screen.getByTestId('toast')).toHaveTextContent('Password changed'));
    expect(actions(calls)).toEqual([
      {
        cmd: 'change_password',
        args: { currentPassword: 'userdesk-demo', newPassword: 'a-new-password', signOutOfOtherSessions: true },
      },
    ]);
    expect(security.sessions.map((s) => s.id)).toEqual(['sess_this']);
    expect(screen.getByTestId('password-current')).toHaveValue('');
  });

  it('puts the server’s errors at the field they concern', async () => {
    const { ue } = await open(makeUser(), {
      handlers: {
        change_password: (a) => {
          if (a.currentPassword === 'wrong') {
            throw { code: 'form_password_incorrect', message: 'Password is incorrect. Try again, or use another method.', field: 'current_password' };
          }
          throw { code: 'form_password_length_too_short', message: 'Passwords must be 8 characters or more.', field: 'new_password' };
        },
      },
    });

    await ue.type(screen.getByTestId('password-current'), 'wrong');
    await ue.type(screen.getByTestId('password-new'), 'a-new-password');
    await ue.type(screen.getByTestId('password-confirm'), 'a-new-password');
    await ue.click(screen.getByTestId('password-signout-others'));
    await ue.click(screen.getByTestId('password-save'));
    expect(await screen.findByTestId('password-current-error')).toHaveTextContent('Password is incorrect.');

    await ue.clear(screen.getByTestId('password-current'));
    await ue.type(screen.getByTestId('password-current'), 'userdesk-demo');
    await ue.clear(screen.getByTestId('password-new'));
    await ue.type(screen.getByTestId('password-new'), 'short');
    await ue.clear(screen.getByTestId('password-confirm'));
    await ue.type(screen.getByTestId('password-confirm'), 'short');
    await ue.click(screen.getByTestId('password-save'));
    expect(await screen.findByTestId('password-new-error')).toHaveTextContent('Passwords must be 8 characters or more.');
    expect(screen.queryByTestId('password-current-error')).not.toBeInTheDocument();
  });

  it('removes the password after a confirmation', async () => {
    const { calls, ue } = await open();

    await ue.type(screen.getByTestId('password-current'), 'userdesk-demo');
    await ue.click(screen.getByTestId('password-remove'));
    expect(screen.getByTestId('confirm-dialog')).toHaveTextContent('Remove your password?');
    await ue.click(screen.getByTestId('confirm-accept'));

    await waitFor(() => expect(screen.getByTestId('password-status')).toHaveTextContent('Not set'));
    expect(actions(calls)).toEqual([{ cmd: 'remove_password', args: { currentPassword: 'userdesk-demo' } }]);
    expect(screen.queryByTestId('password-current')).not.toBeInTheDocument();
  });
});

describe('deleting the account', () => {
  it('needs the primary email typed before anything is sent, then returns to sign-in', async () => {
    const { calls, ue } = await open();

    await ue.click(screen.getByTestId('delete-account'));
    const submit = screen.getByTestId('delete-account-submit');
    expect(submit).toBeDisabled();
    await ue.type(screen.getByTestId('delete-account-confirm-input'), 'grace@example.co');
    expect(submit).toBeDisabled();
    expect(actions(calls)).toEqual([]);

    await ue.type(screen.getByTestId('delete-account-confirm-input'), 'm');
    expect(submit).toBeEnabled();
    await ue.click(submit);

    expect(await screen.findByTestId('signin-submit')).toBeVisible();
    expect(actions(calls)).toEqual([{ cmd: 'delete_account', args: {} }]);
    expect(screen.getByTestId('toast')).toHaveTextContent('Your account was deleted');
  });

  it('is not offered when the instance does not allow it', async () => {
    await open(makeUser({ delete_self_enabled: false }));
    expect(screen.queryByTestId('delete-account')).not.toBeInTheDocument();
  });

  it('shows the server’s refusal', async () => {
    const { ue } = await open(makeUser(), {
      handlers: {
        delete_account: () => {
          throw { code: 'internal', message: 'The server did not answer.', field: null };
        },
      },
    });
    await ue.click(screen.getByTestId('delete-account'));
    await ue.type(screen.getByTestId('delete-account-confirm-input'), 'DELETE');
    await ue.click(screen.getByTestId('delete-account-submit'));

    expect(await screen.findByTestId('delete-account-error')).toHaveTextContent('The server did not answer.');
    expect(screen.getByRole('heading', { level: 1, name: 'Security' })).toBeVisible();
  });
});


describe('two-step verification on the profile', () => {
  it('says whether it is on and leads to Security', async () => {
    accountBackend(makeUser({ two_factor_enabled: true, totp_enabled: true }));
    const ue = userEvent.setup();
    render(App);

    expect(await screen.findByTestId('profile-two-factor-status')).toHaveTextContent('On');
    await ue.click(screen.getByTestId('profile-two-factor-manage'));
    expect(await screen.findByRole('heading', { level: 1, name: 'Security' })).toBeVisible();
    expect(screen.getByTestId('two-factor-status')).toHaveTextContent('On');
  });

  it('says Off for an account without it', async () => {
    accountBackend(makeUser());
    render(App);
    expect(await screen.findByTestId('profile-two-factor-status')).toHaveTextContent('Off');
  });
});
