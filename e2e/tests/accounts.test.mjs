// Issue 15, several accounts: signed in on the embedded server, the person adds a second account
// on another instance (an account server of its own, by URL) from the switcher, switches back and
// forth without signing in again, and when the second instance stops answering, that account
// shows the offline banner while the first still works.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { test } from 'node:test';
import { By } from 'selenium-webdriver';
import {
  ACTION_TIMEOUT, LAUNCH_TIMEOUT, click, fill, find, located, log, startAccountServer, step, waitForAny, waitForText,
  withApp,
} from '../lib/app.mjs';
import { wakeApp } from '../lib/x11.mjs';

const DEMO_EMAIL = 'demo@example.com';
const DEMO_PASSWORD = 'userdesk-demo';
const EMBEDDED = 'Embedded account server';

let server;
test.before(async () => {
  server = await startAccountServer({ useInApp: false });
});
test.after(() => server?.stop());

async function screenshot(driver, name) {
  if (!process.env.E2E_SCREENSHOT) return;
  await wakeApp();
  writeFileSync(process.env.E2E_SCREENSHOT.replace(/\.png$/, `-${name}.png`), await driver.takeScreenshot(), 'base64');
}

async function signIn(driver) {
  await fill(driver, 'signin-identifier', DEMO_EMAIL);
  await fill(driver, 'signin-password', DEMO_PASSWORD);
  await click(driver, 'signin-submit');
  await waitForText(driver, 'sidebar-email', DEMO_EMAIL);
}

/** The instance the sidebar says the shown account is on. */
function shownInstance(driver, expected) {
  return waitForText(driver, 'sidebar-instance', expected);
}

/** Opens the switcher and chooses the account on `instance`. */
async function chooseAccountOn(driver, instance) {
  await click(driver, 'account-switcher');
  await located(driver, '[role="menuitemradio"][data-testid^="account-"]');
  const id = await driver.executeScript(
    `const rows = [...document.querySelectorAll('[role="menuitemradio"][data-testid^="account-"]')];
     const row = rows.find((r) => r.textContent.includes(arguments[0]));
     return row ? row.dataset.testid : null;`,
    instance,
  );
  assert.ok(id, `no account on ${instance} in the switcher`);
  await click(driver, id);
}

test('a second account on another instance: add, switch without signing in, offline alone', { timeout: 600_000 }, async () => {
  const host = new URL(server.url).hostname;
  await withApp(async (driver) => {
    await step(driver, 'sign in on the embedded server', async () => {
      await waitForAny(driver, ['signin-identifier'], LAUNCH_TIMEOUT);
      await signIn(driver);
      await shownInstance(driver, EMBEDDED);
    });

    await step(driver, 'Add account: the sign-in screen, with a way back', async () => {
      await click(driver, 'account-switcher');
      await click(driver, 'account-add');
      await find(driver, 'signin-identifier');
      await find(driver, 'back-to-account');
      await screenshot(driver, 'adding');
    });

    await step(driver, 'point the new account at the other instance and sign in there', async () => {
      await click(driver, 'signin-settings');
      await click(driver, 'instance-fapi_url');
      await fill(driver, 'settings-fapi-url', server.url);
      await click(driver, 'settings-save');
      await click(driver, 'back-to-signin');
      await find(driver, 'signin-identifier');
      await signIn(driver);
      await shownInstance(driver, host);
    });

    await step(driver, 'the switcher lists both; the embedded account shows without a sign-in', async () => {
      await click(driver, 'account-switcher');
      await located(driver, '[role="menuitemradio"][data-testid^="account-"]');
      const rows = await driver.findElements(By.css('[role="menuitemradio"][data-testid^="account-"]'));
      assert.equal(rows.length, 2, 'both accounts are listed');
      await screenshot(driver, 'switcher');
      await click(driver, 'account-switcher'); // closes it
      await chooseAccountOn(driver, EMBEDDED);
      await shownInstance(driver, EMBEDDED);
      await waitForText(driver, 'sidebar-email', DEMO_EMAIL);
      assert.equal((await driver.findElements(By.css('[data-testid="signin-identifier"]'))).length, 0);
    });

    await step(driver, 'the other instance stops: its account shows the offline banner, the first still works', async () => {
      await server.stop();
      await chooseAccountOn(driver, host);
      const title = await find(driver, 'offline-title', ACTION_TIMEOUT);
      assert.match(await title.getText(), /^Offline — showing what Userdesk knew at \d{1,2}:\d{2}/);
      await waitForText(driver, 'sidebar-email', DEMO_EMAIL);
      await screenshot(driver, 'offline');
      await chooseAccountOn(driver, EMBEDDED);
      await shownInstance(driver, EMBEDDED);
      await driver.wait(
        async () => (await driver.findElements(By.css('[data-testid="offline-banner"]'))).length === 0,
        ACTION_TIMEOUT,
        'the embedded account is live',
      );
      await located(driver, '[data-testid="signout"]:not([disabled])');
      log('the embedded account is live while the other is offline');
    });
  });
});
