// Starts the real userdesk-server and points Clerk's own SDK at it, as an Expo app would be:
// clerk-js's native build (`dist/clerk.native.js`), `_is_native=1`, the client token in
// `authorization`, the rotated token read from each response.

import { spawn } from 'node:child_process';
import { createPublicKey, verify } from 'node:crypto';
import { createInterface } from 'node:readline';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));
const repo = resolve(here, '..', '..');
const require = createRequire(import.meta.url);
// The harness's own requests (outbox, Backend API, the person's browser) bypass the guard
// `loadClerk` installs.
export const nodeFetch = globalThis.fetch;

export const DEMO_EMAIL = 'demo@example.com';
export const DEMO_PASSWORD = 'userdesk-demo';

// React Native, which this build is made for, has `window` as the global object; clerk-js's
// native build relies on that in places (signOut() logs its redirect through a helper that reads
// `window.location` unguarded, and fails with "window is not defined" without it). Node has no
// `window`, so we give it React Native's. Nothing else is needed: fetch, FormData, Blob, URL
// and crypto are Node's own.
globalThis.window ??= globalThis;

// The package's `exports` map offers the native build only under the `react-native` condition;
// a file path reaches it without changing how every other package resolves.
const { Clerk } = require(join(here, '..', 'node_modules', '@clerk', 'clerk-js', 'dist', 'clerk.native.js'));

/** `userdesk-server` on a new data directory, in development mode, with `args` added. */
export async function startServer(args = []) {
  const binary = process.env.USERDESK_SERVER ?? join(repo, 'target', 'debug', 'userdesk-server');
  const data = mkdtempSync(join(tmpdir(), 'userdesk-clerk-js-'));
  const child = spawn(binary, ['--addr', '127.0.0.1:0', '--data', data, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, RUST_LOG: process.env.RUST_LOG ?? 'warn' },
  });
  let stderr = '';
  child.stderr.on('data', (chunk) => {
    stderr = (stderr + chunk).slice(-4000);
  });
  const lines = createInterface({ input: child.stdout });
  // The async iterator buffers lines, so the second is not lost if both arrive at once.
  const pending = lines[Symbol.asyncIterator]();
  const read = async () => {
    let timer;
    const exited = new Promise((_, reject) => child.once('exit', (code) => reject(new Error(`${binary} exited (${code}): ${stderr}`))));
    const late = new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${binary} said nothing in 30 s: ${stderr}`)), 30_000);
    });
    try {
      const { value, done } = await Promise.race([pending.next(), exited, late]);
      if (done) throw new Error(`${binary} closed its output: ${stderr}`);
      return value;
    } finally {
      clearTimeout(timer);
    }
  };
  const first = await read();
  const url = /^listening on (http:\/\/\S+)$/.exec(first)?.[1];
  if (!url) throw new Error(`unexpected first line from ${binary}: ${first}`);
  const secretKey = /^secret key (\S+)$/.exec(await read())?.[1];
  if (!secretKey) throw new Error(`no secret key line from ${binary}`);
  return {
    url,
    secretKey,
    async stop() {
      lines.close();
      if (child.exitCode === null) {
        const exited = new Promise((done) => child.once('exit', done));
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(data, { recursive: true, force: true });
    },
  };
}

/**
 * A loaded Clerk instance talking only to `server`. `requests` lists what it sent (method as
 * sent on the wire, path, query); `strays` every request that tried to leave for another host
 * (telemetry, Clerk's own servers): a test asserts there are none.
 */
export async function loadClerk(server) {
  const base = new URL(server.url);
  const requests = [];
  const strays = [];
  // Any request not for our server is refused before it leaves the machine.
  globalThis.fetch = async (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    if (url.host !== base.host) {
      strays.push(url.href);
      throw new TypeError(`refused: a request to ${url.host}`);
    }
    const method = init?.method ?? (input instanceof Request ? input.method : 'GET');
    requests.push({ method, path: url.pathname, query: url.searchParams });
    return nodeFetch(input, init);
  };
  // A publishable key names the Frontend API's host; ours is rewritten below, so any will do.
  const publishableKey = `pk_test_${Buffer.from('clerk.userdesk.invalid$').toString('base64')}`;
  const clerk = new Clerk(publishableKey);
  let token = null;
  clerk.__internal_onBeforeRequest((request) => {
    const url = new URL(request.url);
    url.protocol = base.protocol;
    url.host = base.host;
    url.searchParams.set('_is_native', '1');
    request.url = url;
    if (token) request.headers.set('authorization', token);
  });
  clerk.__internal_onAfterResponse((_request, response) => {
    const rotated = response?.headers?.get('authorization');
    if (rotated) token = rotated;
  });
  await clerk.load({ standardBrowser: false, telemetry: false });
  return {
    clerk,
    requests,
    strays,
    token: () => token,
    restore() {
      globalThis.fetch = nodeFetch;
    },
  };
}

/** The newest code the development outbox holds for `to` (an email address or phone number). */
export async function latestCode(server, to) {
  const response = await nodeFetch(`${server.url}/dev/outbox?limit=50`);
  if (!response.ok) throw new Error(`GET /dev/outbox: ${response.status}`);
  const message = (await response.json()).find((m) => m.to === to && m.code);
  if (!message) throw new Error(`no code for ${to} in the outbox`);
  return message.code;
}

/** A Backend API read (secret key), the server's own view independent of the client. */
export async function backend(server, path) {
  const response = await nodeFetch(`${server.url}${path}`, { headers: { authorization: `Bearer ${server.secretKey}` } });
  const body = await response.json();
  if (!response.ok) throw new Error(`GET ${path}: ${response.status} ${JSON.stringify(body)}`);
  return body;
}

/** A Frontend API read with the client's own token, as the server answers it. */
export async function frontend(server, token, path) {
  const separator = path.includes('?') ? '&' : '?';
  const response = await nodeFetch(`${server.url}${path}${separator}_is_native=1`, { headers: { authorization: token } });
  return { status: response.status, body: await response.json() };
}

/** The claims of `jwt`, once its RS256 signature checks out against the server's JWKS. */
export async function verifiedClaims(server, jwt) {
  const [header, payload, signature] = jwt.split('.');
  const { kid, alg } = JSON.parse(Buffer.from(header, 'base64url').toString());
  if (alg !== 'RS256') throw new Error(`unexpected alg ${alg}`);
  const { keys } = await (await nodeFetch(`${server.url}/.well-known/jwks.json`)).json();
  const jwk = keys.find((key) => key.kid === kid);
  if (!jwk) throw new Error(`no key ${kid} in the JWKS`);
  const valid = verify(
    'RSA-SHA256',
    Buffer.from(`${header}.${payload}`),
    createPublicKey({ key: jwk, format: 'jwk' }),
    Buffer.from(signature, 'base64url'),
  );
  if (!valid) throw new Error('the signature does not verify');
  return JSON.parse(Buffer.from(payload, 'base64url').toString());
}
