// `npm run stats`: statistics experiments (hundreds of seeded scenarios) that take too long for
// `npm test`; CI runs them too (.ci/run).
import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['test/**/*.stats.ts'],
    exclude: ['node_modules/**', 'dist/**'],
    environment: 'node',
    testTimeout: 30_000,
    hookTimeout: 120_000,
  },
})
