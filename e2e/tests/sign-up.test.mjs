// Issue #12: creating an account on an instance that requires a username and its legal terms
// (the embedded server made so in a debug build): the form asks exactly that, refuses what is
// missing beside each field, and the code the development outbox shows signs the new account in.
// e2e-env: USERDESK_TEST_SIGN_UP_STRICT=1
import { test } from 'node:test';
import { By } from 'selenium-webdriver';
import { ACTION_TIMEOUT, LAUNCH_TIMEOUT, click, fill, find, step, waitForAny, waitForText, withApp } from '../lib/app.mjs';

const EMAIL = 'grace@example.com';

// No screenshot of the code screen: WebKitWebDriver's screenshot there never answered (four
// runs of four), while the window itself was drawn and live (seen with `import -window root`).

test('a sign-up with a required username and the terms signs in with the outbox code', { timeout: 90_000 }, async () => {
  await withApp(async (driver) => {
    await step(driver, 'the form asks what the instance requires', async () => {
      await waitForAny(driver, ['signup-link'], LAUNCH_TIMEOUT);
      await click(driver, 'signup-link');
      await find(driver, 'signup-username', ACTION_TIMEOUT);
      await find(driver, 'signup-legal', ACTION_TIMEOUT);
      await click(driver, 'signup-submit');
      await waitForText(driver, 'signup-username-error', 'Choose a username.');
      await waitForText(driver, 'signup-legal-error', 'Accept the terms');
    });

    await step(driver, 'filled in, a code goes to the address', async () => {
      await fill(driver, 'signup-username', 'grace_h');
      await fill(driver, 'signup-email', EMAIL);
      await fill(driver, 'signup-password', 'a long and unusual passphrase');
      await click(driver, 'signup-legal');
      await click(driver, 'signup-submit');
      await waitForAny(driver, ['signup-outbox-use'], ACTION_TIMEOUT);
    });

    await step(driver, 'the outbox code signs the new account in', async () => {
      await click(driver, 'signup-outbox-use');
      await waitForText(driver, 'sidebar-email', EMAIL);
      const errors = await driver.findElements(By.css('[data-testid="signup-code-error"]'));
      if (errors.length > 0) throw new Error('the code was refused');
    });
  });
});
