import { describe, expect, it } from 'vitest'
import { PxCanaryError } from '../errors'
import { bucketIndex, LATENCY_BUCKET_COUNT } from './buckets'
import { compareLatency } from './latency'
import { errorRateRolloutVerdict, latencyRolloutVerdict } from './rollout-verdict'
import { mulberry32 as seededRandom, normal as standardNormal } from '../../simulator/prng'

import { latencyVerdict } from './verdict'

const Z99 = 2.3263478740408408

/** `n` requests: lognormal (median, p99) in ms, of which `tailShare` take `tailMs` instead. */
function buckets(
  random: () => number,
  n: number,
  medianMs: number,
  p99Ms: number,
  tailShare = 0,
  tailMs = 0
): number[] {
  const sigma = Math.log(p99Ms / medianMs) / Z99
  const counts = new Array<number>(LATENCY_BUCKET_COUNT).fill(0)
  for (let i = 0; i < n; i++) {
    const ms = random() < tailShare ? tailMs : medianMs * Math.exp(sigma * standardNormal(random))
    counts[bucketIndex(Math.round(ms * 1e6))]! += 1
  }
  return counts
}

// 10 requests per second per pod, one pod a side, over a 5-minute window: 3000 requests a side.
const N = 3000

describe('latencyRolloutVerdict', () => {
  it('should call the 6 s tail worse, decided by the tail, where the old verdict passed it', () => {
    const random = seededRandom(2026)
    // Canary median 8 ms but 3 % at 6,000 ms; baseline lognormal median 20 ms, p99 80 ms.
    const canary = buckets(random, N, 8, 32, 0.03, 6000)
    const baseline = buckets(random, N, 20, 80)
    expect(latencyVerdict(compareLatency(canary, baseline)).verdict).toBe('not_worse')
    const v = latencyRolloutVerdict(canary, baseline, { quantile: 0.99, looks: 10 })
    expect(v.verdict).toBe('worse')
    expect(v.decidedBy).toBe('tail')
    expect(v.location?.worse).toBe(false)
    expect(v.reason).toMatch(/^canary slower in the tail: /)
    expect(v.quantileRatio).toBeGreaterThan(50)
    expect(v.quantileRatioInterval?.lower).toBeGreaterThan(10)
  })

  it('should call an identical canary not_worse', () => {
    const random = seededRandom(2027)
    const v = latencyRolloutVerdict(buckets(random, N, 20, 80), buckets(random, N, 20, 80), {
      looks: 10,
    })
    expect(v.verdict).toBe('not_worse')
    expect(v.decidedBy).toBeNull()
    expect(v.quantileRatioInterval!.lower).toBeLessThan(1)
    expect(v.quantileRatioInterval!.upper).toBeGreaterThan(1)
  })

  it('should call a 30 % slower median worse, decided by the location test', () => {
    const random = seededRandom(2028)
    const v = latencyRolloutVerdict(buckets(random, 1000, 32.5, 80), buckets(random, 1000, 25, 80))
    expect(v.verdict).toBe('worse')
    expect(v.decidedBy).toMatch(/^location/)
    expect(v.location!.medianRatio).toBeGreaterThan(1.1)
  })

  it('should not call a significant but immaterial median shift worse', () => {
    const random = seededRandom(2029)
    // 5 % slower at 100 000 requests a side: significant, below the 1.1 ratio margin.
    const v = latencyRolloutVerdict(
      buckets(random, 100_000, 21, 84),
      buckets(random, 100_000, 20, 80)
    )
    expect(v.location!.pValueCanarySlower).toBeLessThan(1e-6)
    expect(v.verdict).toBe('not_worse')
  })

  it('should spend alpha / (2 looks) on each test', () => {
    const random = seededRandom(1)
    const v = latencyRolloutVerdict(buckets(random, 200, 20, 80), buckets(random, 200, 20, 80), {
      alpha: 0.05,
      looks: 20,
    })
    expect(v.alphaPerTest).toBeCloseTo(0.00125, 15)
    expect(v.reason).toContain('each test at 0.00125')
  })

  it('should answer insufficient_data below minSamples, and reject bad input', () => {
    const random = seededRandom(3)
    const few = buckets(random, 99, 20, 80)
    const v = latencyRolloutVerdict(few, buckets(random, 500, 20, 80))
    expect(v.verdict).toBe('insufficient_data')
    expect(v.location).toBeNull()
    expect(() => latencyRolloutVerdict([1.5], few)).toThrow(PxCanaryError)
    expect(() => latencyRolloutVerdict(few, few, { looks: 0 })).toThrow(RangeError)
    expect(() => latencyRolloutVerdict(few, few, { tailMargin: 0 })).toThrow(RangeError)
  })
})

describe('errorRateRolloutVerdict', () => {
  it('should test at alpha / looks, so a difference significant for one look may not be', () => {
    // 30 vs 14 errors of 1000: one-sided Fisher p is about 0.01.
    const canary = { errors: 30, requests: 1000 }
    const baseline = { errors: 14, requests: 1000 }
    expect(errorRateRolloutVerdict(canary, baseline, { looks: 1 }).verdict).toBe('worse')
    const over20 = errorRateRolloutVerdict(canary, baseline, { looks: 20 })
    expect(over20.verdict).toBe('not_worse')
    expect(over20.alphaPerTest).toBeCloseTo(0.0025, 15)
    expect(over20.comparison.interval!.level).toBeCloseTo(0.995, 12)
  })
})
