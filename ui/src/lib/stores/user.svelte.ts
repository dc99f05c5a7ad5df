// The signed-in user: the one copy of the User resource in the UI. Every command that returns a
// User refreshes it; components read it and never keep their own copy.
import * as api from '../api';
import type {
  AccountSummary,
  AvatarCrop,
  CodePurpose,
  CodeSignInResult,
  CommandError,
  EmailAddress,
  JsonValue,
  LinkSignInState,
  PhoneNumber,
  SecondFactor,
  SignInResult,
  UpdateUserParams,
  User,
} from '../bindings';
import { onSignedOut, signedOut } from '../signed-out';
import { onUnreachable } from '../unreachable';
import { isUnreachable, offline } from './offline.svelte';
import { toasts } from './toast.svelte';

/** `unknown` until the first answer: the app shows its start-up screen only then. */
type Status = 'unknown' | 'loading' | 'ready' | 'error';

class UserStore {
  /** The user, or null when signed out (or not yet known). */
  current = $state<User | null>(null);
  status = $state<Status>('unknown');
  /** Why the last load failed (not signed-out: that is `current === null`). */
  error = $state<CommandError | null>(null);

  /** Checking whether the instance still answers (an action could not reach it). */
  #checking = false;

  constructor() {
    // An action could not reach the instance: if it really is gone, the window turns into what
    // the app knew now, rather than at the next focus.
    onUnreachable(() => {
      if (!this.current || offline.active || this.#checking) return;
      this.#checking = true;
      void this.refreshQuietly().finally(() => (this.#checking = false));
    });
    onSignedOut((cause) => {
      // Another account is shown: its user is read next and replaces this one (no sign-in
      // screen in between).
      if (cause === 'switched') return;
      // A session that ended elsewhere sends the person back to sign in: say why.
      if (cause === 'session_ended' && this.current) toasts.error(SESSION_ENDED);
      this.current = null;
      this.status = 'ready';
    });
  }

  /** Asks the Rust side who is signed in. Never throws: a failure is kept in `error`. */
  async load(): Promise<void> {
    if (this.status !== 'unknown') this.status = 'loading';
    try {
      this.current = await api.currentUser();
      this.error = null;
      this.status = 'ready';
      if (!this.current && (await api.takeSessionEnded())) toasts.error(SESSION_ENDED);
    } catch (err) {
      if (isUnreachable(err) && (await this.#openOffline())) return;
      this.current = null;
      this.error = err as CommandError;
      this.status = 'error';
    }
  }

  /**
   * The window came back to the front: the shown user is read again, so changes made elsewhere
   * appear. An instance that no longer answers turns the window into the read-only view of what
   * the app knew. Never throws.
   */
  async refreshQuietly(): Promise<void> {
    if (!this.current) return;
    if (offline.active) {
      await offline.retry();
      return;
    }
    try {
      await this.refresh();
    } catch (err) {
      if (isUnreachable(err)) await this.#openOffline();
    }
  }

  /** Shows what the app kept of the account, read-only; false when it kept nothing. */
  async #openOffline(): Promise<boolean> {
    const view = await offline.read();
    if (!view) return false;
    this.current = view.user;
    this.error = null;
    this.status = 'ready';
    offline.enter(view, () => this.#reconnect());
    return true;
  }

  /** Tries the live account again; true when the instance answered (signed in or not). */
  async #reconnect(): Promise<boolean> {
    try {
      await this.refresh();
      return true;
    } catch {
      return false;
    }
  }

  /** Throws the `CommandError` so the form can place it. Signed in once the result is `complete`. */
  async signIn(identifier: string, password: string): Promise<SignInResult> {
    const result = await api.signIn(identifier, password);
    if (result.status === 'complete') this.put(result.user);
    return result;
  }

  /** Signs the shown account out and removes it from the app; true when another account shows now. */
  async signOut(): Promise<boolean> {
    return this.#leave(await api.signOut());
  }

  /** Answers a sign-in's code; signed in when it says `complete`. */
  async attemptCodeSignIn(signInId: string, purpose: CodePurpose, code: string): Promise<CodeSignInResult> {
    const result = await api.attemptCodeSignIn(signInId, purpose, code);
    if (result.status === 'complete') this.put(result.user);
    return result;
  }

  /** Reads a sign-in whose link was emailed; signed in when it says `complete`. */
  async checkLinkSignIn(signInId: string): Promise<LinkSignInState> {
    const result = await api.checkLinkSignIn(signInId);
    if (result.status === 'complete') this.put(result.user);
    return result;
  }

  /** Sets the new password of a reset; signed in when it says `complete`. */
  async resetPassword(signInId: string, password: string, signOutOfOtherSessions: boolean): Promise<SignInResult> {
    const result = await api.resetPassword(signInId, password, signOutOfOtherSessions);
    if (result.status === 'complete') this.put(result.user);
    return result;
  }

  /** Completes a two-step sign-in; signed in after. Throws the `CommandError` for the code. */
  /** A passkey sign-in (its ceremony runs meanwhile); the user is kept when it completes. */
  async signInWithPasskey(identifier: string | null): Promise<SignInResult> {
    const result = await api.signInWithPasskey(identifier);
    if (result.status === 'complete') this.put(result.user);
    return result;
  }

  async attemptSecondFactor(signInId: string, strategy: SecondFactor, code: string): Promise<User> {
    return this.put(await api.attemptSecondFactor(signInId, strategy, code));
  }

  async changePassword(currentPassword: string, newPassword: string, signOutOfOtherSessions: boolean): Promise<User> {
    return this.put(await api.changePassword(currentPassword, newPassword, signOutOfOtherSessions));
  }

  async removePassword(currentPassword: string): Promise<User> {
    return this.put(await api.removePassword(currentPassword));
  }

  /** Deletes the account; nothing of it stays behind. */
  async deleteAccount(): Promise<boolean> {
    return this.#leave(await api.deleteAccount());
  }

  /**
   * The shown account is gone from the app; `next` are the accounts left. Another signed-in one
   * shows at once; otherwise the sign-in screen (of a signed-out account, or a new one). True
   * when another account shows.
   */
  async #leave(next: AccountSummary[]): Promise<boolean> {
    const shown = next.find((a) => a.active);
    if (shown?.person && !shown.signed_out) {
      signedOut('switched');
      await this.load();
      return true;
    }
    signedOut('signed_out');
    return false;
  }

  async updateProfile(params: UpdateUserParams): Promise<User> {
    return this.put(await api.updateProfile(params));
  }

  async setUnsafeMetadata(metadata: JsonValue): Promise<User> {
    return this.put(await api.setUnsafeMetadata(metadata));
  }

  /** Uploads a crop of a previewed photo as the profile picture. */
  async uploadAvatar(previewId: string, crop: AvatarCrop): Promise<User> {
    return this.put(await api.avatarUpload(previewId, crop));
  }

  /** Removes the profile picture: the default avatar shows again. */
  async removeAvatar(): Promise<User> {
    return this.put(await api.avatarRemove());
  }

  /**
   * Asks again who is signed in, after a command that changed the user without returning all of
   * it. Throws the `CommandError`, so the action that needed it can show it.
   */
  async refresh(): Promise<User | null> {
    const current = await api.currentUser();
    if (current) return this.put(current);
    // Nobody is signed in any more: as after signing out, nothing of the account stays; if the
    // session ended elsewhere, the person is told.
    signedOut((await api.takeSessionEnded()) ? 'session_ended' : 'signed_out');
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

  /** Puts a user a command returned in place: signed in as them from now on. */
  put(user: User): User {
    const signedInNow = this.current?.id !== user.id;
    this.current = user;
    this.status = 'ready';
    this.error = null;
    // Just signed in: the account is read once more and kept on this computer, for offline use
    // and watching (crates/app/README.md). Nothing to report if that fails.
    if (signedInNow) api.checkAccount().catch(() => undefined);
    return user;
  }
}

/** What the person reads when this device's session ended elsewhere. */
export const SESSION_ENDED = 'Signed out — sign in again.';

export const user = new UserStore();
