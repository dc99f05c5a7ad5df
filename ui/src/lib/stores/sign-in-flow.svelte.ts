// Where the signed-out screens stand: the sign-in form, its second step, or creating an account.
import type { SecondFactorPhone, SecondFactorStep } from '../bindings';

export type PendingSecondFactor = {
  signInId: string;
  /** `totp`, `phone_code`, `backup_code`, as the account allows. */
  strategies: string[];
  phone: SecondFactorPhone | null;
};

class SignInFlowStore {
  /** A sign-in waiting for its second step. */
  secondFactor = $state<PendingSecondFactor | null>(null);
  /** The sign-up screen is open. */
  signingUp = $state(false);

  /** A sign-in (with a password or a provider) needs its second step. */
  askSecondFactor(step: SecondFactorStep): void {
    this.secondFactor = { signInId: step.sign_in_id, strategies: step.strategies, phone: step.phone };
  }

  reset(): void {
    this.secondFactor = null;
    this.signingUp = false;
  }
}

export const signInFlow = new SignInFlowStore();
