// Small groups through the bundled latency function: what it reports is Pixie's px.quantiles, a
// t-digest with compression 1000 (pixie-io/pixie src/carnot/funcs/builtins/math_sketches.h over
// pixie-io/tdigest tdigest.h) that keeps every value up to 1,273 and interpolates at position
// q*n - 1/2, clamped to the max. With 100 requests, 98 near 10 ms, one at 200 ms and one at 5 s,
// p99 is halfway between the two slowest: 2,600 ms, where interpolating at (n-1)q would say 248.
import { describe, expect, it } from 'vitest'
import { groundTruth } from './helpers/ground-truth'
import { useOneFunction } from './helpers/harness'

/** A whole second whose 10 s window (minus the push lag) holds exactly the 100 requests above. */
const NOW = 1_800_000_120_000_000_000n
const RS = 'cart-5d8f7c9b6'

describe('e2e: latency quantiles of a small sample', () => {
  const running = useOneFunction('latency', {
    scenario: {
      name: 'small-sample',
      seed: 1,
      history: '2m',
      namespaces: [
        {
          name: 'shop',
          replicasets: [
            {
              name: RS,
              pods: [
                {
                  traffic: { rps: 9.8, latency: { dist: 'uniform', min_ms: 9.5, max_ms: 10.5 } },
                },
                { traffic: { rps: 0.1, latency: { dist: 'constant', ms: 200 } } },
                { traffic: { rps: 0.1, latency: { dist: 'constant', ms: 5000 } } },
              ],
            },
          ],
        },
      ],
    },
    port: 0,
    clock: () => NOW,
  })

  it("should report Pixie's p99 of 2,600 ms for 98 fast requests, one at 200 ms and one at 5 s", async () => {
    const truth = groundTruth(running().sim.world, {
      namespace: 'shop',
      selector: { replicaset: RS },
      nowNs: NOW,
      windowSeconds: 10,
    })
    expect(truth.requests).toBe(100)
    expect(truth.latenciesMs.slice(-2)).toEqual([200, 5000])
    expect(truth.latenciesMs[97]).toBeLessThan(10.5)

    const r = await running().fn.get(`/?namespace=shop&replicaset=${RS}&window=10s`)
    expect(r.status, JSON.stringify(r.body)).toBe(200)
    expect(r.body.requests).toBe(100)
    const latency = r.body.latency_ms as Record<string, number>
    expect(latency.p99).toBe(2600)
    expect(r.body.value).toBe(2600)
    // p90 sits between the 90th and 91st fastest requests, both near 10 ms.
    expect(latency.p90).toBeCloseTo(truth.quantilesMs!.p90, 3)
    expect(latency.p90).toBeGreaterThan(truth.latenciesMs[89]! - 0.001)
    expect(latency.p90).toBeLessThan(truth.latenciesMs[90]! + 0.001)
  })
})
