// Issue #12: "Use another method" on the code screen lists what the started sign-in offers the
// account, each with where it goes. Another message within the resend cooldown is refused in
// place (switching is no way around it); the password leads back to the form with the address
// kept, and signs in.
// e2e-env: USERDESK_TEST_EMAIL_LINK=1
import { test } from 'node:test';
import { ACTION_TIMEOUT, LAUNCH_TIMEOUT, click, fill, find, step, waitForAny, waitForText, withApp } from '../lib/app.mjs';

const DEMO_EMAIL = 'demo@example.com';
const DEMO_PASSWORD = 'userdesk-demo';

test('a sign-in started with a code lists the other methods and goes on by the password', { timeout: 300_000 }, async () => {
  await withApp(async (driver) => {
    await step(driver, 'a code is on its way; the other methods are listed', async () => {
      await waitForAny(driver, ['signin-identifier'], LAUNCH_TIMEOUT);
      await fill(driver, 'signin-identifier', DEMO_EMAIL);
      await click(driver, 'signin-with-code');
      await find(driver, 'code-signin-code', ACTION_TIMEOUT);
      await click(driver, 'other-methods');
      await waitForText(driver, 'other-method-email_link', `Email a sign-in link to ${DEMO_EMAIL}`);
      await waitForText(driver, 'other-method-password', 'Use your password');
      if (process.env.E2E_SCREENSHOT) {
        const { writeFileSync } = await import('node:fs');
        writeFileSync(process.env.E2E_SCREENSHOT, await driver.takeScreenshot(), 'base64');
      }
    });

    await step(driver, 'a link right after the code waits for the resend cooldown', async () => {
      await click(driver, 'other-method-email_link');
      await waitForText(driver, 'other-methods-error', 'Please wait');
      await find(driver, 'code-signin-code');
    });

    await step(driver, 'the password instead: back to the form, the address kept', async () => {
      await click(driver, 'other-method-password');
      await waitForAny(driver, ['signin-password'], ACTION_TIMEOUT);
      await fill(driver, 'signin-password', DEMO_PASSWORD);
      await click(driver, 'signin-submit');
      await waitForText(driver, 'sidebar-email', DEMO_EMAIL, ACTION_TIMEOUT);
    });
  });
});
