import { describe, expect, it } from 'vitest'
import { bucketIndex, bucketBounds, LATENCY_BUCKET_COUNT } from './buckets'
import {
  bucketOfRank,
  bucketQuantileInterval,
  quantileRanks,
  quantileRatioInterval,
} from './quantile-interval'
import { mulberry32 as seededRandom, normal as standardNormal } from '../../simulator/prng'

function lognormalBuckets(random: () => number, n: number, medianMs: number, sigma: number) {
  const counts = new Array<number>(LATENCY_BUCKET_COUNT).fill(0)
  for (let i = 0; i < n; i++) {
    counts[bucketIndex(Math.round(medianMs * 1e6 * Math.exp(sigma * standardNormal(random))))]! += 1
  }
  return counts
}

describe('quantileRanks', () => {
  it('should give X(40) .. X(61) for the median of 100 at 95 % (Conover 1999, sec. 3.2)', () => {
    // P(B <= 39) = 0.0176 and P(B <= 40) = 0.0284 for B ~ Binomial(100, 0.5).
    expect(quantileRanks(100, 0.5, 0.95)).toEqual({ lower: 40, upper: 61 })
  })

  it('should leave the upper side unbounded when n is too small for the tail quantile', () => {
    // 50 draws: P(all below p99) = 0.99^50 = 0.605 > 0.025, so no order statistic caps p99.
    const r = quantileRanks(50, 0.99, 0.95)
    expect(r.upper).toBe(51)
    expect(r.lower).toBeGreaterThan(0)
  })
})

describe('bucketQuantileInterval', () => {
  it('should widen each bound to the outer edge of its bucket', () => {
    const counts = new Array<number>(LATENCY_BUCKET_COUNT).fill(0)
    counts[60] = 40
    counts[61] = 20
    counts[62] = 40
    // Median of 100 at 95 %: X(40) is in bucket 60, X(61) in bucket 62.
    const i = bucketQuantileInterval(counts, 0.5, 0.95)
    expect(i).toEqual({
      level: 0.95,
      lower: bucketBounds(60).lowerNs,
      upper: bucketBounds(62).upperNs,
    })
  })

  it('should cover the true p99 of a lognormal in at least 95 % of 200 seeded samples', () => {
    const trueP99 = 25e6 * Math.exp(0.674 * 2.3263478740408408)
    let covered = 0
    for (let seed = 1; seed <= 200; seed++) {
      const i = bucketQuantileInterval(
        lognormalBuckets(seededRandom(seed), 1000, 25, 0.674),
        0.99,
        0.95
      )!
      if (i.lower <= trueP99 && (i.upper === null || trueP99 <= i.upper)) covered++
    }
    expect(covered / 200).toBeGreaterThanOrEqual(0.95)
  })

  it('should be null without requests', () => {
    expect(bucketQuantileInterval([], 0.5, 0.95)).toBeNull()
  })
})

describe('quantileRatioInterval', () => {
  it('should cover the true p99 ratio of 1.3 in at least 95 % of 200 seeded pairs', () => {
    let covered = 0
    for (let seed = 1; seed <= 200; seed++) {
      const random = seededRandom(seed * 31)
      const canary = lognormalBuckets(random, 1000, 25 * 1.3, 0.674)
      const baseline = lognormalBuckets(random, 1000, 25, 0.674)
      const r = quantileRatioInterval(canary, baseline, 0.99, 0.95)!
      if (r.lower <= 1.3 && (r.upper === null || 1.3 <= r.upper)) covered++
    }
    expect(covered / 200).toBeGreaterThanOrEqual(0.95)
  })

  it('should exclude 1 for a canary whose p99 is 74 times the baseline', () => {
    const canary = new Array<number>(LATENCY_BUCKET_COUNT).fill(0)
    const baseline = new Array<number>(LATENCY_BUCKET_COUNT).fill(0)
    canary[bucketIndex(8e6)] = 2910
    canary[bucketIndex(6e9)] = 90
    baseline[bucketIndex(20e6)] = 2970
    baseline[bucketIndex(80e6)] = 30
    const r = quantileRatioInterval(canary, baseline, 0.99, 0.95)!
    expect(r.lower).toBeGreaterThan(50)
  })
})

describe('bucketOfRank', () => {
  it('should find the bucket of a 1-based rank and reject a rank past the total', () => {
    expect(bucketOfRank([2, 0, 3], 1)).toBe(0)
    expect(bucketOfRank([2, 0, 3], 3)).toBe(2)
    expect(() => bucketOfRank([2, 0, 3], 6)).toThrow(RangeError)
  })
})
