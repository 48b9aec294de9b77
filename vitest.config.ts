import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: [
      'platform/**/*.test.ts',
      'studio/src/**/*.test.ts',
      'plugins/**/*.test.ts',
      'studio/e2e/**/*.test.ts',
      'bench/**/*.test.ts',
      'test/**/*.test.ts',
    ],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    fileParallelism: true,
    maxWorkers: 2,
    // expect.poll's default 1 s is too short for browser tests when the whole suite shares two
    // cores with PostgreSQL and chromium: a poll that would pass in 2 s failed the run.
    expect: { poll: { timeout: 10_000 } },
  },
});
