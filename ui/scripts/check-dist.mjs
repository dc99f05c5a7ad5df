// Run after `vite build`: fails when ui/dist holds anything of src/dev, the mock that answers
// commands from memory in a plain browser. main.ts imports it only under `import.meta.env.DEV`,
// which the build drops; this keeps it that way. The marker is DEV_MOCK_MARKER in src/dev/mock.ts.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const MARKER = 'userdesk-dev-mock';
const dist = process.argv[2] ?? fileURLToPath(new URL('../dist', import.meta.url));

const files = readdirSync(dist, { recursive: true, withFileTypes: true }).filter((entry) => entry.isFile());
if (files.length === 0) {
  console.error(`check-dist: ${dist} is empty; build first.`);
  process.exit(1);
}
const leaked = files
  .map((entry) => join(entry.parentPath, entry.name))
  .filter((path) => readFileSync(path, 'latin1').includes(MARKER));
if (leaked.length > 0) {
  console.error(`check-dist: the dev mock (src/dev) is in the build:\n  ${leaked.join('\n  ')}`);
  process.exit(1);
}
console.log(`check-dist: ${files.length} files in ${dist}, nothing of src/dev.`);
