import { render, screen, waitFor } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import App from '../App.svelte';
import { actions, fakeBackend, makeAppInfo, makeUser } from '../test-support';

describe('sign-in screen', () => {
  it('shows the demo account and fills the form with it', async () => {
    fakeBackend();
    const ue = userEvent.setup();
    render(App);

    const useDemo = await screen.findByTestId('use-demo');
    expect(screen.getByText(/Demo account:/).closest('p')).toHaveTextContent(
      'Demo account: demo@example.com / userdesk-demo',
    );
    await ue.click(useDemo);

    expect(screen.getByTestId('signin-identifier')).toHaveValue('demo@example.com');
    expect(screen.getByTestId('signin-password')).toHaveValue('userdesk-demo');
  });

  it('shows no demo account when the instance has none, and names the instance', async () => {
    fakeBackend({
      info: makeAppInfo({
        demo_account: null,
        instance: { kind: 'clerk', fapi_url: 'https://clerk.example.com', label: 'clerk.example.com' },
      }),
    });
    render(App);

    await screen.findByTestId('signin-submit');
    expect(await screen.findByText('clerk.example.com')).toBeVisible();
    expect(screen.queryByTestId('use-demo')).not.toBeInTheDocument();
  });

  it('shows a wrong password next to the password field', async () => {
    fakeBackend({
      handlers: {
        sign_in: () => {
          throw { code: 'form_password_incorrect', message: 'Password is incorrect. Try again.', field: 'password' };
        },
      },
    });
    const ue = userEvent.setup();
    render(App);

    await ue.type(await screen.findByTestId('signin-identifier'), 'grace@example.com');
    await ue.type(screen.getByTestId('signin-password'), 'wrong{Enter}');

    const error = await screen.findByTestId('signin-password-error');
    expect(error).toHaveTextContent('Password is incorrect. Try again.');
    const password = screen.getByTestId('signin-password');
    expect(password).toHaveAttribute('aria-invalid', 'true');
    expect(password).toHaveAccessibleDescription('Password is incorrect. Try again.');
    expect(screen.queryByTestId('signin-error')).not.toBeInTheDocument();
    expect(screen.queryByTestId('signin-identifier-error')).not.toBeInTheDocument();
  });

  it('shows an error without a field above the form', async () => {
    fakeBackend({
      handlers: {
        sign_in: () => {
          throw { code: 'network', message: 'Could not reach the account server.', field: null };
        },
      },
    });
    const ue = userEvent.setup();
    render(App);

    await ue.type(await screen.findByTestId('signin-identifier'), 'grace@example.com');
    await ue.type(screen.getByTestId('signin-password'), 'secret{Enter}');

    expect(await screen.findByTestId('signin-error')).toHaveTextContent('Could not reach the account server.');
  });

  it('disables and spins the button while signing in, then shows the account', async () => {
    let finish: (u: unknown) => void = () => {};
    const calls = fakeBackend({
      handlers: { sign_in: () => new Promise((resolve) => (finish = resolve)) },
    });
    const ue = userEvent.setup();
    render(App);

    await ue.type(await screen.findByTestId('signin-identifier'), 'grace@example.com');
    await ue.type(screen.getByTestId('signin-password'), 'secret');
    await ue.click(screen.getByTestId('signin-submit'));

    const button = screen.getByTestId('signin-submit');
    expect(button).toBeDisabled();
    expect(button).toHaveTextContent('Signing in…');
    expect(actions(calls)).toEqual([
      { cmd: 'sign_in', args: { identifier: 'grace@example.com', password: 'secret' } },
    ]);

    finish({ status: 'complete', user: makeUser() });
    expect(await screen.findByTestId('sidebar-name')).toHaveTextContent('Grace Hopper');
    expect(screen.getByTestId('sidebar-email')).toHaveTextContent('grace@example.com');
  });

  it('asks for the missing field without calling the server', async () => {
    const calls = fakeBackend();
    const ue = userEvent.setup();
    render(App);

    await ue.click(await screen.findByTestId('signin-submit'));

    expect(await screen.findByTestId('signin-identifier-error')).toHaveTextContent('Enter your email address or username.');
    expect(actions(calls)).toEqual([]);
  });

  it('opens Settings while signed out and comes back', async () => {
    fakeBackend();
    const ue = userEvent.setup();
    render(App);

    await ue.click(await screen.findByTestId('signin-settings'));
    expect(await screen.findByRole('heading', { level: 1, name: 'Settings' })).toBeVisible();
    await ue.click(screen.getByTestId('back-to-signin'));
    await waitFor(() => expect(screen.getByTestId('signin-submit')).toBeVisible());
  });
});
