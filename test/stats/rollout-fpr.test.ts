// The simulation behind `npm run stats`: its synthetic traffic must be what the table claims
// (requests per window, overlapping windows that share their seconds, latency buckets drawn with
// the model's probabilities), or the rates it prints mean nothing.
import { describe, expect, it } from 'vitest'
import { bucketQuantile } from '../../shared/stats/quantile'
import { pxlSource } from './pxl-source'
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

describe('pxlSource', () => {
  it("should measure each look's window through the functions' PxL as the case states it", () => {
    const looks = pxlSource.rollout(spec(1000, withTail(lognormal(25, 120), 0.03, 6000)), PLAN, 7)
    expect(looks).toHaveLength(PLAN.looks)
    let canaryErrors = 0
    let canaryRequests = 0
    for (const look of looks) {
      for (const side of [look.canary, look.baseline]) {
        expect(side.requests).toBeGreaterThan(900)
        expect(side.requests).toBeLessThan(1100)
        expect(side.buckets.reduce((a, b) => a + b, 0)).toBe(side.requests)
      }
      canaryErrors += look.canary.errors
      canaryRequests += look.canary.requests
      // The canary's 3 % at 6 s reach the buckets PxL counted.
      expect(bucketQuantile(look.canary.buckets, 0.99)! / 1e6).toBeGreaterThan(5000)
      expect(bucketQuantile(look.baseline.buckets, 0.99)! / 1e6).toBeLessThan(200)
    }
    expect(canaryErrors / canaryRequests).toBeGreaterThan(0.015)
    expect(canaryErrors / canaryRequests).toBeLessThan(0.05)
    // Consecutive 60 s looks 30 s apart share half their requests, so their counts differ.
    expect(looks[0]!.canary).not.toEqual(looks[1]!.canary)
  })
})
