import { render, screen, waitFor, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import App from '../App.svelte';
import type { CommandError, SignUpForm, SignUpOptions, SignUpStep } from '$lib/bindings';
import { actions, fakeBackend, makeAppInfo, makeUser } from '../test-support';

const DEFAULT: SignUpOptions = {
  email_address: 'required',
  phone_number: 'optional',
  username: 'optional',
  first_name: 'optional',
  last_name: 'optional',
  password: 'required',
  legal_consent: null,
};

async function toSignUp(options: { outbox?: boolean; instance?: SignUpOptions; link?: boolean } = {}) {
  const grace = makeUser({ unsafe_metadata: { referral: 'newsletter' } });
  let linkOpened = false;
  const calls = fakeBackend({
    info: makeAppInfo({ dev_outbox: options.outbox ?? false }),
    handlers: {
      sign_up_options: () => options.instance ?? DEFAULT,
      start_sign_up: (a): SignUpStep => {
        const form = a.form as SignUpForm;
        if (form.email_address === 'taken@example.com') {
          throw { code: 'other', message: 'That email address is taken. Please try another.', field: 'email_address' } satisfies CommandError;
        }
        if (form.username === 'ghost') {
          throw { code: 'other', message: 'That username is taken.', field: 'username' } satisfies CommandError;
        }
        const strategy = options.link ? 'email_link' : 'email_code';
        return { status: 'needs_verification', sign_up_id: 'sua_1', strategy, to: form.email_address ?? '' };
      },
      verify_sign_up: (a): SignUpStep => {
        if (a.code !== '123456') throw { code: 'form_code_incorrect', message: 'Incorrect code. Try again.', field: 'code' } satisfies CommandError;
        return { status: 'complete', user: grace };
      },
      check_sign_up: (): SignUpStep =>
        linkOpened
          ? { status: 'complete', user: grace }
          : { status: 'needs_verification', sign_up_id: 'sua_1', strategy: 'email_link', to: 'grace@example.com' },
      dev_outbox: () => [
        {
          id: 'm1',
          to: 'grace@example.com',
          channel: 'email',
          code: options.link ? null : '123456',
          link: options.link ? 'http://127.0.0.1:1/v1/verify?token=t' : null,
          sent_at: Date.now(),
          subject: 'Verify',
          body: '',
        },
      ],
      open_legal_document: () => null,
    },
  });
  const ue = userEvent.setup();
  render(App);
  await ue.click(await screen.findByTestId('signup-link'));
  await screen.findByRole('heading', { level: 1, name: 'Create your account' });
  await screen.findByTestId('signup-submit');
  return { calls, ue, openLink: () => (linkOpened = true) };
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

const sent = (calls: ReturnType<typeof fakeBackend>) => actions(calls).filter((c) => c.cmd !== 'sign_up_options');

describe('creating an account', () => {
  it('shows the instance’s fields, optional ones marked, and asks for the required ones before sending', async () => {
    const { calls, ue } = await toSignUp();
    expect(screen.getByLabelText('Email address')).toBeVisible();
    expect(screen.getByLabelText('Phone number (optional)')).toBeVisible();
    expect(screen.getByLabelText('Username (optional)')).toBeVisible();
    expect(screen.queryByTestId('signup-legal')).not.toBeInTheDocument();

    await ue.click(screen.getByTestId('signup-submit'));
    expect(screen.getByTestId('signup-email-error')).toHaveTextContent('Enter your email address.');
    expect(screen.getByTestId('signup-password-error')).toHaveTextContent('Choose a password.');
    expect(sent(calls)).toEqual([]);
  });

  it('asks for a required username and the legal terms, and opens the terms', async () => {
    const instance: SignUpOptions = {
      ...DEFAULT,
      username: 'required',
      first_name: 'off',
      legal_consent: { terms_url: 'https://example.com/terms', privacy_policy_url: 'https://example.com/privacy' },
    };
    const { calls, ue } = await toSignUp({ instance });
    expect(screen.queryByTestId('signup-first-name')).not.toBeInTheDocument();
    await ue.type(screen.getByTestId('signup-email'), 'grace@example.com');
    await ue.type(screen.getByTestId('signup-password'), 'a-long-password');
    await ue.click(screen.getByTestId('signup-submit'));
    expect(screen.getByTestId('signup-username-error')).toHaveTextContent('Choose a username.');
    expect(screen.getByTestId('signup-legal-error')).toHaveTextContent('Accept the terms');
    expect(sent(calls)).toEqual([]);

    await ue.click(screen.getByTestId('signup-terms'));
    expect(actions(calls).at(-1)).toEqual({ cmd: 'open_legal_document', args: { document: 'terms' } });
    await ue.type(screen.getByTestId('signup-username'), 'ghost');
    await ue.click(screen.getByTestId('signup-legal'));
    await ue.click(screen.getByTestId('signup-submit'));
    // The server's refusal shows beside its field.
    expect(await screen.findByTestId('signup-username-error')).toHaveTextContent('That username is taken.');
    const form = actions(calls).at(-1)!.args.form as SignUpForm;
    expect(form).toMatchObject({ username: 'ghost', legal_accepted: true, first_name: null });
  });

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
    expect(sent(calls)).toEqual([]);
  });

  it('sends the form with the metadata object, then signs in with the emailed code', async () => {
    const { calls, ue } = await toSignUp();

    await fill(ue, 'grace@example.com', '{ "referral": "newsletter" }');
    await ue.click(screen.getByTestId('signup-submit'));

    const code = await screen.findByTestId('signup-code-input');
    expect(sent(calls)).toEqual([
      {
        cmd: 'start_sign_up',
        args: {
          form: {
            email_address: 'grace@example.com',
            phone_number: null,
            username: null,
            password: 'a-long-password',
            first_name: 'Grace',
            last_name: 'Hopper',
            unsafe_metadata: { referral: 'newsletter' },
            legal_accepted: false,
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
    expect(actions(calls).at(-1)).toEqual({
      cmd: 'verify_sign_up',
      args: { signUpId: 'sua_1', strategy: 'email_code', code: '123456' },
    });
  });

  it('shows a taken address at its field', async () => {
    const { ue } = await toSignUp();
    await fill(ue, 'taken@example.com', '');
    await ue.click(screen.getByTestId('signup-submit'));
    expect(await screen.findByTestId('signup-email-error')).toHaveTextContent('That email address is taken.');
  });

  it('shows the emailed code from the development outbox', async () => {
    const { ue } = await toSignUp({ outbox: true });

    await fill(ue, 'grace@example.com', '');
    await ue.click(screen.getByTestId('signup-submit'));

    expect(await screen.findByTestId('signup-outbox-code')).toHaveTextContent('123456');
    await ue.click(screen.getByTestId('signup-outbox-use'));
    expect(await screen.findByTestId('sidebar-name')).toBeVisible();
  });

  it('waits for an email link to be opened, then signs in', async () => {
    const { ue, openLink } = await toSignUp({ outbox: true, link: true });
    await fill(ue, 'grace@example.com', '');
    await ue.click(screen.getByTestId('signup-submit'));

    expect(await screen.findByTestId('signup-link-wait')).toBeVisible();
    expect(await screen.findByTestId('signup-outbox-link')).toHaveTextContent('/v1/verify?token=t');
    openLink();
    expect(await screen.findByTestId('sidebar-name', {}, { timeout: 4000 })).toBeVisible();
  });

  it('goes back to sign-in', async () => {
    const { ue } = await toSignUp();
    await ue.click(screen.getByTestId('signup-back'));
    await waitFor(() => expect(screen.getByTestId('signin-submit')).toBeVisible());
  });
});
