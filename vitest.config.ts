import { defineConfig } from 'vitest/config'

// Pure, in-process test files (no child process, no server left open, no fake timers): they share
// one module graph per worker instead of re-importing it for every file.
const inProcess = [
  'shared/*.test.ts',
  'shared/stats/**/*.test.ts',
  'shared/pixie/{values,stream-assembly,grpc-framing,error-mapping}.test.ts',
  'simulator/{admin,datasource,faults,prng,scenario,topology,traffic}.test.ts',
  'shared/pxl/**/*.test.ts',
  'simulator/pxl/**/*.test.ts',
  'test/argo-emulator/**/*.test.ts',
  'test/manifests/**/*.test.ts',
  'test/demo/narrate.test.ts',
  'test/hostile/params.test.ts',
  'test/soak/expectations.test.ts',
  'functions/*/metric.test.ts',
  'bench/{figures,options,queries,report,stats}.test.ts',
]

export default defineConfig({
  test: {
    exclude: ['node_modules/**', 'dist/**', 'bench/results/**'],
    environment: 'node',
    // Two test files at a time even on 2 cores (vitest's default there is one): the files that
    // spawn bundles spend most of their time waiting on child processes and real deadlines.
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 60_000,
    projects: [
      {
        extends: true,
        test: { name: 'in-process', include: inProcess, isolate: false },
      },
      {
        extends: true,
        test: {
          name: 'isolated',
          include: [
            'shared/**/*.test.ts',
            'functions/**/*.test.ts',
            'simulator/**/*.test.ts',
            'test/**/*.test.ts',
            'bench/**/*.test.ts',
          ],
          exclude: ['node_modules/**', 'dist/**', 'bench/results/**', ...inProcess],
          // Builds the function bundles once per run, so tests that spawn them run this checkout.
          globalSetup: ['test/setup/build-bundles.ts'],
        },
      },
    ],
  },
})
