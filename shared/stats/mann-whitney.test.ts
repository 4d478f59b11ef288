import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { mannWhitneyFromBuckets } from './mann-whitney'
import { normalSf } from './normal'
import {
  asOrderedBuckets,
  bruteForceMannWhitney,
  exactMannWhitneyCdf,
} from '../../test/helpers/stats-oracles'

/** The test on raw samples, each distinct value its own ordered bucket (no information lost). */
const mw = (x: readonly number[], y: readonly number[]) => {
  const { canary, baseline } = asOrderedBuckets(x, y)
  return mannWhitneyFromBuckets(canary, baseline)
}

/** Samples of sizes m and n without ties whose canary U is exactly u (u <= m n). */
function samplesWithU(m: number, n: number, u: number): { x: number[]; y: number[] } {
  // Baseline at 0..n-1; canary i beats min(n, remaining) baseline values and sits in the gap
  // just below value `beats`, offset by i / (10 m) so no two canary values tie either.
  const y = Array.from({ length: n }, (_, j) => j)
  const x: number[] = []
  let left = u
  for (let i = 0; i < m; i++) {
    const beats = Math.min(n, left)
    left -= beats
    x.push(beats - 0.5 + i / (10 * m))
  }
  return { x, y }
}

describe('mannWhitneyFromBuckets', () => {
  it("should reproduce R's wilcox.test example (Hollander & Wolfe 1973, p. 69f)", () => {
    // Permeability at term (x) vs 12-26 weeks (y): R reports W = 35 and the exact one-sided
    // p-value 0.1272 for alternative = "greater".
    const x = [0.8, 0.83, 1.89, 1.04, 1.45, 1.38, 1.91, 1.64, 0.73, 1.46]
    const y = [1.15, 0.88, 0.9, 0.74, 1.21]
    const r = mw(x, y)
    expect(r.u).toBe(35)
    const exact = 1 - (exactMannWhitneyCdf(10, 5)[34] as number)
    expect(exact).toBeCloseTo(0.1272, 4)
    // The normal approximation with continuity correction is within 0.01 of the exact value.
    expect(Math.abs(r.pGreater - exact)).toBeLessThan(0.01)
  })

  // Two-sided 5 % critical values of U from the standard tables (Mann & Whitney 1947; reprinted
  // e.g. in Siegel & Castellan, Nonparametric Statistics): reject when U <= 23 for
  // n1 = n2 = 10 and U <= 127 for n1 = n2 = 20.
  it.each([
    [10, 23],
    [20, 127],
  ])(
    'should reject at the tabulated critical value for n1 = n2 = %i and not one above it',
    (n, critical) => {
      const cdf = exactMannWhitneyCdf(n, n)
      expect(cdf[critical]).toBeLessThanOrEqual(0.025)
      expect(cdf[critical + 1]).toBeGreaterThan(0.025)
      const at = samplesWithU(n, n, critical)
      const above = samplesWithU(n, n, critical + 1)
      expect(mw(at.x, at.y).pTwoSided).toBeLessThan(0.05)
      expect(mw(above.x, above.y).pTwoSided).toBeGreaterThan(0.05)
    }
  )

  it('should match the exact distribution within 0.006 for moderate samples without ties', () => {
    for (const [m, n] of [
      [12, 12],
      [15, 25],
      [30, 30],
    ] as const) {
      const cdf = exactMannWhitneyCdf(m, n)
      for (let u = 0; u <= m * n; u += Math.max(1, Math.floor((m * n) / 40))) {
        const { x, y } = samplesWithU(m, n, u)
        const r = mw(x, y)
        expect(r.u).toBe(u)
        const exactGreater = u === 0 ? 1 : 1 - (cdf[u - 1] as number)
        expect(Math.abs(r.pGreater - exactGreater)).toBeLessThan(0.006)
      }
    }
  })

  it('should equal brute-force U and tie-corrected variance on tied data', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 8 }), { minLength: 1, maxLength: 60 }),
        fc.array(fc.integer({ min: 0, max: 8 }), { minLength: 1, maxLength: 60 }),
        (x, y) => {
          const r = mw(x, y)
          const brute = bruteForceMannWhitney(x, y)
          expect(r.u).toBeCloseTo(brute.u, 9)
          const n1 = x.length
          const n2 = y.length
          const n = n1 + n2
          const variance = ((n1 * n2) / 12) * (n + 1 - brute.tieTerm / (n * (n - 1)))
          if (variance <= 1e-9) {
            expect(r.pTwoSided).toBe(1)
            return
          }
          const sd = Math.sqrt(variance)
          const d = brute.u - (n1 * n2) / 2
          expect(r.z).toBeCloseTo(d / sd, 9)
          expect(r.pGreater).toBeCloseTo(normalSf((d - 0.5) / sd), 12)
          expect(r.probabilityGreater).toBeCloseTo(brute.u / (n1 * n2), 12)
        }
      ),
      { numRuns: 300 }
    )
  })

  it('should give p = 1 for identical samples and keep p-values in [0, 1]', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 1000 }), { minLength: 1, maxLength: 110 }),
        (counts) => {
          if (counts.every((c) => c === 0)) return
          const r = mannWhitneyFromBuckets(counts, counts)
          expect(r.pTwoSided).toBe(1)
          expect(r.pGreater).toBeGreaterThanOrEqual(0.5)
          expect(r.probabilityGreater).toBeCloseTo(0.5, 12)
        }
      )
    )
  })

  it('should be antisymmetric in swapping canary and baseline', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 500 }), { minLength: 1, maxLength: 50 }),
        fc.array(fc.integer({ min: 0, max: 500 }), { minLength: 1, maxLength: 50 }),
        (a, b) => {
          if (a.every((c) => c === 0) || b.every((c) => c === 0)) return
          const r = mannWhitneyFromBuckets(a, b)
          const s = mannWhitneyFromBuckets(b, a)
          const pairs = a.reduce((p, c) => p + c, 0) * b.reduce((p, c) => p + c, 0)
          expect(s.u).toBeCloseTo(pairs - r.u, 6)
          expect(s.pTwoSided).toBeCloseTo(r.pTwoSided, 12)
          for (const p of [r.pTwoSided, r.pGreater]) {
            expect(p).toBeGreaterThanOrEqual(0)
            expect(p).toBeLessThanOrEqual(1)
          }
        }
      )
    )
  })

  it('should not lower the evidence of slowness when canary requests move to slower buckets', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 200 }), { minLength: 2, maxLength: 40 }),
        fc.array(fc.integer({ min: 0, max: 200 }), { minLength: 2, maxLength: 40 }),
        fc.nat(),
        (a, b, pick) => {
          if (b.every((c) => c === 0)) return
          const from = pick % (a.length - 1)
          if ((a[from] as number) === 0) return
          const moved = [...a]
          moved[from]! -= 1
          moved[from + 1]! += 1
          const before = mannWhitneyFromBuckets(a, b)
          const after = mannWhitneyFromBuckets(moved, b)
          expect(after.u).toBeGreaterThanOrEqual(before.u)
        }
      )
    )
  })

  it('should handle a million requests per side without overflow', () => {
    const a = new Array<number>(110).fill(0)
    const b = new Array<number>(110).fill(0)
    a[60] = 600_000
    a[61] = 400_000
    b[60] = 650_000
    b[61] = 350_000
    const r = mannWhitneyFromBuckets(a, b)
    expect(Number.isFinite(r.z)).toBe(true)
    expect(r.z).toBeGreaterThan(0)
    expect(r.pGreater).toBeLessThan(1e-10)
  })

  it('should reject an empty side', () => {
    expect(() => mannWhitneyFromBuckets([0, 0], [1])).toThrow(RangeError)
  })
})
