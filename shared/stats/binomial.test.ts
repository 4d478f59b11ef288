import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { PxCanaryError } from '../errors'
import { binomialCdf, binomialSf, binomialTails } from './binomial'

/** P(X <= k) and P(X >= k) for Binomial(n, a/b), exact in BigInt rationals. */
function exactTails(k: number, n: number, a: number, b: number): { lower: number; upper: number } {
  let c = 1n
  const terms: bigint[] = []
  for (let x = 0; x <= n; x++) {
    if (x > 0) c = (c * BigInt(n - x + 1)) / BigInt(x)
    terms.push(c * BigInt(a) ** BigInt(x) * BigInt(b - a) ** BigInt(n - x))
  }
  const den = BigInt(b) ** BigInt(n)
  const sum = (from: number, to: number) => terms.slice(from, to + 1).reduce((s, t) => s + t, 0n)
  // 1e15-scaled quotient keeps 15 significant digits for the probabilities tested here.
  const asNumber = (num: bigint) => Number((num * 10n ** 18n) / den) / 1e18
  return {
    lower: k < 0 ? 0 : asNumber(sum(0, Math.min(k, n))),
    upper: k > n ? 0 : asNumber(sum(Math.max(k, 0), n)),
  }
}

describe('binomialTails', () => {
  it('should give the textbook fair-coin tails of 10 tosses (176/1024 and 56/1024)', () => {
    expect(binomialCdf(3, 10, 0.5)).toBeCloseTo(176 / 1024, 14)
    expect(binomialSf(8, 10, 0.5)).toBeCloseTo(56 / 1024, 14)
  })

  it('should give 0.99^1000 for no successes in 1000 trials at 1 % (R: pbinom(0, 1000, 0.01))', () => {
    expect(binomialCdf(0, 1000, 0.01) / 0.99 ** 1000).toBeCloseTo(1, 10)
  })

  it('should agree with exact rational arithmetic for any small case', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 60 }),
        fc.integer({ min: 1, max: 19 }),
        fc.integer({ min: -1, max: 61 }),
        (n, a, k) => {
          const got = binomialTails(k, n, a / 20)
          const want = exactTails(k, n, a, 20)
          expect(got.lower).toBeCloseTo(want.lower, 12)
          expect(got.upper).toBeCloseTo(want.upper, 12)
        }
      )
    )
  })

  it('should stay fast and normalised at ten million trials', () => {
    const t = binomialTails(100_000, 10_000_000, 0.01)
    // The mean exactly: both tails include P(X = mean), so they sum to just above 1.
    expect(t.lower).toBeGreaterThan(0.5)
    expect(t.upper).toBeGreaterThan(0.5)
    expect(t.lower + t.upper).toBeLessThan(1.01)
  })

  it('should handle p = 0 and p = 1 as certain outcomes', () => {
    expect(binomialTails(0, 5, 0)).toEqual({ lower: 1, upper: 1 })
    expect(binomialTails(1, 5, 0)).toEqual({ lower: 1, upper: 0 })
    expect(binomialTails(5, 5, 1)).toEqual({ lower: 1, upper: 1 })
    expect(binomialTails(4, 5, 1)).toEqual({ lower: 0, upper: 1 })
  })

  it('should reject a count that cannot be trusted and a probability outside [0, 1]', () => {
    expect(() => binomialTails(1, -1, 0.5)).toThrow(PxCanaryError)
    expect(() => binomialTails(1, 10, 1.5)).toThrow(RangeError)
    expect(() => binomialTails(0.5, 10, 0.5)).toThrow(RangeError)
  })
})
