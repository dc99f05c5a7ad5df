// Where the signed-out screens stand: the sign-in form, its second step, or creating an account.
import type { SecondFactorStep } from '../bindings';

class SignInFlowStore {
  /** A sign-in waiting for its second step. */
  secondFactor = $state<SecondFactorStep | null>(null);
  /** The sign-up screen is open. */
  signingUp = $state(false);

  /** A sign-in (with a password or a provider) needs its second step. */
  askSecondFactor(step: SecondFactorStep): void {
    this.secondFactor = step;
  }

  reset(): void {
    this.secondFactor = null;
    this.signingUp = false;
  }
}

export const signInFlow = new SignInFlowStore();
