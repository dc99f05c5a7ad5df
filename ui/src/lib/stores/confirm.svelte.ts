// The one confirmation dialog. Destructive actions ask once, naming the thing:
//   if (await confirmation.ask({ title: 'Remove a@b.c?', ... })) …
export type ConfirmRequest = {
  title: string;
  message: string;
  /** The accept button's label, e.g. "Remove". */
  confirmLabel: string;
  /** Defaults to true: the accept button is drawn as a destructive one. */
  destructive?: boolean;
};

class ConfirmStore {
  current = $state<ConfirmRequest | null>(null);
  /** The element that had focus when the dialog opened, to get it back afterwards. */
  returnFocus: HTMLElement | null = null;
  #resolve: ((ok: boolean) => void) | null = null;

  ask(request: ConfirmRequest): Promise<boolean> {
    this.#resolve?.(false);
    this.returnFocus = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    this.current = request;
    return new Promise((resolve) => (this.#resolve = resolve));
  }

  settle(ok: boolean): void {
    const resolve = this.#resolve;
    this.#resolve = null;
    this.current = null;
    resolve?.(ok);
  }
}

export const confirmation = new ConfirmStore();
