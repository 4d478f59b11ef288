// How often the comparison calls a canary worse, over many seeded simulator scenarios: with a
// canary identical to its baseline (false alarms, which alpha bounds) and with a canary worse by a
// stated amount (power). Each seed is a fresh draw of the whole traffic from one scenario template
// (engine.ts): 200 seeds run the functions' exact PxL call on the simulator's engine, decode it
// like a function and judge it with the same code; a handful also go through the bundled
// functions over gRPC, which must answer exactly what the direct evaluation computed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { errorRateComparison } from '../../functions/error-rate/comparison'
import { ERROR_RATE_MARGIN } from '../../functions/error-rate/params'
import { latencyComparison } from '../../functions/latency/comparison'
import { LATENCY_MARGIN } from '../../functions/latency/params'
import { buildComparisonCall, decodeComparison } from '../../shared/comparison'
import type { ComparisonSettings } from '../../shared/comparison-params'
import { DEFAULT_EXCLUDED_PATHS } from '../../shared/pxl/exclusion'
import type { Selector } from '../../shared/selector'
import { startBundle } from '../../shared/testing/spawn-bundle'
import type { RunningBundle } from '../../shared/testing/spawn-bundle'
import { startSimulator } from '../../simulator/server'
import type { Simulator } from '../../simulator/server'
import {
  BASELINE_ERROR_RATE,
  CANARY,
  engineWorld,
  executeOnEngine,
  FROZEN_NOW_NS,
  RPS_PER_POD,
  SEEDED_NAMESPACE,
  seededScenario,
  SLOWDOWN,
  STABLE,
  WORSE_ERROR_RATE,
} from './engine'
import type { EngineWorld } from './engine'

const SEEDS = 200
const WINDOW_SECONDS = 60
const ALPHA = 0.05
const ERROR_SETTINGS: ComparisonSettings = {
  alpha: ALPHA,
  margin: ERROR_RATE_MARGIN.default,
  minRequests: 50,
}
const LATENCY_SETTINGS: ComparisonSettings = {
  alpha: ALPHA,
  margin: LATENCY_MARGIN.default,
  minRequests: 50,
}

const rs = (replicaset: string): Selector => ({
  kind: 'replicaset',
  namespace: SEEDED_NAMESPACE,
  replicaset,
})

function call(canary: string, latencyBuckets: boolean) {
  return buildComparisonCall(
    {
      selector: rs(canary),
      baseline: rs(STABLE),
      windowSeconds: WINDOW_SECONDS,
      excludedPaths: DEFAULT_EXCLUDED_PATHS,
      errorMinStatus: 400,
    },
    'px-canary/test',
    { latencyBuckets }
  )
}

function errorRateOn(world: EngineWorld, canary: string) {
  const c = call(canary, false)
  const sides = decodeComparison(executeOnEngine(c, world), c.comparison)
  return errorRateComparison(sides.canary.stats, sides.baseline.stats, ERROR_SETTINGS)
}

function latencyOn(world: EngineWorld, canary: string) {
  const c = call(canary, true)
  const sides = decodeComparison(executeOnEngine(c, world), c.comparison)
  return latencyComparison(sides, 'p99', LATENCY_SETTINGS)
}

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

describe('the same seeds through the bundled functions over gRPC', () => {
  const SAMPLE_SEEDS = [3, 17, 101, 188]
  let running: Array<{ sim: Simulator; errorRate: RunningBundle; latency: RunningBundle }> = []

  beforeAll(async () => {
    running = await Promise.all(
      SAMPLE_SEEDS.map(async (seed) => {
        const sim = await startSimulator({
          scenario: seededScenario(seed),
          port: 0,
          host: '127.0.0.1',
          clock: () => FROZEN_NOW_NS,
        })
        const env = { PX_DIRECT_ADDR: sim.address }
        const [errorRate, latency] = await Promise.all([
          startBundle('error-rate', env),
          startBundle('latency', env),
        ])
        return { sim, errorRate, latency }
      })
    )
  }, 60_000)

  afterAll(async () => {
    await Promise.all(
      running.flatMap((r) => [r.errorRate.stop('SIGTERM', 5_000), r.latency.stop('SIGTERM', 5_000)])
    )
    await Promise.all(running.map((r) => r.sim.close()))
  })

  async function get(bundle: RunningBundle, query: string): Promise<Record<string, any>> {
    const res = await fetch(`${bundle.url}/?${query}`, { signal: AbortSignal.timeout(10_000) })
    const body = (await res.json()) as Record<string, any>
    expect(res.status, JSON.stringify(body)).toBe(200)
    return body
  }

  it('should answer, in one Pixie query each, exactly the comparison computed directly', async () => {
    for (const [i, seed] of SAMPLE_SEEDS.entries()) {
      const { sim, errorRate, latency } = running[i]!
      const world = engineWorld(seededScenario(seed))
      for (const canary of [CANARY.same, CANARY.errors]) {
        const before = sim.stats.executeScriptCalls
        const body = await get(
          errorRate,
          `namespace=${SEEDED_NAMESPACE}&replicaset=${canary}&baseline_replicaset=${STABLE}`
        )
        expect(sim.stats.executeScriptCalls - before).toBe(1)
        expect(body.comparison.error_rate).toEqual(errorRateOn(world, canary))
        expect(body.baseline.requests).toBe(body.comparison.error_rate.baseline.requests)
      }
      for (const canary of [CANARY.same, CANARY.slow]) {
        const body = await get(
          latency,
          `namespace=${SEEDED_NAMESPACE}&replicaset=${canary}&baseline_replicaset=${STABLE}`
        )
        expect(body.comparison.latency).toEqual(latencyOn(world, canary))
        expect(body.comparison.latency.canary.quantile_ms).toBe(body.latency_ms.p99)
        expect(body.comparison.latency.baseline.quantile_ms).toBe(body.baseline.latency_ms.p99)
      }
    }
  })

  it('should send both sides as arguments of the one constant script', async () => {
    const { sim } = running[0]!
    const last = sim.requests.at(-1)
    expect(last?.execFuncs.map((f) => f.outputTablePrefix)).toEqual(['canary', 'baseline'])
    expect(last?.execFuncs.map((f) => f.args.replicaset)).toEqual([
      `${SEEDED_NAMESPACE}/${CANARY.slow}`,
      `${SEEDED_NAMESPACE}/${STABLE}`,
    ])
    expect(last?.queryStr).not.toContain(STABLE)
  })
})
