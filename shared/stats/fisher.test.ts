import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { PxCanaryError } from '../errors'
import { fisherExactTest } from './fisher'
import { exactFisherOracle } from '../../test/helpers/stats-oracles'

/** Table [[a, n1 - a], [c, n2 - c]]: canary a errors of n1, baseline c errors of n2. */
const fisher = (a: number, n1: number, c: number, n2: number) =>
  fisherExactTest({ errors: a, requests: n1 }, { errors: c, requests: n2 })

describe('fisherExactTest', () => {
  it("should reproduce Fisher's tea-tasting experiment (Fisher 1935; Agresti, CDA, sec. 3.5)", () => {
    // The lady identified 3 of the 4 milk-first cups: table [[3, 1], [1, 3]].
    // One-sided P = 17/70 = 0.2429, two-sided P = 34/70 = 0.4857.
    const r = fisher(3, 4, 1, 4)
    expect(r.pGreater).toBeCloseTo(17 / 70, 12)
    expect(r.pTwoSided).toBeCloseTo(34 / 70, 12)
  })

  it("should reproduce Fisher's criminal-twins table (R fisher.test docs, 'Convictions')", () => {
    // Dizygotic 2 convicted / 15 not, monozygotic 10 / 3 (Fisher 1935, from Lange):
    // R: fisher.test(Convictions, alternative = "less") gives p-value = 0.0004652.
    const r = fisher(2, 17, 10, 13)
    expect(r.pLess).toBeCloseTo(0.0004652, 7)
    // = (C(12,0)C(18,17) + C(12,1)C(18,16) + C(12,2)C(18,15)) / C(30,17) = 55710 / 119759850.
    expect(r.pLess).toBeCloseTo(55710 / 119759850, 14)
  })

  it('should reproduce the textbook study example (Wikipedia, "Fisher\'s exact test")', () => {
    // Men 1 studying / 11 not, women 9 / 3: one-tailed p = 0.001380, two-tailed p = 0.002759.
    const r = fisher(1, 12, 9, 12)
    expect(r.pLess).toBeCloseTo(0.00138, 5)
    expect(r.pTwoSided).toBeCloseTo(0.002759, 6)
  })

  it('should agree with exact rational arithmetic on random small tables', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 60 }),
        fc.integer({ min: 0, max: 60 }),
        fc.integer({ min: 0, max: 60 }),
        fc.integer({ min: 0, max: 60 }),
        (x1, y1, x2, y2) => {
          const got = fisher(x1, x1 + y1, x2, x2 + y2)
          const want = exactFisherOracle(x1, x1 + y1, x2, x2 + y2)
          for (const key of ['pTwoSided', 'pGreater', 'pLess'] as const) {
            expect(Math.abs(got[key] - want[key])).toBeLessThanOrEqual(1e-10 * want[key] + 1e-300)
          }
        }
      ),
      { numRuns: 300 }
    )
  })

  it('should agree with exact rational arithmetic on a table with thousands of requests', () => {
    const got = fisher(61, 3000, 38, 3100)
    const want = exactFisherOracle(61, 3000, 38, 3100)
    expect(got.pGreater / want.pGreater).toBeCloseTo(1, 9)
    expect(got.pTwoSided / want.pTwoSided).toBeCloseTo(1, 9)
  })

  it('should give p-values in [0, 1] and be symmetric in swapping canary and baseline', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 5000 }),
        fc.integer({ min: 0, max: 5000 }),
        fc.integer({ min: 0, max: 5000 }),
        fc.integer({ min: 0, max: 5000 }),
        (x1, y1, x2, y2) => {
          const r = fisher(x1, x1 + y1, x2, x2 + y2)
          const swapped = fisher(x2, x2 + y2, x1, x1 + y1)
          for (const p of [r.pTwoSided, r.pGreater, r.pLess]) {
            expect(p).toBeGreaterThanOrEqual(0)
            expect(p).toBeLessThanOrEqual(1)
          }
          expect(r.pGreater + r.pLess).toBeGreaterThanOrEqual(1 - 1e-12)
          expect(swapped.pTwoSided).toBeCloseTo(r.pTwoSided, 10)
          expect(swapped.pGreater).toBeCloseTo(r.pLess, 10)
        }
      ),
      { numRuns: 200 }
    )
  })

  it('should give smaller one-sided p-values as canary errors rise at fixed totals', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 2000 }),
        fc.integer({ min: 1, max: 2000 }),
        fc.integer({ min: 0, max: 2000 }),
        (n1, n2, c0) => {
          const c = Math.min(c0, n2)
          let previous = Number.POSITIVE_INFINITY
          for (let a = 0; a <= n1; a += Math.max(1, Math.floor(n1 / 25))) {
            const p = fisher(a, n1, c, n2).pGreater
            expect(p).toBeLessThanOrEqual(previous + 1e-12)
            previous = p
          }
        }
      ),
      { numRuns: 50 }
    )
  })

  it('should give p = 1 for identical samples and for tables without errors', () => {
    expect(fisher(20, 1000, 20, 1000).pTwoSided).toBeCloseTo(1, 12)
    expect(fisher(0, 1000, 0, 1000)).toEqual({ pTwoSided: 1, pGreater: 1, pLess: 1 })
  })

  it('should stay exact and finite at a million requests per side', () => {
    // Expected cell counts in the hundreds of thousands: Fisher and the normal approximation of
    // the same tail must be close (the pooled z-statistic of 20500 vs 20000 of 1e6 is 2.51, one-sided 0.0060).
    const r = fisher(20_500, 1_000_000, 20_000, 1_000_000)
    expect(r.pGreater).toBeGreaterThan(0.005)
    expect(r.pGreater).toBeLessThan(0.0075)
    const half = fisher(500_000, 1_000_000, 500_000, 1_000_000)
    expect(half.pTwoSided).toBeCloseTo(1, 9)
    expect(half.pGreater).toBeGreaterThan(0.5)
  })

  it('should report 0 rather than a wrong number when the p-value underflows', () => {
    const r = fisher(1_000_000, 1_000_000, 0, 1_000_000)
    expect(r.pGreater).toBe(0)
    expect(r.pTwoSided).toBe(0)
    expect(r.pLess).toBe(1)
  })

  it('should reject counts that are not a valid table', () => {
    expect(() => fisher(5, 4, 0, 4)).toThrow(PxCanaryError)
    expect(() => fisher(-1, 4, 0, 4)).toThrow(/non-negative integer/)
    expect(() => fisher(1.5, 4, 0, 4)).toThrow(PxCanaryError)
    expect(() => fisher(Number.NaN, 4, 0, 4)).toThrow(PxCanaryError)
  })
})
