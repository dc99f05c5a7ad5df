import { render, screen, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import App from '../App.svelte';
import type { UpdateUserParams, User } from '$lib/bindings';
import { actions, fakeBackend, makeEmail, makeUser } from '../test-support';

async function signedIn(user: User, handlers = {}) {
  const calls = fakeBackend({ signedIn: user, handlers });
  const ue = userEvent.setup();
  render(App);
  await screen.findByTestId('profile-first-name');
  return { calls, ue };
}

describe('profile card', () => {
  it('sends only the changed fields, updates the sidebar and shows a toast', async () => {
    const { calls, ue } = await signedIn(makeUser(), {
      update_profile: (args: Record<string, unknown>) => {
        const p = args.params as UpdateUserParams;
        return makeUser({ first_name: p.first_name ?? 'Grace', username: p.username || null });
      },
    });

    const first = screen.getByTestId('profile-first-name');
    expect(first).toHaveValue('Grace');
    expect(screen.getByTestId('profile-save')).toBeDisabled();
    await ue.clear(first);
    await ue.type(first, 'Amazing Grace');
    await ue.clear(screen.getByTestId('profile-username'));
    await ue.click(screen.getByTestId('profile-save'));

    expect(await screen.findByTestId('toast')).toHaveTextContent('Profile saved');
    expect(actions(calls)).toEqual([
      { cmd: 'update_profile', args: { params: { first_name: 'Amazing Grace', username: '' } } },
    ]);
    expect(screen.getByTestId('sidebar-name')).toHaveTextContent('Amazing Grace Hopper');
    expect(screen.getByTestId('profile-save')).toBeDisabled();
  });

  it('shows a server error next to the field it concerns and keeps the edit', async () => {
    const { ue } = await signedIn(makeUser(), {
      update_profile: () => {
        throw { code: 'form_identifier_exists', message: 'That username is taken. Please try another.', field: 'username' };
      },
    });

    const username = screen.getByTestId('profile-username');
    await ue.clear(username);
    await ue.type(username, 'admiral{Enter}');

    expect(await screen.findByText('That username is taken. Please try another.')).toBeVisible();
    expect(username).toHaveAttribute('aria-invalid', 'true');
    expect(username).toHaveValue('admiral');
    expect(screen.queryByTestId('toast')).not.toBeInTheDocument();
  });

  it('Reset brings back the saved values', async () => {
    const { calls, ue } = await signedIn(makeUser());

    const last = screen.getByTestId('profile-last-name');
    await ue.type(last, '-Murray');
    const card = screen.getByRole('region', { name: 'Profile' });
    await ue.click(within(card).getByRole('button', { name: 'Reset' }));

    expect(last).toHaveValue('Hopper');
    expect(actions(calls)).toEqual([]);
  });

  it('shows the primary email with its state and the public metadata read-only', async () => {
    await signedIn(
      makeUser({
        email_addresses: [
          makeEmail('idn_0', 'old@example.com', null),
          makeEmail('idn_1', 'grace@example.com', 'unverified'),
        ],
        public_metadata: { plan: 'enterprise' },
      }),
    );

    const primary = screen.getByTestId('primary-email');
    expect(primary).toHaveTextContent('grace@example.com');
    expect(primary).toHaveTextContent('Primary');
    expect(primary).toHaveTextContent('Unverified');
    expect(screen.getByTestId('public-metadata')).toHaveTextContent('"plan": "enterprise"');
    expect(screen.getByText(/Set by the service; read-only/)).toBeVisible();
  });
});

describe('unsafe metadata editor', () => {
  async function edit(text: string, handlers = {}) {
    const ctx = await signedIn(makeUser(), handlers);
    const editor = screen.getByTestId('metadata-editor');
    await ctx.ue.clear(editor);
    // user-event treats { and [ as key descriptors: paste the text instead.
    editor.focus();
    await ctx.ue.paste(text);
    return ctx;
  }

  it('refuses invalid JSON with its line and column, without calling the server', async () => {
    const { calls, ue } = await edit('{\n  "theme": "light",\n  "beta": tru\n}');

    await ue.click(screen.getByTestId('metadata-save'));

    const error = await screen.findByTestId('metadata-error');
    expect(error).toHaveTextContent('line 3, column 11');
    expect(screen.getByTestId('metadata-editor')).toHaveAttribute('aria-invalid', 'true');
    expect(actions(calls)).toEqual([]);
  });

  it('refuses a JSON array, without calling the server', async () => {
    const { calls, ue } = await edit('["a", "b"]');

    await ue.click(screen.getByTestId('metadata-save'));

    expect(await screen.findByTestId('metadata-error')).toHaveTextContent('must be a JSON object');
    expect(screen.getByTestId('metadata-error')).toHaveTextContent('not an array');
    expect(actions(calls)).toEqual([]);
  });

  it('sends the whole object and shows a toast', async () => {
    const { calls, ue } = await edit('{"theme": "light", "beta": {"features": [1, 2]}}', {
      set_unsafe_metadata: (args: Record<string, unknown>) =>
        makeUser({ unsafe_metadata: args.metadata as User['unsafe_metadata'] }),
    });

    await ue.click(screen.getByTestId('metadata-save'));

    expect(await screen.findByTestId('toast')).toHaveTextContent('Unsafe metadata saved');
    expect(actions(calls)).toEqual([
      { cmd: 'set_unsafe_metadata', args: { metadata: { theme: 'light', beta: { features: [1, 2] } } } },
    ]);
    expect(screen.getByTestId('metadata-editor')).toHaveValue(
      JSON.stringify({ theme: 'light', beta: { features: [1, 2] } }, null, 2),
    );
    expect(screen.queryByTestId('metadata-error')).not.toBeInTheDocument();
  });

  it('shows the server’s refusal under the editor', async () => {
    const { ue } = await edit('{"big": true}', {
      set_unsafe_metadata: () => {
        throw { code: 'form_param_exceeds_allowed_size', message: 'Metadata is too large.', field: 'unsafe_metadata' };
      },
    });

    await ue.click(screen.getByTestId('metadata-save'));

    expect(await screen.findByTestId('metadata-error')).toHaveTextContent('Metadata is too large.');
  });
});
