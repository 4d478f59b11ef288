import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: [
      'shared/**/*.test.ts',
      'functions/**/*.test.ts',
      'simulator/**/*.test.ts',
      'test/**/*.test.ts',
      'bench/**/*.test.ts',
    ],
    exclude: ['node_modules/**', 'dist/**', 'bench/results/**'],
    environment: 'node',
    // Two test files at a time even on 2 cores (vitest's default there is one): the files that
    // spawn bundles spend most of their time waiting on child processes and real deadlines.
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 60_000,
    globalSetup: ['test/setup/build-bundles.ts'],
  },
})
