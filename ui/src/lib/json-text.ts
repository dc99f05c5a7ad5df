// Parsing JSON typed by a person: the value when it is a JSON object, otherwise a message that
// says what is wrong and where (line and column), whatever the engine's own JSON.parse says.
import type { JsonValue } from './bindings';

export type JsonObject = Record<string, JsonValue>;

export type ParsedObject =
  | { ok: true; value: JsonObject }
  | { ok: false; message: string; line: number | null; column: number | null };

/** Parses `text` as a JSON object (not an array, string, number, boolean or null). */
export function parseJsonObject(text: string): ParsedObject {
  if (text.trim() === '') {
    return { ok: false, message: 'Enter a JSON object. Use {} for none.', line: null, column: null };
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    const found = findSyntaxError(text);
    if (found) {
      const { line, column } = lineAndColumn(text, found.offset);
      return { ok: false, message: `${found.message} (line ${line}, column ${column}).`, line, column };
    }
    const detail = err instanceof Error ? err.message : String(err);
    return { ok: false, message: `Not valid JSON: ${detail}`, line: null, column: null };
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    const kind = Array.isArray(value) ? 'an array' : value === null ? 'null' : `a ${typeof value}`;
    return {
      ok: false,
      message: `Metadata must be a JSON object ({ … }), not ${kind}.`,
      line: null,
      column: null,
    };
  }
  return { ok: true, value: value as JsonObject };
}

/** 1-based line and column of a UTF-16 offset in `text`. */
export function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text[i] === '\n') {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

type SyntaxProblem = { offset: number; message: string };

class Stop extends Error {
  constructor(readonly problem: SyntaxProblem) {
    super(problem.message);
  }
}

/**
 * Walks `text` with the JSON grammar (RFC 8259) and returns the first place it breaks, or `null`
 * when it is valid. Only used to locate an error JSON.parse already found.
 */
export function findSyntaxError(text: string): SyntaxProblem | null {
  let i = 0;
  const fail = (message: string, at = i): never => {
    throw new Stop({ offset: at, message });
  };
  const describe = (): string => (i >= text.length ? 'the end of the text' : `'${text[i]}'`);
  const skipSpace = () => {
    while (i < text.length && ' \t\n\r'.includes(text[i] as string)) i++;
  };
  const literal = (word: string) => {
    if (text.startsWith(word, i)) i += word.length;
    else fail(`Unexpected ${describe()}`);
  };
  const string = () => {
    const start = i;
    i++; // opening quote
    while (i < text.length) {
      const c = text[i] as string;
      if (c === '"') {
        i++;
        return;
      }
      if (c === '\\') {
        const e = text[i + 1];
        if (e !== undefined && '"\\/bfnrt'.includes(e)) i += 2;
        else if (e === 'u' && /^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) i += 6;
        else fail('Invalid escape in a string');
        continue;
      }
      if (c.charCodeAt(0) < 0x20) fail(c === '\n' ? 'Unterminated string' : 'Control character in a string');
      i++;
    }
    fail('Unterminated string', start);
  };
  const number = () => {
    const m = /^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?/.exec(text.slice(i));
    if (!m || m[0] === '-' || m[0] === '') fail(`Unexpected ${describe()}`);
    i += (m as RegExpExecArray)[0].length;
  };
  const value = (): void => {
    skipSpace();
    const c = text[i];
    if (c === '{') return object();
    if (c === '[') return array();
    if (c === '"') return string();
    if (c === 't') return literal('true');
    if (c === 'f') return literal('false');
    if (c === 'n') return literal('null');
    if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) return number();
    if (c === "'") fail('Strings need double quotes');
    fail(i >= text.length ? 'Unexpected end of the text: a value is missing' : `Unexpected ${describe()}`);
  };
  const object = () => {
    i++;
    skipSpace();
    if (text[i] === '}') {
      i++;
      return;
    }
    let comma = -1;
    for (;;) {
      skipSpace();
      if (text[i] === '}') fail("Trailing comma before '}'", comma);
      if (text[i] !== '"') fail(`Expected a property name in double quotes, found ${describe()}`);
      string();
      skipSpace();
      if (text[i] !== ':') fail(`Expected ':' after the property name, found ${describe()}`);
      i++;
      value();
      skipSpace();
      if (text[i] === ',') {
        comma = i++;
        continue;
      }
      if (text[i] === '}') {
        i++;
        return;
      }
      fail(`Expected ',' or '}' after a property value, found ${describe()}`);
    }
  };
  const array = () => {
    i++;
    skipSpace();
    if (text[i] === ']') {
      i++;
      return;
    }
    let comma = -1;
    for (;;) {
      skipSpace();
      if (text[i] === ']') fail("Trailing comma before ']'", comma);
      value();
      skipSpace();
      if (text[i] === ',') {
        comma = i++;
        continue;
      }
      if (text[i] === ']') {
        i++;
        return;
      }
      fail(`Expected ',' or ']' after an array item, found ${describe()}`);
    }
  };
  try {
    value();
    skipSpace();
    if (i < text.length) fail(`Unexpected ${describe()} after the end of the JSON value`);
    return null;
  } catch (err) {
    if (err instanceof Stop) return err.problem;
    throw err;
  }
}

/** Pretty JSON as shown in the editor and viewers (two-space indent). */
export function formatJson(value: JsonValue | undefined): string {
  return JSON.stringify(value ?? {}, null, 2);
}
