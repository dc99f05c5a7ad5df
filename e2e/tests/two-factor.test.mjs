// Issue #6: turn on an authenticator app (codes computed here from the secret the app shows, as
// an authenticator would), sign out, and sign in again with a code.
import { createHmac } from 'node:crypto';
import { test } from 'node:test';
import {
  ACTION_TIMEOUT, LAUNCH_TIMEOUT, click, fill, located, log, step, waitForAny, waitForText, withApp,
} from '../lib/app.mjs';

const DEMO_EMAIL = 'demo@example.com';
const DEMO_PASSWORD = 'userdesk-demo';

/** RFC 4648 base32, as authenticator secrets are written. */
function base32(text) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const char of text.replace(/[\s=]/g, '').toUpperCase()) {
    const value = alphabet.indexOf(char);
    if (value < 0) throw new Error(`not base32: ${char}`);
    bits += value.toString(2).padStart(5, '0');
  }
  const bytes = [];
  for (let i = 0; i + 8 <= bits.length; i += 8) bytes.push(parseInt(bits.slice(i, i + 8), 2));
  return Buffer.from(bytes);
}

/** RFC 6238 (SHA-1, 6 digits, 30 s) for the time step `step`. */
function totp(secret, step) {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(step));
  const hash = createHmac('sha1', base32(secret)).update(counter).digest();
  const offset = hash[hash.length - 1] & 15;
  return String((hash.readUInt32BE(offset) & 0x7fffffff) % 1_000_000).padStart(6, '0');
}

const currentStep = () => Math.floor(Date.now() / 30_000);

/** Types a code digit by digit into the six boxes inside `container`. */
async function typeCode(driver, container, code) {
  log(`type ${code} into ${container}`);
  for (const [i, digit] of [...code].entries()) {
    const box = await located(driver, `[data-testid="${container}"] [data-testid="code-digit-${i}"]`);
    await box.sendKeys(digit);
  }
}

/** Clicks `id` unless typing the last digit already submitted and `next` is showing. */
async function submitUnlessDone(driver, id, next) {
  try {
    await waitForAny(driver, [next], 3_000);
  } catch {
    await click(driver, id);
  }
}

test('an account with an authenticator app signs in with a code', { timeout: 300_000 }, async () => {
  await withApp(async (driver) => {
    await step(driver, 'sign in as the demo user', async () => {
      await waitForAny(driver, ['signin-identifier'], LAUNCH_TIMEOUT);
      await fill(driver, 'signin-identifier', DEMO_EMAIL);
      await fill(driver, 'signin-password', DEMO_PASSWORD);
      await click(driver, 'signin-submit');
      await waitForText(driver, 'sidebar-email', DEMO_EMAIL);
    });

    let secret = '';
    await step(driver, 'turn on the authenticator app', async () => {
      await click(driver, 'nav-security');
      await click(driver, 'totp-setup');
      await located(driver, '[data-testid="totp-qr"]');
      const shown = await located(driver, '[data-testid="totp-secret"]');
      // textContent: WebKitWebDriver's visible-text atom can return "" for visible text.
      secret = String(await driver.executeScript('return arguments[0].textContent', shown)).replace(/\s/g, '');
      log(`secret has ${secret.length} characters`);
      await typeCode(driver, 'totp-code-input', totp(secret, currentStep()));
      await submitUnlessDone(driver, 'totp-confirm', 'backup-codes');
      await located(driver, '[data-testid="backup-codes"]');
      await click(driver, 'backup-codes-done');
      await waitForText(driver, 'two-factor-status', 'On');
    });

    await step(driver, 'sign out', async () => {
      await click(driver, 'signout');
      await waitForAny(driver, ['signin-identifier'], ACTION_TIMEOUT);
    });

    await step(driver, 'sign in again: the app asks for a code, and the code signs in', async () => {
      await fill(driver, 'signin-identifier', DEMO_EMAIL);
      await fill(driver, 'signin-password', DEMO_PASSWORD);
      await click(driver, 'signin-submit');
      await located(driver, '[data-testid="second-factor-code-input"]');
      // The enrolment used this time step's code, and a code never works twice: the next
      // step's, which the server's one-step window accepts, is the one an authenticator shows next.
      await typeCode(driver, 'second-factor-code-input', totp(secret, currentStep() + 1));
      await submitUnlessDone(driver, 'second-factor-submit', 'sidebar-email');
      await waitForText(driver, 'sidebar-email', DEMO_EMAIL);
    });

    await step(driver, 'Settings says where the key to the secret is kept', async () => {
      // No keychain runs in this session: the embedded server keeps its key in a file, visibly.
      await click(driver, 'nav-settings');
      const key = await located(driver, '[data-testid="server-key-storage"]');
      const text = String(await driver.executeScript('return arguments[0].textContent', key));
      if (!/two-step secrets: a file on this computer/.test(text) || !/server[\\/]at_rest_key/.test(text)) {
        throw new Error(`server-key-storage says: ${text}`);
      }
      if (process.env.E2E_SCREENSHOT) {
        await driver.executeScript('arguments[0].scrollIntoView({ block: "center" })', key);
        const { writeFileSync } = await import('node:fs');
        writeFileSync(process.env.E2E_SCREENSHOT, await driver.takeScreenshot(), 'base64');
      }
    });
  });
});
