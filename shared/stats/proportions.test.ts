import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { PxCanaryError } from '../errors'
import { fisherExactTest } from './fisher'
import { newcombeInterval, twoProportionZTest, wilsonInterval } from './proportions'

const counts = (errors: number, requests: number) => ({ errors, requests })

describe('wilsonInterval', () => {
  // Newcombe RG (1998a), "Two-sided confidence intervals for the single proportion: comparison of
  // seven methods", Stat Med 17:857-872, Table I, method 3 (score interval, no continuity
  // correction), 95 %.
  it.each([
    [81, 263, 0.2553, 0.3662],
    [15, 148, 0.0624, 0.1605],
    [0, 20, 0, 0.1611],
    [1, 29, 0.0061, 0.1718],
  ])('should reproduce Newcombe 1998a Table I for %i/%i', (x, n, lower, upper) => {
    const w = wilsonInterval(x, n)
    expect(w.lower).toBeCloseTo(lower, 4)
    expect(w.upper).toBeCloseTo(upper, 4)
    expect(w.level).toBe(0.95)
  })

  it('should contain the point estimate and stay within [0, 1]', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 100_000 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0.5, max: 0.999, noNaN: true }),
        (n, f, level) => {
          const x = Math.floor(f * n)
          const w = wilsonInterval(x, n, level)
          expect(w.lower).toBeGreaterThanOrEqual(0)
          expect(w.upper).toBeLessThanOrEqual(1)
          expect(w.lower).toBeLessThanOrEqual(x / n + 1e-15)
          expect(w.upper).toBeGreaterThanOrEqual(x / n - 1e-15)
        }
      )
    )
  })

  it('should widen with the confidence level', () => {
    const narrow = wilsonInterval(7, 50, 0.8)
    const wide = wilsonInterval(7, 50, 0.99)
    expect(wide.lower).toBeLessThan(narrow.lower)
    expect(wide.upper).toBeGreaterThan(narrow.upper)
  })

  it('should reject impossible counts and levels', () => {
    expect(() => wilsonInterval(3, 2)).toThrow(PxCanaryError)
    expect(() => wilsonInterval(0, 0)).toThrow(RangeError)
    expect(() => wilsonInterval(1, 2, 1)).toThrow(RangeError)
  })
})

describe('newcombeInterval', () => {
  // Newcombe RG (1998b), "Interval estimation for the difference between independent proportions:
  // comparison of eleven methods", Stat Med 17:873-890, Table II, method 10 (hybrid score
  // interval from Wilson intervals, no continuity correction), 95 %.
  it.each([
    [56, 70, 48, 80, 0.0524, 0.3339],
    [9, 10, 3, 10, 0.1705, 0.809],
    [0, 10, 0, 20, -0.1611, 0.2775],
    [0, 10, 0, 10, -0.2775, 0.2775],
    [10, 10, 0, 20, 0.6791, 1],
    [10, 10, 0, 10, 0.6075, 1],
  ])('should reproduce Newcombe 1998b Table II for %i/%i - %i/%i', (a, m, b, n, lower, upper) => {
    const ci = newcombeInterval(counts(a, m), counts(b, n))
    expect(ci.lower).toBeCloseTo(lower, 4)
    expect(ci.upper).toBeCloseTo(upper, 4)
  })

  it('should contain the observed difference, stay within [-1, 1] and negate when swapped', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 50_000 }),
        fc.integer({ min: 1, max: 50_000 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (n1, n2, f1, f2) => {
          const c = counts(Math.floor(f1 * n1), n1)
          const b = counts(Math.floor(f2 * n2), n2)
          const d = c.errors / n1 - b.errors / n2
          const ci = newcombeInterval(c, b)
          expect(ci.lower).toBeGreaterThanOrEqual(-1)
          expect(ci.upper).toBeLessThanOrEqual(1)
          expect(ci.lower).toBeLessThanOrEqual(d + 1e-12)
          expect(ci.upper).toBeGreaterThanOrEqual(d - 1e-12)
          const swapped = newcombeInterval(b, c)
          expect(swapped.lower).toBeCloseTo(-ci.upper, 12)
          expect(swapped.upper).toBeCloseTo(-ci.lower, 12)
        }
      )
    )
  })

  it('should reject a side without requests', () => {
    expect(() => newcombeInterval(counts(0, 0), counts(1, 10))).toThrow(RangeError)
  })
})

describe('twoProportionZTest', () => {
  it("should reproduce the Physicians' Health Study chi-square (Agresti, CDA, aspirin and MI)", () => {
    // Placebo 189 MI of 11034, aspirin 104 of 11037: Pearson X^2 = 25.01, and z^2 = X^2.
    const r = twoProportionZTest(counts(189, 11034), counts(104, 11037))
    expect(r.z * r.z).toBeCloseTo(25.01, 2)
    expect(r.z).toBeGreaterThan(0)
    expect(r.pTwoSided).toBeCloseTo(2 * r.pGreater, 15)
  })

  it('should agree closely with Fisher when every expected count is large', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 200_000, max: 1_000_000 }),
        fc.double({ min: 0.2, max: 0.5, noNaN: true }),
        fc.double({ min: -0.004, max: 0.004, noNaN: true }),
        (n, rate, shift) => {
          const c = counts(Math.round(n * (rate + shift)), n)
          const b = counts(Math.round(n * rate), n)
          const z = twoProportionZTest(c, b)
          const f = fisherExactTest(c, b)
          // Fisher's tail includes the observed table; the gap is about a continuity correction.
          expect(Math.abs(z.pGreater - f.pGreater)).toBeLessThan(0.003)
          expect(Math.abs(z.pTwoSided - f.pTwoSided)).toBeLessThan(0.006)
        }
      ),
      { numRuns: 30 }
    )
  })

  it('should report no evidence when neither side has an error', () => {
    expect(twoProportionZTest(counts(0, 500), counts(0, 700))).toEqual({
      z: 0,
      pTwoSided: 1,
      pGreater: 1,
    })
  })
})
