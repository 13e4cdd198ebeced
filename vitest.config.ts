import { defineConfig } from 'vitest/config'
import { LAB_V8_FLAGS } from './scripts/lab-flags.mjs'

// Two projects: most tests run in parallel; then the tests that read CPU% (`*.cpu.test.ts`) run one file at a time,
// after the rest, so they have the cores to themselves.
export default defineConfig({
  test: {
    globalSetup: ['./scripts/vitest-global-setup.ts'],
    // The tests time real threads and processes on a 2-core machine: in CI a failed test is run once more, and a test
    // that fails twice fails the run (the report names every retried test).
    retry: process.env.CI ? 1 : 0,
    // The labs under test run with the V8 flags of every lab process (see scripts/lab-flags.mjs).
    execArgv: LAB_V8_FLAGS,
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['src/**/*.test.ts', 'scenarios/**/*.test.ts', '*.test.ts'],
          exclude: ['**/*.cpu.test.ts', 'node_modules/**'],
          testTimeout: 30_000,
          sequence: { groupOrder: 0 },
        },
      },
      {
        extends: true,
        test: {
          name: 'cpu',
          include: ['src/**/*.cpu.test.ts', 'scenarios/**/*.cpu.test.ts'],
          fileParallelism: false,
          testTimeout: 60_000,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
})
