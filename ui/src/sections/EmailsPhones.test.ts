import { act, render, screen, waitFor, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import App from '../App.svelte';
import type { OutboxMessage } from '$lib/api';
import type { AppInfo, User } from '$lib/bindings';
import { accountBackend, actions, email, fakeBackend, makeAppInfo, makeUser, phone } from '../test-support';

type Options = Parameters<typeof accountBackend>[1] & { timers?: boolean };

async function open(user: User, options: Options = {}) {
  const { calls, fake } = accountBackend(user, options);
  const ue = userEvent.setup(options.timers ? { advanceTimers: vi.advanceTimersByTime } : {});
  render(App);
  await ue.click(await screen.findByTestId('nav-emails'));
  await screen.findByRole('heading', { level: 1, name: 'Emails & phones' });
  return { calls, fake, ue };
}

const card = (address: string) => {
  const found = screen.getAllByTestId('email-card').find((c) => c.dataset.email === address);
  if (!found) throw new Error(`no card for ${address}`);
  return found;
};
const phoneCard = (e164: string) => {
  const found = screen.getAllByTestId('phone-card').find((c) => c.dataset.phone === e164);
  if (!found) throw new Error(`no card for ${e164}`);
  return found;
};
const digits = (container: HTMLElement) =>
  Array.from({ length: 6 }, (_, i) => within(container).getByTestId(`code-digit-${i}`) as HTMLInputElement);
const boxValues = (container: HTMLElement) => digits(container).map((d) => d.value).join('');

/** A user with a primary address and one more, unverified, whose code is out. */
const withPending = () =>
  makeUser({
    email_addresses: [email('idn_1', 'grace@example.com', 'verified'), email('idn_2', 'new@example.com', 'unverified')],
  });

async function addAddress(ue: ReturnType<typeof userEvent.setup>, address: string) {
  await ue.type(screen.getByTestId('email-add-input'), address);
  await ue.click(screen.getByTestId('email-add-submit'));
  await waitFor(() => expect(card(address)).toBeInTheDocument());
  return card(address);
}

afterEach(() => {
  vi.useRealTimers();
});

describe('email addresses', () => {
  it('shows every address with its state, and empty phones with what to do', async () => {
    await open(
      makeUser({
        email_addresses: [
          email('idn_1', 'grace@example.com', 'verified'),
          email('idn_2', 'navy@example.mil', 'verified'),
          email('idn_3', 'new@example.com', 'unverified'),
          email('idn_4', 'late@example.com', 'expired'),
          email('idn_5', 'wrong@example.com', 'failed'),
          email('idn_6', 'never@example.com', null),
        ],
      }),
    );

    expect(screen.getAllByTestId('email-card').map((c) => c.dataset.email)).toEqual([
      'grace@example.com',
      'navy@example.mil',
      'new@example.com',
      'late@example.com',
      'wrong@example.com',
      'never@example.com',
    ]);
    const grace = card('grace@example.com');
    expect(within(grace).getByTestId('email-badge-primary')).toHaveTextContent('Primary');
    expect(within(grace).getByTestId('email-badge-verified')).toHaveTextContent('Verified');
    expect(within(card('navy@example.mil')).queryByTestId('email-badge-primary')).not.toBeInTheDocument();
    expect(within(card('new@example.com')).getByTestId('email-badge-unverified')).toHaveTextContent('Unverified');
    expect(within(card('late@example.com')).getByTestId('email-badge-expired')).toHaveTextContent('Expired');
    expect(within(card('wrong@example.com')).getByTestId('email-badge-failed')).toHaveTextContent('Failed');
    expect(within(card('never@example.com')).getByTestId('email-badge-unverified')).toBeVisible();
    // An expired or failed code offers a new one; one never sent offers to send it.
    expect(within(card('late@example.com')).getByTestId('email-new-code')).toBeVisible();
    expect(within(card('wrong@example.com')).getByTestId('email-new-code')).toBeVisible();
    expect(within(card('never@example.com')).getByTestId('email-send-code')).toBeVisible();
    expect(within(card('new@example.com')).getByTestId('email-code-input')).toBeVisible();
    expect(screen.getByTestId('phones-empty')).toHaveTextContent(
      'No phone numbers yet — add one to use it for sign-in or two-step verification',
    );
  });

  it('checks the syntax before asking the server', async () => {
    const { calls, ue } = await open(makeUser());

    await ue.type(screen.getByTestId('email-add-input'), 'grace@nowhere');
    await ue.click(screen.getByTestId('email-add-submit'));

    expect(screen.getByTestId('email-add-error')).toHaveTextContent('Enter an email address like name@example.com.');
    expect(screen.getByTestId('email-add-input')).toHaveAttribute('aria-invalid', 'true');
    expect(actions(calls)).toEqual([]);
  });

  it('adds an address, sends it a code, and shows the six boxes', async () => {
    const { calls, ue } = await open(makeUser());

    const added = await addAddress(ue, 'new@example.com');

    expect(actions(calls)).toEqual([
      { cmd: 'create_email_address', args: { emailAddress: 'new@example.com' } },
      { cmd: 'prepare_email_verification', args: { id: 'idn_100', strategy: 'email_code' } },
    ]);
    expect(await within(added).findByTestId('email-code-input')).toBeVisible();
    expect(within(added).getByTestId('email-badge-unverified')).toBeVisible();
    expect(screen.getByTestId('toast')).toHaveTextContent('We sent a code to new@example.com');
    expect(screen.getByTestId('email-add-input')).toHaveValue('');
    // The user was read again after the change.
    expect(calls.filter((c) => c.cmd === 'current_user').length).toBeGreaterThan(1);
  });

  it('shows the server’s refusal of an address at the field', async () => {
    const { ue } = await open(makeUser(), {
      handlers: {
        create_email_address: () => {
          throw { code: 'form_identifier_exists', message: 'That email address is taken. Please try another.', field: 'email_address' };
        },
      },
    });

    await ue.type(screen.getByTestId('email-add-input'), 'grace@example.com');
    await ue.click(screen.getByTestId('email-add-submit'));

    expect(await screen.findByTestId('email-add-error')).toHaveTextContent('That email address is taken. Please try another.');
    expect(screen.getAllByTestId('email-card')).toHaveLength(1);
  });

  it('takes a pasted code in all six boxes and submits it by itself', async () => {
    const { calls, ue } = await open(withPending());

    const pending = card('new@example.com');
    await ue.click(digits(pending)[0]!);
    await ue.paste('123456');

    await waitFor(() =>
      expect(actions(calls)).toEqual([{ cmd: 'attempt_email_verification', args: { id: 'idn_2', code: '123456' } }]),
    );
    expect(await within(card('new@example.com')).findByTestId('email-badge-verified')).toBeVisible();
    expect(within(card('new@example.com')).queryByTestId('email-code-input')).not.toBeInTheDocument();
    expect(screen.getByTestId('toast')).toHaveTextContent('new@example.com is verified');
  });

  it('moves on as digits are typed and back with Backspace', async () => {
    const { calls, ue } = await open(withPending());
    const boxes = digits(card('new@example.com'));

    await ue.click(boxes[0]!);
    await ue.keyboard('12x3');
    expect(boxValues(card('new@example.com'))).toBe('123');
    expect(boxes[3]).toHaveFocus();

    await ue.keyboard('{Backspace}');
    expect(boxes[2]).toHaveFocus();
    expect(boxValues(card('new@example.com'))).toBe('12');
    await ue.keyboard('{Backspace}');
    expect(boxes[1]).toHaveFocus();
    expect(boxValues(card('new@example.com'))).toBe('1');
    expect(actions(calls)).toEqual([]);
    expect(screen.getByTestId('email-verify-submit')).toBeDisabled();
  });

  it('shows a wrong code’s message at the code and empties the boxes', async () => {
    const { ue } = await open(withPending(), {
      handlers: {
        attempt_email_verification: () => {
          throw { code: 'form_code_incorrect', message: 'Incorrect code. 2 attempts left.', field: 'code' };
        },
      },
    });

    await ue.click(digits(card('new@example.com'))[0]!);
    await ue.keyboard('111111');

    const error = await within(card('new@example.com')).findByTestId('email-code-error');
    expect(error).toHaveTextContent('Incorrect code. 2 attempts left.');
    expect(error).toHaveAttribute('role', 'alert');
    expect(boxValues(card('new@example.com'))).toBe('');
    expect(digits(card('new@example.com'))[0]).toHaveAttribute('aria-invalid', 'true');
  });

  it('offers a new code after too many attempts, and sends one', async () => {
    const { calls, ue } = await open(withPending(), {
      handlers: {
        attempt_email_verification: () => {
          throw { code: 'verification_failed', message: 'Too many failed attempts. Send a new code.', field: 'code' };
        },
      },
    });

    await ue.click(digits(card('new@example.com'))[0]!);
    await ue.paste('999999');

    const pending = card('new@example.com');
    expect(await within(pending).findByText('Too many failed attempts. Send a new code.')).toBeVisible();
    expect(within(pending).queryByTestId('email-code-input')).not.toBeInTheDocument();
    await ue.click(within(pending).getByTestId('email-new-code'));

    expect(await within(card('new@example.com')).findByTestId('email-code-input')).toBeVisible();
    expect(actions(calls).map((c) => [c.cmd, c.args])).toEqual([
      ['attempt_email_verification', { id: 'idn_2', code: '999999' }],
      ['prepare_email_verification', { id: 'idn_2', strategy: 'email_code' }],
    ]);
  });

  it('counts down 30 seconds before a code can be sent again', async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    const { calls, ue } = await open(makeUser(), { timers: true });

    const added = await addAddress(ue, 'new@example.com');
    const resend = await within(added).findByTestId('email-resend');
    expect(resend).toBeDisabled();
    expect(resend).toHaveTextContent(/Resend code in 0:(30|29)/);

    await act(() => vi.advanceTimersByTime(10_000));
    expect(resend).toHaveTextContent(/in 0:(20|19)/);
    expect(resend).toBeDisabled();

    await act(() => vi.advanceTimersByTime(21_000));
    expect(resend).toBeEnabled();
    expect(resend).toHaveTextContent(/^Resend code$/);

    await ue.click(resend);
    await waitFor(() => expect(within(card('new@example.com')).getByTestId('email-resend')).toBeDisabled());
    expect(within(card('new@example.com')).getByTestId('email-resend')).toHaveTextContent(/in 0:(30|29)/);
    expect(actions(calls).filter((c) => c.cmd === 'prepare_email_verification')).toHaveLength(2);
  });

  it('shows a refused resend at the code and waits as long as the server says', async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    const { ue } = await open(withPending(), {
      timers: true,
      handlers: {
        prepare_email_verification: () => {
          throw { code: 'too_many_requests', message: 'Too many requests. Try again in 12 seconds.', field: null };
        },
      },
    });

    const pending = card('new@example.com');
    await ue.click(within(pending).getByTestId('email-resend'));

    expect(await within(pending).findByTestId('email-code-error')).toHaveTextContent(
      'Too many requests. Try again in 12 seconds.',
    );
    expect(within(pending).getByTestId('email-resend')).toBeDisabled();
    expect(within(pending).getByTestId('email-resend')).toHaveTextContent(/in 0:1[12]/);
    await act(() => vi.advanceTimersByTime(13_000));
    expect(within(pending).getByTestId('email-resend')).toBeEnabled();
  });

  it('sends a link when asked, and checks it after it was opened', async () => {
    const { calls, fake, ue } = await open(makeUser());

    await ue.type(screen.getByTestId('email-add-input'), 'link@example.com');
    await ue.click(screen.getByTestId('email-strategy-link'));
    await ue.click(screen.getByTestId('email-add-submit'));

    const added = await waitFor(() => card('link@example.com'));
    expect(await within(added).findByText(/open it, then come back/)).toHaveTextContent(
      'We sent a link to link@example.com — open it, then come back.',
    );
    expect(actions(calls)[1]).toEqual({
      cmd: 'prepare_email_verification',
      args: { id: 'idn_100', strategy: 'email_link' },
    });

    await ue.click(within(added).getByTestId('email-link-check'));
    expect(await within(card('link@example.com')).findByTestId('email-code-error')).toHaveTextContent(
      'Not verified yet. Open the link in the email, then try again.',
    );

    fake.openLink('idn_100');
    await ue.click(within(card('link@example.com')).getByTestId('email-link-check'));
    expect(await within(card('link@example.com')).findByTestId('email-badge-verified')).toBeVisible();
  });

  it('offers Make primary only for verified addresses and sends the new primary', async () => {
    const { calls, ue } = await open(
      makeUser({
        email_addresses: [
          email('idn_1', 'grace@example.com', 'verified'),
          email('idn_2', 'navy@example.mil', 'verified'),
          email('idn_3', 'new@example.com', 'unverified'),
        ],
      }),
    );

    expect(within(card('grace@example.com')).queryByTestId('email-make-primary')).not.toBeInTheDocument();
    expect(within(card('new@example.com')).queryByTestId('email-make-primary')).not.toBeInTheDocument();
    await ue.click(within(card('navy@example.mil')).getByTestId('email-make-primary'));

    await waitFor(() => expect(within(card('navy@example.mil')).getByTestId('email-badge-primary')).toBeVisible());
    expect(actions(calls)).toEqual([{ cmd: 'update_profile', args: { params: { primary_email_address_id: 'idn_2' } } }]);
    expect(within(card('grace@example.com')).queryByTestId('email-badge-primary')).not.toBeInTheDocument();
    expect(screen.getByTestId('sidebar-email')).toHaveTextContent('navy@example.mil');
    expect(screen.getByTestId('toast')).toHaveTextContent('navy@example.mil is now your primary email address');
  });

  it('asks before removing, naming the address, and removes only after the yes', async () => {
    const { calls, ue } = await open(
      makeUser({
        email_addresses: [email('idn_1', 'grace@example.com', 'verified'), email('idn_2', 'navy@example.mil', 'verified')],
      }),
    );

    await ue.click(within(card('navy@example.mil')).getByTestId('email-menu'));
    await ue.click(within(card('navy@example.mil')).getByTestId('email-remove'));
    const dialog = screen.getByRole('alertdialog');
    expect(dialog).toHaveTextContent('Remove navy@example.mil?');
    await ue.keyboard('{Escape}');
    expect(screen.queryByRole('alertdialog')).not.toBeInTheDocument();
    expect(actions(calls)).toEqual([]);

    await ue.click(within(card('navy@example.mil')).getByTestId('email-menu'));
    await ue.click(within(card('navy@example.mil')).getByTestId('email-remove'));
    await ue.click(screen.getByTestId('confirm-accept'));

    await waitFor(() => expect(screen.getAllByTestId('email-card')).toHaveLength(1));
    expect(actions(calls)).toEqual([{ cmd: 'destroy_email_address', args: { id: 'idn_2' } }]);
    expect(screen.getByTestId('toast')).toHaveTextContent('navy@example.mil removed');
  });

  it('does not remove the primary address, and says why', async () => {
    const { calls, ue } = await open(
      makeUser({
        email_addresses: [email('idn_1', 'grace@example.com', 'verified'), email('idn_2', 'navy@example.mil', 'verified')],
      }),
    );

    await ue.click(within(card('grace@example.com')).getByTestId('email-menu'));
    const remove = within(card('grace@example.com')).getByTestId('email-remove');
    expect(remove).toHaveAttribute('aria-disabled', 'true');
    expect(remove).toHaveTextContent('Your primary address can’t be removed');
    await ue.click(remove);

    expect(screen.queryByRole('alertdialog')).not.toBeInTheDocument();
    expect(actions(calls)).toEqual([]);
  });

  it('shows a failed removal at the card', async () => {
    const { ue } = await open(
      makeUser({
        email_addresses: [email('idn_1', 'grace@example.com', 'verified'), email('idn_2', 'navy@example.mil', 'verified')],
      }),
      {
        handlers: {
          destroy_email_address: () => {
            throw { code: 'network', message: 'The server did not answer.', field: null };
          },
        },
      },
    );

    await ue.click(within(card('navy@example.mil')).getByTestId('email-menu'));
    await ue.click(within(card('navy@example.mil')).getByTestId('email-remove'));
    await ue.click(screen.getByTestId('confirm-accept'));

    expect(await within(card('navy@example.mil')).findByTestId('email-card-error')).toHaveTextContent(
      'The server did not answer.',
    );
  });
});

describe('getting there', () => {
  it('opens from the primary email card of the profile', async () => {
    fakeBackend({ signedIn: makeUser() });
    const ue = userEvent.setup();
    render(App);

    await ue.click(await screen.findByTestId('manage-emails'));

    expect(screen.getByRole('heading', { level: 1, name: 'Emails & phones' })).toBeVisible();
    expect(screen.getByTestId('nav-emails')).toHaveAttribute('aria-current', 'page');
  });
});

describe('phone numbers', () => {
  it('formats a number as it is typed, names its country and sends it in E.164', async () => {
    const { calls, ue } = await open(makeUser());

    const input = screen.getByTestId('phone-add-input');
    await ue.type(input, '2015550123');

    expect(input).toHaveValue('(201) 555-0123');
    expect(screen.getByTestId('phone-country')).toHaveTextContent('🇺🇸 United States');
    await ue.click(screen.getByTestId('phone-add-submit'));

    await waitFor(() => expect(phoneCard('+12015550123')).toBeInTheDocument());
    expect(actions(calls)).toEqual([
      { cmd: 'create_phone_number', args: { phoneNumber: '+12015550123' } },
      { cmd: 'prepare_phone_verification', args: { id: 'idn_100' } },
    ]);
    expect(await within(phoneCard('+12015550123')).findByTestId('phone-code-input')).toBeVisible();
    expect(phoneCard('+12015550123')).toHaveTextContent('+1 201 555 0123');
  });

  it('follows a country code that is typed, and refuses a number too short', async () => {
    const { calls, ue } = await open(makeUser());

    const input = screen.getByTestId('phone-add-input');
    await ue.type(input, '+442079460958');
    expect(input).toHaveValue('+44 20 7946 0958');
    expect(screen.getByTestId('phone-country')).toHaveTextContent('🇬🇧 United Kingdom');
    expect(screen.getByTestId('phone-country-select')).toHaveValue('GB');

    await ue.clear(input);
    await ue.type(input, '20794');
    await ue.click(screen.getByTestId('phone-add-submit'));
    expect(screen.getByTestId('phone-add-error')).toHaveTextContent('doesn’t look like a United Kingdom number');
    expect(actions(calls)).toEqual([]);
  });

  it('verifies a number with the code texted to it', async () => {
    const { calls, ue } = await open(makeUser({ phone_numbers: [phone('idn_7', '+12015550123', 'unverified')] }));

    await ue.click(digits(phoneCard('+12015550123'))[0]!);
    await ue.paste('654321');

    expect(await within(phoneCard('+12015550123')).findByTestId('phone-badge-verified')).toBeVisible();
    expect(actions(calls)).toEqual([{ cmd: 'attempt_phone_verification', args: { id: 'idn_7', code: '654321' } }]);
  });

  it('offers two-step verification only for verified numbers, then making it the default', async () => {
    const { calls, ue } = await open(
      makeUser({
        phone_numbers: [
          phone('idn_7', '+12015550123', 'verified'),
          phone('idn_8', '+12015550199', 'verified', { reserved_for_second_factor: true, default_second_factor: true }),
          phone('idn_9', '+14155550142', 'unverified'),
        ],
      }),
    );

    const unverified = phoneCard('+14155550142');
    expect(within(unverified).queryByTestId('phone-reserve-2fa')).not.toBeInTheDocument();
    await ue.click(within(unverified).getByTestId('phone-menu'));
    expect(within(unverified).queryByTestId('phone-reserve-2fa')).not.toBeInTheDocument();
    expect(within(unverified).queryByTestId('phone-make-primary')).not.toBeInTheDocument();
    await ue.keyboard('{Escape}');
    expect(within(phoneCard('+12015550199')).getByTestId('phone-badge-default-2fa')).toHaveTextContent('Default 2FA');

    await ue.click(within(phoneCard('+12015550123')).getByTestId('phone-reserve-2fa'));

    const reserved = phoneCard('+12015550123');
    expect(await within(reserved).findByTestId('phone-badge-2fa')).toHaveTextContent('2FA');
    expect(within(reserved).getByTestId('phone-backup-codes')).toHaveTextContent('Save these backup codes');
    await ue.click(within(reserved).getByTestId('phone-default-2fa'));

    await waitFor(() => expect(within(phoneCard('+12015550123')).getByTestId('phone-badge-default-2fa')).toBeVisible());
    expect(within(phoneCard('+12015550199')).getByTestId('phone-badge-2fa')).toBeVisible();
    expect(actions(calls)).toEqual([
      { cmd: 'set_reserved_for_second_factor', args: { id: 'idn_7', reserved: true } },
      { cmd: 'make_default_second_factor', args: { id: 'idn_7' } },
    ]);
  });

  it('makes a verified number primary from its menu', async () => {
    const { calls, ue } = await open(makeUser({ phone_numbers: [phone('idn_7', '+12015550123', 'verified')] }));

    await ue.click(within(phoneCard('+12015550123')).getByTestId('phone-menu'));
    await ue.click(within(phoneCard('+12015550123')).getByTestId('phone-make-primary'));

    expect(await within(phoneCard('+12015550123')).findByTestId('phone-badge-primary')).toBeVisible();
    expect(actions(calls)).toEqual([{ cmd: 'update_profile', args: { params: { primary_phone_number_id: 'idn_7' } } }]);
  });
});

describe('development outbox', () => {
  const devInfo = (): AppInfo => makeAppInfo({ dev_outbox: true });
  const message = (over: Partial<OutboxMessage>): OutboxMessage => ({
    id: 'msg_1',
    to: 'new@example.com',
    channel: 'email',
    code: '123456',
    link: null,
    sent_at: Date.now() - 30_000,
    subject: '123456 is your verification code',
    body: 'Your verification code is 123456.',
    ...over,
  });

  it('is not there for other instances, and is never asked for', async () => {
    const { calls } = await open(withPending());

    expect(screen.queryByTestId('outbox-panel')).not.toBeInTheDocument();
    expect(screen.queryByTestId('outbox-open')).not.toBeInTheDocument();
    expect(calls.filter((c) => c.cmd === 'dev_outbox')).toEqual([]);
  });

  it('lists the latest messages with their codes, and refreshes on demand', async () => {
    const { calls, fake, ue } = await open(withPending(), { info: devInfo() });
    fake.outbox = [
      message({ id: 'msg_2', to: '+12015550123', channel: 'sms', code: '777777', subject: '777777 is your code' }),
      message({ id: 'msg_1', code: null, link: 'http://127.0.0.1:40000/v1/verify?token=t', subject: 'Verify your email' }),
    ];

    const panel = await screen.findByTestId('outbox-panel');
    expect(panel).toHaveTextContent('records the mail and text messages');
    await ue.click(within(panel).getByTestId('outbox-refresh'));

    await waitFor(() => expect(within(panel).getAllByTestId('outbox-message')).toHaveLength(2));
    const [sms, mail] = within(panel).getAllByTestId('outbox-message');
    expect(sms).toHaveAttribute('data-to', '+12015550123');
    expect(within(sms!).getByTestId('outbox-code')).toHaveTextContent('777777');
    expect(sms).toHaveTextContent('SMS');
    expect(mail).toHaveAttribute('data-to', 'new@example.com');
    expect(within(mail!).getByTestId('outbox-link')).toHaveTextContent('http://127.0.0.1:40000/v1/verify?token=t');
    expect(mail).toHaveTextContent('30 s ago');
    expect(calls.filter((c) => c.cmd === 'dev_outbox').length).toBeGreaterThanOrEqual(2);
    expect(calls.find((c) => c.cmd === 'dev_outbox')?.args).toEqual({ limit: 20 });
  });

  it('puts a code into the verification waiting for it, which then submits', async () => {
    let release: () => void = () => undefined;
    const { calls, fake, ue } = await open(withPending(), {
      info: devInfo(),
      handlers: {
        // Held until the boxes were looked at.
        attempt_email_verification: (args) =>
          new Promise((resolve) => {
            release = () => resolve(fake.verify('email', String(args.id)));
          }),
      },
    });
    fake.outbox = [message({ code: '246810', subject: '246810 is your verification code' })];

    const panel = await screen.findByTestId('outbox-panel');
    await ue.click(within(panel).getByTestId('outbox-refresh'));
    await waitFor(() => expect(within(panel).getByTestId('outbox-code')).toHaveTextContent('246810'));
    await ue.click(within(panel).getByTestId('outbox-use-code'));

    expect(boxValues(card('new@example.com'))).toBe('246810');
    await waitFor(() =>
      expect(actions(calls)).toEqual([{ cmd: 'attempt_email_verification', args: { id: 'idn_2', code: '246810' } }]),
    );
    release();
    expect(await within(card('new@example.com')).findByTestId('email-badge-verified')).toBeVisible();
    // Verified: nothing waits for that code any more.
    expect(within(panel).queryByTestId('outbox-use-code')).not.toBeInTheDocument();
  });

  it('shows the code of a new address as soon as it was sent', async () => {
    const { ue } = await open(makeUser(), { info: devInfo() });

    await addAddress(ue, 'new@example.com');

    const panel = screen.getByTestId('outbox-panel');
    await waitFor(() => expect(within(panel).getByTestId('outbox-message')).toHaveAttribute('data-to', 'new@example.com'));
    expect(within(panel).getByTestId('outbox-code')).toHaveTextContent('123456');
    expect(within(panel).getByTestId('outbox-use-code')).toBeVisible();
  });
});

describe('code boxes', () => {
  it('replaces a digit typed over, and moves with the arrow keys', async () => {
    const { calls, ue } = await open(withPending());
    const boxes = digits(card('new@example.com'));

    await ue.click(boxes[0]!);
    await ue.keyboard('123');
    await ue.keyboard('{ArrowLeft}{ArrowLeft}');
    expect(boxes[1]).toHaveFocus();
    // The focused box's digit is selected, so typing replaces it; even when it was not selected.
    boxes[1]!.setSelectionRange(1, 1);
    await ue.keyboard('7');
    expect(boxValues(card('new@example.com'))).toBe('173');
    expect(boxes[2]).toHaveFocus();
    await ue.keyboard('{ArrowRight}');
    expect(boxes[3]).toHaveFocus();
    expect(actions(calls)).toEqual([]);
  });
});
