import { render, screen, waitFor, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import App from '../App.svelte';
import type { User } from '$lib/bindings';
import { accountBackend, actions, makeUser } from '../test-support';

async function open(user: User = makeUser(), options: Parameters<typeof accountBackend>[1] = {}) {
  const backend = accountBackend(user, options);
  const ue = userEvent.setup();
  render(App);
  await ue.click(await screen.findByTestId('nav-devices'));
  await screen.findAllByTestId('device-card');
  return { ...backend, ue };
}

const cards = () => screen.getAllByTestId('device-card');
const cardOf = (session: string) => {
  const found = cards().find((c) => c.dataset.session === session);
  if (!found) throw new Error(`no card for ${session}`);
  return found;
};

describe('devices', () => {
  it('lists the sessions, this device first and marked, with where and when', async () => {
    await open();

    expect(cards().map((c) => c.dataset.session)).toEqual(['sess_this', 'sess_mac', 'sess_phone']);
    const here = cardOf('sess_this');
    expect(here).toHaveAttribute('data-current', 'true');
    expect(within(here).getByTestId('device-badge-current')).toHaveTextContent('This device');
    expect(within(here).getByRole('heading')).toHaveTextContent('Userdesk 0.1.0 on Linux');
    expect(within(here).queryByTestId('device-revoke')).not.toBeInTheDocument();

    const mac = cardOf('sess_mac');
    expect(mac).toHaveAttribute('data-current', 'false');
    expect(within(mac).queryByTestId('device-badge-current')).not.toBeInTheDocument();
    expect(within(mac).getByRole('heading')).toHaveTextContent('Chrome 124 on macOS');
    expect(mac).toHaveTextContent('203.0.113.24');
    expect(mac).toHaveTextContent('Berlin, Germany');
    expect(within(mac).getByTestId('device-last-active')).toHaveTextContent('Last active 3 min ago');
    expect(within(cardOf('sess_phone')).getByRole('heading')).toHaveTextContent('Safari 17 on iPhone');
  });

  it('signs one other device out after a confirmation naming it', async () => {
    const { calls, ue } = await open();

    await ue.click(within(cardOf('sess_mac')).getByTestId('device-revoke'));
    expect(screen.getByTestId('confirm-dialog')).toHaveTextContent('Sign out of Chrome 124 on macOS?');
    expect(actions(calls)).toEqual([{ cmd: 'devices', args: {} }]);
    await ue.click(screen.getByTestId('confirm-accept'));

    await waitFor(() => expect(cards().map((c) => c.dataset.session)).toEqual(['sess_this', 'sess_phone']));
    expect(actions(calls).filter((c) => c.cmd === 'revoke_session')).toEqual([{ cmd: 'revoke_session', args: { id: 'sess_mac' } }]);
    expect(screen.getByTestId('toast')).toHaveTextContent('Signed out of Chrome 124 on macOS');
  });

  it('does nothing when the confirmation is cancelled', async () => {
    const { calls, ue } = await open();

    await ue.click(within(cardOf('sess_phone')).getByTestId('device-revoke'));
    await ue.click(screen.getByTestId('confirm-cancel'));

    expect(actions(calls).map((c) => c.cmd)).toEqual(['devices']);
    expect(cards()).toHaveLength(3);
  });

  it('signs all other devices out, keeping this one', async () => {
    const { calls, ue } = await open();

    await ue.click(screen.getByTestId('devices-revoke-others'));
    expect(screen.getByTestId('confirm-dialog')).toHaveTextContent('Sign out of 2 other devices?');
    await ue.click(screen.getByTestId('confirm-accept'));

    await waitFor(() => expect(cards().map((c) => c.dataset.session)).toEqual(['sess_this']));
    expect(actions(calls).map((c) => c.cmd)).toContain('revoke_other_sessions');
    expect(screen.getByTestId('toast')).toHaveTextContent('Signed out of 2 other devices');
    expect(screen.queryByTestId('devices-revoke-others')).not.toBeInTheDocument();
    expect(screen.getByTestId('devices-none-other')).toBeVisible();
  });

  it('shows a refusal on the card it concerns', async () => {
    const { ue } = await open(makeUser(), {
      handlers: {
        revoke_session: () => {
          throw { code: 'resource_not_found', message: 'That session has already ended.', field: null };
        },
      },
    });

    await ue.click(within(cardOf('sess_mac')).getByTestId('device-revoke'));
    await ue.click(screen.getByTestId('confirm-accept'));

    expect(await within(cardOf('sess_mac')).findByTestId('device-card-error')).toHaveTextContent('That session has already ended.');
  });
});
