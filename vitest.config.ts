import { configDefaults, defineConfig } from 'vitest/config';

// One runner for the whole lab. Integration tests talk to real PostgreSQL, RabbitMQ and SMTP, so they get long
// timeouts; they assert behaviour and invariants, never wall-clock budgets (those live in `npm run bench`).
const SERIAL = ['**/broker-restart*.test.ts'];

export default defineConfig({
  test: {
    exclude: [...configDefaults.exclude, '**/dist/**', 'benchmarks/results/**'],
    globalSetup: ['./lab-kit/src/vitest.global-setup.ts', './lab-stacks/test/provider.global-setup.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // expect.poll waits for something to happen (a page to redraw, a consumer to catch up), never for a time budget:
    // its 1 s default failed the browser tests on a busy machine while the page was only slow.
    expect: { poll: { timeout: 15_000 } },
    // Two cores: more workers only make the integration tests fight for them.
    maxWorkers: 2,
    projects: [
      {
        extends: true,
        test: {
          name: 'lab',
          include: ['**/*.test.ts', '**/*.test.tsx'],
          exclude: [...configDefaults.exclude, '**/dist/**', 'benchmarks/results/**', ...SERIAL],
          sequence: { groupOrder: 0 },
        },
      },
      {
        // Tests that stop the shared RabbitMQ run last and alone, so no other test loses its broker under it.
        extends: true,
        test: {
          name: 'broker-restart',
          include: SERIAL,
          env: { LAB_BROKER_RESTART_TEST: '1' },
          fileParallelism: false,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
