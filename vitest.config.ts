import { defineConfig } from 'vitest/config';

// Three projects: unit tests next to the code, integration tests that use real
// parts (ffmpeg, an RTSP server, SQLite files, a broker), and the renderer's
// tests (configured in renderer/vite.config.ts: happy-dom, React).
// The machine may have 2 cores shared with other work: at most 2 forks, and
// integration files one at a time. No wall-clock performance asserts.
export default defineConfig({
  test: {
    pool: 'forks',
    poolOptions: { forks: { minForks: 1, maxForks: 2 } },
    // Give up on a run that hangs rather than blocking CI.
    teardownTimeout: 20_000,
    projects: [
      {
        test: {
          name: 'unit',
          include: ['main/**/*.test.ts', 'native-workers/**/*.test.ts', 'scripts/**/*.test.ts', 'bench/**/*.test.ts'],
          environment: 'node',
          testTimeout: 20_000,
          hookTimeout: 30_000,
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts', 'test/fixtures/**/*.test.ts'],
          environment: 'node',
          testTimeout: 180_000,
          hookTimeout: 180_000,
          // One file at a time: they start servers, ffmpeg and brokers.
          poolOptions: { forks: { singleFork: true } },
          // An unexpected ERROR line in the engine log fails the test (expectLogErrors() to expect one).
          setupFiles: ['test/support/log-guard.ts'],
        },
      },
      'renderer/vite.config.ts',
    ],
  },
});
