// Sections other than Profile (the first one a signed-in person sees) and Settings (also shown
// signed out) are separate chunks: the window draws without parsing them, and they are fetched
// once the first screen is up, so opening one later does not wait either. Their code carries the
// heavy parts only they need: phone metadata (Emails & phones, Security) and the QR encoder
// (Security). The sign-up screen is one too (phone numbers need that metadata): it is fetched
// while the sign-in screen is up. The sidebar's account switcher is not: a header drawn without
// it and then replaced would flicker under the person's pointer.
import type { Component } from 'svelte';
import type { User } from '$lib/bindings';

type Loader<T> = () => Promise<T>;

/** A loader that imports its module once and hands out the same promise after that. */
function once<T>(load: () => Promise<{ default: T }>): Loader<T> {
  let promise: Promise<T> | undefined;
  return () => {
    promise ??= load().then((module) => module.default);
    // A failed import may succeed on the next try (it is reported where the section would be).
    promise.catch(() => (promise = undefined));
    return promise;
  };
}

export const lazySections = {
  emails: once<Component<{ user: User }>>(() => import('../sections/EmailsPhones.svelte')),
  connected: once<Component<{ user: User }>>(() => import('../sections/ConnectedAccounts.svelte')),
  security: once<Component<{ user: User }>>(() => import('../sections/Security.svelte')),
  devices: once<Component>(() => import('../sections/Devices.svelte')),
  tokens: once<Component>(() => import('../sections/Tokens.svelte')),
  signUp: once<Component>(() => import('./SignUp.svelte')),
};

/** Fetches every lazy section while the window is idle, so none waits when first opened. */
export function preloadSections(): () => void {
  const timer = setTimeout(() => {
    for (const load of Object.values(lazySections)) void load().catch(() => undefined);
  }, 300);
  return () => clearTimeout(timer);
}
