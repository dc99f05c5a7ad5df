/// <reference types="node" />
// The stores form no import cycle: one that needs another imports it, never the way back. (A
// cycle let a store reset the ones that import it; sign-out now goes through ../signed-out.)
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const dir = dirname(fileURLToPath(import.meta.url));

/** Each store file (without `.ts`) and the stores it imports. */
function storeImports(): Map<string, string[]> {
  const files = readdirSync(dir).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'));
  const names = new Set(files.map((f) => f.replace(/\.ts$/, '')));
  const graph = new Map<string, string[]>();
  for (const file of files) {
    const source = readFileSync(join(dir, file), 'utf8');
    const targets = [...source.matchAll(/^\s*(?:import|export)\b(?:[^;'"]*?\bfrom)?\s*['"]([^'"]+)['"]/gm)]
      .map((m) => (m[1] ?? '').replace(/^(?:\.\/|\$lib\/stores\/)/, ''))
      .filter((target) => names.has(target));
    graph.set(file.replace(/\.ts$/, ''), targets);
  }
  return graph;
}

/** The first cycle found, as the path that closes it, or null. */
function findCycle(graph: Map<string, string[]>): string[] | null {
  const done = new Set<string>();
  const visit = (node: string, path: string[]): string[] | null => {
    if (path.includes(node)) return [...path.slice(path.indexOf(node)), node];
    if (done.has(node)) return null;
    for (const next of graph.get(node) ?? []) {
      const cycle = visit(next, [...path, node]);
      if (cycle) return cycle;
    }
    done.add(node);
    return null;
  };
  for (const node of graph.keys()) {
    const cycle = visit(node, []);
    if (cycle) return cycle;
  }
  return null;
}

describe('the stores’ imports', () => {
  it('reads the imports between stores', () => {
    expect(storeImports().get('user.svelte')).toEqual(['offline.svelte', 'toast.svelte']);
    expect(storeImports().get('phone-numbers.svelte')).toContain('user.svelte');
  });

  it('have no cycle', () => {
    expect(findCycle(storeImports())).toBeNull();
  });
});
