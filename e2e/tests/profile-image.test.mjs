// Issue #5: a photo dragged from the file manager onto the window (a real XDND drag on the test's X
// server, see e2e/lib/drag.mjs) becomes the profile picture after Save, the right way up, and stays
// after a relaunch; a damaged file, or two files at once, get a message and leave the picture be.
// A picture copied to the clipboard (xclip owns it) and pasted with Ctrl+V goes the same way, and
// one chosen in the system file dialog (Upload photo) opens upright in the editor.
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { By } from 'selenium-webdriver';
import {
  ACTION_TIMEOUT, LAUNCH_TIMEOUT, byTestId, click, fill, find, log, step, waitForAny, waitForText,
  withApp,
} from '../lib/app.mjs';
import { dropOntoApp } from '../lib/drag.mjs';
import { xdotool } from '../lib/x11.mjs';

const DEMO_EMAIL = 'demo@example.com';
const DEMO_PASSWORD = 'userdesk-demo';
// ImageMagick's own convert: /usr/local/bin may hold a stand-in that only turns PNGs into PPMs.
const CONVERT = '/usr/bin/convert';

let pictures;
/** The photo a camera held sideways would take, the damaged copy of it, and a second photo. */
const photo = () => join(pictures, 'holiday photo.jpg');
const damaged = () => join(pictures, 'damaged photo.jpg');
const secondPhoto = () => join(pictures, 'second photo.jpg');

/**
 * A minimal EXIF block (APP1) holding only the orientation tag, inserted after the JFIF header:
 * ImageMagick writes no orientation into a picture that has no EXIF to begin with.
 */
function withExifOrientation(jpeg, orientation) {
  const tiff = Buffer.from([
    0x4d, 0x4d, 0x00, 0x2a, 0, 0, 0, 8, // big-endian TIFF header, first IFD at 8
    0, 1, // one entry:
    0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, orientation, 0, 0, // Orientation, SHORT, 1 value
    0, 0, 0, 0, // no next IFD
  ]);
  const body = Buffer.concat([Buffer.from('Exif\0\0', 'latin1'), tiff]);
  const header = Buffer.from([0xff, 0xe1, (body.length + 2) >> 8, (body.length + 2) & 0xff]);
  const afterJfif = jpeg[2] === 0xff && jpeg[3] === 0xe0 ? 4 + jpeg.readUInt16BE(4) : 2;
  return Buffer.concat([jpeg.subarray(0, afterJfif), header, body, jpeg.subarray(afterJfif)]);
}

before(() => {
  assert.ok(existsSync(CONVERT), `${CONVERT} is missing: run scripts/install-deps.sh (imagemagick)`);
  // A space and an accent in the folder's name: the drag sends percent-encoded file:// URIs.
  pictures = mkdtempSync(join(tmpdir(), 'userdesk-e2e-pictures é '));
  // Stored 800 × 1200, blue above red, tagged "rotate 90° clockwise to show" (EXIF 6), as a
  // phone held sideways stores it. Shown the right way up it is 1200 × 800, red left, blue right.
  const stored = join(pictures, 'stored.jpg');
  execFileSync(CONVERT, ['-size', '800x600', 'xc:#1030d0', '-size', '800x600', 'xc:#d01010', '-append',
    '-quality', '92', stored]);
  const jpeg = withExifOrientation(readFileSync(stored), 6);
  writeFileSync(photo(), jpeg);
  // The same photo cut off half way, as an interrupted copy leaves it.
  writeFileSync(damaged(), jpeg.subarray(0, Math.floor(jpeg.length / 2)));
  execFileSync(CONVERT, ['-size', '640x480', 'xc:#10a030', '-quality', '92', secondPhoto()]);
});

after(() => {
  if (pictures) rmSync(pictures, { recursive: true, force: true });
});

async function signInAndOpenProfile(driver) {
  // The second test's launch finds the first one's session.
  if ((await waitForAny(driver, ['sidebar-name', 'signin-identifier'], LAUNCH_TIMEOUT)) === 'signin-identifier') {
    await fill(driver, 'signin-identifier', DEMO_EMAIL);
    await fill(driver, 'signin-password', DEMO_PASSWORD);
    await click(driver, 'signin-submit');
  }
  await waitForText(driver, 'sidebar-email', DEMO_EMAIL);
  await click(driver, 'nav-profile');
}

/** Whether an element with this test id is on screen now. */
async function isShown(driver, id) {
  for (const element of await driver.findElements(byTestId(id))) {
    if (await element.isDisplayed().catch(() => false)) return true;
  }
  return false;
}

/** Waits until the element's text matches `pattern`, and returns the text. */
async function waitForMatch(driver, id, pattern, timeout = ACTION_TIMEOUT) {
  await find(driver, id, timeout);
  log(`wait for ${pattern} in ${id}`);
  let seen = null;
  await driver.wait(async () => {
    seen = await driver.executeScript('return document.querySelector(arguments[0])?.textContent ?? null;',
      `[data-testid="${id}"]`);
    return seen !== null && pattern.test(seen);
  }, timeout).catch((error) => {
    if (error.name !== 'TimeoutError') throw error;
    throw new Error(`[data-testid="${id}"] never matched ${pattern} within ${timeout} ms; it shows ${JSON.stringify(seen)}`);
  });
  return seen;
}

async function waitUntilGone(driver, id, timeout = ACTION_TIMEOUT) {
  log(`wait until ${id} is gone`);
  await driver.wait(async () => !(await isShown(driver, id)), timeout, `[data-testid="${id}"] still shows after ${timeout} ms`);
}

/**
 * The src of the profile picture the Profile card shows now, once it has loaded; null while the
 * account has none (the card shows initials, without an <img>).
 */
async function pictureNow(driver) {
  // Always in the card: once it is there, so is the picture, if there is one.
  await find(driver, 'profile-image-upload');
  const hasImage = await driver.executeScript('return document.querySelector(\'[data-testid="profile-image"]\') !== null;');
  return hasImage ? (await shownPicture(driver)).src : null;
}

/**
 * Waits until the profile picture has loaded (and, with `notSrc`, is another one than that);
 * returns its src and size as the page has it.
 */
async function shownPicture(driver, { notSrc } = {}) {
  await find(driver, 'profile-image');
  log(`wait for profile-image to load${notSrc ? ' a new picture' : ''}`);
  let seen = null;
  await driver.wait(async () => {
    seen = await driver.executeScript(`
      const img = document.querySelector('[data-testid="profile-image"]');
      return img && { src: img.currentSrc || img.src, complete: img.complete, width: img.naturalWidth, height: img.naturalHeight };`);
    return seen && seen.complete && seen.width > 0 && seen.src !== notSrc;
  }, ACTION_TIMEOUT).catch((error) => {
    if (error.name !== 'TimeoutError') throw error;
    throw new Error(`profile-image did not show ${notSrc ? 'a new' : 'a'} loaded picture within ${ACTION_TIMEOUT} ms; it had ${JSON.stringify(seen)}`);
  });
  return seen;
}

/** What is in each quarter of the picture at `url` (served by the embedded server): red, blue, … */
async function quarters(url) {
  assert.match(url, /^https?:\/\//, `the profile picture is not the server's image URL: ${url}`);
  const response = await fetch(url);
  assert.equal(response.status, 200, `GET ${url}`);
  assert.match(response.headers.get('content-type') ?? '', /^image\//, `the content type of ${url}`);
  const file = join(pictures, 'served');
  writeFileSync(file, Buffer.from(await response.arrayBuffer()));
  // Each quarter's average colour, in the order top left, top right, bottom left, bottom right.
  const text = execFileSync(CONVERT, [file, '-filter', 'box', '-resize', '2x2!', '-depth', '8', 'txt:-'], { encoding: 'utf8' });
  return [...text.matchAll(/^\d+,\d+: \((\d+(?:\.\d+)?),(\d+(?:\.\d+)?),(\d+(?:\.\d+)?)/gm)].map((m) => {
    const [r, g, b] = m.slice(1, 4).map(Number);
    if (r > 150 && g < 100 && b < 100) return 'red';
    if (b > 150 && r < 100 && g < 100) return 'blue';
    return `rgb(${r},${g},${b})`;
  });
}

test('a photo dragged onto the window and saved becomes the profile picture, the right way up', { timeout: 300_000 }, async () => {
  let uploaded;
  await withApp(async (driver) => {
    let previous;
    await step(driver, 'sign in and open the profile', async () => {
      await signInAndOpenProfile(driver);
      previous = await pictureNow(driver);
      log(`picture before: ${previous ?? 'none (initials)'}`);
    });

    await step(driver, 'drag the photo onto the window', async () => {
      await dropOntoApp([photo()], {
        // While the file hovers over the window, the window is a drop target.
        whileOver: () => waitForMatch(driver, 'drop-overlay', /drop/i, 5_000),
      });
      await waitUntilGone(driver, 'drop-overlay');
      await find(driver, 'avatar-editor');
    });

    await step(driver, 'save the centred crop', async () => {
      await click(driver, 'avatar-editor-save');
      // The upload runs with a progress bar in the editor, which closes when it is done.
      await waitUntilGone(driver, 'avatar-editor');
      assert.equal(await isShown(driver, 'avatar-error'), false, 'an error shows after saving');
      uploaded = await shownPicture(driver, { notSrc: previous });
      log(`picture after: ${uploaded.src} (${uploaded.width} × ${uploaded.height})`);
      assert.equal(uploaded.width, uploaded.height, 'the picture is not square');
      // The centre of the photo shown the right way up: red on the left, blue on the right. A
      // picture that ignored the orientation tag would be blue above red.
      assert.deepEqual(await quarters(uploaded.src), ['red', 'blue', 'red', 'blue']);
    });
  });

  await withApp(async (driver) => {
    await step(driver, 'see the picture after a relaunch', async () => {
      await signInAndOpenProfile(driver);
      const shown = await shownPicture(driver);
      assert.deepEqual(await quarters(shown.src), ['red', 'blue', 'red', 'blue']);
    });
  });
});

test('a damaged photo, or two at once, gets a message and leaves the picture as it was', { timeout: 300_000 }, async () => {
  await withApp(async (driver) => {
    let previous;
    await step(driver, 'sign in and open the profile', async () => {
      await signInAndOpenProfile(driver);
      // The first test's photo, or no picture when this test runs alone.
      previous = await pictureNow(driver);
      log(`picture before: ${previous ?? 'none (initials)'}`);
    });

    await step(driver, 'drop a damaged photo', async () => {
      await dropOntoApp([damaged()]);
      log(`message: ${await waitForMatch(driver, 'avatar-error', /damaged/i)}`);
      // A message instead of the editor, not as well as it.
      await new Promise((resolve) => setTimeout(resolve, 500));
      assert.equal(await isShown(driver, 'avatar-editor'), false, 'the editor opened for a damaged photo');
      assert.equal(await pictureNow(driver), previous, 'the profile picture changed');
    });

    await step(driver, 'drop two photos at once', async () => {
      await dropOntoApp([photo(), secondPhoto()], {
        // Said while they hover, before they are let go.
        whileOver: () => waitForMatch(driver, 'drop-overlay', /one .*at a time/i, 5_000),
      });
      log(`message: ${await waitForMatch(driver, 'avatar-error', /one .*at a time/i)}`);
      await new Promise((resolve) => setTimeout(resolve, 500));
      assert.equal(await isShown(driver, 'avatar-editor'), false, 'the editor opened for two photos');
      assert.equal(await pictureNow(driver), previous, 'the profile picture changed');
    });
  });
});

/** Puts `file` on the X clipboard as `type`, as a screenshot tool or an image viewer's Copy does. */
function copyToClipboard(file, type) {
  // xclip stays to serve the clipboard until another program takes it; killed at the end.
  const owner = spawn('xclip', ['-selection', 'clipboard', '-t', type, '-i', file], { stdio: 'ignore' });
  return () => owner.kill();
}

test('a picture pasted from the clipboard opens in the editor and is saved', { timeout: 300_000 }, async () => {
  // Shown as it is stored (no orientation tag): red left, blue right.
  const pasted = join(pictures, 'copied.png');
  execFileSync(CONVERT, ['-size', '450x600', 'xc:#d01010', '-size', '450x600', 'xc:#1030d0', '+append', pasted]);
  await withApp(async (driver) => {
    let previous;
    await step(driver, 'sign in and open the profile', async () => {
      await signInAndOpenProfile(driver);
      previous = await pictureNow(driver);
    });

    await step(driver, 'paste with Ctrl+V outside any field', async () => {
      const release = copyToClipboard(pasted, 'image/png');
      try {
        await new Promise((resolve) => setTimeout(resolve, 300));
        // The keys go where the pointer's window is; clicking the heading takes focus from fields.
        await driver.findElement(By.css('h1')).click();
        await xdotool('key', 'ctrl+v');
        await find(driver, 'avatar-editor');
      } finally {
        release();
      }
    });

    await step(driver, 'save it', async () => {
      await click(driver, 'avatar-editor-save');
      await waitUntilGone(driver, 'avatar-editor');
      const shown = await shownPicture(driver, { notSrc: previous });
      assert.deepEqual(await quarters(shown.src), ['red', 'blue', 'red', 'blue']);
    });
  });
});

test('a photo chosen with Upload photo opens upright in the editor, and Cancel keeps the picture', { timeout: 300_000 }, async () => {
  await withApp(async (driver) => {
    let previous;
    await step(driver, 'sign in and open the profile', async () => {
      await signInAndOpenProfile(driver);
      previous = await pictureNow(driver);
    });

    await step(driver, 'choose the photo in the system file dialog', async () => {
      await click(driver, 'profile-image-upload');
      // GTK's file chooser: Ctrl+L opens its location field, where a path can be typed.
      const dialog = (await xdotool('search', '--sync', '--onlyvisible', '--name', '^Choose a profile picture$')).trim().split(/\s+/)[0];
      // No window manager here: give the dialog the focus, then type as a person would (GTK
      // ignores keys sent to a window directly). Seen here: keys typed as soon as the dialog is
      // mapped are lost while it fills itself in.
      await new Promise((resolve) => setTimeout(resolve, 1500));
      await xdotool('windowfocus', '--sync', dialog);
      await new Promise((resolve) => setTimeout(resolve, 300));
      await xdotool('key', 'ctrl+l');
      await xdotool('type', '--delay', '20', photo());
      // The location field completes as it is typed into; Return before it settles is lost.
      await new Promise((resolve) => setTimeout(resolve, 700));
      await xdotool('key', 'Return');
      const editor = await find(driver, 'avatar-editor');
      // The sideways-stored photo, measured the right way up.
      await driver.wait(async () => /1200 × 800 px · JPEG/.test(await editor.getText()), ACTION_TIMEOUT,
        'the editor shows the photo as 1200 × 800');
    });

    await step(driver, 'cancel', async () => {
      await click(driver, 'avatar-editor-cancel');
      await waitUntilGone(driver, 'avatar-editor');
      assert.equal(await pictureNow(driver), previous, 'the profile picture changed');
    });
  });
});
