// Where the signed-out screens stand: the sign-in form, its second step, or creating an account.
import type { SecondFactorPhone } from '../bindings';

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

  reset(): void {
    this.secondFactor = null;
    this.signingUp = false;
  }
}

export const signInFlow = new SignInFlowStore();
