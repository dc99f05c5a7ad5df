import { act, render, screen, waitFor } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import App from '../App.svelte';
import type { LinkSignInState, SignInOptions } from '$lib/bindings';
import { actions, fakeBackend, makeUser } from '../test-support';

const grace = makeUser();
const OPTIONS: SignInOptions = { password: true, code: true, link: true, reset_password: true, username: true, phone_number: false, passkey: false };

/** A signed-out app whose instance emails sign-in links; `state` is what reading the sign-in says. */
function instance(state: () => LinkSignInState, options: SignInOptions = OPTIONS) {
  return fakeBackend({
    handlers: {
      sign_in_options: () => options,
      start_link_sign_in: () => ({ sign_in_id: 'sia_1', sent_to: 'grace@example.com' }),
      resend_sign_in_link: () => null,
      check_link_sign_in: () => state(),
    },
  });
}

const reads = (calls: { cmd: string }[]) => calls.filter((c) => c.cmd === 'check_link_sign_in').length;

async function startLink() {
  const ue = userEvent.setup({ advanceTimers: vi.advanceTimersByTime });
  render(App);
  await ue.type(await screen.findByTestId('signin-identifier'), 'grace@example.com');
  await ue.click(await screen.findByTestId('signin-with-link'));
  expect(await screen.findByRole('heading', { level: 1, name: 'Check your email' })).toBeVisible();
  return ue;
}

afterEach(() => {
  vi.useRealTimers();
});

describe('signing in with an emailed link', () => {
  it('says where the link went, and signs in by itself once it was opened', async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    let opened = false;
    const calls = instance(() => (opened ? { status: 'complete', user: grace } : { status: 'waiting' }));
    await startLink();
    expect(screen.getByText('grace@example.com')).toBeVisible();
    expect(actions(calls)[0]).toEqual({ cmd: 'start_link_sign_in', args: { identifier: 'grace@example.com' } });
    expect(screen.getByTestId('link-signin-waiting')).toBeVisible();

    await act(() => vi.advanceTimersByTimeAsync(3_100));
    expect(reads(calls)).toBe(1);
    expect(screen.getByTestId('link-signin-waiting')).toBeVisible();

    opened = true;
    await act(() => vi.advanceTimersByTimeAsync(3_100));
    expect(await screen.findByTestId('sidebar-name')).toHaveTextContent('Grace Hopper');
    const after = reads(calls);
    await act(() => vi.advanceTimersByTimeAsync(10_000));
    expect(reads(calls)).toBe(after);
  });

  it('stops reading the sign-in once the screen is left', async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    const calls = instance(() => ({ status: 'waiting' }));
    const ue = await startLink();
    await act(() => vi.advanceTimersByTimeAsync(6_200));
    expect(reads(calls)).toBe(2);

    await ue.click(screen.getByTestId('link-signin-back'));
    expect(await screen.findByTestId('signin-identifier')).toBeVisible();
    await act(() => vi.advanceTimersByTimeAsync(30_000));
    expect(reads(calls)).toBe(2);
  });

  it('tells when the link expired, and a new one is waited for again', async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    let state: LinkSignInState = { status: 'expired' };
    const calls = instance(() => state);
    const ue = await startLink();
    await act(() => vi.advanceTimersByTimeAsync(3_100));
    expect(await screen.findByTestId('link-signin-expired')).toHaveTextContent('This link has expired');
    await act(() => vi.advanceTimersByTimeAsync(9_000));
    expect(reads(calls)).toBe(1);

    state = { status: 'waiting' };
    await ue.click(screen.getByTestId('link-signin-resend'));
    await waitFor(() => expect(actions(calls).some((c) => c.cmd === 'resend_sign_in_link')).toBe(true));
    expect(await screen.findByTestId('link-signin-waiting')).toBeVisible();
    await act(() => vi.advanceTimersByTimeAsync(3_100));
    expect(reads(calls)).toBe(2);
  });

  it('is offered only where the instance sends links', async () => {
    instance(() => ({ status: 'waiting' }), { ...OPTIONS, link: false });
    render(App);
    await screen.findByTestId('signin-identifier');
    await waitFor(() => expect(screen.getByTestId('signin-with-code')).toBeVisible());
    expect(screen.queryByTestId('signin-with-link')).not.toBeInTheDocument();
  });
});
