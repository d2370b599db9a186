import { defineConfig } from 'vitest/config';

// One runner for the whole lab. Integration tests talk to real PostgreSQL, RabbitMQ and SMTP, so they get long
// timeouts; they assert behaviour and invariants, never wall-clock budgets (those live in `npm run bench`).
export default defineConfig({
  test: {
    include: ['**/*.test.ts', '**/*.test.tsx'],
    exclude: ['**/node_modules/**', '**/dist/**', 'benchmarks/results/**'],
    globalSetup: ['./lab-kit/src/vitest.global-setup.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // Two cores: more workers only make the integration tests fight for them.
    maxWorkers: 2,
    reporters: process.env.CI ? ['default'] : ['default'],
  },
});
