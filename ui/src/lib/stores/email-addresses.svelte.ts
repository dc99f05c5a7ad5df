// The account's email addresses. The list itself is part of the User, so it lives in the user
// store; these are the actions on it. Each one refreshes the user afterwards, so the user store
// stays the one source of truth, and records the verification's progress.
import * as api from '../api';
import type { CommandError, EmailAddress, User, VerificationStrategy } from '../bindings';
import { outbox } from './outbox.svelte';
import { user } from './user.svelte';
import { verifications } from './verifications.svelte';

class EmailAddressStore {
  /** Every address of the signed-in person, in the server's order. */
  get all(): EmailAddress[] {
    return user.current?.email_addresses ?? [];
  }

  /**
   * Adds an address and sends it a code or a link. When the address was added but the sending
   * failed, the address is returned with the error recorded on it (its card shows it) rather than
   * thrown; a refusal of the address itself is thrown, for the add form.
   */
  async add(address: string, strategy: VerificationStrategy): Promise<EmailAddress> {
    const created = await api.createEmailAddress(address);
    user.putEmailAddress(created);
    try {
      return await this.prepare(created.id, strategy);
    } catch {
      return created;
    }
  }

  /** Sends a (new) code or link. The error is recorded for the card and thrown. */
  async prepare(id: string, strategy: VerificationStrategy): Promise<EmailAddress> {
    try {
      const email = await api.prepareEmailVerification(id, strategy);
      user.putEmailAddress(email);
      verifications.sent(id);
      outbox.poke();
      await user.refresh();
      return email;
    } catch (err) {
      verifications.failed(id, err as CommandError);
      throw err;
    }
  }

  /** Checks a code. The error is recorded for the card and thrown. */
  async attempt(id: string, code: string): Promise<EmailAddress> {
    try {
      const email = await api.attemptEmailVerification(id, code);
      user.putEmailAddress(email);
      if (email.verification?.status === 'verified') verifications.forget(id);
      await user.refresh();
      return email;
    } catch (err) {
      verifications.failed(id, err as CommandError);
      // The verification may have moved on (failed, expired): show it as it is now.
      await user.refresh().catch(() => undefined);
      throw err;
    }
  }

  /** After a link was opened elsewhere: asks the server where the verification stands. */
  async check(id: string): Promise<EmailAddress | null> {
    await user.refresh();
    return this.all.find((e) => e.id === id) ?? null;
  }

  async makePrimary(id: string): Promise<User> {
    return user.updateProfile({ primary_email_address_id: id });
  }

  async remove(id: string): Promise<void> {
    await api.destroyEmailAddress(id);
    verifications.forget(id);
    await user.refresh();
  }
}

export const emailAddresses = new EmailAddressStore();
