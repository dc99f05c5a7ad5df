import { render, screen, waitFor, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import App from '../App.svelte';
import type { CommandError, SignInResult } from '$lib/bindings';
import { actions, fakeBackend, makeUser } from '../test-support';

const NEEDS: SignInResult = {
  status: 'needs_second_factor',
  sign_in_id: 'sia_1',
  strategies: ['totp', 'phone_code', 'backup_code'],
  phone: { phone_number_id: 'idn_9', safe_identifier: '+1 ••• ••• 0142' },
};

const wrong = (): never => {
  throw { code: 'form_code_incorrect', message: 'Incorrect code. Try again.', field: 'code' } satisfies CommandError;
};

async function toSecondStep(result: SignInResult = NEEDS) {
  const grace = makeUser();
  const calls = fakeBackend({
    handlers: {
      sign_in: () => result,
      prepare_second_factor: () => null,
      attempt_second_factor: (a) => (a.code === '123456' || a.code === 'abcd-efgh' ? grace : wrong()),
    },
  });
  const ue = userEvent.setup();
  render(App);
  await ue.type(await screen.findByTestId('signin-identifier'), 'grace@example.com');
  await ue.type(screen.getByTestId('signin-password'), 'userdesk-demo');
  await ue.click(screen.getByTestId('signin-submit'));
  await screen.findByRole('heading', { level: 1, name: 'Two-step verification' });
  return { calls, ue };
}

const boxes = () =>
  Array.from({ length: 6 }, (_, i) => within(screen.getByTestId('second-factor-code-input')).getByTestId(`code-digit-${i}`));

describe('the second sign-in step', () => {
  it('asks for the authenticator code and signs in with it', async () => {
    const { calls, ue } = await toSecondStep();
    expect(screen.queryByTestId('signin-error')).not.toBeInTheDocument();
    expect(screen.getByText('Enter the six-digit code from your authenticator app.')).toBeVisible();

    await ue.click(boxes()[0]!);
    await ue.paste('123456');

    expect(await screen.findByTestId('sidebar-name')).toHaveTextContent('Grace Hopper');
    expect(actions(calls)).toEqual([
      { cmd: 'sign_in', args: { identifier: 'grace@example.com', password: 'userdesk-demo' } },
      { cmd: 'attempt_second_factor', args: { signInId: 'sia_1', strategy: 'totp', code: '123456' } },
    ]);
  });

  it('shows a wrong code at the boxes', async () => {
    const { ue } = await toSecondStep();

    await ue.click(boxes()[0]!);
    await ue.paste('000000');

    expect(await screen.findByTestId('second-factor-error')).toHaveTextContent('Incorrect code. Try again.');
    expect(boxes()[0]).toHaveAttribute('aria-invalid', 'true');
    expect(screen.queryByTestId('sidebar-name')).not.toBeInTheDocument();
  });

  it('texts a code to the two-step phone when asked, and takes it', async () => {
    const { calls, ue } = await toSecondStep();

    await ue.click(screen.getByTestId('second-factor-use-sms'));
    await waitFor(() =>
      expect(actions(calls)).toContainEqual({ cmd: 'prepare_second_factor', args: { signInId: 'sia_1', phoneNumberId: 'idn_9' } }),
    );
    expect(await screen.findByText('Enter the code we texted to +1 ••• ••• 0142.')).toBeVisible();
    await ue.click(boxes()[0]!);
    await ue.paste('123456');

    expect(await screen.findByTestId('sidebar-name')).toBeVisible();
    expect(actions(calls).at(-1)).toEqual({
      cmd: 'attempt_second_factor',
      args: { signInId: 'sia_1', strategy: 'phone_code', code: '123456' },
    });
  });

  it('takes a backup code typed in a text field', async () => {
    const { calls, ue } = await toSecondStep();

    await ue.click(screen.getByTestId('second-factor-use-backup'));
    expect(screen.queryByTestId('second-factor-code-input')).not.toBeInTheDocument();
    await ue.type(screen.getByTestId('second-factor-backup-input'), 'abcd-efgh');
    await ue.click(screen.getByTestId('second-factor-submit'));

    expect(await screen.findByTestId('sidebar-name')).toBeVisible();
    expect(actions(calls).at(-1)).toEqual({
      cmd: 'attempt_second_factor',
      args: { signInId: 'sia_1', strategy: 'backup_code', code: 'abcd-efgh' },
    });
  });

  it('offers only what the account has, and goes back to sign-in', async () => {
    const { ue } = await toSecondStep({ ...NEEDS, strategies: ['totp'], phone: null });

    expect(screen.queryByTestId('second-factor-use-sms')).not.toBeInTheDocument();
    expect(screen.queryByTestId('second-factor-use-backup')).not.toBeInTheDocument();
    await ue.click(screen.getByTestId('second-factor-back'));
    expect(await screen.findByTestId('signin-submit')).toBeVisible();
  });
});
