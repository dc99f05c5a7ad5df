// Dev-server only: a stand-in for the OAuth commands. A flow "finishes" by itself after a second
// and a half (as if the person agreed in the browser), by emitting `oauth-finished` like the Rust
// side. Query parameters:
//   ?connected=many       the demo user has accounts at GitHub, Google (with more scopes) and a
//                         failed Discord one
//   ?oauth=fail           every flow fails (the provider refuses)
//   ?oauth=slow           flows never finish by themselves (to look at the waiting panel)
import { emit } from '@tauri-apps/api/event';
import type { CommandError, ExternalAccount, OAuthFinished, User } from '$lib/bindings';
import { provider, PROVIDER_IDS, strategyOf } from '$lib/providers';
import type { FakeAccount, Handler } from './fake-account';
import { EVENTS } from '$lib/bindings';

const FINISH_MS = 1500;

function account(id: string, strategy: string, user: User, more: Partial<ExternalAccount> = {}): ExternalAccount {
  const name = strategy.replace(/^oauth_/, '');
  const now = Date.now();
  return {
    object: 'external_account',
    id,
    provider: strategy,
    identification_id: `idn_${id}`,
    provider_user_id: String(1000 + id.length * 7919),
    approved_scopes: provider(strategy).scopes.slice(0, 2).join(' '),
    email_address: `${user.username ?? 'ada'}@${name}.example`,
    first_name: user.first_name ?? '',
    last_name: user.last_name ?? '',
    avatar_url: '',
    image_url: null,
    username: user.username,
    phone_number: null,
    public_metadata: {},
    label: null,
    created_at: now - 5 * 86_400_000,
    updated_at: now,
    verification: { status: 'verified', strategy, attempts: null, expire_at: null, error: null },
    ...more,
  };
}

/** A small round avatar drawn as a data URL, so the dev mock needs no network. */
function avatar(hue: number, letter: string): string {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 40 40"><rect width="40" height="40" fill="hsl(${hue} 55% 55%)"/><text x="20" y="26" font-family="sans-serif" font-size="18" font-weight="700" text-anchor="middle" fill="#fff">${letter}</text></svg>`;
  return `data:image/svg+xml,${encodeURIComponent(svg)}`;
}

export class FakeOAuth {
  #fake: FakeAccount;
  #mode: string | null;
  #next = 1;
  #timers = new Map<string, ReturnType<typeof setTimeout>>();
  /** Set by the mock: makes the app signed in (for `sign_in_with_oauth`). */
  onSignedIn: () => void = () => undefined;
  /** Set by the mock: the account (its id in the app) shown when a flow starts, which it ends in. */
  shownAccount: () => string = () => 'acc_demo';

  constructor(fake: FakeAccount, query: URLSearchParams) {
    this.#fake = fake;
    this.#mode = query.get('oauth');
    if (query.get('connected') === 'many') this.#seed();
  }

  #seed(): void {
    const u = this.#fake.user;
    this.#fake.user = {
      ...u,
      external_accounts: [
        account('eac_gh', 'oauth_github', u, { approved_scopes: 'read:user user:email', avatar_url: avatar(250, 'A'), username: 'ada-l' }),
        account('eac_go', 'oauth_google', u, {
          approved_scopes: 'openid email profile https://www.googleapis.com/auth/calendar.readonly',
          email_address: 'ada.lovelace@gmail.example',
          username: null,
          avatar_url: avatar(160, 'A'),
        }),
        account('eac_di', 'oauth_discord', u, {
          approved_scopes: '',
          verification: {
            status: 'unverified',
            strategy: 'oauth_discord',
            attempts: null,
            expire_at: null,
            error: {
              code: 'oauth_token_exchange_error',
              message: 'Discord didn’t accept the sign-in.',
              long_message: 'The authorization code expired before Userdesk could use it. Reconnect to try again.',
            },
          },
        }),
      ],
    };
  }

  handlers(): Record<string, Handler> {
    return {
      oauth_strategies: () => PROVIDER_IDS.map(strategyOf),
      connect_external_account: (a) => this.#start(String(a.strategy), null, (a.additionalScopes as string[]) ?? []),
      reauthorize_external_account: (a) => {
        const found = this.#fake.user.external_accounts.find((e) => e.id === a.id)!;
        return this.#start(found.provider, found.id, (a.additionalScopes as string[]) ?? []);
      },
      destroy_external_account: (a) => {
        this.#fake.user = { ...this.#fake.user, external_accounts: this.#fake.user.external_accounts.filter((e) => e.id !== a.id) };
        return null;
      },
      sign_in_with_oauth: (a) => this.#start(String(a.strategy), null, [], true),
      cancel_oauth: (a) => {
        clearTimeout(this.#timers.get(String(a.flowId)));
        this.#timers.delete(String(a.flowId));
        return null;
      },
    };
  }

  #start(strategy: string, accountId: string | null, scopes: string[], signIn = false) {
    const flow_id = `flow_${this.#next++}`;
    const account_id = this.shownAccount();
    if (this.#mode !== 'slow') {
      this.#timers.set(
        flow_id,
        setTimeout(() => {
          this.#timers.delete(flow_id);
          void emit(
            EVENTS.OAUTH_FINISHED,
            signIn ? this.#signIn(flow_id, account_id, strategy) : this.#finish(flow_id, account_id, strategy, accountId, scopes),
          );
        }, FINISH_MS),
      );
    }
    return { flow_id, authorization_url: `https://${strategy.replace(/^oauth_/, '')}.example/oauth/authorize?state=${flow_id}` };
  }

  #finish(flow_id: string, account_id: string, strategy: string, accountId: string | null, scopes: string[]): OAuthFinished {
    const u = this.#fake.user;
    const id = accountId ?? u.external_accounts.find((e) => e.provider === strategy)?.id ?? `eac_${this.#next++}`;
    if (this.#mode === 'fail') {
      const error: CommandError = { code: 'other', message: `${provider(strategy).name} refused: you didn’t grant access.`, field: null };
      return { flow_id, account_id, kind: accountId ? 'reauthorize' : 'connect', strategy, status: 'account_failed', user: u, external_account_id: u.external_accounts.some((e) => e.id === id) ? id : null, error };
    }
    const old = u.external_accounts.find((e) => e.id === id);
    const granted = [...new Set([...(old?.approved_scopes.split(' ').filter(Boolean) ?? provider(strategy).scopes.slice(0, 2)), ...scopes])];
    const fresh = account(id, strategy, u, { ...old, approved_scopes: granted.join(' '), verification: account(id, strategy, u).verification });
    this.#fake.user = {
      ...u,
      external_accounts: old ? u.external_accounts.map((e) => (e.id === id ? fresh : e)) : [...u.external_accounts, fresh],
    };
    return { flow_id, account_id, kind: accountId ? 'reauthorize' : 'connect', strategy, status: 'account_verified', user: this.#fake.user, external_account_id: id };
  }

  #signIn(flow_id: string, account_id: string, strategy: string): OAuthFinished {
    if (this.#mode === 'fail') {
      const error: CommandError = { code: 'other', message: `${provider(strategy).name} refused: you didn’t grant access.`, field: null };
      return { flow_id, account_id, kind: 'sign_in', strategy, status: 'sign_in_failed', error };
    }
    this.onSignedIn();
    return { flow_id, account_id, kind: 'sign_in', strategy, status: 'signed_in', user: this.#fake.user, new_user: false };
  }
}
