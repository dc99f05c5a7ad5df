// Issue 15, the tray: with "Keep Userdesk in the tray" on, closing the window hides it and the app
// keeps running (still watching the accounts); launching Userdesk again brings the same window
// back. With the setting off (the default), closing the window quits the app. The window is closed
// as a window manager's close button does (WM_DELETE_WINDOW), since the tests' X server has none.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import {
  APP, LAUNCH_TIMEOUT, appPids, click, find, launch, log, quit, step, waitForAny,
} from '../lib/app.mjs';
import { closeAppWindow, sleep, visibleAppWindows } from '../lib/x11.mjs';

/** Polls `check` every 200 ms until it returns true, or fails with `what` after `timeout` ms. */
async function until(what, check, timeout = 20_000) {
  const deadline = Date.now() + timeout;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`not within ${timeout} ms: ${what}`);
    await sleep(200);
  }
}

async function keepInTray(driver, wanted) {
  const box = await find(driver, 'settings-keep-in-tray');
  if ((await box.isSelected()) !== wanted) await click(driver, 'settings-keep-in-tray');
  await until(`the setting is ${wanted ? 'on' : 'off'} and saved`, async () => {
    const now = await find(driver, 'settings-keep-in-tray');
    return (await now.isSelected()) === wanted && (await now.isEnabled());
  });
}

test('closing the window keeps the app in the tray when asked, and quits it otherwise', { timeout: 300_000 }, async () => {
  const driver = await launch();
  let running = true;
  try {
    await step(driver, 'turn on "keep in the tray" from the sign-in screen\'s settings', async () => {
      await waitForAny(driver, ['signin-identifier'], LAUNCH_TIMEOUT);
      await click(driver, 'signin-settings');
      await keepInTray(driver, true);
    });

    await step(driver, 'closing the window hides it; the app runs on', async () => {
      await closeAppWindow();
      await until('the window is hidden', async () => (await visibleAppWindows()).length === 0);
      await sleep(2_000);
      assert.ok(appPids().length > 0, 'the app is still running');
      assert.equal((await visibleAppWindows()).length, 0, 'and its window stays hidden');
    });

    await step(driver, 'launching Userdesk again shows the same window, as it was', async () => {
      log('launch a second instance');
      const second = spawnSync(APP, [], { timeout: 60_000, env: process.env });
      assert.equal(second.status, 0, `the second launch exited with ${second.status}: ${second.stderr}`);
      await until('the window is shown again', async () => (await visibleAppWindows()).length > 0);
      assert.equal(await (await find(driver, 'settings-keep-in-tray')).isSelected(), true, 'the same window');
    });

    await step(driver, 'with the setting off, closing the window quits the app', async () => {
      await keepInTray(driver, false);
      await closeAppWindow();
      await until('the app has quit', async () => appPids().length === 0);
      running = false;
    });
  } finally {
    if (running) {
      await quit(driver);
    } else {
      await driver.quit().catch(() => {});
    }
  }
});
