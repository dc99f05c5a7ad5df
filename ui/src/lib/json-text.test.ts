import { describe, expect, it } from 'vitest';
import { findSyntaxError, parseJsonObject } from './json-text';

describe('parseJsonObject', () => {
  it('accepts an object', () => {
    expect(parseJsonObject('{"a": [1, {"b": null}]}')).toEqual({ ok: true, value: { a: [1, { b: null }] } });
  });

  it.each([
    ['[]', 'not an array'],
    ['"text"', 'not a string'],
    ['42', 'not a number'],
    ['null', 'not null'],
    ['true', 'not a boolean'],
  ])('refuses %s', (text, message) => {
    const r = parseJsonObject(text);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).toContain(message);
  });

  it('refuses empty text', () => {
    expect(parseJsonObject('  ')).toMatchObject({ ok: false, message: 'Enter a JSON object. Use {} for none.' });
  });

  it.each([
    ['{"a": 1,}', 1, 8, "Trailing comma before '}'"],
    ['{"a": [1,\n]}', 1, 9, "Trailing comma before ']'"],
    ['{\n  "a": 1\n  "b": 2\n}', 3, 3, "Expected ',' or '}'"],
    ["{'a': 1}", 1, 2, 'Expected a property name in double quotes'],
    ['{"a": undefined}', 1, 7, "Unexpected 'u'"],
    ['{"a": "line\nbreak"}', 1, 12, 'Unterminated string'],
    ['{"a": 01}', 1, 8, "Expected ',' or '}'"],
    ['{"a": 1} x', 1, 10, 'after the end'],
    ['{"a": ', 1, 7, 'a value is missing'],
  ])('locates the error in %j', (text, line, column, message) => {
    const r = parseJsonObject(text);
    expect(r).toMatchObject({ ok: false, line, column });
    if (!r.ok) expect(r.message).toContain(message);
  });

  it('agrees with JSON.parse on valid text', () => {
    for (const text of ['{}', '[1, -2.5e3, "\\u00e9\\n", true, false, null]', ' {"a" : {"b" : []}} ']) {
      expect(findSyntaxError(text)).toBeNull();
    }
  });
});
