// Issue #3: add an email address, read its code from the development outbox, verify it and make
// it primary — in the real app, on the embedded server.
import { test } from 'node:test';
import {
  LAUNCH_TIMEOUT, click, fill, located, log, step, waitForAny, waitForText, withApp,
} from '../lib/app.mjs';

const DEMO_EMAIL = 'demo@example.com';
const DEMO_PASSWORD = 'userdesk-demo';

test('an added email is verified with the outbox code and made primary', { timeout: 300_000 }, async () => {
  const address = `e2e-${Date.now().toString(36)}@example.com`;
  const card = `[data-testid="email-card"][data-email="${address}"]`;

  await withApp(async (driver) => {
    await step(driver, 'sign in as the demo user', async () => {
      // Another test may have left this data directory signed in.
      if ((await waitForAny(driver, ['sidebar-name', 'signin-identifier'], LAUNCH_TIMEOUT)) === 'signin-identifier') {
        await fill(driver, 'signin-identifier', DEMO_EMAIL);
        await fill(driver, 'signin-password', DEMO_PASSWORD);
        await click(driver, 'signin-submit');
      }
      await waitForText(driver, 'sidebar-email', DEMO_EMAIL);
    });

    await step(driver, 'add an email address', async () => {
      await click(driver, 'nav-emails');
      await fill(driver, 'email-add-input', address);
      await click(driver, 'email-add-submit');
      await located(driver, `${card}[data-state="pending"]`);
    });

    await step(driver, 'verify it with the code from the outbox', async () => {
      const useCode = await located(
        driver, `[data-testid="outbox-message"][data-to="${address}"] [data-testid="outbox-use-code"]`);
      log('click outbox-use-code');
      await useCode.click();
      await located(driver, `${card} [data-testid="email-badge-verified"]`);
    });

    await step(driver, 'make it primary', async () => {
      const makePrimary = await located(driver, `${card} [data-testid="email-make-primary"]`);
      log('click email-make-primary');
      await makePrimary.click();
      await located(driver, `${card} [data-testid="email-badge-primary"]`);
      await waitForText(driver, 'sidebar-email', address);
    });
  });
});
