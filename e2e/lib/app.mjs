// Drives the built Userdesk app through tauri-driver. scripts/e2e.sh sets the environment:
// USERDESK_APP (the binary), WEBDRIVER_URL (tauri-driver), E2E_ARTIFACTS (where failures go),
// and the XDG_* directories that hold this run's data.
import { spawn } from 'node:child_process';
import {
  closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, readlinkSync, writeFileSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { Builder, By, until } from 'selenium-webdriver';
import { wakeApp } from './x11.mjs';

const env = (name) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run the end-to-end tests with scripts/e2e.sh`);
  return value;
};

export const APP = env('USERDESK_APP');
const WEBDRIVER_URL = env('WEBDRIVER_URL');
const ARTIFACTS = env('E2E_ARTIFACTS');

/** The first launch of a debug build (embedded server, new database) can take a while on 2 cores. */
export const LAUNCH_TIMEOUT = 90_000;
/** A round trip to the embedded server. */
export const ACTION_TIMEOUT = 20_000;
/** Longest a single WebDriver command may take before the test calls it hung. */
const COMMAND_TIMEOUT = 30_000;

const started = Date.now();
/** One line per action, so a log shows how far a test got and how long each action took. */
export function log(message) {
  console.log(`  [${((Date.now() - started) / 1000).toFixed(1).padStart(6)} s] ${message}`);
}

/** Fails with `what` when `promise` has not settled after `ms`, instead of hanging the test. */
async function within(promise, ms, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer from WebDriver within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Starts the app in a new WebDriver session. Ending the session ends the app. `args` become its
 * command line: `[url]` starts it the way the desktop does for a link (`Exec=… %u`).
 */
export async function launch(args = []) {
  log(`launch ${APP}${args.length ? ` ${args.join(' ')}` : ''}`);
  const session = new Builder()
    .usingServer(WEBDRIVER_URL)
    .withCapabilities({ browserName: 'wry', 'tauri:options': { application: APP, args } })
    .build();
  return within(session, LAUNCH_TIMEOUT, 'starting the app');
}

const selector = (id) => `[data-testid="${id}"]`;
export const byTestId = (id) => By.css(selector(id));

/** Waits until the element is in the page and visible, and returns it. */
export async function find(driver, id, timeout = ACTION_TIMEOUT) {
  log(`find ${id}`);
  return visible(driver, selector(id), timeout);
}

/** Waits for the element at the CSS selector `css` to be there and visible; returns it. */
export async function located(driver, css, timeout = ACTION_TIMEOUT) {
  log(`find ${css}`);
  return visible(driver, css, timeout);
}

function visible(driver, css, timeout) {
  const shown = (async () => {
    const element = await driver.wait(until.elementLocated(By.css(css)), timeout, `no ${css} within ${timeout} ms`);
    await driver.wait(until.elementIsVisible(element), timeout, `${css} is not visible`);
    return element;
  })();
  return within(shown, 2 * timeout + COMMAND_TIMEOUT, `finding ${css}`);
}

async function findEnabled(driver, id) {
  const element = await find(driver, id);
  await within(driver.wait(until.elementIsEnabled(element), ACTION_TIMEOUT, `${selector(id)} stays disabled`),
    ACTION_TIMEOUT + COMMAND_TIMEOUT, `waiting for ${selector(id)} to be enabled`);
  return element;
}

/** Replaces an input's content the way a person would: clear it, then type. */
export async function fill(driver, id, text) {
  const input = await findEnabled(driver, id);
  log(`type into ${id}`);
  await within(input.clear(), COMMAND_TIMEOUT, `clearing ${selector(id)}`);
  await within(input.sendKeys(text), COMMAND_TIMEOUT, `typing into ${selector(id)}`);
}

export async function click(driver, id) {
  const element = await findEnabled(driver, id);
  log(`click ${id}`);
  await within(element.click(), COMMAND_TIMEOUT, `clicking ${selector(id)}`);
}

/** A property of the element with this test id, read in the page (null when there is none). */
function property(driver, id, name) {
  const read = driver.executeScript(
    'const element = document.querySelector(arguments[0]); return element ? element[arguments[1]] : null;',
    selector(id), name);
  return within(read, COMMAND_TIMEOUT, `reading ${name} of ${selector(id)}`);
}

/**
 * Waits until the element's text contains `expected`. Reads `textContent`: WebKitWebDriver's
 * visible-text atom returns "" for some visible elements (the sidebar's, for one).
 */
export async function waitForText(driver, id, expected, timeout = ACTION_TIMEOUT) {
  await find(driver, id, timeout);
  log(`wait for "${expected}" in ${id}`);
  let seen = null;
  await driver.wait(async () => {
    seen = await property(driver, id, 'textContent');
    return seen !== null && seen.includes(expected);
  }, timeout).catch((error) => {
    if (error.name !== 'TimeoutError') throw error;
    throw new Error(`${selector(id)} never showed "${expected}" within ${timeout} ms; it shows ${JSON.stringify(seen)}`);
  });
}

/** The current value of an input (its property, not the attribute it started with). */
export async function valueOf(driver, id) {
  await find(driver, id);
  return property(driver, id, 'value');
}

/**
 * Runs one step of a test; when it fails, saves a screenshot and the page's HTML to the artefact
 * directory (the app's stderr is in app.log beside them) and says where.
 */
export async function step(driver, name, body) {
  try {
    return await body();
  } catch (error) {
    mkdirSync(ARTIFACTS, { recursive: true });
    const base = join(ARTIFACTS, name.replace(/[^a-z0-9]+/gi, '-').toLowerCase());
    const saved = [];
    // Seen here: WebKit answers no screenshot after a few seconds without X input; a pointer
    // motion over the window brings it back.
    await wakeApp().catch((wakeError) => log(`could not move the pointer over the app: ${wakeError.message}`));
    try {
      writeFileSync(`${base}.png`, await within(driver.takeScreenshot(), COMMAND_TIMEOUT, 'screenshot'), 'base64');
      saved.push(`${base}.png`);
      writeFileSync(`${base}.html`, await within(driver.getPageSource(), COMMAND_TIMEOUT, 'page source'));
      saved.push(`${base}.html`);
    } catch (artefactError) {
      saved.push(`(could not save more: ${artefactError.message})`);
    }
    console.error(`step "${name}" failed; saved:\n  ${saved.join('\n  ')}\n  app stderr: ${join(ARTIFACTS, 'app.log')}`);
    throw error;
  }
}

/**
 * Pids of this run's app processes: the binary, started with this run's data directory (other
 * copies of the app on the machine are not ours to wait for).
 */
export function appPids() {
  const dataHome = `XDG_DATA_HOME=${env('XDG_DATA_HOME')}`;
  const pids = [];
  for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    try {
      // A binary rebuilt while it runs reads as "PATH (deleted)".
      if (readlinkSync(`/proc/${pid}/exe`).replace(/ \(deleted\)$/, '') !== APP) continue;
      if (readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').includes(dataHome)) pids.push(Number(pid));
    } catch {
      // gone, or not ours to read
    }
  }
  return pids;
}

/**
 * Launches the app (with `args`, see `launch`), runs `body` with its driver, and quits it
 * whatever happens (an error from quitting is reported only when the body succeeded, so it
 * never hides the first failure).
 */
export async function withApp(body, args = []) {
  const driver = await launch(args);
  let ok = false;
  try {
    await body(driver);
    ok = true;
  } finally {
    try {
      await quit(driver);
    } catch (error) {
      if (ok) throw error;
      console.error(`while quitting after the failure: ${error.message}`);
    }
  }
}

/** Waits until one of the elements is visible; returns its test id. */
export async function waitForAny(driver, ids, timeout = ACTION_TIMEOUT) {
  log(`wait for one of ${ids.join(', ')}`);
  const shown = driver.wait(async () => {
    for (const id of ids) {
      for (const element of await driver.findElements(byTestId(id))) {
        if (await element.isDisplayed().catch(() => false)) return id;
      }
    }
    return false;
  }, timeout, `none of ${ids.map(selector).join(', ')} within ${timeout} ms`);
  return within(shown, timeout + COMMAND_TIMEOUT, `waiting for one of ${ids.join(', ')}`);
}

/** Ends the session, which closes the app, and waits until its process has exited. */
export async function quit(driver, timeout = 20_000) {
  log(`quit (app pid ${appPids().join(', ') || 'not found'})`);
  await within(driver.quit(), COMMAND_TIMEOUT, 'ending the session');
  const deadline = Date.now() + timeout;
  while (appPids().length > 0) {
    if (Date.now() > deadline) {
      // Ended here, so that the next launch is not handed over to it by the single-instance plugin.
      const left = appPids();
      for (const pid of left) process.kill(pid, 'SIGKILL');
      throw new Error(`the app (pids ${left.join(', ')}) was still running ${timeout} ms after its WebDriver session ended; killed it`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

// --- the person's browser (e2e/browser.sh) and the development provider's consent page ---------

/** The app's URL scheme, as deep links start. */
const tauriConfig = JSON.parse(readFileSync(new URL('../../tauri.conf.json', import.meta.url), 'utf8'));
/** The bundle identifier: the app's data directory is named after it. */
export const APP_IDENTIFIER = tauriConfig.identifier;
/** The deep-link scheme, with its colon, as URLs start. */
export const DEEP_LINK_SCHEME = `${tauriConfig.plugins['deep-link'].desktop.schemes[0]}:`;

/** The URLs the app has opened in "the browser" so far (scripts/e2e.sh points xdg-open at it). */
export function openedUrls() {
  const browserLog = env('USERDESK_E2E_BROWSER_LOG');
  return existsSync(browserLog) ? readFileSync(browserLog, 'utf8').split('\n').filter(Boolean) : [];
}

/** Waits until the app has opened a URL beyond the first `before`, and returns it. */
export async function nextOpenedUrl(before, timeout = ACTION_TIMEOUT) {
  const deadline = Date.now() + timeout;
  while (openedUrls().length <= before) {
    if (Date.now() > deadline) throw new Error(`the app opened no browser within ${timeout} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const url = openedUrls()[before];
  log(`the browser was sent to ${url}`);
  return url;
}

const decodeHtml = (text) =>
  text.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');

/**
 * Plays the person at the development provider's consent page: submits its form as shown, with
 * the test identity's fields in `identity` changed (`{ email: … }` is someone else), approving;
 * follows the redirects and returns the deep link the browser would hand to the desktop.
 */
export async function approveInBrowser(authorizationUrl, identity = {}) {
  const page = await fetch(authorizationUrl);
  if (page.status !== 200) throw new Error(`the consent page answered ${page.status}`);
  const html = await page.text();
  const action = decodeHtml(html.match(/<form method="post" action="([^"]+)"/)?.[1] ?? '');
  if (!action) throw new Error('the consent page has no form');
  const fields = new URLSearchParams();
  for (const [, attributes] of html.matchAll(/<input\b([^>]*)>/g)) {
    const attribute = (name) => attributes.match(new RegExp(`\\b${name}="([^"]*)"`))?.[1];
    const name = attribute('name') && decodeHtml(attribute('name'));
    if (!name) continue;
    const type = attribute('type') ?? 'text';
    if (type === 'checkbox' && !/\bchecked\b/.test(attributes)) continue;
    const shown = type === 'checkbox' ? 'on' : decodeHtml(attribute('value') ?? '');
    fields.append(name, name in identity ? identity[name] : shown);
  }
  fields.append('decision', 'approve');
  log(`approve at the provider${identity.email ? ` as ${identity.email}` : ''}`);
  let response = await fetch(new URL(action, authorizationUrl), {
    method: 'POST',
    body: fields,
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    redirect: 'manual',
  });
  for (let hops = 0; hops < 10; hops += 1) {
    const location = response.headers.get('location');
    if (!location) throw new Error(`expected a redirect from the provider, got ${response.status}`);
    if (location.startsWith(DEEP_LINK_SCHEME)) return location;
    response = await fetch(new URL(location, response.url || authorizationUrl), { redirect: 'manual' });
  }
  throw new Error('too many redirects before the deep link');
}

/** Starts a round trip with `start` in a running app, closes the app, and approves in the browser. */
export async function approvedWhileClosed(start, identity) {
  const before = openedUrls().length;
  await withApp(async (driver) => {
    await start(driver);
    await step(driver, 'the browser opens and the app waits', async () => {
      await find(driver, 'oauth-wait');
      await nextOpenedUrl(before);
    });
  });
  // The app is closed now, its flow saved in its data directory; the browser is still open.
  const deepLink = await approveInBrowser(openedUrls()[before], identity);
  if (!/^dev\.userdesk\.app:\/\/oauth-callback\?flow=[^&]+&rotating_token_nonce=/.test(deepLink)) {
    throw new Error(`the browser was sent to ${deepLink}, not to the app's callback with a nonce`);
  }
  return deepLink;
}

/** What the app has written to stderr so far in this test file (beside tauri-driver's lines). */
export function appLog() {
  const file = join(ARTIFACTS, 'app.log');
  return existsSync(file) ? readFileSync(file, 'utf8') : '';
}

// --- an account server outside the app ------------------------------------------------------

/**
 * Starts `userdesk-server` (USERDESK_SERVER, built beside the app by scripts/e2e.sh) on a free
 * port with its data beside this test file's, for flows that must outlive the app (the embedded
 * server stops with it), and makes it the instance of this run's app (its saved settings).
 * Returns its URL, `logText()` (what it has logged so far) and `stop()`. `addr` (`host:port`)
 * starts it again where an earlier one listened, on the same data. `useInApp: false` leaves the
 * app's settings alone (a test adds the server as a second account's instance through the UI).
 */
export async function startAccountServer({ addr = '127.0.0.1:0', useInApp = true } = {}) {
  const binary = env('USERDESK_SERVER');
  const data = join(dirname(env('XDG_DATA_HOME')), 'account-server');
  mkdirSync(data, { recursive: true });
  const logFile = join(ARTIFACTS, 'account-server.log');
  mkdirSync(ARTIFACTS, { recursive: true });
  const stderr = openSync(logFile, 'a');
  const server = spawn(binary, ['--addr', addr, '--data', data], { stdio: ['ignore', 'pipe', stderr] });
  closeSync(stderr);
  const url = await new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(
      () => reject(new Error(`${binary} did not say where it listens within ${ACTION_TIMEOUT} ms`)), ACTION_TIMEOUT);
    server.once('error', reject);
    server.once('exit', (code) => reject(new Error(`${binary} exited with ${code}; see account-server.log`)));
    server.stdout.on('data', (chunk) => {
      out += chunk;
      const listening = out.match(/^listening on (\S+)\n/);
      if (listening) {
        clearTimeout(timer);
        resolve(listening[1]);
      }
    });
  });
  server.removeAllListeners('exit');
  // Not left behind when the test runner ends this process early (a failure, a timeout).
  const orphaned = () => server.kill('SIGTERM');
  process.once('exit', orphaned);
  log(`account server at ${url}`);
  if (useInApp) {
    // tauri-plugin-store's file, in the app's data directory: what Settings would save.
    const appData = join(env('XDG_DATA_HOME'), APP_IDENTIFIER);
    mkdirSync(appData, { recursive: true });
    writeFileSync(join(appData, 'settings.json'),
      JSON.stringify({ settings: { instance: { kind: 'fapi_url', url }, theme: 'system' } }, null, 2));
  }
  const stop = async () => {
    if (server.exitCode !== null || server.signalCode !== null) return;
    process.off('exit', orphaned);
    const exited = new Promise((resolve) => server.once('exit', resolve));
    server.kill('SIGTERM');
    await exited;
  };
  return { url, stop, logText: () => readFileSync(logFile, 'utf8') };
}
