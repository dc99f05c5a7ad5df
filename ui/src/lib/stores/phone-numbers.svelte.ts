// The account's phone numbers: the actions on the list the user store holds. Like the email
// addresses, each action refreshes the user afterwards and records the verification's progress.
import * as api from '../api';
import type { CommandError, PhoneNumber, User } from '../bindings';
import { outbox } from './outbox.svelte';
import { user } from './user.svelte';
import { verifications } from './verifications.svelte';

class PhoneNumberStore {
  /** Every number of the signed-in person, in the server's order. */
  get all(): PhoneNumber[] {
    return user.current?.phone_numbers ?? [];
  }

  /** Adds a number (E.164) and texts it a code; see `emailAddresses.add` for the errors. */
  async add(e164: string): Promise<PhoneNumber> {
    const created = await api.createPhoneNumber(e164);
    user.putPhoneNumber(created);
    try {
      return await this.prepare(created.id);
    } catch {
      return created;
    }
  }

  async prepare(id: string): Promise<PhoneNumber> {
    try {
      const phone = await api.preparePhoneVerification(id);
      user.putPhoneNumber(phone);
      verifications.sent(id);
      outbox.poke();
      await user.refresh();
      return phone;
    } catch (err) {
      verifications.failed(id, err as CommandError);
      throw err;
    }
  }

  async attempt(id: string, code: string): Promise<PhoneNumber> {
    try {
      const phone = await api.attemptPhoneVerification(id, code);
      user.putPhoneNumber(phone);
      if (phone.verification?.status === 'verified') verifications.forget(id);
      await user.refresh();
      return phone;
    } catch (err) {
      verifications.failed(id, err as CommandError);
      await user.refresh().catch(() => undefined);
      throw err;
    }
  }

  async makePrimary(id: string): Promise<User> {
    return user.updateProfile({ primary_phone_number_id: id });
  }

  /** Returns the number as the server sent it: with backup codes the first time, once. */
  async reserveForSecondFactor(id: string, reserved: boolean): Promise<PhoneNumber> {
    const phone = await api.setReservedForSecondFactor(id, reserved);
    user.putPhoneNumber(phone);
    await user.refresh();
    return phone;
  }

  async makeDefaultSecondFactor(id: string): Promise<PhoneNumber> {
    const phone = await api.makeDefaultSecondFactor(id);
    user.putPhoneNumber(phone);
    await user.refresh();
    return phone;
  }

  async remove(id: string): Promise<void> {
    await api.destroyPhoneNumber(id);
    verifications.forget(id);
    await user.refresh();
  }
}

export const phoneNumbers = new PhoneNumberStore();
