import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { bucketIndex, LATENCY_BUCKET_COUNT } from './buckets'
import { compareErrorRates } from './error-rate'
import { compareLatency } from './latency'
import { errorRateVerdict, latencyVerdict } from './verdict'

const counts = (errors: number, requests: number) => ({ errors, requests })

/** Buckets with `n` requests at each of the given latencies (ns). */
function at(latencies: readonly number[], n: number): number[] {
  const c = new Array<number>(LATENCY_BUCKET_COUNT).fill(0)
  for (const ns of latencies) c[bucketIndex(ns)]! += n
  return c
}

describe('errorRateVerdict', () => {
  it('should call a significantly and materially worse canary worse, with the figures', () => {
    const v = errorRateVerdict(compareErrorRates(counts(120, 2000), counts(40, 2000)))
    expect(v.verdict).toBe('worse')
    expect(v.reason).toContain('6.00 %')
    expect(v.reason).toContain('2.00 %')
    expect(v.reason).toMatch(/p = [0-9.e-]+ < 0\.05/)
  })

  it('should not call a significant but immaterial increase worse', () => {
    // 2.5 % vs 2.0 % of 200 000 requests: clearly significant, but 0.5 pp is below the 1 pp margin.
    const cmp = compareErrorRates(counts(5000, 200_000), counts(4000, 200_000))
    expect(cmp.pValueCanaryGreater).toBeLessThan(1e-6)
    const v = errorRateVerdict(cmp)
    expect(v.verdict).toBe('not_worse')
    expect(v.reason).toContain('difference <= +1.00 pp')
    expect(errorRateVerdict(cmp, { margin: 0.001 }).verdict).toBe('worse')
  })

  it('should not call a large but insignificant increase worse', () => {
    const v = errorRateVerdict(compareErrorRates(counts(3, 100), counts(1, 100)))
    expect(v.verdict).toBe('not_worse')
    expect(v.reason).toContain('p >= 0.05')
  })

  it('should answer insufficient_data below minSamples, whatever the rates', () => {
    const cmp = compareErrorRates(counts(50, 50), counts(0, 50))
    expect(errorRateVerdict(cmp).verdict).toBe('insufficient_data')
    expect(errorRateVerdict(cmp).reason).toContain('at least 100')
    expect(errorRateVerdict(cmp, { minSamples: 50 }).verdict).toBe('worse')
    expect(errorRateVerdict(compareErrorRates(counts(0, 0), counts(0, 0))).verdict).toBe(
      'insufficient_data'
    )
  })

  it('should never call identical samples worse', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 100_000 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (n, f) => {
          const side = counts(Math.floor(f * n), n)
          expect(errorRateVerdict(compareErrorRates(side, side)).verdict).not.toBe('worse')
        }
      )
    )
  })

  it('should reject nonsense options', () => {
    const cmp = compareErrorRates(counts(1, 200), counts(1, 200))
    expect(() => errorRateVerdict(cmp, { alpha: 0 })).toThrow(RangeError)
    expect(() => errorRateVerdict(cmp, { minSamples: 0 })).toThrow(RangeError)
    expect(() => errorRateVerdict(cmp, { margin: Number.NaN })).toThrow(RangeError)
  })
})

describe('latencyVerdict', () => {
  it('should call a significantly and materially slower canary worse', () => {
    const canary = at([30e6, 60e6, 90e6, 150e6], 100)
    const baseline = at([20e6, 40e6, 60e6, 100e6], 100)
    const v = latencyVerdict(compareLatency(canary, baseline))
    expect(v.verdict).toBe('worse')
    expect(v.reason).toMatch(/canary p99 [0-9.]+ ms vs baseline [0-9.]+ ms/)
  })

  it('should not call a slower canary worse when the quantile ratio is within the margin', () => {
    // The canary's bulk is slower (40 vs 30 ms) but its tail is the same: significant, p99 ratio 1.
    const canary = at([40e6, 100e6], 500)
    const baseline = at([30e6, 100e6], 500)
    const cmp = compareLatency(canary, baseline)
    expect(cmp.mannWhitney?.pGreater).toBeLessThan(0.05)
    const v = latencyVerdict(cmp)
    expect(v.verdict).toBe('not_worse')
    expect(v.reason).toContain('ratio <= 1.1')
    expect(latencyVerdict(compareLatency(canary, baseline, { quantile: 0.25 })).verdict).toBe(
      'worse'
    )
  })

  it('should answer insufficient_data below minSamples and for an empty side', () => {
    expect(latencyVerdict(compareLatency(at([10e6], 99), at([10e6], 500))).verdict).toBe(
      'insufficient_data'
    )
    expect(latencyVerdict(compareLatency([], at([10e6], 500))).verdict).toBe('insufficient_data')
  })

  it('should never call identical samples worse', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 300 }), {
          minLength: 1,
          maxLength: LATENCY_BUCKET_COUNT,
        }),
        (c) => {
          expect(latencyVerdict(compareLatency(c, c)).verdict).not.toBe('worse')
        }
      )
    )
  })
})
