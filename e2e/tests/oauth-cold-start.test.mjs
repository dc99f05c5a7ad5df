// Issue #4, the cold start: the person starts a round trip in the browser, the app is closed while
// the browser is open, they approve there, and the link starts the app again. The desktop starts
// it as `userdesk <url>` (`Exec=userdesk %u`); tauri-driver's `args` start it exactly so. The
// account server runs outside the app, as Clerk does: the embedded one stops with the app, and the
// browser could not finish there.
//
// What only the link can cause: the sign-up of an identity new to the service (the server leaves
// the sign-in "transferable"; the app, reading the link, makes the account) and the app's report
// of how the round trip ended. A connected account alone would prove nothing: the server verifies
// it at the provider's callback, link or no link.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { By, until } from 'selenium-webdriver';
import {
  ACTION_TIMEOUT, LAUNCH_TIMEOUT, appLog, approvedWhileClosed, click, fill, log, startAccountServer, step,
  waitForAny, waitForText, withApp,
} from '../lib/app.mjs';

const NEW_EMAIL = 'cold.start@example.com';
const DROPPED = /dropped a deep link: (.*)/g;

const droppedLinks = () => [...appLog().matchAll(DROPPED)].map((match) => match[1]);

let server;
test.before(async () => {
  server = await startAccountServer();
});
test.after(() => server?.stop());


test('a link that starts the app finishes the sign-up begun before it was closed', { timeout: 600_000 }, async () => {
  const deepLink = await approvedWhileClosed(async (driver) => {
    await step(driver, 'continue with GitHub on the sign-in screen', async () => {
      const shown = await waitForAny(driver, ['sidebar-name', 'signin-identifier'], LAUNCH_TIMEOUT);
      assert.equal(shown, 'signin-identifier');
      await click(driver, 'signin-oauth-oauth_github');
    });
  }, { email: NEW_EMAIL });

  await withApp(async (driver) => {
    await step(driver, 'the link starts the app, which signs the person in to the new account', async () => {
      const shown = await waitForAny(driver, ['sidebar-email', 'signin-identifier'], LAUNCH_TIMEOUT);
      assert.equal(shown, 'sidebar-email', 'the app started by the link shows the sign-in screen');
      await waitForText(driver, 'sidebar-email', NEW_EMAIL);
      await waitForText(driver, 'toast', 'Account created with GitHub');
      assert.deepEqual(droppedLinks(), [], 'the app took the link');
    });
  }, [deepLink]);

  await withApp(async (driver) => {
    await step(driver, 'the same link again at start changes nothing and shows nothing', async () => {
      await waitForText(driver, 'sidebar-email', NEW_EMAIL, LAUNCH_TIMEOUT);
      // The page asks for the link's result before it shows the user: any report would be up now.
      assert.deepEqual(droppedLinks(), ['the callback names no pending flow']);
      assert.deepEqual(await driver.findElements(By.css('[data-testid="toast"]')), [], 'no toast');
      log('the replayed link was dropped quietly');
    });
  }, [deepLink]);
});

test('a link that starts the app reports the account connected before it was closed', { timeout: 600_000 }, async () => {
  const card = '[data-testid="external-account-card"][data-provider="oauth_google"]';
  const deepLink = await approvedWhileClosed(async (driver) => {
    await step(driver, 'connect Google', async () => {
      // Signed in by the test before; as the demo user when it runs alone.
      if ((await waitForAny(driver, ['sidebar-name', 'signin-identifier'], LAUNCH_TIMEOUT)) === 'signin-identifier') {
        await fill(driver, 'signin-identifier', 'demo@example.com');
        await fill(driver, 'signin-password', 'userdesk-demo');
        await click(driver, 'signin-submit');
      }
      await click(driver, 'nav-connected');
      await click(driver, 'connect-account');
      await click(driver, 'connect-provider-oauth_google');
    });
  });

  await withApp(async (driver) => {
    await step(driver, 'the link starts the app, which says the account is connected', async () => {
      await waitForText(driver, 'toast', 'Google account connected', LAUNCH_TIMEOUT);
      await click(driver, 'nav-connected');
      await driver.wait(until.elementLocated(By.css(`${card}[data-state="verified"]`)), ACTION_TIMEOUT,
        'the Google account does not show verified');
    });
  }, [deepLink]);
});
