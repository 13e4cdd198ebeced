import { defineConfig } from 'vitest/config'

// Two projects: most tests run in parallel; tests that read CPU% (`*.cpu.test.ts`) get the cores to themselves.
export default defineConfig({
  test: {
    globalSetup: ['./scripts/vitest-global-setup.ts'],
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['src/**/*.test.ts', 'scenarios/**/*.test.ts'],
          exclude: ['**/*.cpu.test.ts', 'node_modules/**'],
          testTimeout: 30_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'cpu',
          include: ['src/**/*.cpu.test.ts', 'scenarios/**/*.cpu.test.ts'],
          fileParallelism: false,
          testTimeout: 60_000,
        },
      },
    ],
  },
})
