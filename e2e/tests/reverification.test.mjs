// Issue #12: once the session's last verification is older than the instance's window, adding an
// email address asks for the password ("Confirm it's you") and then goes through by itself,
// without a second click. The embedded server's window is three seconds for this file:
// e2e-env: USERDESK_TEST_REVERIFICATION_SECONDS=3
import { setTimeout as sleep } from 'node:timers/promises';
import { test } from 'node:test';
import { By } from 'selenium-webdriver';
import {
  ACTION_TIMEOUT, LAUNCH_TIMEOUT, click, fill, located, step, waitForAny, waitForText, withApp,
} from '../lib/app.mjs';

const DEMO_EMAIL = 'demo@example.com';
const DEMO_PASSWORD = 'userdesk-demo';

test('adding an email after the window asks for the password, then adds it', { timeout: 300_000 }, async () => {
  const address = `later-${Date.now().toString(36)}@example.com`;
  const card = `[data-testid="email-card"][data-email="${address}"]`;

  await withApp(async (driver) => {
    await step(driver, 'sign in as the demo user', async () => {
      await waitForAny(driver, ['signin-identifier'], LAUNCH_TIMEOUT);
      await fill(driver, 'signin-identifier', DEMO_EMAIL);
      await fill(driver, 'signin-password', DEMO_PASSWORD);
      await click(driver, 'signin-submit');
      await waitForText(driver, 'sidebar-email', DEMO_EMAIL);
    });

    await step(driver, 'after the window, adding an address asks who it is', async () => {
      await sleep(3_500);
      await click(driver, 'nav-emails');
      await fill(driver, 'email-add-input', address);
      await click(driver, 'email-add-submit');
      await located(driver, '[data-testid="reverification-dialog"]');
      if (process.env.E2E_SCREENSHOT) {
        const { writeFileSync } = await import('node:fs');
        writeFileSync(process.env.E2E_SCREENSHOT, await driver.takeScreenshot(), 'base64');
      }
    });

    await step(driver, 'the password confirms it, and the address is added without another click', async () => {
      await fill(driver, 'reverification-secret', DEMO_PASSWORD);
      await click(driver, 'reverification-submit');
      await located(driver, card);
      await driver.wait(
        async () => (await driver.findElements(By.css('[data-testid="reverification-dialog"]'))).length === 0,
        ACTION_TIMEOUT,
        'the dialog stays open',
      );
    });
  });
});
