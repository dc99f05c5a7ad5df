// Issue #2: a changed first name is still there after the app is quit and started again.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  LAUNCH_TIMEOUT, click, fill, find, step, valueOf, waitForAny, waitForText, withApp,
} from '../lib/app.mjs';

const DEMO_EMAIL = 'demo@example.com';
const DEMO_PASSWORD = 'userdesk-demo';

test('a new first name survives quitting and relaunching the app', { timeout: 300_000 }, async () => {
  const newName = `Ada${Date.now().toString(36)}`;

  await withApp(async (driver) => {
    await step(driver, 'sign in as the demo user', async () => {
      // A fresh data directory: the app starts signed out.
      await find(driver, 'signin-identifier', LAUNCH_TIMEOUT);
      await fill(driver, 'signin-identifier', DEMO_EMAIL);
      await fill(driver, 'signin-password', DEMO_PASSWORD);
      await click(driver, 'signin-submit');
      await waitForText(driver, 'sidebar-email', DEMO_EMAIL);
    });

    await step(driver, 'change the first name', async () => {
      await click(driver, 'nav-profile');
      await fill(driver, 'profile-first-name', newName);
      await click(driver, 'profile-save');
      await waitForText(driver, 'sidebar-name', newName);
    });
  });

  // Same data directories, new process.
  await withApp(async (driver) => {
    await step(driver, 'see the new name after relaunch', async () => {
      const shown = await waitForAny(driver, ['sidebar-name', 'signin-identifier'], LAUNCH_TIMEOUT);
      assert.equal(shown, 'sidebar-name', 'the relaunched app asks to sign in again: the session was not kept');
      await waitForText(driver, 'sidebar-name', newName);
      await waitForText(driver, 'sidebar-email', DEMO_EMAIL);
      await click(driver, 'nav-profile');
      assert.equal(await valueOf(driver, 'profile-first-name'), newName);
    });
  });
});
