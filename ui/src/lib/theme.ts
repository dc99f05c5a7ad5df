import type { Theme } from './bindings';

/**
 * Applies a theme to the document: `light` and `dark` set `data-theme` on <html>, which wins over
 * the system's `prefers-color-scheme`; `system` removes it so the media query decides.
 */
export function applyTheme(theme: Theme): void {
  const root = document.documentElement;
  if (theme === 'system') root.removeAttribute('data-theme');
  else root.setAttribute('data-theme', theme);
}
