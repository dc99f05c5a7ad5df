// Issue #4 on an installed system: the .deb that scripts/e2e-deb.sh builds and installs registers
// the URL scheme through its desktop entry, and `xdg-open '<scheme>://…'` (what a browser does
// with the link) reaches the running app, or starts it when it is not running. Run by
// scripts/e2e-deb.sh (as /usr/bin/userdesk); skipped when scripts/e2e.sh runs the development
// build.
//
// The package holds a debug build (it reuses the end-to-end build), and a debug build registers
// the scheme itself at start, for the person's account (deep_link.rs): before each xdg-open the
// test removes that registration, so that only the package's entry can answer, and checks that
// xdg-mime resolves the scheme to it. A release build does not register itself.
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { test } from 'node:test';
import { By, until } from 'selenium-webdriver';
import {
  ACTION_TIMEOUT, APP, DEEP_LINK_SCHEME, LAUNCH_TIMEOUT, appPids, approveInBrowser, approvedWhileClosed, click, fill, find, log,
  nextOpenedUrl, openedUrls, startAccountServer, step, waitForAny, waitForText, withApp,
} from '../lib/app.mjs';

const INSTALLED = '/usr/bin/userdesk';
const SCHEME_TYPE = `x-scheme-handler/${DEEP_LINK_SCHEME.slice(0, -1)}`;
const NEW_EMAIL = 'installed.cold@example.com';
const skip = APP !== INSTALLED && 'drives the installed package: run scripts/e2e-deb.sh';
const ARTIFACTS = process.env.E2E_ARTIFACTS;

/** The package's desktop entry: its path and the keys of its [Desktop Entry] group. */
function packageEntry() {
  const files = execFileSync('dpkg', ['-L', 'userdesk'], { encoding: 'utf8' }).split('\n')
    .filter((file) => /^\/usr\/share\/applications\/[^/]+\.desktop$/.test(file));
  assert.equal(files.length, 1, `the package installs one desktop entry: ${files.join(', ')}`);
  const keys = {};
  let group = null;
  for (const line of readFileSync(files[0], 'utf8').split('\n')) {
    const header = line.match(/^\[(.+)\]$/);
    if (header) group = header[1];
    const pair = line.match(/^([A-Za-z0-9-]+)=(.*)$/);
    if (group === 'Desktop Entry' && pair) keys[pair[1]] = pair[2];
  }
  return { path: files[0], keys };
}

/** Undoes what the debug build registered for this user at start; returns xdg-mime's handler. */
function onlyThePackageHandlesTheScheme() {
  const applications = join(process.env.XDG_DATA_HOME, 'applications');
  rmSync(join(applications, 'userdesk-handler.desktop'), { force: true });
  execFileSync('update-desktop-database', ['-q', applications]);
  const mimeapps = join(process.env.XDG_CONFIG_HOME, 'mimeapps.list');
  if (existsSync(mimeapps)) {
    const lines = readFileSync(mimeapps, 'utf8').split('\n');
    writeFileSync(mimeapps, lines.filter((line) => !line.startsWith(`${SCHEME_TYPE}=`)).join('\n'));
  }
  return execFileSync('xdg-mime', ['query', 'default', SCHEME_TYPE], { encoding: 'utf8' }).trim();
}

/**
 * Runs `xdg-open url` as a browser on a GNOME desktop would, its output (and that of the app it
 * starts, which inherits it) in `logName`. On GNOME xdg-open hands the URL to `gio open`, which
 * expands the entry's Exec exactly as written; xdg-open's own generic launcher (a desktop it does
 * not know) appends the URL when Exec has no `%u`, and so would hide a missing one.
 */
function xdgOpen(url, logName) {
  log(`xdg-open ${url}`);
  const output = openSync(join(ARTIFACTS, logName), 'a');
  const child = spawn('xdg-open', [url], {
    stdio: ['ignore', output, output],
    env: { ...process.env, XDG_CURRENT_DESKTOP: 'GNOME' },
  });
  closeSync(output);
  const opener = { status: undefined };
  opener.exited = new Promise((resolve) => {
    child.once('exit', (code, signal) => resolve((opener.status = code ?? signal)));
  });
  return opener;
}

/** Checks `condition` every 200 ms until it returns something truthy, and returns that. */
async function poll(what, condition, timeout) {
  const deadline = Date.now() + timeout;
  for (;;) {
    const value = condition();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeout} ms`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** Ends an app a failed step left running, which would take over the next test's launch. */
function endLeftoverApps() {
  for (const pid of appPids()) process.kill(pid, 'SIGKILL');
}

const cmdline = (pid) => readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0$/, '').split('\0');

let server;
test.before(async () => {
  if (!skip) server = await startAccountServer();
});
test.after(() => server?.stop());

test('the package registers the scheme and its entry passes the URL to the app', { skip }, () => {
  const { path, keys } = packageEntry();
  log(`the package's entry: ${path}`);
  assert.equal(keys.Exec, 'userdesk %u', 'Exec hands the URL over');
  assert.ok((keys.MimeType ?? '').split(';').includes(SCHEME_TYPE),
    `MimeType lists ${SCHEME_TYPE}: ${keys.MimeType}`);
  assert.equal(onlyThePackageHandlesTheScheme(), basename(path), 'xdg-mime resolves the scheme to the package');
  // xdgOpen's launcher on GNOME; libglib2.0-bin comes with the app's build dependencies.
  assert.doesNotThrow(() => execFileSync('gio', ['help', 'open'], { stdio: 'ignore' }),
    'gio (libglib2.0-bin) is installed');
});

const SLOW = { skip, timeout: 600_000 };

test('xdg-open starts the app when it is not running, and it finishes the sign-up', SLOW, async (t) => {
  t.after(endLeftoverApps);
  // A new identity: only the app, reading the link, turns the sign-in into an account.
  const deepLink = await approvedWhileClosed(async (driver) => {
    await step(driver, 'continue with GitHub on the sign-in screen', async () => {
      const shown = await waitForAny(driver, ['sidebar-name', 'signin-identifier'], LAUNCH_TIMEOUT);
      assert.equal(shown, 'signin-identifier');
      await click(driver, 'signin-oauth-oauth_github');
    });
  }, { email: NEW_EMAIL });
  assert.deepEqual(appPids(), [], 'the app is not running');
  assert.equal(onlyThePackageHandlesTheScheme(), basename(packageEntry().path));

  const opener = xdgOpen(deepLink, 'xdg-open-cold.log');
  const [pid] = await poll('an app process started by xdg-open', () => {
    assert.ok(opener.status === undefined || opener.status === 0,
      `xdg-open failed (${opener.status}): see xdg-open-cold.log`);
    return appPids().length > 0 && appPids();
  }, LAUNCH_TIMEOUT);
  assert.deepEqual(cmdline(pid).slice(1), [deepLink], 'the desktop entry started the app with the link');
  // The account server is another process: its log shows the account the app's completion made.
  await poll('the app creating the account', () => server.logText().includes('signed up through a provider'),
    LAUNCH_TIMEOUT);
  assert.equal(await opener.exited, 0, 'xdg-open succeeded');
  log(`the app (pid ${pid}) created the account; ending it`);
  for (const running of appPids()) process.kill(running, 'SIGTERM');
  await poll('the app to exit', () => appPids().length === 0, ACTION_TIMEOUT);

  await withApp(async (driver) => {
    await step(driver, 'the app shows the person signed in to the new account', async () => {
      await waitForText(driver, 'sidebar-email', NEW_EMAIL, LAUNCH_TIMEOUT);
    });
  });
});

test('xdg-open hands the link to the running app, which shows the account connected', SLOW, async (t) => {
  t.after(endLeftoverApps);
  const card = '[data-testid="external-account-card"][data-provider="oauth_google"]';
  await withApp(async (driver) => {
    await step(driver, 'signed in', async () => {
      // Signed in by the test before; as the demo user when it runs alone.
      if ((await waitForAny(driver, ['sidebar-name', 'signin-identifier'], LAUNCH_TIMEOUT)) === 'signin-identifier') {
        await fill(driver, 'signin-identifier', 'demo@example.com');
        await fill(driver, 'signin-password', 'userdesk-demo');
        await click(driver, 'signin-submit');
      }
      await find(driver, 'sidebar-email');
    });
    const before = openedUrls().length;
    await step(driver, 'connect Google: the browser opens and the app waits', async () => {
      await click(driver, 'nav-connected');
      await click(driver, 'connect-account');
      await click(driver, 'connect-provider-oauth_google');
      await find(driver, 'oauth-wait');
      await nextOpenedUrl(before);
    });
    const deepLink = await approveInBrowser(openedUrls()[before]);
    assert.equal(onlyThePackageHandlesTheScheme(), basename(packageEntry().path));

    await step(driver, 'xdg-open reaches the running app and the account is verified', async () => {
      const [running] = appPids();
      assert.equal(await xdgOpen(deepLink, 'xdg-open-warm.log').exited, 0, 'xdg-open succeeded');
      // The instance xdg-open started (gio does not wait for it) hands the link over and exits.
      await poll('the second instance to exit', () => appPids().join() === String(running), ACTION_TIMEOUT);
      const verified = await driver.wait(until.elementLocated(By.css(`${card}[data-state="verified"]`)),
        ACTION_TIMEOUT, 'the Google account never shows verified');
      await driver.wait(until.elementIsVisible(verified), ACTION_TIMEOUT);
      await driver.wait(async () => (await driver.findElements(By.css('[data-testid="oauth-wait"]'))).length === 0,
        ACTION_TIMEOUT, 'the app still waits for the browser');
    });
  });
});
