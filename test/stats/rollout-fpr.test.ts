// The simulation behind `npm run stats`: its synthetic traffic must be what the table claims
// (requests per window, overlapping windows that share their seconds, latency buckets drawn with
// the model's probabilities), or the rates it prints mean nothing.
import { describe, expect, it } from 'vitest'
import { bucketQuantile } from '../../shared/stats/quantile'
import { lognormal, syntheticSource, withTail } from './rollout-fpr'
import type { RolloutCase } from './rollout-fpr'

const PLAN = { looks: 5, windowSeconds: 60, intervalSeconds: 30 }

const spec = (perWindow: number, latency = lognormal(25, 120)): RolloutCase => ({
  name: 'test',
  canary: { rps: perWindow / 60, errorRate: 0.03, latency },
  baseline: { rps: perWindow / 60, errorRate: 0.01, latency: lognormal(25, 120) },
})

describe('syntheticSource', () => {
  it('should put about the stated requests and error rate in every window', () => {
    let requests = 0
    let errors = 0
    for (let seed = 1; seed <= 20; seed++) {
      for (const look of syntheticSource.rollout(spec(1000), PLAN, seed)) {
        requests += look.canary.requests
        errors += look.canary.errors
        expect(look.canary.buckets.reduce((a, b) => a + b, 0)).toBe(look.canary.requests)
      }
    }
    expect(requests / (20 * PLAN.looks)).toBeGreaterThan(970)
    expect(requests / (20 * PLAN.looks)).toBeLessThan(1030)
    expect(errors / requests).toBeCloseTo(0.03, 2)
  })

  it('should draw the same seconds for overlapping windows, as Argo sees them', () => {
    const looks = syntheticSource.rollout(spec(1000), { ...PLAN, intervalSeconds: 60 }, 1)
    const halves = syntheticSource.rollout(spec(1000), PLAN, 1)
    // With a 60 s interval the looks tile the time; with 30 s, look 2k covers the same seconds.
    expect(halves[2]!.canary).toEqual(looks[1]!.canary)
    expect(halves[4]!.baseline).toEqual(looks[2]!.baseline)
  })

  it('should draw latency buckets with the latency model probabilities', () => {
    const look = syntheticSource.rollout(
      spec(100_000, withTail(lognormal(25, 120), 0.03, 6000)),
      { looks: 1, windowSeconds: 60, intervalSeconds: 30 },
      3
    )[0]!
    const median = bucketQuantile(look.canary.buckets, 0.5)! / 1e6
    expect(median).toBeGreaterThan(23)
    expect(median).toBeLessThan(28)
    expect(bucketQuantile(look.canary.buckets, 0.99)! / 1e6).toBeGreaterThan(5000)
  })
})
