import { act, render, screen, waitFor, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { emit } from '@tauri-apps/api/event';
import { describe, expect, it } from 'vitest';
import App from '../../App.svelte';
import type { CommandError, Passkey, ReverificationStep } from '../bindings';
import { EVENTS } from '../bindings';
import { PASSKEY_CANCELLED } from '../stores/reverification.svelte';
import { accountBackend, actions, email, makeUser } from '../../test-support';

const REFUSED: CommandError = {
  code: 'reverification_required',
  message: 'You need to provide additional verification to perform this operation.',
  field: null,
  reverification: 'first_factor',
};

const PASSKEY: Passkey = {
  id: 'pk_1',
  object: 'passkey',
  name: 'Blue key',
  last_used_at: null,
  verification: { status: 'verified', strategy: 'passkey', attempts: null, expire_at: null },
  created_at: Date.UTC(2026, 10, 3),
  updated_at: Date.UTC(2026, 10, 3),
};

/** A command that waits, as a real ceremony does, until the test settles it. */
function pending<T>() {
  let settle!: { resolve: (value: T) => void; reject: (error: CommandError) => void };
  const promise = new Promise<T>((resolve, reject) => (settle = { resolve, reject }));
  return { promise, ...settle };
}

/** An instance that refuses adding an address until the session is verified again. */
async function refusingUntilVerified(
  options: { passwordWrong?: boolean; passkey?: () => Promise<ReverificationStep> } = {},
) {
  let verified = false;
  const user = makeUser({
    email_addresses: [email('idn_1', 'grace@example.com', 'verified')],
    password_enabled: true,
    passkeys: options.passkey ? [PASSKEY] : [],
  });
  const backend = accountBackend(user, {
    handlers: {
      reverify_with_passkey: async (args, fake) => {
        const step = await (options.passkey ?? (() => fake(args) as Promise<ReverificationStep>))();
        verified = step.status === 'complete';
        return step;
      },
      create_email_address: (args, fake) => {
        if (!verified) throw REFUSED;
        return fake(args);
      },
      attempt_reverification_first_factor: (args, fake) => {
        if (args.strategy === 'password' && (options.passwordWrong || args.secret !== 'right password')) {
          throw { code: 'other', message: 'Password is incorrect. Try again, or use another method.', field: 'password' };
        }
        verified = true;
        return fake(args);
      },
    },
  });
  const ue = userEvent.setup();
  render(App);
  await ue.click(await screen.findByTestId('nav-emails'));
  await screen.findByRole('heading', { level: 1, name: 'Emails & phones' });
  await ue.type(screen.getByTestId('email-add-input'), 'work@example.com');
  await ue.click(screen.getByTestId('email-add-submit'));
  return { ...backend, ue };
}

const adds = (calls: { cmd: string }[]) => calls.filter((c) => c.cmd === 'create_email_address').length;

describe('an action the instance wants confirmed', () => {
  it('asks for the password, then does the action once more by itself', async () => {
    const { calls, ue } = await refusingUntilVerified();

    const dialog = await screen.findByTestId('reverification-dialog');
    expect(within(dialog).getByRole('heading', { name: 'Confirm it’s you' })).toBeVisible();
    expect(actions(calls).find((c) => c.cmd === 'start_reverification')?.args).toEqual({ level: 'first_factor' });
    await ue.type(within(dialog).getByLabelText('Password'), 'right password');
    await ue.click(within(dialog).getByTestId('reverification-submit'));

    await waitFor(() => expect(screen.queryByTestId('reverification-dialog')).not.toBeInTheDocument());
    await waitFor(() =>
      expect(screen.getAllByTestId('email-card').map((c) => c.dataset.email)).toContain('work@example.com'),
    );
    expect(adds(calls)).toBe(2);
  });

  it('shows a wrong password at the field and keeps asking', async () => {
    const { calls, ue } = await refusingUntilVerified({ passwordWrong: true });

    const dialog = await screen.findByTestId('reverification-dialog');
    await ue.type(within(dialog).getByLabelText('Password'), 'a guess');
    await ue.click(within(dialog).getByTestId('reverification-submit'));

    expect(await within(dialog).findByTestId('reverification-error')).toHaveTextContent('Password is incorrect');
    expect(screen.getByTestId('reverification-dialog')).toBeVisible();
    expect(adds(calls)).toBe(1);
  });

  it('can use a code emailed to a verified address instead', async () => {
    const { calls, ue } = await refusingUntilVerified();

    const dialog = await screen.findByTestId('reverification-dialog');
    await ue.click(within(dialog).getByTestId('reverification-use-email_code'));
    expect(await within(dialog).findByText('Enter the code we emailed to grace@example.com.')).toBeVisible();
    expect(actions(calls).find((c) => c.cmd === 'prepare_reverification_email_code')?.args).toEqual({
      emailAddressId: 'idn_1',
    });
    await ue.type(within(dialog).getByTestId('code-digit-0'), '123456');

    await waitFor(() => expect(screen.queryByTestId('reverification-dialog')).not.toBeInTheDocument());
    await waitFor(() =>
      expect(screen.getAllByTestId('email-card').map((c) => c.dataset.email)).toContain('work@example.com'),
    );
    expect(adds(calls)).toBe(2);
  });

  it('changes nothing when cancelled, and says so', async () => {
    const { calls, ue } = await refusingUntilVerified();

    await ue.click(await screen.findByTestId('reverification-cancel'));

    await waitFor(() => expect(screen.queryByTestId('reverification-dialog')).not.toBeInTheDocument());
    expect(await screen.findByText(/nothing was changed/)).toBeVisible();
    expect(screen.getAllByTestId('email-card').map((c) => c.dataset.email)).toEqual(['grace@example.com']);
    expect(adds(calls)).toBe(1);
  });

  it('offers a passkey beside the password: the key’s prompts show above, then the action goes through', async () => {
    const ceremony = pending<ReverificationStep>();
    const { calls, ue } = await refusingUntilVerified({ passkey: () => ceremony.promise });

    const dialog = await screen.findByTestId('reverification-dialog');
    expect(within(dialog).getByLabelText('Password')).toBeVisible();
    await ue.click(within(dialog).getByTestId('reverification-use-passkey'));
    await waitFor(() => expect(actions(calls).map((c) => c.cmd)).toContain('reverify_with_passkey'));
    await act(() => emit(EVENTS.PASSKEY_PROMPT, { step: 'pin', attempts_left: 8 }));
    const keyDialog = await screen.findByTestId('passkey-dialog');
    expect(within(keyDialog).getByRole('heading', { name: 'Confirm it’s you' })).toBeVisible();
    expect(within(keyDialog).getByTestId('passkey-pin')).toBeVisible();
    // The key's dialog is drawn above the question (it comes later in the document).
    expect(dialog.compareDocumentPosition(keyDialog) & Node.DOCUMENT_POSITION_FOLLOWING).toBeTruthy();
    await ue.type(within(keyDialog).getByTestId('passkey-pin'), '4711');
    await ue.click(within(keyDialog).getByTestId('passkey-pin-submit'));
    expect(actions(calls).find((c) => c.cmd === 'answer_passkey_pin')?.args).toEqual({ pin: '4711' });

    await act(() =>
      ceremony.resolve({ level: 'first_factor', status: 'complete', first_factors: [], second_factors: [] }),
    );
    await waitFor(() => expect(screen.queryByTestId('reverification-dialog')).not.toBeInTheDocument());
    expect(screen.queryByTestId('passkey-dialog')).not.toBeInTheDocument();
    await waitFor(() =>
      expect(screen.getAllByTestId('email-card').map((c) => c.dataset.email)).toContain('work@example.com'),
    );
    expect(adds(calls)).toBe(2);
  });

  it('says in place when the passkey is cancelled or the key has none for the account, and changes nothing', async () => {
    const failures: CommandError[] = [
      { code: 'passkey_cancelled', message: 'Cancelled.', field: null },
      { code: 'passkey_wrong_relying_party', message: 'This security key has no passkey for this account server.', field: null },
    ];
    const { calls, ue } = await refusingUntilVerified({ passkey: () => Promise.reject(failures.shift()) });

    const dialog = await screen.findByTestId('reverification-dialog');
    await ue.click(within(dialog).getByTestId('reverification-use-passkey'));
    expect(await within(dialog).findByTestId('reverification-error')).toHaveTextContent(PASSKEY_CANCELLED);
    expect(screen.queryByTestId('passkey-dialog')).not.toBeInTheDocument();
    expect(within(dialog).getByTestId('reverification-submit')).toHaveTextContent('Try again');

    await ue.click(within(dialog).getByTestId('reverification-submit'));
    await waitFor(() =>
      expect(within(dialog).getByTestId('reverification-error')).toHaveTextContent('no passkey for this account server'),
    );
    expect(screen.queryByTestId('passkey-dialog')).not.toBeInTheDocument();
    expect(actions(calls).filter((c) => c.cmd === 'reverify_with_passkey')).toHaveLength(2);
    expect(screen.getAllByTestId('email-card').map((c) => c.dataset.email)).toEqual(['grace@example.com']);
    expect(adds(calls)).toBe(1);

    // The password is still there.
    await ue.click(within(dialog).getByTestId('reverification-use-password'));
    expect(within(dialog).getByLabelText('Password')).toBeVisible();
  });
});
