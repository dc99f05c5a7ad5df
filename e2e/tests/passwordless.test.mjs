// Issue #12: on a passwordless instance (email codes only) the sign-in screen asks for the email
// address alone, and the code the embedded server's development outbox shows signs in.
// e2e-env: USERDESK_TEST_PASSWORDLESS=1
import { test } from 'node:test';
import { By } from 'selenium-webdriver';
import { ACTION_TIMEOUT, LAUNCH_TIMEOUT, click, fill, step, waitForAny, waitForText, withApp } from '../lib/app.mjs';

const DEMO_EMAIL = 'demo@example.com';

test('a passwordless instance signs in with an emailed code', { timeout: 300_000 }, async () => {
  await withApp(async (driver) => {
    await step(driver, 'the sign-in screen asks no password', async () => {
      await waitForAny(driver, ['signin-identifier'], LAUNCH_TIMEOUT);
      // The form follows the instance once its environment is read.
      await driver.wait(
        async () => (await driver.findElements(By.css('[data-testid="signin-password"]'))).length === 0,
        ACTION_TIMEOUT,
        'the password field stays',
      );
      await fill(driver, 'signin-identifier', DEMO_EMAIL);
      await click(driver, 'signin-submit');
    });

    await step(driver, 'the emailed code signs in', async () => {
      await click(driver, 'code-signin-outbox-use');
      await waitForText(driver, 'sidebar-email', DEMO_EMAIL);
    });
  });
});
