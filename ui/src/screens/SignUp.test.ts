import { render, screen, waitFor, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import App from '../App.svelte';
import type { CommandError, SignUpForm } from '$lib/bindings';
import { actions, fakeBackend, makeAppInfo, makeUser } from '../test-support';

async function toSignUp(options: { outbox?: boolean } = {}) {
  const grace = makeUser({ unsafe_metadata: { referral: 'newsletter' } });
  const calls = fakeBackend({
    info: makeAppInfo({ dev_outbox: options.outbox ?? false }),
    handlers: {
      start_sign_up: (a) => {
        const form = a.form as SignUpForm;
        if (form.email_address === 'taken@example.com') {
          throw { code: 'other', message: 'That email address is taken. Please try another.', field: 'email_address' } satisfies CommandError;
        }
        return 'sua_1';
      },
      verify_sign_up: (a) => {
        if (a.code !== '123456') throw { code: 'form_code_incorrect', message: 'Incorrect code. Try again.', field: 'code' } satisfies CommandError;
        return grace;
      },
      dev_outbox: () => [
        { id: 'm1', to: 'grace@example.com', channel: 'email', code: '123456', link: null, sent_at: Date.now(), subject: '123456 is your verification code', body: '' },
      ],
    },
  });
  const ue = userEvent.setup();
  render(App);
  await ue.click(await screen.findByTestId('signup-link'));
  await screen.findByRole('heading', { level: 1, name: 'Create your account' });
  return { calls, ue };
}

async function fill(ue: ReturnType<typeof userEvent.setup>, email: string, metadata: string) {
  await ue.type(screen.getByTestId('signup-first-name'), 'Grace');
  await ue.type(screen.getByTestId('signup-last-name'), 'Hopper');
  await ue.type(screen.getByTestId('signup-email'), email);
  await ue.type(screen.getByTestId('signup-password'), 'a-long-password');
  if (metadata) {
    await ue.click(screen.getByTestId('signup-metadata'));
    await ue.paste(metadata);
  }
}

describe('creating an account', () => {
  it('refuses metadata that is not a JSON object without asking the server', async () => {
    const { calls, ue } = await toSignUp();

    await fill(ue, 'grace@example.com', '["not", "an object"]');
    await ue.click(screen.getByTestId('signup-submit'));
    expect(screen.getByTestId('signup-metadata-error')).toHaveTextContent('Metadata must be a JSON object');

    await ue.clear(screen.getByTestId('signup-metadata'));
    await ue.click(screen.getByTestId('signup-metadata'));
    await ue.paste('{ "referral": ');
    await ue.click(screen.getByTestId('signup-submit'));
    expect(screen.getByTestId('signup-metadata-error')).toHaveTextContent(/line 1/);
    expect(screen.getByTestId('signup-metadata')).toHaveAttribute('aria-invalid', 'true');
    expect(actions(calls)).toEqual([]);
  });

  it('sends the form with the metadata object, then signs in with the emailed code', async () => {
    const { calls, ue } = await toSignUp();

    await fill(ue, 'grace@example.com', '{ "referral": "newsletter" }');
    await ue.click(screen.getByTestId('signup-submit'));

    const code = await screen.findByTestId('signup-code-input');
    expect(actions(calls)).toEqual([
      {
        cmd: 'start_sign_up',
        args: {
          form: {
            email_address: 'grace@example.com',
            password: 'a-long-password',
            first_name: 'Grace',
            last_name: 'Hopper',
            unsafe_metadata: { referral: 'newsletter' },
          },
        },
      },
    ]);
    expect(screen.queryByTestId('signup-outbox')).not.toBeInTheDocument();

    await ue.click(within(code).getByTestId('code-digit-0'));
    await ue.paste('111111');
    expect(await screen.findByTestId('signup-code-error')).toHaveTextContent('Incorrect code. Try again.');

    await ue.click(within(code).getByTestId('code-digit-0'));
    await ue.paste('123456');
    expect(await screen.findByTestId('sidebar-name')).toHaveTextContent('Grace Hopper');
    expect(actions(calls).at(-1)).toEqual({ cmd: 'verify_sign_up', args: { signUpId: 'sua_1', code: '123456' } });
  });

  it('sends no metadata when the field is empty, and shows a taken address at its field', async () => {
    const { calls, ue } = await toSignUp();

    await fill(ue, 'taken@example.com', '');
    await ue.click(screen.getByTestId('signup-submit'));

    expect(await screen.findByTestId('signup-email-error')).toHaveTextContent('That email address is taken.');
    expect((actions(calls)[0]!.args.form as SignUpForm).unsafe_metadata).toBeNull();
  });

  it('shows the emailed code from the development outbox', async () => {
    const { ue } = await toSignUp({ outbox: true });

    await fill(ue, 'grace@example.com', '');
    await ue.click(screen.getByTestId('signup-submit'));

    expect(await screen.findByTestId('signup-outbox-code')).toHaveTextContent('123456');
    await ue.click(screen.getByTestId('signup-outbox-use'));
    expect(await screen.findByTestId('sidebar-name')).toBeVisible();
  });

  it('goes back to sign-in', async () => {
    const { ue } = await toSignUp();
    await ue.click(screen.getByTestId('signup-back'));
    await waitFor(() => expect(screen.getByTestId('signin-submit')).toBeVisible());
  });
});
