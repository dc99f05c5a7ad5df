import { act, render, screen, waitFor, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { emit } from '@tauri-apps/api/event';
import { describe, expect, it } from 'vitest';
import App from '../App.svelte';
import type { CommandError, Passkey, PasskeyPrompt, ReverificationStep, User } from '$lib/bindings';
import { EVENTS } from '$lib/bindings';
import { accountBackend, actions, makeUser } from '../test-support';

const passkey = (id: string, name: string, more: Partial<Passkey> = {}): Passkey => ({
  id,
  object: 'passkey',
  name,
  last_used_at: null,
  verification: { status: 'verified', strategy: 'passkey', attempts: null, expire_at: null },
  created_at: Date.UTC(2026, 10, 3),
  updated_at: Date.UTC(2026, 10, 3),
  ...more,
});

async function open(user: User = makeUser(), options: Parameters<typeof accountBackend>[1] = {}) {
  const backend = accountBackend(user, options);
  const ue = userEvent.setup();
  render(App);
  await ue.click(await screen.findByTestId('nav-security'));
  await screen.findByRole('heading', { level: 1, name: 'Security' });
  return { ...backend, ue };
}

const prompt = (step: PasskeyPrompt) => act(() => emit(EVENTS.PASSKEY_PROMPT, step));

/** A command that waits, as a real ceremony does, until the test settles it (or Cancel does). */
function pending<T>() {
  let settle!: { resolve: (value: T) => void; reject: (error: CommandError) => void };
  const promise = new Promise<T>((resolve, reject) => (settle = { resolve, reject }));
  return { promise, ...settle };
}

describe('the Passkeys card', () => {
  it('lists each passkey with its name, when it was added and last used; an empty account says what to do', async () => {
    const used = passkey('pk_2', 'YubiKey 5C', { last_used_at: Date.UTC(2026, 11, 1) });
    const unfinished = passkey('pk_3', 'Never finished', { verification: { status: 'unverified', strategy: 'passkey', attempts: null, expire_at: null } });
    await open(makeUser({ passkeys: [passkey('pk_1', 'Work key'), used, unfinished] }));

    const rows = await screen.findAllByTestId('passkey');
    expect(rows.map((row) => within(row).getByTestId('passkey-name').textContent)).toEqual(['Work key', 'YubiKey 5C']);
    expect(within(rows[0]!).getByTestId('passkey-meta')).toHaveTextContent(/Added .*2026 · never used yet/);
    expect(within(rows[1]!).getByTestId('passkey-meta')).toHaveTextContent(/last used .*2026/);
    expect(screen.getByTestId('passkey-add-security_key')).toHaveTextContent('Use a security key');
  });

  it('adds a passkey: the dialog follows the key (touch), then the new one is listed', async () => {
    const ceremony = pending<User>();
    const { calls, ue, fake } = await open(makeUser({ passkeys: [] }), {
      handlers: { add_passkey: () => ceremony.promise },
    });
    expect(await screen.findByTestId('passkeys-empty')).toHaveTextContent('No passkeys yet');

    await ue.click(screen.getByTestId('passkey-add-security_key'));
    await waitFor(() => expect(actions(calls).map((c) => c.cmd)).toContain('add_passkey'));
    await prompt({ step: 'touch' });
    const dialog = await screen.findByTestId('passkey-dialog');
    expect(within(dialog).getByTestId('passkey-step-touch')).toHaveTextContent('Touch your security key');

    await act(() => ceremony.resolve(fake.update({ passkeys: [passkey('pk_new', 'Security key')] })));
    await waitFor(() => expect(screen.queryByTestId('passkey-dialog')).not.toBeInTheDocument());
    expect(screen.getByTestId('passkey-name')).toHaveTextContent('Security key');
    expect(screen.getByTestId('toast')).toHaveTextContent('Passkey added');
  });

  it('renames a passkey in place', async () => {
    const { calls, ue } = await open(makeUser({ passkeys: [passkey('pk_1', 'Security key')] }));
    await ue.click(await screen.findByTestId('passkey-menu'));
    await ue.click(screen.getByTestId('passkey-rename'));
    const input = screen.getByTestId('passkey-name-input');
    await ue.clear(input);
    await ue.type(input, 'Blue YubiKey{Enter}');

    await waitFor(() => expect(screen.getByTestId('passkey-name')).toHaveTextContent('Blue YubiKey'));
    expect(actions(calls).at(-1)).toEqual({ cmd: 'rename_passkey', args: { id: 'pk_1', name: 'Blue YubiKey' } });
  });

  it('removes a passkey only once the person confirms, naming it', async () => {
    const { calls, ue } = await open(makeUser({ passkeys: [passkey('pk_1', 'Old key')] }));
    await ue.click(await screen.findByTestId('passkey-menu'));
    await ue.click(screen.getByTestId('passkey-remove'));
    expect(screen.getByTestId('confirm-dialog')).toHaveTextContent('Remove the passkey “Old key”?');
    await ue.click(screen.getByTestId('confirm-cancel'));
    expect(actions(calls).map((c) => c.cmd)).not.toContain('remove_passkey');

    await ue.click(screen.getByTestId('passkey-menu'));
    await ue.click(screen.getByTestId('passkey-remove'));
    await ue.click(screen.getByTestId('confirm-accept'));
    await waitFor(() => expect(screen.getByTestId('passkeys-empty')).toBeVisible());
    expect(actions(calls).at(-1)).toEqual({ cmd: 'remove_passkey', args: { id: 'pk_1' } });
  });
});

describe('the passkey dialog', () => {
  it('asks for the PIN with the attempts left and sends it', async () => {
    const ceremony = pending<User>();
    const { calls, ue } = await open(makeUser(), { handlers: { add_passkey: () => ceremony.promise } });
    await ue.click(await screen.findByTestId('passkey-add-security_key'));
    await waitFor(() => expect(actions(calls).map((c) => c.cmd)).toContain('add_passkey'));

    await prompt({ step: 'pin', attempts_left: 3 });
    const pin = await screen.findByTestId('passkey-pin');
    expect(screen.getByTestId('passkey-dialog')).toHaveTextContent('3 attempts left.');
    await ue.type(pin, '4711{Enter}');
    expect(actions(calls).at(-1)).toEqual({ cmd: 'answer_passkey_pin', args: { pin: '4711' } });
    expect(await screen.findByTestId('passkey-step-processing')).toBeVisible();

    await prompt({ step: 'pin', attempts_left: 1 });
    expect(await screen.findByTestId('passkey-dialog')).toHaveTextContent('1 attempt left before the key locks.');
    expect(screen.getByTestId('passkey-pin')).toHaveValue('');
    await act(() => ceremony.reject({ code: 'passkey_cancelled', message: 'Cancelled.', field: null }));
    await waitFor(() => expect(screen.queryByTestId('passkey-dialog')).not.toBeInTheDocument());
  });

  it('Cancel stops the ceremony: the dialog closes and nothing is reported', async () => {
    const ceremony = pending<User>();
    const { calls, ue } = await open(makeUser(), {
      handlers: {
        add_passkey: () => ceremony.promise,
        cancel_passkey: () => {
          ceremony.reject({ code: 'passkey_cancelled', message: 'Cancelled.', field: null });
          return null;
        },
      },
    });
    await ue.click(await screen.findByTestId('passkey-add-security_key'));
    await waitFor(() => expect(actions(calls).map((c) => c.cmd)).toContain('add_passkey'));
    await prompt({ step: 'insert_key' });
    expect(await screen.findByTestId('passkey-step-insert')).toHaveTextContent('Insert your security key');

    await ue.click(screen.getByTestId('passkey-cancel'));
    await waitFor(() => expect(screen.queryByTestId('passkey-dialog')).not.toBeInTheDocument());
    expect(screen.queryByTestId('passkey-add-error')).not.toBeInTheDocument();
    expect(screen.getByTestId('passkeys-empty')).toBeVisible();
  });

  it('names a failure plainly and offers Try again', async () => {
    let tries = 0;
    const { ue, fake } = await open(makeUser(), {
      handlers: {
        add_passkey: () => {
          tries += 1;
          if (tries === 1) {
            throw { code: 'authenticator_locked', message: 'This security key is locked after too many wrong PINs.', field: null } satisfies CommandError;
          }
          return fake.update({ passkeys: [passkey('pk_9', 'Security key')] });
        },
      },
    });
    await ue.click(await screen.findByTestId('passkey-add-security_key'));
    expect(await screen.findByTestId('passkey-failure-title')).toHaveTextContent('This key is locked');
    expect(screen.getByTestId('passkey-failure')).toHaveTextContent('too many wrong PINs');

    await ue.click(screen.getByTestId('passkey-retry'));
    await waitFor(() => expect(screen.queryByTestId('passkey-dialog')).not.toBeInTheDocument());
    expect(screen.getByTestId('passkey-name')).toHaveTextContent('Security key');
  });

  it('tells plainly when the key cannot hold a passkey, and why', async () => {
    const message =
      'This security key can’t hold a passkey yet: it has no PIN or fingerprint set up, and this account server asks the key to verify it’s you. Set a PIN with the key maker’s app (or your system’s security key settings), then try again.';
    const { ue } = await open(makeUser(), {
      handlers: {
        add_passkey: () => {
          throw { code: 'authenticator_unsupported', message, field: null } satisfies CommandError;
        },
      },
    });
    await ue.click(await screen.findByTestId('passkey-add-security_key'));
    expect(await screen.findByTestId('passkey-failure-title')).toHaveTextContent('This key can’t hold a passkey');
    expect(screen.getByTestId('passkey-failure')).toHaveTextContent('Set a PIN');
    await ue.click(screen.getByTestId('passkey-close'));
    await waitFor(() => expect(screen.queryByTestId('passkey-dialog')).not.toBeInTheDocument());
    expect(screen.getByTestId('passkeys-empty')).toBeVisible();
  });

  it('adding one after a reverification by passkey: each ceremony has the dialog in turn', async () => {
    const added = pending<User>();
    const reverified = pending<ReverificationStep>();
    let tries = 0;
    const { calls, ue, fake } = await open(makeUser({ passkeys: [passkey('pk_1', 'Blue key')], password_enabled: true }), {
      handlers: {
        add_passkey: () => {
          tries += 1;
          if (tries === 1) {
            throw {
              code: 'reverification_required',
              message: 'You need to provide additional verification to perform this operation.',
              field: null,
              reverification: 'first_factor',
            } satisfies CommandError;
          }
          return added.promise;
        },
        reverify_with_passkey: () => reverified.promise,
      },
    });
    await ue.click(await screen.findByTestId('passkey-add-security_key'));
    const question = await screen.findByTestId('reverification-dialog');
    await ue.click(within(question).getByTestId('reverification-use-passkey'));
    await waitFor(() => expect(actions(calls).map((c) => c.cmd)).toContain('reverify_with_passkey'));
    await prompt({ step: 'touch' });
    expect(within(await screen.findByTestId('passkey-dialog')).getByRole('heading')).toHaveTextContent('Confirm it’s you');

    await act(() => reverified.resolve({ level: 'first_factor', status: 'complete', first_factors: [], second_factors: [] }));
    await waitFor(() => expect(screen.queryByTestId('reverification-dialog')).not.toBeInTheDocument());
    await waitFor(() => expect(tries).toBe(2));
    // The add's own ceremony now: its prompts, under its own title.
    await prompt({ step: 'touch' });
    const dialog = await screen.findByTestId('passkey-dialog');
    expect(within(dialog).getByRole('heading')).toHaveTextContent('Add a passkey');
    expect(within(dialog).getByTestId('passkey-step-touch')).toBeVisible();

    await act(() => added.resolve(fake.update({ passkeys: [passkey('pk_1', 'Blue key'), passkey('pk_2', 'Security key')] })));
    await waitFor(() => expect(screen.queryByTestId('passkey-dialog')).not.toBeInTheDocument());
    expect(screen.getAllByTestId('passkey-name').map((n) => n.textContent)).toEqual(['Blue key', 'Security key']);
    expect(screen.getByTestId('toast')).toHaveTextContent('Passkey added');
  });
});
