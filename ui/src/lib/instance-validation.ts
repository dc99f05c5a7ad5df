// Client-side checks of the instance settings, so a mistyped key or URL is caught before the app
// tries to reconnect. The Rust side checks again; its errors are shown at the same fields.

export type Checked<T> = { ok: true; value: T } | { ok: false; message: string };

/** A Clerk publishable key: `pk_test_` or `pk_live_` + base64 of `<fapi-host>$`. */
export function decodePublishableKey(raw: string): Checked<{ host: string; fapiUrl: string }> {
  const key = raw.trim();
  if (key === '') return { ok: false, message: 'Enter a publishable key.' };
  const m = /^pk_(test|live)_(.+)$/.exec(key);
  if (!m) return { ok: false, message: 'A publishable key starts with pk_test_ or pk_live_.' };
  const encoded = (m[2] as string).replace(/-/g, '+').replace(/_/g, '/');
  let decoded: string;
  try {
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(encoded)) throw new Error('not base64');
    decoded = atob(encoded.padEnd(Math.ceil(encoded.length / 4) * 4, '='));
  } catch {
    return { ok: false, message: 'This key is not valid: the part after the prefix is not base64.' };
  }
  if (!decoded.endsWith('$')) {
    return { ok: false, message: 'This key is not valid: it does not encode a Frontend API host.' };
  }
  const host = decoded.slice(0, -1);
  if (!/^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*(:[0-9]{1,5})?$/i.test(host)) {
    return { ok: false, message: 'This key is not valid: the host it encodes is not a host name.' };
  }
  return { ok: true, value: { host, fapiUrl: `https://${host}` } };
}

/** A URL typed whole; which ones an instance may have (https, or http on this computer) the Rust
 * side decides when Settings are saved, and its refusal shows at the field. */
export function checkFapiUrl(raw: string): Checked<string> {
  const text = raw.trim();
  if (text === '') return { ok: false, message: 'Enter the Frontend API URL.' };
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return { ok: false, message: 'Enter a full URL, such as https://clerk.example.com.' };
  }
  if (url.hostname === '') return { ok: false, message: 'The URL needs a host.' };
  return { ok: true, value: text };
}
