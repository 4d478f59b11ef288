import { describe, expect, it } from 'vitest'
import { MAX_LOOKS, perTestAlpha } from './looks'

describe('perTestAlpha', () => {
  it('should split alpha evenly over looks and tests (Bonferroni)', () => {
    expect(perTestAlpha(0.05, 1)).toBe(0.05)
    expect(perTestAlpha(0.05, 20)).toBeCloseTo(0.0025, 15)
    expect(perTestAlpha(0.05, 20, 2)).toBeCloseTo(0.00125, 15)
  })

  it('should reject looks that are not a positive integer up to the maximum', () => {
    for (const looks of [0, -1, 1.5, MAX_LOOKS + 1, Number.NaN]) {
      expect(() => perTestAlpha(0.05, looks)).toThrow(RangeError)
    }
    expect(() => perTestAlpha(0.05, 2, 0)).toThrow(RangeError)
    expect(() => perTestAlpha(5, 2)).toThrow(RangeError)
  })
})
