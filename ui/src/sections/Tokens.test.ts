import { act, render, screen, waitFor } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import App from '../App.svelte';
import type { SignatureCheck, TokenInspection } from '$lib/bindings';
import { accountBackend, actions, makeUser } from '../test-support';
import { expiryText } from './tokens/expiry';

async function open(options: Parameters<typeof accountBackend>[1] = {}) {
  const backend = accountBackend(makeUser(), options);
  const ue = userEvent.setup(vi.isFakeTimers() ? { advanceTimers: vi.advanceTimersByTime } : {});
  render(App);
  await ue.click(await screen.findByTestId('nav-tokens'));
  await screen.findByRole('heading', { level: 1, name: 'Tokens' });
  return { ...backend, ue };
}

function inspection(signature: SignatureCheck, expiresInMs = 60_000): TokenInspection {
  return {
    jwt: 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ1c2VyXzEifQ.c2ln',
    header: { alg: 'RS256', kid: 'ins_1' },
    claims: { sub: 'user_1', sid: 'sess_this' },
    expires_at: Date.now() + expiresInMs,
    signature,
  };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('tokens', () => {
  it('gets a token for the chosen service and shows it decoded, verified, with a live countdown', async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    const { calls, ue } = await open({ security: { tokenTtlMs: 42_000 } });

    await ue.click(screen.getByTestId('token-service-hasura'));
    await ue.click(screen.getByTestId('token-get'));

    expect(await screen.findByTestId('token-jwt')).toHaveTextContent(/^ey[\w-]+\.ey[\w-]+\.[\w-]+$/);
    expect(actions(calls)).toEqual([{ cmd: 'get_token', args: { service: 'hasura' } }]);
    const claims = JSON.parse(screen.getByTestId('token-claims').textContent ?? '');
    expect(claims.sub).toBe('user_1');
    expect(claims['https://hasura.io/jwt/claims']['x-hasura-user-id']).toBe('user_1');
    expect(screen.getByTestId('token-signature')).toHaveTextContent('Verified against the instance’s keys');
    expect(screen.getByTestId('token-expiry')).toHaveTextContent(/expires in (41|42) s/);

    await act(() => vi.advanceTimersByTimeAsync(20_000));
    expect(screen.getByTestId('token-expiry')).toHaveTextContent(/expires in (21|22) s/);
    expect(screen.queryByTestId('token-refresh')).not.toBeInTheDocument();

    await act(() => vi.advanceTimersByTimeAsync(23_000));
    expect(screen.getByTestId('token-expiry')).toHaveTextContent('expired');
    await ue.click(screen.getByTestId('token-refresh'));
    await waitFor(() => expect(screen.getByTestId('token-expiry')).toHaveTextContent(/expires in (41|42) s/));
    expect(actions(calls).map((c) => c.args.service)).toEqual(['hasura', 'hasura']);
  });

  it.each([
    [{ status: 'valid' }, 'Verified against the instance’s keys'],
    [{ status: 'expired' }, 'Expired'],
    [{ status: 'unknown_key' }, 'Unknown key'],
    [{ status: 'invalid', reason: 'signature does not match' }, 'Invalid: signature does not match'],
  ] as [SignatureCheck, string][])('shows the signature %j as “%s”', async (signature, text) => {
    const { ue } = await open({ handlers: { get_token: () => inspection(signature) } });

    await ue.click(screen.getByTestId('token-get'));

    expect(await screen.findByTestId('token-signature')).toHaveTextContent(text);
    expect(screen.getByTestId('token-signature')).toHaveAttribute('data-status', signature.status);
  });

  it('copies the token', async () => {
    const { ue } = await open();
    const writeText = vi.spyOn(navigator.clipboard, 'writeText').mockResolvedValue();

    await ue.click(screen.getByTestId('token-get'));
    const jwt = (await screen.findByTestId('token-jwt')).textContent;
    await ue.click(screen.getByTestId('token-copy'));

    expect(writeText).toHaveBeenCalledWith(jwt);
    expect(screen.getByTestId('toast')).toHaveTextContent('Clerk token copied');
  });

  it('shows the server’s refusal', async () => {
    const { ue } = await open({
      handlers: {
        get_token: () => {
          throw { code: 'jwt_template_not_found', message: 'No JWT template exists with name: firebase', field: null };
        },
      },
    });

    await ue.click(screen.getByTestId('token-service-firebase'));
    await ue.click(screen.getByTestId('token-get'));

    expect(await screen.findByTestId('token-error')).toHaveTextContent('No JWT template exists with name: firebase');
    expect(screen.queryByTestId('token-jwt')).not.toBeInTheDocument();
  });
});

describe('expiryText', () => {
  it('counts down in seconds, minutes and hours', () => {
    expect(expiryText(61_000, 0)).toBe('expires in 1 min 1 s');
    expect(expiryText(42_000, 0)).toBe('expires in 42 s');
    expect(expiryText(0, 0)).toBe('expired');
    expect(expiryText(null, 0)).toBe('does not expire');
    expect(expiryText(3_600_000 * 2 + 60_000, 0)).toBe('expires in 2 h 1 min');
  });
});
