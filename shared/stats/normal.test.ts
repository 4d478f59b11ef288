import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { erfc, normalCdf, normalQuantile, normalSf } from './normal'

describe('normalCdf / normalSf', () => {
  // Abramowitz & Stegun (1964), Table 26.1, P(x) to 15 decimals.
  it.each([
    [0, 0.5],
    [1, 0.841344746068543],
    [1.96, 0.97500210485178],
    [2, 0.977249868051821],
    [3, 0.99865010196837],
  ])('should match A&S Table 26.1 at x = %s', (x, expected) => {
    expect(normalCdf(x)).toBeCloseTo(expected, 13)
    expect(normalSf(-x)).toBeCloseTo(expected, 13)
  })

  // Upper-tail probabilities Q(x) = 1 - P(x) far out, where 1 - normalCdf would lose them:
  // Q(5) = 2.866515718791939e-7 and Q(10) = 7.619853024160527e-24, as printed by R's
  // pnorm(x, lower.tail = FALSE) (Cody's 1969 rational Chebyshev algorithm).
  it.each([
    [5, 2.866515718791939e-7],
    [10, 7.619853024160527e-24],
  ])('should keep relative precision in the upper tail at x = %s', (x, expected) => {
    expect(Math.abs(normalSf(x) / expected - 1)).toBeLessThan(1e-11)
  })

  it('should satisfy Phi(-z) = 1 - Phi(z) and stay in [0, 1]', () => {
    fc.assert(
      fc.property(fc.double({ min: -40, max: 40, noNaN: true }), (z) => {
        const p = normalCdf(z)
        expect(p).toBeGreaterThanOrEqual(0)
        expect(p).toBeLessThanOrEqual(1)
        expect(normalCdf(-z)).toBeCloseTo(1 - p, 14)
      })
    )
  })

  it('should be non-decreasing', () => {
    fc.assert(
      fc.property(
        fc.double({ min: -10, max: 10, noNaN: true }),
        fc.double({ min: 0, max: 5, noNaN: true }),
        (z, step) => {
          expect(normalCdf(z + step)).toBeGreaterThanOrEqual(normalCdf(z))
        }
      )
    )
  })

  it('should be continuous where erfc switches from the series to the continued fraction', () => {
    const below = erfc(2.5 - 1e-9)
    const at = erfc(2.5)
    expect(Math.abs(below / at - 1)).toBeLessThan(1e-8)
    // erfc(2.5) = 4.0695201744495894e-4 (R: 2 * pnorm(-2.5 * sqrt(2)); scipy.special.erfc(2.5)).
    expect(Math.abs(at / 4.0695201744495894e-4 - 1)).toBeLessThan(1e-12)
  })
})

describe('normalQuantile', () => {
  // The usual critical values, as printed by R's qnorm: z_0.975 = 1.959963984540054,
  // z_0.95 = 1.644853626951473, z_0.995 = 2.575829303548901.
  it.each([
    [0.975, 1.959963984540054],
    [0.95, 1.644853626951473],
    [0.995, 2.575829303548901],
    [0.5, 0],
  ])('should give the tabulated critical value for p = %s', (p, z) => {
    expect(normalQuantile(p)).toBeCloseTo(z, 12)
    expect(normalQuantile(1 - p)).toBeCloseTo(-z, 12)
  })

  it('should invert normalCdf across the range', () => {
    fc.assert(
      fc.property(fc.double({ min: 1e-300, max: 1 - 1e-15, noNaN: true }), (p) => {
        const z = normalQuantile(p)
        const back = p < 0.5 ? normalCdf(z) : 1 - normalSf(z)
        expect(Math.abs(back - p)).toBeLessThanOrEqual(Math.max(1e-15, p * 1e-12))
      })
    )
  })

  it('should reject probabilities outside [0, 1] and map the ends to infinities', () => {
    expect(() => normalQuantile(1.5)).toThrow(RangeError)
    expect(() => normalQuantile(Number.NaN)).toThrow(RangeError)
    expect(normalQuantile(0)).toBe(Number.NEGATIVE_INFINITY)
    expect(normalQuantile(1)).toBe(Number.POSITIVE_INFINITY)
  })
})
