// A command found the instance unreachable (`network`, `timeout`): announced here, so that the
// window turns into the offline view at once, not at the next focus. Like ./signed-out, it
// imports nothing, so the API layer can announce without knowing who listens.

type Listener = () => void;

const listeners = new Set<Listener>();

/** Calls `listener` whenever a command could not reach the instance; returns the function that stops it. */
export function onUnreachable(listener: Listener): () => void {
  listeners.add(listener);
  return () => {
    listeners.delete(listener);
  };
}

/** A command could not reach the instance. */
export function unreachable(): void {
  for (const listener of listeners) listener();
}
