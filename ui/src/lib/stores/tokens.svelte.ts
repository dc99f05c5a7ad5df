// Session tokens for integrations (Tokens): the last one fetched, decoded and checked.
import * as api from '../api';
import type { CommandError, TokenInspection, TokenService } from '../bindings';
import { onSignedOut } from '../signed-out';

export const TOKEN_SERVICES: TokenService[] = ['clerk', 'firebase', 'hasura'];

class TokenStore {
  service = $state<TokenService>('clerk');
  /** The last token fetched, and for which service. */
  current = $state<(TokenInspection & { service: TokenService }) | null>(null);
  loading = $state(false);
  error = $state<CommandError | null>(null);

  constructor() {
    onSignedOut(() => this.reset());
  }

  /** Never throws: a failure is kept in `error`. */
  async get(service: TokenService = this.service): Promise<void> {
    this.loading = true;
    this.error = null;
    try {
      const token = await api.getToken(service);
      this.current = { ...token, service };
    } catch (err) {
      this.error = err as CommandError;
    } finally {
      this.loading = false;
    }
  }

  reset(): void {
    this.service = 'clerk';
    this.current = null;
    this.loading = false;
    this.error = null;
  }
}

export const tokens = new TokenStore();
