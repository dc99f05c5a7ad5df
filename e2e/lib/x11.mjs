// The test's X server, through xdotool: windows by title, their geometry, the pointer.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The app's main window's title (tauri.conf.json), as an anchored regular expression for xdotool. */
const APP_TITLE = '^Userdesk$';
const XDOTOOL_TIMEOUT = 15_000;

/**
 * Debian's python3, which has GTK's bindings (python3-gi) and reaches libX11: the tools in
 * e2e/tools run on it. A python3 earlier on PATH (pyenv, a virtualenv) usually has not.
 */
export const SYSTEM_PYTHON = '/usr/bin/python3';

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs xdotool with these arguments on the test's display; resolves with its stdout. */
export function xdotool(...args) {
  return new Promise((resolve, reject) => {
    execFile('xdotool', args, { timeout: XDOTOOL_TIMEOUT }, (error, stdout, stderr) => {
      if (error) {
        const why = error.killed ? `no answer within ${XDOTOOL_TIMEOUT} ms` : (stderr.trim() || error.message);
        reject(new Error(`xdotool ${args.join(' ')}: ${why}`));
      } else {
        resolve(stdout);
      }
    });
  });
}

/** The geometry of the first visible window whose name matches `pattern`: {x, y, width, height}. */
export async function windowGeometry(pattern) {
  // --sync waits until such a window is mapped (xdotool's own timeout above bounds the wait).
  const ids = (await xdotool('search', '--sync', '--onlyvisible', '--name', pattern)).trim().split(/\s+/);
  const shell = await xdotool('getwindowgeometry', '--shell', ids[0]);
  const value = (name) => {
    const match = shell.match(new RegExp(`^${name}=(-?\\d+)$`, 'm'));
    if (!match) throw new Error(`xdotool getwindowgeometry printed no ${name}: ${shell}`);
    return Number(match[1]);
  };
  return { x: value('X'), y: value('Y'), width: value('WIDTH'), height: value('HEIGHT') };
}

/** The app's main window on the screen. */
export function appWindowGeometry() {
  return windowGeometry(APP_TITLE);
}

/** The middle of a rectangle {x, y, width, height}. */
export const middleOf = (rect) => ({
  x: Math.round(rect.x + rect.width / 2),
  y: Math.round(rect.y + rect.height / 2),
});

/**
 * Moves the pointer across the app's window. Seen here: after a few seconds without X input the
 * app's WebKit answers no WebDriver screenshot (the request hangs, and the app then outlives its
 * session); a pointer motion over the window brings it back. Call it before a failure's screenshot.
 */
export async function wakeApp() {
  const middle = middleOf(await appWindowGeometry());
  await xdotool('mousemove', String(middle.x + 1), String(middle.y));
  await xdotool('mousemove', String(middle.x), String(middle.y));
  await sleep(200);
}

/** Ids of the app's windows that are mapped now (none: an empty list, not an error). */
export async function visibleAppWindows() {
  try {
    return (await xdotool('search', '--onlyvisible', '--name', APP_TITLE)).trim().split(/\s+/).filter(Boolean);
  } catch {
    // xdotool exits 1 when nothing matches.
    return [];
  }
}

/**
 * Closes the app's window as a window manager's close button would (e2e/tools/close-window.py:
 * WM_DELETE_WINDOW; the tests' X server has no window manager).
 */
export async function closeAppWindow() {
  const [id] = await visibleAppWindows();
  if (!id) throw new Error('the app has no visible window to close');
  const tool = fileURLToPath(new URL('../tools/close-window.py', import.meta.url));
  await new Promise((resolve, reject) => {
    execFile(SYSTEM_PYTHON, [tool, id], { timeout: XDOTOOL_TIMEOUT }, (error, _stdout, stderr) =>
      error ? reject(new Error(`close-window.py ${id}: ${stderr.trim() || error.message}`)) : resolve());
  });
}
