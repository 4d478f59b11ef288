import { describe, expect, it } from 'vitest'
import { mulberry32 } from '../simulator/prng'
import { median, quantile, shuffled, summarize } from './stats'

describe('quantile', () => {
  it('should interpolate between closest ranks', () => {
    expect(quantile([1, 2, 3, 4], 0.5)).toBe(2.5)
    expect(quantile([10, 20, 30, 40, 50], 0.25)).toBe(20)
    expect(quantile([0, 100], 0.99)).toBeCloseTo(99)
  })

  it('should not depend on the order of the samples', () => {
    expect(median([5, 1, 4, 2, 3])).toBe(3)
  })

  it('should refuse an empty sample instead of reading as 0', () => {
    expect(() => quantile([], 0.5)).toThrow(/empty/)
    expect(() => summarize([])).toThrow(/empty/)
  })

  it('should refuse a quantile outside [0, 1]', () => {
    expect(() => quantile([1], 1.5)).toThrow(RangeError)
  })
})

describe('summarize', () => {
  it('should report count, extremes and mean of the sample', () => {
    const s = summarize([3, 1, 2])
    expect(s).toMatchObject({ n: 3, min: 1, max: 3, p50: 2, mean: 2 })
  })
})

describe('shuffled', () => {
  it('should keep every item exactly once', () => {
    const items = Array.from({ length: 50 }, (_, i) => i)
    const out = shuffled(items, mulberry32(7))
    expect([...out].sort((a, b) => a - b)).toEqual(items)
  })

  it('should give the same order for the same seed and not mutate its input', () => {
    const items = ['a', 'b', 'c', 'd', 'e', 'f']
    const copy = [...items]
    expect(shuffled(items, mulberry32(42))).toEqual(shuffled(items, mulberry32(42)))
    expect(items).toEqual(copy)
  })

  it('should produce different orders across rounds', () => {
    const random = mulberry32(1)
    const orders = new Set(
      Array.from({ length: 20 }, () => shuffled([1, 2, 3, 4, 5], random).join(','))
    )
    expect(orders.size).toBeGreaterThan(1)
  })
})
