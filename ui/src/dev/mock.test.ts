/// <reference types="node" />
// The dev mock answers exactly the commands the Rust shell registers: a command added, renamed
// or dropped there fails here until the fakes follow.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { devBackend } from './mock';

const shellSources = join(dirname(fileURLToPath(import.meta.url)), '../../../src-tauri/src');

/** The names in every `generate_handler![…]` under src-tauri/src (the last path segment of each). */
function shellCommands(): string[] {
  const files = readdirSync(shellSources, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.rs'));
  return files.flatMap((file) => {
    const source = readFileSync(join(shellSources, file), 'utf8').replace(/\/\/.*$/gm, '');
    return [...source.matchAll(/generate_handler!\s*\[([^\]]*)\]/g)].flatMap((m) =>
      (m[1] ?? '')
        .split(',')
        .map((path) => path.trim().split('::').pop() ?? '')
        .filter((name) => name !== ''),
    );
  });
}

describe('the dev mock', () => {
  it('answers the commands the Rust shell registers, and no others', () => {
    const shell = shellCommands();
    expect(shell).toContain('current_user');
    expect(Object.keys(devBackend(new URLSearchParams()).commands).sort()).toEqual([...new Set(shell)].sort());
  });
});
