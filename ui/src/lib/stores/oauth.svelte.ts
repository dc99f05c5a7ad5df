// OAuth round trips: connecting an account, asking it for more access, signing in with a provider.
// A flow starts with a command (the system browser opens) and ends with the `oauth-finished` event
// for its flow id; meanwhile `pending` drives the "Continue in your browser" panel. One flow at a
// time. The user store stays the one copy of the user: a finished flow hands its user to it —
// unless the flow's account is no longer the one shown: then a toast says how it ended there.
import * as api from '../api';
import type { CommandError, OAuthFinished, OAuthFlowKind, OAuthStarted } from '../bindings';
import { offerOrder, provider } from '../providers';
import { onSignedOut } from '../signed-out';
import { displayName } from '../user-display';
import { accounts } from './accounts.svelte';
import { nav } from './nav.svelte';
import { signInFlow } from './sign-in-flow.svelte';
import { toasts } from './toast.svelte';
import { user } from './user.svelte';

export type PendingFlow = {
  kind: OAuthFlowKind;
  strategy: string;
  /** The external account a reauthorization (or reconnection) is about. */
  accountId: string | null;
  /** Null while the start command has not answered yet. */
  flowId: string | null;
};

class OAuthStore {
  /** The flow waiting for the browser, or null. */
  pending = $state.raw<PendingFlow | null>(null);
  /** The enabled strategies (`oauth_github`…), once loaded. */
  strategies = $state<string[] | null>(null);
  strategiesError = $state<CommandError | null>(null);
  /** Why the last flow of the Connected accounts section failed, when no card can show it. */
  connectError = $state<string | null>(null);
  /** An error to show on one account's card, by external account id. */
  accountErrors = $state<Record<string, string>>({});
  /** Why the last sign-in with a provider failed (the sign-in screen shows it). */
  signInError = $state<string | null>(null);

  #listening: Promise<unknown> | null = null;
  /** Events whose flow id was not known yet (the start command had not answered). */
  #early = new Map<string, OAuthFinished>();
  #cancelled = false;
  #loading: Promise<void> | null = null;
  /** Flows left waiting in an account no longer shown, by flow id: they end there. */
  #left = new Map<string, PendingFlow>();

  constructor() {
    onSignedOut((cause) => {
      // The round trip goes on in the account that started it (the Rust side keeps it).
      if (cause === 'switched' && this.pending?.flowId) this.#left.set(this.pending.flowId, this.pending);
      this.#forgetAccount();
    });
  }

  /** Loads the enabled strategies once (again after a failure). Never throws. */
  loadStrategies(force = false): Promise<void> {
    if (this.#loading && !force) return this.#loading;
    this.#loading = (async () => {
      try {
        this.strategies = offerOrder(await api.oauthStrategies());
        this.strategiesError = null;
      } catch (err) {
        this.strategiesError = err as CommandError;
        this.#loading = null;
      }
    })();
    return this.#loading;
  }

  connect(strategy: string, accountId: string | null = null): Promise<void> {
    return this.#start({ kind: 'connect', strategy, accountId, flowId: null }, () =>
      api.connectExternalAccount(strategy, []),
    );
  }

  reauthorize(accountId: string, strategy: string, scopes: string[]): Promise<void> {
    return this.#start({ kind: 'reauthorize', strategy, accountId, flowId: null }, () =>
      api.reauthorizeExternalAccount(accountId, scopes),
    );
  }

  signIn(strategy: string): Promise<void> {
    return this.#start({ kind: 'sign_in', strategy, accountId: null, flowId: null }, () => api.signInWithOAuth(strategy));
  }

  /** Stops waiting: tells the Rust side and closes the panel. */
  async cancel(): Promise<void> {
    const flow = this.pending;
    if (!flow) return;
    this.pending = null;
    if (flow.flowId === null) {
      // The start has not answered yet: cancel it as soon as it does.
      this.#cancelled = true;
      return;
    }
    await api.cancelOAuth(flow.flowId).catch(() => undefined);
  }

  /** Removes a connected account and reads the user again. Throws the `CommandError`. */
  async remove(id: string): Promise<void> {
    await api.destroyExternalAccount(id);
    this.forgetError(id);
    await user.refresh();
  }

  forgetError(id: string): void {
    if (id in this.accountErrors) {
      const { [id]: _gone, ...rest } = this.accountErrors;
      this.accountErrors = rest;
    }
  }

  async #start(flow: PendingFlow, start: () => Promise<OAuthStarted>): Promise<void> {
    if (this.pending) return;
    this.#cancelled = false;
    if (flow.kind === 'sign_in') this.signInError = null;
    else this.connectError = null;
    if (flow.accountId) this.forgetError(flow.accountId);
    this.pending = flow;
    try {
      await this.#listen();
      const started = await start();
      if (this.#cancelled || this.pending !== flow) {
        this.#cancelled = false;
        await api.cancelOAuth(started.flow_id).catch(() => undefined);
        return;
      }
      this.pending = { ...flow, flowId: started.flow_id };
      const early = this.#early.get(started.flow_id);
      this.#early.clear();
      if (early) await this.#finish(early);
    } catch (err) {
      if (this.pending === flow) this.pending = null;
      this.#fail(flow, (err as CommandError).message);
    }
  }

  #listen(): Promise<unknown> {
    if (!this.#listening) {
      this.#listening = api.onOAuthFinished((finished) => void this.#finish(finished)).catch((err) => {
        this.#listening = null;
        throw err;
      });
    }
    return this.#listening;
  }

  async #finish(finished: OAuthFinished): Promise<void> {
    const left = this.#left.get(finished.flow_id);
    if (left) {
      this.#left.delete(finished.flow_id);
      await this.#report(left, finished);
      return;
    }
    const flow = this.pending;
    if (!flow) return;
    if (flow.flowId === null) {
      // Our start has not answered yet; this may be ours.
      this.#early.set(finished.flow_id, finished);
      return;
    }
    if (finished.flow_id !== flow.flowId) return;
    this.pending = null;
    await this.#report(flow, finished);
  }

  /**
   * The result of the flow whose link started the app (the browser came back while Userdesk was
   * closed), or null. Asked before the user is loaded: the flow may be what signs them in.
   */
  collectLaunch(): Promise<OAuthFinished | null> {
    return api.launchOAuthResult().catch(() => null);
  }

  /** Tells the person how the flow that started the app ended, as if they had waited for it. */
  async reportLaunch(finished: OAuthFinished): Promise<void> {
    const accountId = 'external_account_id' in finished ? finished.external_account_id : null;
    const account = user.current?.external_accounts.find((a) => a.id === accountId);
    const strategy = finished.strategy ?? account?.provider ?? '';
    await this.#report({ kind: finished.kind, strategy, accountId, flowId: finished.flow_id }, finished);
  }

  async #report(flow: PendingFlow, finished: OAuthFinished): Promise<void> {
    if (!accounts.isShown(finished.account_id)) {
      this.#reportHidden(flow, finished);
      return;
    }
    const name = provider(flow.strategy).name;
    const message = 'error' in finished ? finished.error.message : null;
    switch (finished.status) {
      case 'account_verified':
        user.put(finished.user);
        toasts.success(flow.kind === 'reauthorize' ? `${name} access updated` : `${name} account connected`);
        return;
      case 'account_failed': {
        user.put(finished.user);
        const id = finished.external_account_id ?? flow.accountId;
        const text = message ?? `${name} didn’t confirm the account.`;
        const onCard = id && user.current?.external_accounts.some((a) => a.id === id);
        if (id && onCard) this.accountErrors = { ...this.accountErrors, [id]: text };
        else this.connectError = text;
        return;
      }
      case 'signed_in':
        user.put(finished.user);
        nav.reset();
        toasts.success(finished.new_user ? `Account created with ${name}` : `Welcome, signed in with ${name}`);
        return;
      case 'needs_second_factor':
        // The provider vouched for the person; the sign-in screen's second step asks for the code.
        signInFlow.askSecondFactor(finished.second_factor);
        return;
    }
    this.#fail(flow, message ?? `Signing in with ${name} didn’t finish.`);
  }

  /** How a flow ended in an account that is not shown: its user stays out of the window. */
  #reportHidden(flow: PendingFlow, finished: OAuthFinished): void {
    const name = provider(flow.strategy || finished.strategy || '').name;
    const who = accounts.nameOf(finished.account_id);
    switch (finished.status) {
      case 'account_verified':
        toasts.success(flow.kind === 'reauthorize' ? `${name} access updated for ${who}` : `${name} account connected to ${who}`);
        return;
      case 'signed_in':
        toasts.success(`${displayName(finished.user)} signed in with ${name}`);
        // Who that account is may be new to the list.
        void accounts.load();
        return;
      case 'needs_second_factor':
        toasts.error(`Signing in to ${who} with ${name} needs two-step verification: switch to it and sign in again.`);
        return;
      case 'account_failed':
        toasts.error(`${who}: ${finished.error.message || `${name} didn’t confirm the account.`}`);
        return;
      default:
        toasts.error(`${who}: ${finished.error.message || `Signing in with ${name} didn’t finish.`}`);
    }
  }

  #fail(flow: PendingFlow, message: string): void {
    if (flow.kind === 'sign_in') this.signInError = message;
    else if (flow.accountId) this.accountErrors = { ...this.accountErrors, [flow.accountId]: message };
    else this.connectError = message;
  }

  /** A fresh start (tests): the account forgotten, the strategies read and listening begun again. */
  reset(): void {
    this.#forgetAccount();
    this.strategies = null;
    this.strategiesError = null;
    this.#listening = null;
    this.#loading = null;
    this.#left.clear();
  }

  /**
   * Signed out: no flow waits and no error of the last account shows. The strategies are the
   * instance's, and the listener stays (it answers only to a pending flow).
   */
  #forgetAccount(): void {
    this.pending = null;
    this.connectError = null;
    this.accountErrors = {};
    this.signInError = null;
    this.#early.clear();
    this.#cancelled = false;
  }
}

export const oauth = new OAuthStore();
