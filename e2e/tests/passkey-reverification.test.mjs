// Issue #14: once the session's last verification is older than the instance's window, adding an
// email address asks "Confirm it's you", and "Use a passkey" answers it: the key's PIN in the
// passkey dialog above the question; Cancel there says so in place and changes nothing; the
// passkey then confirms it and the address is added without another click. The software
// authenticator stands in for a security key; the embedded server's window is short:
// e2e-env: USERDESK_TEST_AUTHENTICATOR=soft:4711
// e2e-env: USERDESK_TEST_REVERIFICATION_SECONDS=12
import { writeFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { test } from 'node:test';
import { By } from 'selenium-webdriver';
import {
  ACTION_TIMEOUT, LAUNCH_TIMEOUT, click, fill, located, step, waitForAny, waitForText, withApp,
} from '../lib/app.mjs';

const DEMO_EMAIL = 'demo@example.com';
const DEMO_PASSWORD = 'userdesk-demo';
const PIN = '4711';
const WINDOW_MS = 12_000;

/** With E2E_SCREENSHOT=path.png, saves the window as path-<name>.png. */
async function screenshot(driver, name) {
  if (!process.env.E2E_SCREENSHOT) return;
  writeFileSync(process.env.E2E_SCREENSHOT.replace(/\.png$/, `-${name}.png`), await driver.takeScreenshot(), 'base64');
}

const gone = (driver, testid, what) =>
  driver.wait(
    async () => (await driver.findElements(By.css(`[data-testid="${testid}"]`))).length === 0,
    ACTION_TIMEOUT,
    what,
  );

test('a passkey confirms it is you, and the refused change then goes through', { timeout: 300_000 }, async () => {
  const address = `later-${Date.now().toString(36)}@example.com`;
  const card = `[data-testid="email-card"][data-email="${address}"]`;

  await withApp(async (driver) => {
    let signedInAt = 0;
    await step(driver, 'sign in, and add a passkey while the sign-in is fresh', async () => {
      await waitForAny(driver, ['signin-identifier'], LAUNCH_TIMEOUT);
      await fill(driver, 'signin-identifier', DEMO_EMAIL);
      await fill(driver, 'signin-password', DEMO_PASSWORD);
      await click(driver, 'signin-submit');
      await waitForText(driver, 'sidebar-email', DEMO_EMAIL);
      signedInAt = Date.now();
      await click(driver, 'nav-security');
      await click(driver, 'passkey-add-security_key');
      await fill(driver, 'passkey-pin', PIN);
      await click(driver, 'passkey-pin-submit');
      await waitForText(driver, 'passkey-name', 'Software test key');
    });

    await step(driver, 'after the window, adding an address asks who it is, a passkey among the ways', async () => {
      await sleep(Math.max(0, signedInAt + WINDOW_MS + 1_000 - Date.now()));
      await click(driver, 'nav-emails');
      await fill(driver, 'email-add-input', address);
      await click(driver, 'email-add-submit');
      await located(driver, '[data-testid="reverification-dialog"]');
      await located(driver, '[data-testid="reverification-use-passkey"]');
      await screenshot(driver, 'question');
    });

    await step(driver, 'Cancel at the key says so in place, and nothing is added', async () => {
      await click(driver, 'reverification-use-passkey');
      await waitForAny(driver, ['passkey-pin']);
      await screenshot(driver, 'pin');
      await click(driver, 'passkey-cancel');
      await waitForText(driver, 'reverification-error', 'cancelled');
      await gone(driver, 'passkey-dialog', 'the passkey dialog stays open');
      await screenshot(driver, 'cancelled');
      const added = await driver.findElements(By.css(card));
      if (added.length) throw new Error('the address was added although nothing was confirmed');
    });

    await step(driver, 'the passkey confirms it, and the address is added without another click', async () => {
      await click(driver, 'reverification-submit');
      await fill(driver, 'passkey-pin', PIN);
      await click(driver, 'passkey-pin-submit');
      await located(driver, card);
      await gone(driver, 'reverification-dialog', 'the question stays open');
    });
  });
});
