// The signed-in user: the one copy of the User resource in the UI. Every command that returns a
// User refreshes it; components read it and never keep their own copy.
import * as api from '../api';
import type { CommandError, JsonValue, UpdateUserParams, User } from '../bindings';
import { toasts } from './toast.svelte';

/** `unknown` until the first answer: the app shows its start-up screen only then. */
type Status = 'unknown' | 'loading' | 'ready' | 'error';

class UserStore {
  /** The user, or null when signed out (or not yet known). */
  current = $state<User | null>(null);
  status = $state<Status>('unknown');
  /** Why the last load failed (not signed-out: that is `current === null`). */
  error = $state<CommandError | null>(null);

  /** Asks the Rust side who is signed in. Never throws: a failure is kept in `error`. */
  async load(): Promise<void> {
    if (this.status !== 'unknown') this.status = 'loading';
    try {
      this.current = await api.currentUser();
      this.error = null;
      this.status = 'ready';
    } catch (err) {
      this.current = null;
      this.error = err as CommandError;
      this.status = 'error';
    }
  }

  /** Throws the `CommandError` so the form can place it. */
  async signIn(identifier: string, password: string): Promise<User> {
    return this.#set(await api.signIn(identifier, password));
  }

  async signOut(): Promise<void> {
    await api.signOut();
    this.current = null;
    this.status = 'ready';
  }

  async updateProfile(params: UpdateUserParams): Promise<User> {
    return this.#set(await this.#signedIn(api.updateProfile(params)));
  }

  async setUnsafeMetadata(metadata: JsonValue): Promise<User> {
    return this.#set(await this.#signedIn(api.setUnsafeMetadata(metadata)));
  }

  /** A session that ended elsewhere (revoked, expired) sends the person back to sign in. */
  async #signedIn<T>(request: Promise<T>): Promise<T> {
    try {
      return await request;
    } catch (err) {
      if ((err as CommandError).code === 'signed_out') {
        this.current = null;
        this.status = 'ready';
        toasts.error('Your session has ended. Sign in again.');
      }
      throw err;
    }
  }

  #set(user: User): User {
    this.current = user;
    this.status = 'ready';
    this.error = null;
    return user;
  }
}

export const user = new UserStore();
