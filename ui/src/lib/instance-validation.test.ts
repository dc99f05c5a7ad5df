import { describe, expect, it } from 'vitest';
import { checkFapiUrl, decodePublishableKey } from './instance-validation';

const key = (prefix: string, text: string) => prefix + btoa(text);

describe('decodePublishableKey', () => {
  it('decodes test and live keys to their Frontend API host', () => {
    expect(decodePublishableKey(key('pk_test_', 'clerk.example.com$'))).toEqual({
      ok: true,
      value: { host: 'clerk.example.com', fapiUrl: 'https://clerk.example.com' },
    });
    expect(decodePublishableKey(`  ${key('pk_live_', 'good-puma-12.clerk.accounts.dev$')} `)).toMatchObject({
      ok: true,
      value: { host: 'good-puma-12.clerk.accounts.dev' },
    });
  });

  it('accepts a key whose base64 padding was dropped', () => {
    const padded = key('pk_test_', 'a.example.com$');
    expect(padded.endsWith('=')).toBe(true);
    expect(decodePublishableKey(padded.replace(/=+$/, ''))).toMatchObject({ ok: true, value: { host: 'a.example.com' } });
  });

  it.each([
    ['', 'Enter a publishable key.'],
    ['sk_test_abc', 'starts with pk_test_ or pk_live_'],
    ['pk_test_!!!', 'not base64'],
    [key('pk_test_', 'clerk.example.com'), 'does not encode a Frontend API host'],
    [key('pk_test_', 'not a host$'), 'not a host name'],
  ])('refuses %j', (text, message) => {
    const r = decodePublishableKey(text);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).toContain(message);
  });
});

describe('checkFapiUrl', () => {
  it('accepts whole URLs; which schemes an instance may use is the Rust side’s to say', () => {
    expect(checkFapiUrl('https://clerk.example.com')).toEqual({ ok: true, value: 'https://clerk.example.com' });
    expect(checkFapiUrl(' http://127.0.0.1:3000 ')).toEqual({ ok: true, value: 'http://127.0.0.1:3000' });
  });

  it.each([
    ['', 'Enter the Frontend API URL.'],
    ['clerk.example.com', 'Enter a full URL'],
  ])('refuses %j', (text, message) => {
    const r = checkFapiUrl(text);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).toContain(message);
  });
});
