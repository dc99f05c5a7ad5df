// Drags files onto the app the way a person does from a file manager: a real XDND drag on the test's
// X server. e2e/tools/drag-source.py shows a small window offering the files (text/uri-list); xdotool
// presses the pointer on it, moves it in steps onto the app's window and lets go. The app sees what
// it sees from Nautilus: GTK drag events on its webview, which Tauri turns into drag-drop events.
//
// Under Xvfb no window manager runs: windows sit where they ask to be, without frames, stacked in
// the order they were mapped, and nothing takes or needs the focus (XDND does not use it). The
// source window is mapped after the app's, so it is on top; it goes in a corner and the drop point
// must lie outside it.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { log } from './app.mjs';
import { SYSTEM_PYTHON, appWindowGeometry, middleOf, sleep, windowGeometry, xdotool } from './x11.mjs';

const DRAG_SOURCE = fileURLToPath(new URL('../tools/drag-source.py', import.meta.url));
const SOURCE_TITLE = 'userdesk-e2e-drag-source';
const inside = (point, rect) =>
  point.x >= rect.x && point.x < rect.x + rect.width && point.y >= rect.y && point.y < rect.y + rect.height;

/**
 * Starts drag-source.py offering `files`; resolves once its window is on the screen with
 * {geometry, finished}, where `finished` resolves with {status, output} when it exits.
 */
async function startSource(files, timeoutSeconds) {
  const child = spawn(SYSTEM_PYTHON,
    [DRAG_SOURCE, '--x', '0', '--y', '0', '--title', SOURCE_TITLE, '--timeout', String(timeoutSeconds), ...files],
    { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk) => { output += chunk; });
  child.stderr.on('data', (chunk) => { output += chunk; });
  const finished = new Promise((resolve) => {
    child.on('error', (error) => resolve({ status: null, output: `${output}${error.message}\n` }));
    child.on('close', (status) => resolve({ status, output }));
  });
  // A source that dies at start (no GTK bindings, a missing file) must not leave the search waiting.
  const exitedEarly = finished.then(({ status, output: said }) => {
    throw new Error(`drag-source.py exited (status ${status}) before its window showed:\n${said}`);
  });
  // Once the window has shown, its exit is reported through `finished`, not as this failure.
  exitedEarly.catch(() => {});
  try {
    const geometry = await Promise.race([windowGeometry(`^${SOURCE_TITLE}$`), exitedEarly]);
    return { geometry, finished, child };
  } catch (error) {
    child.kill();
    throw error;
  }
}

/**
 * Drags `files` (paths) from a file-manager-like window and drops them at `to` (screen
 * coordinates; by default the middle of the app's window). `whileOver`, when given, runs while the
 * files hover over the drop point, before the button is let go (to see what the window shows
 * during a drag); when it fails, the drag is cancelled with Escape instead of dropped. Resolves
 * with what the source saw: {dropped, status, output}; `dropped` is true when a target took the files.
 */
export async function dragFiles(files, { to, whileOver, steps = 12, stepDelay = 40, timeoutSeconds = 30 } = {}) {
  const target = to ?? middleOf(await appWindowGeometry());
  const { geometry: source, finished, child } = await startSource(files, timeoutSeconds);
  if (inside(target, source)) {
    child.kill();
    throw new Error(`the drop point ${target.x},${target.y} is under the drag source's window ${JSON.stringify(source)}`);
  }
  const grab = middleOf(source);
  log(`drag ${files.length} file(s) from ${grab.x},${grab.y} to ${target.x},${target.y}`);
  try {
    await xdotool('mousemove', String(grab.x), String(grab.y));
    await sleep(100);
    await xdotool('mousedown', '1');
    await sleep(100);
    // Past GTK's drag threshold (8 px) first: that starts the drag. Then in steps, because XDND
    // works on motion events: each one is an XdndPosition the target answers before the next.
    for (let i = 1; i <= steps; i += 1) {
      const x = Math.round(grab.x + ((target.x - grab.x) * i) / steps);
      const y = Math.round(grab.y + ((target.y - grab.y) * i) / steps);
      await xdotool('mousemove', String(x), String(y));
      await sleep(stepDelay);
    }
    // A few small moves over the target: WebKit asks the source for the data when the drag enters
    // and Tauri only takes a drop whose files it already has.
    for (const dx of [3, -3, 0]) {
      await xdotool('mousemove', String(target.x + dx), String(target.y));
      await sleep(150);
    }
    if (whileOver) await whileOver();
  } catch (error) {
    // Drop nothing after a failure: GTK holds the keyboard during a drag, and Escape ends it. Never
    // leave the button held either: the next clicks would be part of this drag.
    await xdotool('key', 'Escape').catch(() => {});
    await xdotool('mouseup', '1').catch(() => {});
    child.kill();
    await finished;
    throw error;
  }
  try {
    await xdotool('mouseup', '1');
  } catch (error) {
    child.kill();
    throw error;
  }
  const { status, output } = await finished;
  const dropped = status === 0;
  log(`drag ended: ${dropped ? 'dropped' : `not dropped (drag-source.py exit ${status})`}`);
  return { dropped, status, output };
}

/** Drags `files` onto the app's window and fails unless the window took them. */
export async function dropOntoApp(files, options = {}) {
  const result = await dragFiles(files, options);
  if (!result.dropped) {
    throw new Error(`the app's window did not take the drop (drag-source.py exit ${result.status}); it said:\n${result.output}`);
  }
  return result;
}
