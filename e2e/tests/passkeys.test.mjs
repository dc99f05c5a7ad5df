// Issue #14: add a passkey in Security (the software authenticator stands in for a security key,
// with a PIN so the dialog's PIN step is seen), sign out, and sign in with it, no identifier typed.
// e2e-env: USERDESK_TEST_AUTHENTICATOR=soft:4711
import { writeFileSync } from 'node:fs';
import { test } from 'node:test';
import { LAUNCH_TIMEOUT, click, fill, step, waitForAny, waitForText, withApp } from '../lib/app.mjs';

const DEMO_EMAIL = 'demo@example.com';
const DEMO_PASSWORD = 'userdesk-demo';
const PIN = '4711';

/** With E2E_SCREENSHOT=path.png, saves the window as path-<name>.png. */
async function screenshot(driver, name) {
  if (!process.env.E2E_SCREENSHOT) return;
  writeFileSync(process.env.E2E_SCREENSHOT.replace(/\.png$/, `-${name}.png`), await driver.takeScreenshot(), 'base64');
}

test('a passkey added in Security signs in without the identifier', { timeout: 300_000 }, async () => {
  await withApp(async (driver) => {
    await step(driver, 'sign in as the demo user', async () => {
      await waitForAny(driver, ['signin-identifier'], LAUNCH_TIMEOUT);
      await fill(driver, 'signin-identifier', DEMO_EMAIL);
      await fill(driver, 'signin-password', DEMO_PASSWORD);
      await click(driver, 'signin-submit');
      await waitForText(driver, 'sidebar-email', DEMO_EMAIL);
    });

    await step(driver, 'add a passkey: the key asks its PIN', async () => {
      await click(driver, 'nav-security');
      await click(driver, 'passkey-add-security_key');
      await waitForAny(driver, ['passkey-pin']);
      await screenshot(driver, 'pin');
      await fill(driver, 'passkey-pin', PIN);
      await click(driver, 'passkey-pin-submit');
      await waitForText(driver, 'passkey-name', 'Software test key');
      await screenshot(driver, 'card');
    });

    await step(driver, 'sign out, then sign in with the passkey', async () => {
      await click(driver, 'signout');
      await waitForAny(driver, ['signin-passkey'], LAUNCH_TIMEOUT);
      await screenshot(driver, 'sign-in');
      await click(driver, 'signin-passkey');
      await fill(driver, 'passkey-pin', PIN);
      await click(driver, 'passkey-pin-submit');
      await waitForText(driver, 'sidebar-email', DEMO_EMAIL);
    });
  });
});
