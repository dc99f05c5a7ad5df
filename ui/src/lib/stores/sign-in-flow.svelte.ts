// Where the signed-out screens stand: the sign-in form, its second step, or creating an account.
import type { CodePurpose, SecondFactorStep } from '../bindings';

/** A sign-in by code, or the reset of a forgotten password, with the identifier it started from. */
export type CodeFlow = { purpose: CodePurpose; identifier: string };

class SignInFlowStore {
  /** A sign-in waiting for its second step. */
  secondFactor = $state<SecondFactorStep | null>(null);
  /** The sign-up screen is open. */
  signingUp = $state(false);
  /** Signing in with an emailed code, or resetting the password: its screen is open. */
  code = $state<CodeFlow | null>(null);

  /** A sign-in (with a password or a provider) needs its second step. */
  askSecondFactor(step: SecondFactorStep): void {
    this.code = null;
    this.secondFactor = step;
  }

  /** Opens the code screen for `purpose`, starting from what was typed as the identifier. */
  withCode(purpose: CodePurpose, identifier: string): void {
    this.code = { purpose, identifier };
  }

  reset(): void {
    this.secondFactor = null;
    this.signingUp = false;
    this.code = null;
  }
}

export const signInFlow = new SignInFlowStore();
