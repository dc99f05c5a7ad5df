import '@testing-library/jest-dom/vitest';
import { afterEach, beforeAll } from 'vitest';
import { lazySections } from './screens/lazy-sections';
import { resetAll } from './test-support';

// The lazily loaded sections are compiled once before the tests: a test then waits for the
// section as the app does for a chunk already fetched, not for the first transform of its code
// (seconds on a busy machine, past testing-library's one-second wait).
beforeAll(async () => {
  await Promise.all(Object.values(lazySections).map((load) => load()));
});

afterEach(() => {
  resetAll();
});
