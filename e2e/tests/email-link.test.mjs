// Issue #12: on an instance that emails sign-in links, "Email me a sign-in link" shows "Check
// your email"; the link from the embedded server's development outbox, opened by a plain HTTP
// GET (a browser with none of the app's state), signs the app in by itself.
// e2e-env: USERDESK_TEST_EMAIL_LINK=1
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ACTION_TIMEOUT, LAUNCH_TIMEOUT, click, fill, find, step, waitForAny, waitForText, withApp } from '../lib/app.mjs';

const DEMO_EMAIL = 'demo@example.com';

test('an emailed link signs the app in when it is opened', { timeout: 300_000 }, async () => {
  await withApp(async (driver) => {
    let link;
    await step(driver, 'ask for a sign-in link', async () => {
      await waitForAny(driver, ['signin-identifier'], LAUNCH_TIMEOUT);
      await fill(driver, 'signin-identifier', DEMO_EMAIL);
      await click(driver, 'signin-with-link');
      await waitForText(driver, 'link-signin-waiting', 'Waiting for the link to be opened');
      link = await (await find(driver, 'link-signin-outbox-link')).getText();
      assert.match(link, /^http:\/\/127\.0\.0\.1:\d+\/v1\/verify\?token=/);
      if (process.env.E2E_SCREENSHOT) {
        const { writeFileSync } = await import('node:fs');
        writeFileSync(process.env.E2E_SCREENSHOT, await driver.takeScreenshot(), 'base64');
      }
    });

    await step(driver, 'the opened link signs in without a click in the app', async () => {
      const page = await fetch(link, { headers: { accept: 'text/html' } });
      assert.equal(page.status, 200, await page.text());
      await waitForText(driver, 'sidebar-email', DEMO_EMAIL, ACTION_TIMEOUT);
      // The link works once.
      const again = await fetch(link, { headers: { accept: 'text/html' } });
      assert.notEqual(again.status, 200);
    });
  });
});
