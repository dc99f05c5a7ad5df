import '@testing-library/jest-dom/vitest';
import { afterEach } from 'vitest';
import { resetAll } from './test-support';

afterEach(() => {
  resetAll();
});
