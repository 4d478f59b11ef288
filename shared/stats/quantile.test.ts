import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { bucketBounds, bucketIndex, LATENCY_BUCKET_COUNT, LATENCY_BUCKET_MAX_NS } from './buckets'
import { bucketQuantile } from './quantile'
import { seededRandom, standardNormal } from '../../test/helpers/stats-oracles'

function bucketsOf(latencies: readonly number[]): number[] {
  const counts = new Array<number>(LATENCY_BUCKET_COUNT).fill(0)
  for (const ns of latencies) counts[bucketIndex(ns)]! += 1
  return counts
}

/** Type-1 empirical quantile: the ceil(q n)-th smallest value (the smallest for q = 0). */
function empiricalQuantile(sorted: readonly number[], q: number): number {
  return sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)] as number
}

describe('bucketQuantile', () => {
  it('should land within one bucket width (19 %) of the raw sample quantile', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1_000_000 }),
        fc.integer({ min: 1, max: 2000 }),
        fc.constantFrom(0.5, 0.9, 0.95, 0.99, 0.999),
        (seed, n, q) => {
          const random = seededRandom(seed)
          const latencies = Array.from({ length: n }, () =>
            Math.round(2e6 * Math.exp(1.2 * standardNormal(random)))
          )
          const sorted = [...latencies].sort((a, b) => a - b)
          const truth = empiricalQuantile(sorted, q)
          const estimate = bucketQuantile(bucketsOf(latencies), q) as number
          const { lowerNs, upperNs } = bucketBounds(bucketIndex(truth))
          expect(estimate).toBeGreaterThanOrEqual(lowerNs)
          expect(estimate).toBeLessThanOrEqual(upperNs)
          expect(Math.abs(estimate / truth - 1)).toBeLessThan(2 ** 0.25 - 1 + 1e-9)
        }
      ),
      { numRuns: 200 }
    )
  })

  it('should be non-decreasing in q', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 50 }), {
          minLength: 1,
          maxLength: LATENCY_BUCKET_COUNT,
        }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (counts, q1, q2) => {
          if (counts.every((c) => c === 0)) return
          const [lo, hi] = q1 <= q2 ? [q1, q2] : [q2, q1]
          expect(bucketQuantile(counts, hi)).toBeGreaterThanOrEqual(
            bucketQuantile(counts, lo) as number
          )
        }
      )
    )
  })

  it('should interpolate geometrically inside a bucket', () => {
    const k = bucketIndex(10_000_000)
    const counts = new Array<number>(LATENCY_BUCKET_COUNT).fill(0)
    counts[k] = 100
    const { lowerNs, upperNs } = bucketBounds(k)
    expect(bucketQuantile(counts, 0)).toBeCloseTo(lowerNs, 6)
    expect(bucketQuantile(counts, 0.5)).toBeCloseTo(Math.sqrt(lowerNs * upperNs), 6)
    expect(bucketQuantile(counts, 1)).toBeCloseTo(upperNs, 6)
  })

  it('should report the overflow bucket as its lower bound, never as a small number', () => {
    const counts = new Array<number>(LATENCY_BUCKET_COUNT).fill(0)
    counts[LATENCY_BUCKET_COUNT - 1] = 3
    expect(bucketQuantile(counts, 0.99)).toBe(LATENCY_BUCKET_MAX_NS)
  })

  it('should return null without requests and reject q outside [0, 1]', () => {
    expect(bucketQuantile([0, 0, 0], 0.5)).toBeNull()
    expect(bucketQuantile([], 0.5)).toBeNull()
    expect(() => bucketQuantile([1], 1.01)).toThrow(RangeError)
    expect(() => bucketQuantile([1], Number.NaN)).toThrow(RangeError)
  })
})
