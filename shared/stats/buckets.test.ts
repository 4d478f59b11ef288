import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { PxCanaryError } from '../errors'
import {
  bucketBounds,
  bucketIndex,
  LATENCY_BUCKET_COUNT,
  LATENCY_BUCKET_LOWER_NS,
  LATENCY_BUCKET_MAX_NS,
  toBucketCounts,
} from './buckets'

/** The PxL recipe from buckets.ts, with Math.log2 standing in for Pixie's px.log2. */
function pxlRecipe(latencyNs: number): number {
  let lat = latencyNs < 1023 ? 1023 : latencyNs
  lat = lat > LATENCY_BUCKET_MAX_NS ? LATENCY_BUCKET_MAX_NS : lat
  return Math.floor(4 * Math.log2(lat)) - 39
}

describe('latency bucket scheme', () => {
  it('should cover 1 us .. 100 s in at most 128 buckets', () => {
    expect(LATENCY_BUCKET_COUNT).toBeLessThanOrEqual(128)
    expect(bucketBounds(1).lowerNs).toBeLessThanOrEqual(1_100)
    expect(bucketBounds(LATENCY_BUCKET_COUNT - 2).upperNs).toBeGreaterThanOrEqual(100e9)
    expect(bucketBounds(LATENCY_BUCKET_COUNT - 1).upperNs).toBe(Number.POSITIVE_INFINITY)
    expect(bucketBounds(0).lowerNs).toBe(0)
  })

  it('should have integer bounds equal to ceil(2^((k+39)/4)), checked in exact integer arithmetic', () => {
    for (let k = 1; k < LATENCY_BUCKET_COUNT; k++) {
      const lower = BigInt(LATENCY_BUCKET_LOWER_NS[k] as number)
      const boundary = 1n << BigInt(k + 39) // 2^(k+39) = (2^((k+39)/4))^4
      expect((lower - 1n) ** 4n < boundary && boundary <= lower ** 4n).toBe(true)
    }
  })

  it('should keep every integer bound clear of float rounding, so px.log2 buckets like bucketIndex', () => {
    // In log2 units, how far the integer bound L and L - 1 lie from the exact boundary; a bound
    // that is an exact power of two is exact in any log2 (IEEE log2 of 2^j is j).
    const scale = 10n ** 30n
    for (let k = 1; k < LATENCY_BUCKET_COUNT; k++) {
      const lower = BigInt(LATENCY_BUCKET_LOWER_NS[k] as number)
      const boundary = 1n << BigInt(k + 39)
      const above = Number(((lower ** 4n - boundary) * scale) / boundary) / 1e30 / Math.LN2
      const below = Number(((boundary - (lower - 1n) ** 4n) * scale) / boundary) / 1e30 / Math.LN2
      if ((k + 39) % 4 === 0) expect(lower ** 4n).toBe(boundary)
      else expect(above).toBeGreaterThan(1e-12)
      expect(below).toBeGreaterThan(1e-12)
    }
  })

  it('should agree with the PxL recipe at every bound, one below it, and at random latencies', () => {
    for (let k = 1; k < LATENCY_BUCKET_COUNT; k++) {
      const lower = LATENCY_BUCKET_LOWER_NS[k] as number
      expect(bucketIndex(lower)).toBe(k)
      expect(bucketIndex(lower - 1)).toBe(k - 1)
      expect(pxlRecipe(lower)).toBe(k)
      expect(pxlRecipe(lower - 1)).toBe(k - 1)
    }
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 40 }), (ns) => {
        expect(bucketIndex(ns)).toBe(pxlRecipe(ns))
      }),
      { numRuns: 2000 }
    )
  })

  it('should put each latency inside its bucket bounds, for numbers and bigints', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 1n << 45n }), (ns) => {
        const i = bucketIndex(ns)
        const { lowerNs, upperNs } = bucketBounds(i)
        expect(Number(ns)).toBeGreaterThanOrEqual(lowerNs)
        expect(Number(ns)).toBeLessThan(upperNs)
        if (ns <= BigInt(Number.MAX_SAFE_INTEGER)) expect(bucketIndex(Number(ns))).toBe(i)
      })
    )
  })

  it('should spread adjacent bounds by the factor 2^(1/4)', () => {
    for (let k = 1; k < LATENCY_BUCKET_COUNT - 1; k++) {
      const { lowerNs, upperNs } = bucketBounds(k)
      // Integer rounding of the bounds moves the ratio by at most about 2 / lowerNs.
      expect(Math.abs(upperNs / lowerNs - 2 ** 0.25)).toBeLessThanOrEqual(2 / lowerNs)
    }
  })

  it('should place familiar latencies where a person expects', () => {
    expect(bucketIndex(0)).toBe(0)
    expect(bucketIndex(999)).toBe(0)
    const ms = bucketBounds(bucketIndex(1_000_000))
    expect(ms.lowerNs).toBeLessThanOrEqual(1_000_000)
    expect(ms.upperNs).toBeGreaterThan(1_000_000)
    expect(bucketIndex(200e9)).toBe(LATENCY_BUCKET_COUNT - 1)
    expect(bucketIndex(10n ** 15n)).toBe(LATENCY_BUCKET_COUNT - 1)
  })

  it('should reject negative or non-finite latencies and unknown bucket indices', () => {
    expect(() => bucketIndex(-1)).toThrow(RangeError)
    expect(() => bucketIndex(Number.NaN)).toThrow(RangeError)
    expect(() => bucketIndex(Number.POSITIVE_INFINITY)).toThrow(RangeError)
    expect(() => bucketBounds(LATENCY_BUCKET_COUNT)).toThrow(RangeError)
    expect(() => bucketBounds(1.5)).toThrow(RangeError)
  })
})

describe('toBucketCounts', () => {
  it('should turn PxL rows with bigint cells into dense counts, adding repeated buckets', () => {
    const counts = toBucketCounts([
      { bucket: 3n, count: 5n },
      { bucket: 40, count: 2 },
      { bucket: 3n, count: 1n },
    ])
    expect(counts).toHaveLength(LATENCY_BUCKET_COUNT)
    expect(counts[3]).toBe(6)
    expect(counts[40]).toBe(2)
    expect(counts.reduce((s, c) => s + c, 0)).toBe(8)
  })

  it('should refuse rows that do not fit the scheme with a result_* error', () => {
    const bad = [
      { bucket: 110n, count: 1n },
      { bucket: -1, count: 1 },
      { bucket: 2, count: -3 },
      { bucket: 2, count: 0.5 },
    ]
    for (const row of bad) {
      try {
        toBucketCounts([row])
        expect.unreachable('should have thrown')
      } catch (e) {
        expect(e).toBeInstanceOf(PxCanaryError)
        expect((e as PxCanaryError).code).toMatch(/^result_invalid_(bucket|count)$/)
      }
    }
  })
})
