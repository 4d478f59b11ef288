import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { PxCanaryError } from '../errors'
import { compareErrorRates } from './error-rate'

const counts = (errors: number, requests: number) => ({ errors, requests })

describe('compareErrorRates', () => {
  it('should give rates, difference, ratio, the Newcombe interval and Fisher p-values', () => {
    // Newcombe 1998b, Table II example (a): 56/70 vs 48/80, method 10 interval 0.0524 .. 0.3339.
    const r = compareErrorRates(counts(56, 70), counts(48, 80))
    expect(r.canary).toEqual({ errors: 56, requests: 70, rate: 0.8 })
    expect(r.baseline.rate).toBe(0.6)
    expect(r.difference).toBeCloseTo(0.2, 12)
    expect(r.ratio).toBeCloseTo(0.8 / 0.6, 12)
    expect(r.interval?.lower).toBeCloseTo(0.0524, 4)
    expect(r.interval?.upper).toBeCloseTo(0.3339, 4)
    expect(r.interval?.level).toBe(0.95)
    expect(r.test).toBe('fisher_exact')
    expect(r.pValueCanaryGreater).toBeLessThan(0.01)
    expect(r.pValueTwoSided).toBeGreaterThan(r.pValueCanaryGreater as number)
  })

  it('should use Fisher for the tea-tasting table (Fisher 1935: one-sided 0.2429)', () => {
    const r = compareErrorRates(counts(3, 4), counts(1, 4))
    expect(r.pValueCanaryGreater).toBeCloseTo(0.2429, 4)
    expect(r.pValueTwoSided).toBeCloseTo(0.4857, 4)
  })

  it('should switch to the z-test only above the variance threshold, and say so', () => {
    const big = compareErrorRates(counts(5_000_000, 10_000_000), counts(5_001_000, 10_000_000))
    expect(big.test).toBe('two_proportion_z')
    const small = compareErrorRates(counts(3, 10_000_000), counts(0, 10_000_000))
    expect(small.test).toBe('fisher_exact')
    const forced = compareErrorRates(counts(30, 1000), counts(20, 1000), { exactMaxVariance: 0 })
    expect(forced.test).toBe('two_proportion_z')
  })

  it('should give null figures, never zeros, when a side has no requests', () => {
    const r = compareErrorRates(counts(0, 0), counts(3, 100))
    expect(r.canary.rate).toBeNull()
    expect(r.difference).toBeNull()
    expect(r.ratio).toBeNull()
    expect(r.interval).toBeNull()
    expect(r.pValueTwoSided).toBeNull()
    expect(r.pValueCanaryGreater).toBeNull()
    expect(r.test).toBeNull()
    expect(JSON.parse(JSON.stringify(r))).toEqual(r)
  })

  it('should give a null ratio over a baseline without errors, and stay JSON-safe', () => {
    const r = compareErrorRates(counts(5, 100), counts(0, 100))
    expect(r.ratio).toBeNull()
    expect(r.difference).toBeCloseTo(0.05, 12)
    expect(JSON.parse(JSON.stringify(r))).toEqual(r)
  })

  it('should give p near 1 for identical samples', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 100_000 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (n, f) => {
          const side = counts(Math.floor(f * n), n)
          const r = compareErrorRates(side, side)
          expect(r.pValueTwoSided).toBeCloseTo(1, 9)
          expect(r.pValueCanaryGreater).toBeGreaterThanOrEqual(0.5)
          expect(r.difference).toBe(0)
        }
      )
    )
  })

  it('should reject invalid counts with a result_* error and a bad level with a RangeError', () => {
    expect(() => compareErrorRates(counts(5, 4), counts(0, 4))).toThrow(PxCanaryError)
    expect(() => compareErrorRates(counts(1, 4), counts(0, 4), { confidence: 95 })).toThrow(
      RangeError
    )
  })
})
