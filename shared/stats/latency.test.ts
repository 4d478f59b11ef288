import { describe, expect, it } from 'vitest'
import { PxCanaryError } from '../errors'
import { bucketIndex, LATENCY_BUCKET_COUNT } from './buckets'
import { compareLatency } from './latency'
import { seededRandom, standardNormal } from '../../test/helpers/stats-oracles'

function lognormalBuckets(seed: number, n: number, medianNs: number, sigma: number): number[] {
  const random = seededRandom(seed)
  const counts = new Array<number>(LATENCY_BUCKET_COUNT).fill(0)
  for (let i = 0; i < n; i++) {
    counts[bucketIndex(Math.round(medianNs * Math.exp(sigma * standardNormal(random))))]! += 1
  }
  return counts
}

describe('compareLatency', () => {
  it('should show a 1.5x slower canary in the quantile ratio and the Mann-Whitney test', () => {
    const canary = lognormalBuckets(1, 2000, 75e6, 0.4)
    const baseline = lognormalBuckets(2, 2000, 50e6, 0.4)
    const r = compareLatency(canary, baseline, { quantile: 0.5 })
    expect(r.quantile).toBe(0.5)
    expect(r.canary.requests).toBe(2000)
    // Median of each side within one bucket width (19 %) plus sampling noise of the truth.
    expect(r.canary.quantileNs).toBeGreaterThan(75e6 / 1.25)
    expect(r.canary.quantileNs).toBeLessThan(75e6 * 1.25)
    expect(r.ratio).toBeGreaterThan(1.2)
    expect(r.ratio).toBeLessThan(1.9)
    expect(r.differenceNs).toBeCloseTo(
      (r.canary.quantileNs as number) - (r.baseline.quantileNs as number),
      3
    )
    expect(r.mannWhitney?.pGreater).toBeLessThan(1e-6)
    expect(r.mannWhitney?.probabilityGreater).toBeGreaterThan(0.7)
  })

  it('should default to p99', () => {
    const side = lognormalBuckets(3, 300, 10e6, 0.3)
    const r = compareLatency(side, side)
    expect(r.quantile).toBe(0.99)
    expect(r.ratio).toBe(1)
    expect(r.mannWhitney?.pTwoSided).toBe(1)
  })

  it('should give null figures, never zeros, for a side without requests', () => {
    const r = compareLatency([], lognormalBuckets(4, 100, 10e6, 0.3))
    expect(r.canary).toEqual({ requests: 0, quantileNs: null })
    expect(r.differenceNs).toBeNull()
    expect(r.ratio).toBeNull()
    expect(r.mannWhitney).toBeNull()
    expect(JSON.parse(JSON.stringify(r))).toEqual(r)
  })

  it('should reject malformed counts and quantiles', () => {
    expect(() => compareLatency([1, -1], [1])).toThrow(PxCanaryError)
    expect(() => compareLatency(new Array<number>(LATENCY_BUCKET_COUNT + 1).fill(1), [1])).toThrow(
      PxCanaryError
    )
    expect(() => compareLatency([1], [1], { quantile: 99 })).toThrow(RangeError)
  })
})
