// Issue #4: connect a GitHub account through the system browser and the app's URL scheme. The
// "browser" is e2e/browser.sh, which records the URL; this test approves on the development
// provider's consent page over HTTP, follows the redirects to the deep link, and delivers it by
// launching the app a second time (the single-instance plugin forwards it to the running app).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { By } from 'selenium-webdriver';
import {
  ACTION_TIMEOUT, APP, DEEP_LINK_SCHEME, LAUNCH_TIMEOUT, click, fill, located, log, step, waitForAny, waitForText, withApp,
} from '../lib/app.mjs';

const DEMO_EMAIL = 'demo@example.com';
const DEMO_PASSWORD = 'userdesk-demo';
const BROWSER_LOG = process.env.USERDESK_E2E_BROWSER_LOG;

/** The URLs the app has opened in "the browser" so far. */
function openedUrls() {
  return BROWSER_LOG && existsSync(BROWSER_LOG)
    ? readFileSync(BROWSER_LOG, 'utf8').split('\n').filter(Boolean)
    : [];
}

const decode = (text) =>
  text.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');

/** The consent form's fields as a person who changes nothing would submit them, approving. */
function approval(html) {
  const fields = new URLSearchParams();
  for (const [, attributes] of html.matchAll(/<input\b([^>]*)>/g)) {
    const attribute = (name) => attributes.match(new RegExp(`\\b${name}="([^"]*)"`))?.[1];
    const name = attribute('name');
    if (!name) continue;
    const type = attribute('type') ?? 'text';
    if (type === 'checkbox' && !/\bchecked\b/.test(attributes)) continue;
    fields.append(decode(name), type === 'checkbox' ? 'on' : decode(attribute('value') ?? ''));
  }
  fields.append('decision', 'approve');
  return fields;
}

/** Approves at the provider and follows the redirects until the app's deep link. */
async function approveInBrowser(authorizationUrl) {
  const page = await fetch(authorizationUrl);
  assert.equal(page.status, 200, `the consent page answered ${page.status}`);
  const html = await page.text();
  const action = decode(html.match(/<form method="post" action="([^"]+)"/)?.[1] ?? '');
  assert.ok(action, 'the consent page has a form');
  let response = await fetch(new URL(action, authorizationUrl), {
    method: 'POST',
    body: approval(html),
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    redirect: 'manual',
  });
  for (let hops = 0; hops < 10; hops += 1) {
    const location = response.headers.get('location');
    assert.ok(location, `expected a redirect, got ${response.status}`);
    if (location.startsWith(DEEP_LINK_SCHEME)) return location;
    response = await fetch(new URL(location, response.url || authorizationUrl), { redirect: 'manual' });
  }
  throw new Error('too many redirects before the deep link');
}

test('a GitHub account connected in the browser shows verified in the app', { timeout: 300_000 }, async () => {
  assert.ok(BROWSER_LOG, 'USERDESK_E2E_BROWSER_LOG is set by scripts/e2e.sh');
  const card = '[data-testid="external-account-card"][data-provider="oauth_github"]';

  await withApp(async (driver) => {
    await step(driver, 'sign in as the demo user', async () => {
      if ((await waitForAny(driver, ['sidebar-name', 'signin-identifier'], LAUNCH_TIMEOUT)) === 'signin-identifier') {
        await fill(driver, 'signin-identifier', DEMO_EMAIL);
        await fill(driver, 'signin-password', DEMO_PASSWORD);
        await click(driver, 'signin-submit');
      }
      await waitForText(driver, 'sidebar-email', DEMO_EMAIL);
    });

    const before = openedUrls().length;
    await step(driver, 'connect GitHub: the browser opens and the app waits', async () => {
      await click(driver, 'nav-connected');
      await click(driver, 'connect-account');
      await click(driver, 'connect-provider-oauth_github');
      await located(driver, '[data-testid="oauth-wait"]');
      await driver.wait(async () => openedUrls().length > before, ACTION_TIMEOUT, 'the app opened no browser');
    });

    const authorizationUrl = openedUrls()[before];
    log(`the browser was sent to ${authorizationUrl}`);
    // The app's webview runs without JavaScriptCore's JIT; the browser it opens must not inherit that.
    const browserEnv = readFileSync(`${BROWSER_LOG}.env`, 'utf8').split('\n');
    assert.ok(!browserEnv.some((line) => line.startsWith('JSC_')), 'the browser got the webview JIT option');
    const deepLink = await approveInBrowser(authorizationUrl);
    assert.match(deepLink, /^dev\.userdesk\.app:\/\/oauth-callback\?flow=[^&]+&rotating_token_nonce=/);

    await step(driver, 'the deep link reaches the running app and the account is verified', async () => {
      log('launch a second instance with the deep link');
      const second = spawnSync(APP, [deepLink], { timeout: 60_000, env: process.env });
      assert.equal(second.status, 0, `the second launch exited with ${second.status}: ${second.stderr}`);
      await located(driver, `${card}[data-state="verified"]`, LAUNCH_TIMEOUT);
      await located(driver, `${card} [data-testid="external-account-badge-verified"]`);
    });

    await step(driver, 'a replayed deep link changes nothing', async () => {
      const again = spawnSync(APP, [deepLink], { timeout: 60_000, env: process.env });
      assert.equal(again.status, 0);
      assert.equal((await driver.findElements(By.css(card))).length, 1, 'still exactly one GitHub account');
    });
  });
});
