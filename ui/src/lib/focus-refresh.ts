// When the window comes back to the front: the section a notification pointed to opens, and the
// shown user is read again (at most every 15 s), so changes made elsewhere appear.
import * as api from './api';
import type { NoticeSection } from './bindings';
import { nav, type Section } from './stores/nav.svelte';
import { user } from './stores/user.svelte';

export const FOCUS_REFRESH_MS = 15_000;

const SECTION_OF: Record<NoticeSection, Section> = { devices: 'devices', connected: 'connected', tokens: 'tokens' };

/** Opens the section the latest notification leads to, if there is one. Never throws. */
export async function openNoticeSection(): Promise<void> {
  if (!user.current) return;
  try {
    const section = await api.takeNoticeSection();
    if (section) nav.go(SECTION_OF[section]);
  } catch {
    // Nothing to open.
  }
}

/** Listens to the window's focus; returns the function that stops. */
export function refreshOnFocus(): () => void {
  let last = Date.now();
  const onFocus = () => {
    void openNoticeSection();
    if (Date.now() - last < FOCUS_REFRESH_MS) return;
    last = Date.now();
    void user.refreshQuietly();
  };
  window.addEventListener('focus', onFocus);
  return () => window.removeEventListener('focus', onFocus);
}
