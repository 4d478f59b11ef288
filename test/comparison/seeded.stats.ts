// How often the comparison calls a canary worse, over many seeded simulator scenarios: with a
// canary identical to its baseline (false alarms, which alpha bounds) and with a canary worse by a
// stated amount (power). Each seed is a fresh draw of the whole traffic from one scenario template
// (engine.ts); every seed runs the functions' exact PxL call on the simulator's engine, decodes it
// like a function and judges it with the same code. A statistics experiment of about a thousand
// engine runs, so it runs as `npm run stats` (in CI too), not in `npm test`; seeded.test.ts checks
// that the bundled functions answer exactly what this evaluation computes.
import { beforeAll, describe, expect, it } from 'vitest'
import {
  ALPHA,
  BASELINE_ERROR_RATE,
  CANARY,
  engineWorld,
  errorRateOn,
  latencyOn,
  RPS_PER_POD,
  seededScenario,
  SLOWDOWN,
  WINDOW_SECONDS,
  WORSE_ERROR_RATE,
} from './engine'

const SEEDS = 200

const pct = (x: number): string => `${(x * 100).toFixed(1)} %`

describe(`comparison verdicts over ${SEEDS} seeded scenarios (alpha ${ALPHA})`, () => {
  const worse = { errorSame: 0, errorWorse: 0, latencySame: 0, latencyWorse: 0 }
  // Identical sides where the one-sided test alone (without the margin) is significant.
  const significant = { error: 0, latency: 0 }
  let requests = { canary: 0, baseline: 0 }

  beforeAll(() => {
    for (let seed = 1; seed <= SEEDS; seed++) {
      const world = engineWorld(seededScenario(seed))
      const same = errorRateOn(world, CANARY.same)
      requests = { canary: same.canary.requests, baseline: same.baseline.requests }
      if (same.verdict === 'worse') worse.errorSame++
      if ((same.p_value_canary_greater ?? 1) < ALPHA) significant.error++
      if (errorRateOn(world, CANARY.errors).verdict === 'worse') worse.errorWorse++
      const sameLatency = latencyOn(world, CANARY.same)
      if (sameLatency.verdict === 'worse') worse.latencySame++
      if ((sameLatency.mann_whitney?.p_value_canary_slower ?? 1) < ALPHA) significant.latency++
      if (latencyOn(world, CANARY.slow).verdict === 'worse') worse.latencyWorse++
    }
  }, 120_000)

  it('should see the stated traffic: about 20 rps per pod over the window', () => {
    // 1 canary pod and 2 stable pods at RPS_PER_POD, minus the ~1 % of the window's edges.
    expect(requests.canary).toBeGreaterThan(RPS_PER_POD * WINDOW_SECONDS * 0.9)
    expect(requests.baseline).toBeGreaterThan(2 * RPS_PER_POD * WINDOW_SECONDS * 0.9)
  })

  it('should rarely call an identical error rate worse and nearly always catch 1 % -> 3 %', () => {
    const falseAlarms = worse.errorSame / SEEDS
    const power = worse.errorWorse / SEEDS
    const test = significant.error / SEEDS
    console.log(
      `error rate, ${requests.canary} canary vs ${requests.baseline} baseline requests:` +
        ` identical ${pct(BASELINE_ERROR_RATE)} -> worse in ${pct(falseAlarms)} of seeds` +
        ` (Fisher p < ${ALPHA} alone in ${pct(test)});` +
        ` canary ${pct(WORSE_ERROR_RATE)} -> worse in ${pct(power)}`
    )
    expect(falseAlarms).toBeLessThanOrEqual(0.07)
    // The test by itself keeps to its level (Fisher's is conservative); the margin adds to that.
    expect(test).toBeLessThanOrEqual(0.1)
    expect(power).toBeGreaterThanOrEqual(0.9)
  })

  it('should rarely call identical latency worse and nearly always catch a 1.5x slower canary', () => {
    const falseAlarms = worse.latencySame / SEEDS
    const power = worse.latencyWorse / SEEDS
    const test = significant.latency / SEEDS
    console.log(
      `latency p99, ${requests.canary} canary vs ${requests.baseline} baseline requests:` +
        ` identical -> worse in ${pct(falseAlarms)} of seeds` +
        ` (Mann-Whitney p < ${ALPHA} alone in ${pct(test)});` +
        ` canary ${SLOWDOWN}x slower -> worse in ${pct(power)}`
    )
    expect(falseAlarms).toBeLessThanOrEqual(0.07)
    expect(test).toBeLessThanOrEqual(0.1)
    expect(power).toBeGreaterThanOrEqual(0.9)
  })
})
