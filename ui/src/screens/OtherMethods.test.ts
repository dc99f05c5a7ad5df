import { render, screen } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import App from '../App.svelte';
import type { SignInMethod } from '$lib/bindings';
import { actions, fakeBackend } from '../test-support';

/** What the started sign-in offers this account: its password, a code to each address, a link. */
const METHODS: SignInMethod[] = [
  { strategy: 'password', safe_identifier: null, target_id: null },
  { strategy: 'email_code', safe_identifier: 'gr•••@example.com', target_id: 'idn_email' },
  { strategy: 'phone_code', safe_identifier: '+1 ••• ••• 0142', target_id: 'idn_phone' },
  { strategy: 'email_link', safe_identifier: 'gr•••@example.com', target_id: 'idn_email' },
];

function instance() {
  return fakeBackend({
    handlers: {
      start_code_sign_in: () => ({ sign_in_id: 'sia_1', sent_to: 'gr•••@example.com', by_sms: false }),
      sign_in_methods: () => METHODS,
      use_sign_in_code: (a) => ({ sign_in_id: String(a.signInId), sent_to: (a.method as SignInMethod).safe_identifier, by_sms: true }),
      use_sign_in_link: (a) => ({ sign_in_id: String(a.signInId), sent_to: (a.method as SignInMethod).safe_identifier }),
      check_link_sign_in: () => ({ status: 'waiting' }),
    },
  });
}

async function onCodeScreen() {
  const calls = instance();
  const ue = userEvent.setup();
  render(App);
  await ue.type(await screen.findByTestId('signin-identifier'), 'grace@example.com');
  await ue.click(screen.getByTestId('signin-with-code'));
  await screen.findByText('gr•••@example.com');
  await ue.click(screen.getByTestId('other-methods'));
  await screen.findByTestId('other-methods-list');
  return { calls, ue };
}

describe('use another method', () => {
  it('lists what the sign-in offers, but the code already on its way', async () => {
    await onCodeScreen();
    const offered = screen.getAllByRole('button').map((b) => b.textContent?.trim()).filter((t) => t?.match(/^(Use|Email|Text)/));
    expect(offered).toEqual([
      'Use your password',
      'Text a code to +1 ••• ••• 0142',
      'Email a sign-in link to gr•••@example.com',
    ]);
  });

  it('texts the code instead, for the same sign-in', async () => {
    const { calls, ue } = await onCodeScreen();
    await ue.click(screen.getByTestId('other-method-phone_code'));
    expect(await screen.findByText('+1 ••• ••• 0142')).toBeVisible();
    expect(screen.getByText(/texted/)).toBeVisible();
    expect(actions(calls).at(-1)).toEqual({ cmd: 'use_sign_in_code', args: { signInId: 'sia_1', method: METHODS[2] } });
    expect(screen.queryByTestId('other-methods-list')).toBeNull();
  });

  it('emails a link instead and waits for it on the link screen', async () => {
    const { calls, ue } = await onCodeScreen();
    await ue.click(screen.getByTestId('other-method-email_link'));
    expect(await screen.findByRole('heading', { level: 1, name: 'Check your email' })).toBeVisible();
    expect(screen.getByTestId('link-signin-waiting')).toBeVisible();
    expect(actions(calls).at(-1)).toEqual({ cmd: 'use_sign_in_link', args: { signInId: 'sia_1', method: METHODS[3] } });
    expect(actions(calls).some((c) => c.cmd === 'start_link_sign_in')).toBe(false);
  });

  it('goes back to the form for the password, the identifier kept', async () => {
    const { ue } = await onCodeScreen();
    await ue.click(screen.getByTestId('other-method-password'));
    expect(await screen.findByTestId('signin-identifier')).toHaveValue('grace@example.com');
  });
});
