// Seeded comparison scenarios through the bundled functions over gRPC: for a handful of seeds the
// functions must answer exactly what the direct evaluation on the simulator's engine computes
// (engine.ts). The false-alarm and power rates over 200 seeds are a statistics experiment:
// seeded.stats.ts, run by `npm run stats`.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startSimulator } from '../../simulator/server'
import type { Simulator } from '../../simulator/server'
import { startBundle } from '../helpers/spawn'
import type { RunningBundle } from '../helpers/spawn'
import {
  CANARY,
  engineWorld,
  errorRateOn,
  FROZEN_NOW_NS,
  latencyOn,
  SEEDED_NAMESPACE,
  seededScenario,
  STABLE,
} from './engine'

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
