import { render, screen, waitFor, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import App from '../../App.svelte';
import type { CommandError } from '../bindings';
import { accountBackend, actions, email, makeUser } from '../../test-support';

const REFUSED: CommandError = {
  code: 'reverification_required',
  message: 'You need to provide additional verification to perform this operation.',
  field: null,
  reverification: 'first_factor',
};

/** An instance that refuses adding an address until the session is verified again. */
async function refusingUntilVerified(options: { passwordWrong?: boolean } = {}) {
  let verified = false;
  const user = makeUser({ email_addresses: [email('idn_1', 'grace@example.com', 'verified')], password_enabled: true });
  const backend = accountBackend(user, {
    handlers: {
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
});
