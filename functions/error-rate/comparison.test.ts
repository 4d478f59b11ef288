import { describe, expect, it } from 'vitest'
import type { ComparisonSettings } from '../../shared/comparison-params'
import { PxCanaryError } from '../../shared/errors'
import { decodedStats as stats } from '../../test/helpers/decoded-stats'
import { errorRateComparison } from './comparison'

const SETTINGS: ComparisonSettings = {
  alpha: 0.05,
  margin: 0.01,
  minRequests: 50,
  looks: 1,
  extraMargin: null,
}

/** No NaN or Infinity anywhere: the body must survive JSON unchanged. */
function expectJsonSafe(value: unknown): void {
  expect(JSON.parse(JSON.stringify(value))).toEqual(value)
}

describe('errorRateComparison', () => {
  it('should call a canary worse when it errs significantly and materially more', () => {
    const body = errorRateComparison(stats(2000, 80), stats(6000, 60), SETTINGS)
    expect(body.verdict).toBe('worse')
    expect(body.canary).toEqual({ requests: 2000, errors: 80, rate: 0.04 })
    expect(body.baseline).toEqual({ requests: 6000, errors: 60, rate: 0.01 })
    expect(body.difference).toBeCloseTo(0.03, 12)
    expect(body.ratio).toBeCloseTo(4, 12)
    expect(body.p_value_canary_greater).toBeLessThan(1e-6)
    // At one look the one-sided test runs at alpha; the two-sided interval whose lower end
    // matches it is at 1 - 2 alpha.
    expect(body.interval?.level).toBeCloseTo(0.9, 12)
    expect(body.alpha_per_test).toBe(0.05)
    expect(body.interval?.lower).toBeGreaterThan(0.01)
    expect(body.interval?.upper).toBeGreaterThan(0.03)
    expect(body).toMatchObject({
      alpha: 0.05,
      margin: 0.01,
      min_requests: 50,
      test: 'fisher_exact',
    })
    expect(body.reason).toMatch(/4\.00 % vs baseline 1\.00 %/)
    expectJsonSafe(body)
  })

  it('should not blame the canary for errors the baseline has too (a shared outage)', () => {
    const body = errorRateComparison(stats(1200, 96), stats(3600, 290), SETTINGS)
    expect(body.verdict).toBe('not_worse')
    expect(body.difference).toBeLessThan(0.01)
  })

  it('should not call a significant but immaterial difference worse', () => {
    // 1.5 % vs 1 % on a million requests a side: significant, but below the 1 pp margin.
    const body = errorRateComparison(stats(1_000_000, 15_000), stats(1_000_000, 10_000), SETTINGS)
    expect(body.p_value_canary_greater).toBeLessThan(0.001)
    expect(body.verdict).toBe('not_worse')
    expect(body.reason).toMatch(/difference <= \+1\.00 pp/)
    // A tighter margin the caller asked for catches it.
    expect(
      errorRateComparison(stats(1_000_000, 15_000), stats(1_000_000, 10_000), {
        ...SETTINGS,
        margin: 0.002,
      }).verdict
    ).toBe('worse')
  })

  it('should answer insufficient_data, with null figures, when a side has no or too few requests', () => {
    const none = errorRateComparison(stats(500, 50), stats(0), SETTINGS)
    expect(none.verdict).toBe('insufficient_data')
    expect(none).toMatchObject({
      difference: null,
      ratio: null,
      interval: null,
      p_value: null,
      p_value_canary_greater: null,
      test: null,
      baseline: { requests: 0, errors: 0, rate: null },
    })
    expectJsonSafe(none)
    const few = errorRateComparison(stats(49, 30), stats(5000, 50), SETTINGS)
    expect(few.verdict).toBe('insufficient_data')
    expect(few.reason).toMatch(/49 canary and 5000 baseline requests/)
    // The figures are still reported: only the verdict is withheld.
    expect(few.difference).toBeCloseTo(30 / 49 - 0.01, 12)
  })

  it('should report a null ratio, never Infinity, over a baseline without errors', () => {
    const body = errorRateComparison(stats(1000, 30), stats(1000, 0), SETTINGS)
    expect(body.ratio).toBeNull()
    expect(body.verdict).toBe('worse')
    expectJsonSafe(body)
  })

  it('should refuse counts that cannot be true with a result error', () => {
    expect(() => errorRateComparison(stats(10, 11), stats(10), SETTINGS)).toThrow(PxCanaryError)
  })
})
