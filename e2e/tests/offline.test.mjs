// Issue 15, offline: the instance stops answering while the person uses the app. The window turns
// into the read-only view of what the app knew (a banner with the time, every action off), a new
// start opens on that view too, and Retry goes live again once the instance is back. The account
// server runs as its own process so the test can stop and start it (the embedded one stops only
// with the app).
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
/** The UI reads the user again on focus at most this often (ui/src/lib/focus-refresh.ts). */
const FOCUS_REFRESH_MS = 15_000;

let server;
test.before(async () => {
  server = await startAccountServer();
});
test.after(() => server?.stop());

async function screenshot(driver, name) {
  if (!process.env.E2E_SCREENSHOT) return;
  // WebKit answers no screenshot after a while without X input; a pointer motion wakes it.
  await wakeApp();
  writeFileSync(process.env.E2E_SCREENSHOT.replace(/\.png$/, `-${name}.png`), await driver.takeScreenshot(), 'base64');
}

async function bannerShown(driver, timeout = ACTION_TIMEOUT) {
  const title = await find(driver, 'offline-title', timeout);
  assert.match(await title.getText(), /^Offline — showing what Userdesk knew at \d{1,2}:\d{2}/);
  const content = await find(driver, 'section-content');
  assert.equal(await content.getAttribute('disabled'), 'true', 'the section is read-only');
  assert.match(await content.getAttribute('title'), /You are offline/);
  assert.equal(await (await find(driver, 'signout')).isEnabled(), false, 'signing out waits for the instance');
}

test('the app shows what it knew while the instance is down, and goes live when it is back', { timeout: 600_000 }, async () => {
  const addr = new URL(server.url).host;
  await withApp(async (driver) => {
    await step(driver, 'sign in and look at the devices', async () => {
      await waitForAny(driver, ['signin-identifier'], LAUNCH_TIMEOUT);
      await fill(driver, 'signin-identifier', DEMO_EMAIL);
      await fill(driver, 'signin-password', DEMO_PASSWORD);
      await click(driver, 'signin-submit');
      await waitForText(driver, 'sidebar-email', DEMO_EMAIL);
      await click(driver, 'nav-devices');
      await located(driver, '[data-testid="device-card"]');
    });

    await step(driver, 'the instance stops; back at the front, the window shows what it knew', async () => {
      await server.stop();
      // The window reads the account again when it comes to the front, at most every 15 s from
      // its start (which a busy machine delays): it is brought to the front until it has.
      await driver.wait(async () => {
        await driver.executeScript("window.dispatchEvent(new FocusEvent('focus'))");
        return (await driver.findElements(By.css('[data-testid="offline-title"]'))).length > 0;
      }, FOCUS_REFRESH_MS + ACTION_TIMEOUT, 'the window never turned offline', 1_000);
      await bannerShown(driver);
      await located(driver, '[data-testid="device-card"]');
      const revoke = await driver.findElements(By.css('[data-testid="device-revoke"]'));
      for (const button of revoke) assert.equal(await button.isEnabled(), false);
      await screenshot(driver, 'devices');
    });
  });

  await withApp(async (driver) => {
    await step(driver, 'a new start while the instance is down opens on the same view', async () => {
      await bannerShown(driver, LAUNCH_TIMEOUT);
      await waitForText(driver, 'sidebar-email', DEMO_EMAIL);
      await screenshot(driver, 'profile');
    });

    await step(driver, 'Settings stay usable offline: the export and the tray setting', async () => {
      await click(driver, 'nav-settings');
      const exportButton = await find(driver, 'export-data');
      assert.equal(await exportButton.isEnabled(), true, 'exporting what was kept');
      await driver.executeScript("arguments[0].scrollIntoView({ block: 'center' })", exportButton);
      assert.equal(await (await find(driver, 'settings-keep-in-tray')).isEnabled(), true);
      await screenshot(driver, 'settings');
      await click(driver, 'nav-profile');
    });

    await step(driver, 'the instance is back: Retry shows the live account', async () => {
      server = await startAccountServer({ addr });
      await click(driver, 'offline-retry');
      await driver.wait(
        async () => (await driver.findElements(By.css('[data-testid="offline-banner"]'))).length === 0,
        ACTION_TIMEOUT,
        'the banner stays',
      );
      await waitForText(driver, 'sidebar-email', DEMO_EMAIL);
      assert.equal(await (await find(driver, 'signout')).isEnabled(), true);
      log('live again');
    });
  });
});
