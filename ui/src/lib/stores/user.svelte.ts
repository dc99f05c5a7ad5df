// The signed-in user: the one copy of the User resource in the UI. Every command that returns a
// User refreshes it; components read it and never keep their own copy.
import * as api from '../api';
import type {
  AvatarCrop,
  CommandError,
  EmailAddress,
  JsonValue,
  PhoneNumber,
  SecondFactor,
  SignInResult,
  UpdateUserParams,
  User,
} from '../bindings';
import { outbox } from './outbox.svelte';
import { sessions } from './sessions.svelte';
import { tokens } from './tokens.svelte';
import { twoFactor } from './two-factor.svelte';
import { toasts } from './toast.svelte';
import { verifications } from './verifications.svelte';

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

  /** Throws the `CommandError` so the form can place it. Signed in once the result is `complete`. */
  async signIn(identifier: string, password: string): Promise<SignInResult> {
    const result = await api.signIn(identifier, password);
    if (result.status === 'complete') this.#set(result.user);
    return result;
  }

  async signOut(): Promise<void> {
    await api.signOut();
    this.#forget();
  }

  /** Completes a two-step sign-in; signed in after. Throws the `CommandError` for the code. */
  async attemptSecondFactor(signInId: string, strategy: SecondFactor, code: string): Promise<User> {
    return this.#set(await api.attemptSecondFactor(signInId, strategy, code));
  }

  /** Checks a sign-up's emailed code; the new account is signed in after. */
  async verifySignUp(signUpId: string, code: string): Promise<User> {
    return this.#set(await api.verifySignUp(signUpId, code));
  }

  async changePassword(currentPassword: string, newPassword: string, signOutOfOtherSessions: boolean): Promise<User> {
    return this.#set(await this.signedIn(api.changePassword(currentPassword, newPassword, signOutOfOtherSessions)));
  }

  async removePassword(currentPassword: string): Promise<User> {
    return this.#set(await this.signedIn(api.removePassword(currentPassword)));
  }

  /** Deletes the account; nothing of it stays behind. */
  async deleteAccount(): Promise<void> {
    await this.signedIn(api.deleteAccount());
    this.#forget();
  }

  async updateProfile(params: UpdateUserParams): Promise<User> {
    return this.#set(await this.signedIn(api.updateProfile(params)));
  }

  async setUnsafeMetadata(metadata: JsonValue): Promise<User> {
    return this.#set(await this.signedIn(api.setUnsafeMetadata(metadata)));
  }

  /** Uploads a crop of a previewed photo as the profile picture. */
  async uploadAvatar(previewId: string, crop: AvatarCrop): Promise<User> {
    return this.#set(await this.signedIn(api.avatarUpload(previewId, crop)));
  }

  /** Removes the profile picture: the default avatar shows again. */
  async removeAvatar(): Promise<User> {
    return this.#set(await this.signedIn(api.avatarRemove()));
  }

  /**
   * Asks again who is signed in, after a command that changed the user without returning all of
   * it. Throws the `CommandError`, so the action that needed it can show it.
   */
  async refresh(): Promise<User | null> {
    const current = await this.signedIn(api.currentUser());
    if (current) return this.#set(current);
    this.current = null;
    this.status = 'ready';
    return null;
  }

  /** Puts a changed email address in place at once (a refresh brings the rest of the user). */
  putEmailAddress(email: EmailAddress): void {
    if (!this.current) return;
    const list = this.current.email_addresses;
    const at = list.findIndex((e) => e.id === email.id);
    this.current.email_addresses = at < 0 ? [...list, email] : list.map((e, i) => (i === at ? email : e));
  }

  /** Puts a changed phone number in place at once (a refresh brings the rest of the user). */
  putPhoneNumber(phone: PhoneNumber): void {
    if (!this.current) return;
    const list = this.current.phone_numbers;
    const at = list.findIndex((p) => p.id === phone.id);
    this.current.phone_numbers = at < 0 ? [...list, phone] : list.map((p, i) => (i === at ? phone : p));
  }

  /**
   * Waits for a command of the signed-in person. A session that ended elsewhere (revoked, expired)
   * sends the person back to sign in; the error is thrown either way.
   */
  async signedIn<T>(request: Promise<T>): Promise<T> {
    try {
      return await request;
    } catch (err) {
      if ((err as CommandError).code === 'signed_out') {
        this.#forget();
        toasts.error('Your session has ended. Sign in again.');
      }
      throw err;
    }
  }

  /** Signed out: nothing of the last account stays behind. */
  #forget(): void {
    this.current = null;
    this.status = 'ready';
    verifications.reset();
    outbox.reset();
    sessions.reset();
    tokens.reset();
    twoFactor.reset();
  }

  #set(user: User): User {
    this.current = user;
    this.status = 'ready';
    this.error = null;
    return user;
  }
}

export const user = new UserStore();
