import { mount } from 'svelte';
import './app.css';
import App from './App.svelte';

async function boot() {
  // Outside Tauri (a plain browser on the dev server) there is no IPC: stand in a mock so the
  // screens can be looked at. `import.meta.env.DEV` is false in `vite build`, so this import and
  // the mock module are dropped from the production bundle.
  if (import.meta.env.DEV && !('__TAURI_INTERNALS__' in window)) {
    const { installDevMock } = await import('./dev/mock');
    installDevMock(new URLSearchParams(window.location.search));
  }
  const target = document.getElementById('app');
  if (!target) throw new Error('#app is missing from index.html');
  target.replaceChildren(); // index.html's "Starting…" line
  mount(App, { target });
}

void boot();
