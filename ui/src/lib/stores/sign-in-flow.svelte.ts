// Where the signed-out screens stand: the sign-in form, its second step, or creating an account.
import * as api from '../api';
import type { CodePurpose, CodeSent, LinkSent, SecondFactorStep, SignInOptions } from '../bindings';
import { onSignedOut } from '../signed-out';

/**
 * A sign-in by code, the reset of a forgotten password, or the new-device check of a password
 * sign-in, with the identifier it started from and the code already sent, if one was.
 */
export type CodeFlow = { purpose: CodePurpose; identifier: string; sent?: CodeSent };

/** A sign-in by emailed link, with the identifier it started from and the link already sent, if one was. */
export type LinkFlow = { identifier: string; sent?: LinkSent };

class SignInFlowStore {
  /** A sign-in waiting for its second step. */
  secondFactor = $state<SecondFactorStep | null>(null);
  /** The sign-up screen is open. */
  signingUp = $state(false);
  /** Signing in with an emailed code, or resetting the password: its screen is open. */
  code = $state<CodeFlow | null>(null);
  /** Signing in with an emailed link: its screen is open. */
  link = $state<LinkFlow | null>(null);
  /** What the instance enables (from its environment); null until known, and if it cannot be
   * read, in which case the form offers everything and the instance's answer tells. */
  options = $state<SignInOptions | null>(null);
  /** What the sign-in form's identifier starts as: the one typed on the way back to it. */
  typed = $state('');

  constructor() {
    // A sign-in under way belongs to the account being signed in: another one shown starts afresh.
    onSignedOut((cause) => {
      if (cause === 'switched') this.reset();
    });
  }

  /** What the identifier field is called: the identifiers the instance accepts. */
  get identifierLabel(): string {
    const options = this.options;
    if (options === null) return 'Email address or username';
    const parts = ['Email address'];
    if (options.username) parts.push('username');
    if (options.phone_number) parts.push('phone number');
    // "a", "a or b", "a, b or c".
    return parts.length < 2 ? parts.join('') : `${parts.slice(0, -1).join(', ')} or ${parts.at(-1)}`;
  }

  /** Reads what the instance enables, for the sign-in form. */
  async loadOptions(): Promise<void> {
    try {
      this.options = await api.signInOptions();
    } catch {
      this.options = null;
    }
  }

  /** A sign-in (with a password or a provider) needs its second step. */
  askSecondFactor(step: SecondFactorStep): void {
    this.code = null;
    this.link = null;
    this.secondFactor = step;
  }

  /** Opens the code screen for `purpose`, starting from what was typed as the identifier. */
  withCode(purpose: CodePurpose, identifier: string): void {
    this.code = { purpose, identifier };
  }

  /** Opens the "Check your email" screen, starting from what was typed as the identifier. */
  withLink(identifier: string): void {
    this.link = { identifier };
  }

  /** The password was right but the device is new to the instance: its code went out. */
  confirmDevice(identifier: string, sent: CodeSent): void {
    this.code = { purpose: 'client_trust', identifier, sent };
  }

  /** "Use another method" chose a code: its screen, for the sign-in already started. */
  switchToCode(identifier: string, sent: CodeSent): void {
    this.link = null;
    this.code = { purpose: 'sign_in', identifier, sent };
  }

  /** "Use another method" chose an emailed link: its screen, for the sign-in already started. */
  switchToLink(identifier: string, sent: LinkSent): void {
    this.code = null;
    this.link = { identifier, sent };
  }

  /** Back to the sign-in form (the password, a passkey), with `identifier` already typed. */
  toForm(identifier: string): void {
    this.reset();
    this.typed = identifier;
  }

  reset(): void {
    this.typed = '';
    this.secondFactor = null;
    this.signingUp = false;
    this.code = null;
    this.link = null;
  }
}

export const signInFlow = new SignInFlowStore();
