import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    environment: 'node',
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Engine tests spawn ORT sessions; two cores here, keep parallelism modest.
    maxWorkers: 2,
    reporters: ['default', './tests/closing-line-reporter.ts'],
  },
});
