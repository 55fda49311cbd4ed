import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Suites that open pseudo-terminals, brokers and LevelDB folders run in forks so a
    // native handle left open by one file cannot wedge another.
    pool: 'forks',
    // Both cores: by default vitest keeps one free, which runs the files one at a time here
    // (about 4 min against 2 min 10 s with two).
    maxWorkers: 2,
  },
});
