import { describe, expect, it } from 'vitest'
import { PxCanaryError } from '../errors'
import { bucketBounds, bucketIndex, LATENCY_BUCKET_COUNT } from './buckets'
import { tailTest } from './tail'
import { mulberry32 as seededRandom, normal as standardNormal } from '../../simulator/prng'
import { exactFisherOracle } from '../../test/helpers/stats-oracles'

const empty = () => new Array<number>(LATENCY_BUCKET_COUNT).fill(0)

function lognormalBuckets(random: () => number, n: number, medianMs: number, p99Ms: number) {
  const sigma = Math.log(p99Ms / medianMs) / 2.3263478740408408
  const counts = empty()
  for (let i = 0; i < n; i++) {
    counts[bucketIndex(Math.round(medianMs * 1e6 * Math.exp(sigma * standardNormal(random))))]! += 1
  }
  return counts
}

describe('tailTest', () => {
  it('should start the tail at the bucket of the pooled quantile and test it with Fisher', () => {
    const canary = empty()
    const baseline = empty()
    canary[60] = 90
    canary[70] = 10
    baseline[60] = 99
    baseline[70] = 1
    // Pooled 200 requests, rank ceil(0.95 x 200) = 190: 189 are in bucket 60, so the tail starts
    // at bucket 70 and holds 10 canary and 1 baseline request.
    const t = tailTest(canary, baseline, 0.95)!
    expect(t.thresholdBucket).toBe(70)
    expect(t.thresholdNs).toBe(bucketBounds(70).lowerNs)
    expect(t.canary).toEqual({ requests: 100, inTail: 10, share: 0.1 })
    expect(t.baseline).toEqual({ requests: 100, inTail: 1, share: 0.01 })
    expect(t.shareRatio).toBeCloseTo(10, 12)
    expect(t.pValueCanaryGreater).toBeCloseTo(exactFisherOracle(10, 100, 1, 100).pGreater, 12)
  })

  it('should find a 3 % tail at 6 s that Mann-Whitney misses, from a faster canary', () => {
    const random = seededRandom(13)
    const canary = lognormalBuckets(random, 2910, 8, 32)
    canary[bucketIndex(6e9)]! += 90
    const baseline = lognormalBuckets(random, 3000, 20, 80)
    const t = tailTest(canary, baseline, 0.99)!
    expect(t.thresholdNs).toBeGreaterThan(4e9)
    expect(t.canary.inTail).toBe(90)
    expect(t.baseline.inTail).toBe(0)
    expect(t.shareRatio).toBeNull()
    expect(t.pValueCanaryGreater).toBeLessThan(1e-20)
  })

  it('should reject an identical canary in at most alpha of 400 seeded samples (exact test)', () => {
    let rejected = 0
    for (let seed = 1; seed <= 400; seed++) {
      const random = seededRandom(seed * 7)
      const t = tailTest(
        lognormalBuckets(random, 1000, 25, 120),
        lognormalBuckets(random, 1000, 25, 120),
        0.99
      )!
      if (t.pValueCanaryGreater < 0.05) rejected++
    }
    expect(rejected / 400).toBeLessThanOrEqual(0.05)
  })

  it('should be null when a side has no requests, and reject counts that cannot be trusted', () => {
    const some = empty()
    some[50] = 10
    expect(tailTest(some, empty(), 0.99)).toBeNull()
    expect(() => tailTest([-1], some, 0.99)).toThrow(PxCanaryError)
    expect(() => tailTest(some, some, 1)).toThrow(RangeError)
  })
})
