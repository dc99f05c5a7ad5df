// Issue #12: a forgotten password is reset from the sign-in screen, with the code the embedded
// server's development outbox shows, and the new password then signs in.
import { test } from 'node:test';
import {
  ACTION_TIMEOUT, LAUNCH_TIMEOUT, click, fill, step, waitForAny, waitForText, withApp,
} from '../lib/app.mjs';

const DEMO_EMAIL = 'demo@example.com';
const NEW_PASSWORD = 'a brand new passphrase';

test('a forgotten password is reset from the outbox', { timeout: 300_000 }, async () => {
  await withApp(async (driver) => {
    await step(driver, 'ask for a reset code', async () => {
      await waitForAny(driver, ['signin-identifier'], LAUNCH_TIMEOUT);
      await fill(driver, 'signin-identifier', DEMO_EMAIL);
      await click(driver, 'forgot-password');
      await waitForAny(driver, ['code-signin-outbox-use'], ACTION_TIMEOUT);
      if (process.env.E2E_SCREENSHOT) {
        const { writeFileSync } = await import('node:fs');
        writeFileSync(process.env.E2E_SCREENSHOT, await driver.takeScreenshot(), 'base64');
      }
    });

    await step(driver, 'the code from the outbox leads to a new password', async () => {
      await click(driver, 'code-signin-outbox-use');
      await fill(driver, 'reset-password-input', NEW_PASSWORD);
      await click(driver, 'reset-password-submit');
      await waitForText(driver, 'sidebar-email', DEMO_EMAIL);
    });

    await step(driver, 'the new password signs in', async () => {
      await click(driver, 'signout');
      await fill(driver, 'signin-identifier', DEMO_EMAIL);
      await fill(driver, 'signin-password', NEW_PASSWORD);
      await click(driver, 'signin-submit');
      await waitForText(driver, 'sidebar-email', DEMO_EMAIL);
    });
  });
});
