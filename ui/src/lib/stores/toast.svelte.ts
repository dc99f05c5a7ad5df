// Short results of actions ("Profile saved"). One at a time: a new one replaces the old one.
export type Toast = { id: number; kind: 'success' | 'error'; message: string };

const SHOW_MS = 4000;

class ToastStore {
  current = $state<Toast | null>(null);
  #next = 1;
  #timer: ReturnType<typeof setTimeout> | undefined;

  show(message: string, kind: Toast['kind'] = 'success'): void {
    clearTimeout(this.#timer);
    const toast = { id: this.#next++, kind, message };
    this.current = toast;
    // Errors stay a little longer: they are the ones a person needs to read.
    this.#timer = setTimeout(() => this.dismiss(toast.id), kind === 'error' ? SHOW_MS * 2 : SHOW_MS);
  }

  success(message: string): void {
    this.show(message, 'success');
  }

  error(message: string): void {
    this.show(message, 'error');
  }

  dismiss(id?: number): void {
    if (id === undefined || this.current?.id === id) {
      clearTimeout(this.#timer);
      this.current = null;
    }
  }
}

export const toasts = new ToastStore();
