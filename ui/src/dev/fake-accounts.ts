// Dev-server only: the accounts in the switcher, from memory. The demo account is the mock's
// FakeAccount; the others are people to look at (their sections show the demo account's data).
// Fixture data, not the Rust side's rules. Query parameter:
//   ?others               two more accounts: Grace Hopper (signed in) and Alan Turing on a Clerk
//                         instance, whose session ended
import type { AccountSummary, User } from '$lib/bindings';
import type { Handler } from './fake-account';

export const DEMO_ACCOUNT = 'acc_demo';

type Entry = { summary: AccountSummary; user: User | null; usedAt: number };

const EMBEDDED = { instance_kind: 'embedded', instance_label: 'Embedded account server' } as const;

/** A person of the mock, on the demo user's shape. */
function person(demo: User, first: string, last: string, address: string): User {
  const email = { ...demo.email_addresses[0]!, id: `idn_${first}`, email_address: address };
  return { ...demo, id: `user_${first}`, first_name: first, last_name: last, username: first.toLowerCase(), email_addresses: [email], primary_email_address_id: email.id };
}

function summary(user: User | null): AccountSummary['person'] {
  if (!user) return null;
  return { name: `${user.first_name} ${user.last_name}`.trim(), email: user.email_addresses[0]?.email_address ?? null, image_url: null };
}

export class FakeAccounts {
  #entries: Entry[] = [];
  #active = DEMO_ACCOUNT;
  #next = 1;
  #demo: () => User;

  /** `demo` is the demo account's user as it is now; `demoSignedIn` whether it is signed in. */
  constructor(demo: () => User, demoSignedIn: boolean, query: URLSearchParams) {
    this.#demo = demo;
    this.#entries.push({ summary: this.#summary(DEMO_ACCOUNT, demoSignedIn ? demo() : null), user: null, usedAt: 3 });
    if (query.has('others')) {
      const grace = person(demo(), 'Grace', 'Hopper', 'grace@navy.example');
      const alan = person(demo(), 'Alan', 'Turing', 'alan@bletchley.example');
      this.#entries.push({ summary: this.#summary('acc_grace', grace), user: grace, usedAt: 2 });
      this.#entries.push({
        summary: { ...this.#summary('acc_alan', alan), instance_kind: 'clerk', instance_label: 'clerk.example.com', signed_out: true },
        user: null,
        usedAt: 1,
      });
    }
  }

  get active(): string {
    return this.#active;
  }

  /** Who the shown account is, when it is not the demo account; null when signed out. */
  shownUser(): User | null {
    return this.#entry(this.#active)?.user ?? null;
  }

  /** The shown account signed in (as the demo user, or someone the identifier names). */
  signedIn(identifier: string | null): void {
    const entry = this.#entry(this.#active);
    if (!entry) return;
    if (entry.summary.id !== DEMO_ACCOUNT) {
      const local = (identifier ?? 'someone').split('@')[0] ?? 'someone';
      const first = local.charAt(0).toUpperCase() + local.slice(1);
      entry.user = person(this.#demo(), first, '', identifier?.includes('@') ? identifier : `${local}@example.com`);
    }
    entry.summary = { ...entry.summary, person: summary(entry.user ?? this.#demo()), signed_out: false };
  }

  /** The shown account is removed (signed out, deleted): the next one, or a new one. */
  leave(): AccountSummary[] {
    this.#remove(this.#active);
    return this.#list();
  }

  handlers(): Record<string, Handler> {
    return {
      accounts: () => this.#list(),
      add_account: () => {
        const id = this.#freshId();
        this.#entries.push({ summary: { ...this.#summary(id, null) }, user: null, usedAt: Date.now() });
        this.#show(id);
        return this.#list();
      },
      switch_account: (a) => {
        const leaving = this.#entry(this.#active);
        this.#show(String(a.id));
        if (leaving && leaving.summary.id !== this.#active && !leaving.summary.person && !leaving.summary.signed_out) {
          this.#entries = this.#entries.filter((e) => e !== leaving);
        }
        return this.#list();
      },
      remove_account: (a) => {
        this.#remove(String(a.id));
        return this.#list();
      },
    };
  }

  /** A new account's id: the demo account's again once it was removed, so it can sign in anew. */
  #freshId(): string {
    return this.#entry(DEMO_ACCOUNT) ? `acc_new_${this.#next++}` : DEMO_ACCOUNT;
  }

  #summary(id: string, user: User | null): AccountSummary {
    return { id, ...EMBEDDED, person: summary(user), active: false, signed_out: false };
  }

  #entry(id: string): Entry | undefined {
    return this.#entries.find((e) => e.summary.id === id);
  }

  #show(id: string): void {
    const entry = this.#entry(id);
    if (!entry) throw { code: 'account_not_found', message: 'That account is no longer in Userdesk.', field: null };
    entry.usedAt = Date.now();
    this.#active = id;
  }

  #remove(id: string): void {
    this.#entries = this.#entries.filter((e) => e.summary.id !== id);
    if (this.#active !== id) return;
    const next = [...this.#entries].sort((a, b) => b.usedAt - a.usedAt)[0];
    if (next) {
      this.#show(next.summary.id);
    } else {
      const fresh = this.#freshId();
      this.#entries.push({ summary: this.#summary(fresh, null), user: null, usedAt: Date.now() });
      this.#active = fresh;
    }
  }

  #list(): AccountSummary[] {
    return this.#entries.map((e) => ({ ...e.summary, active: e.summary.id === this.#active }));
  }
}
