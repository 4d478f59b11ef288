import { describe, expect, it } from 'vitest'
import { formatJsonDouble, groupRows, quantileOfSorted, quantilesJson } from './aggregates'

describe('quantileOfSorted', () => {
  it('should interpolate linearly between order statistics', () => {
    // Values 10, 20, 30, 40: rank h = 3q. p50 -> h=1.5 -> 25; p90 -> h=2.7 -> 37; p10 -> h=0.3 -> 13.
    const v = [10, 20, 30, 40]
    expect(quantileOfSorted(v, 0.5)).toBe(25)
    expect(quantileOfSorted(v, 0.9)).toBeCloseTo(37, 10)
    expect(quantileOfSorted(v, 0.1)).toBeCloseTo(13, 10)
    expect(quantileOfSorted(v, 0)).toBe(10)
    expect(quantileOfSorted(v, 1)).toBe(40)
  })

  it('should return the only value for one sample and NaN for none', () => {
    expect(quantileOfSorted([7], 0.99)).toBe(7)
    expect(quantileOfSorted([], 0.5)).toBeNaN()
  })
})

describe('quantilesJson', () => {
  it('should produce the seven keys Pixie emits, in order', () => {
    // 0..100 step 1 (101 values): quantile q is exactly 100q.
    const v = Array.from({ length: 101 }, (_, i) => i)
    expect(quantilesJson(v)).toBe(
      '{"p01":1.0,"p10":10.0,"p25":25.0,"p50":50.0,"p75":75.0,"p90":90.0,"p99":99.0}'
    )
  })

  it("should be '{}' without values", () => {
    expect(quantilesJson([])).toBe('{}')
  })

  it('should print doubles like rapidjson', () => {
    expect(formatJsonDouble(3)).toBe('3.0')
    expect(formatJsonDouble(2.5)).toBe('2.5')
  })
})

describe('groupRows', () => {
  it('should number groups in order of first appearance', () => {
    const g = groupRows([['b', 'a', 'b', 'c', 'a']], 5)
    expect(Array.from(g.ids)).toEqual([0, 1, 0, 2, 1])
    expect(g.firstRows).toEqual([0, 1, 3])
  })

  it('should group on several keys of different types', () => {
    const g = groupRows(
      [
        ['x', 'x', 'y', 'x'],
        [1n, 2n, 1n, 1n],
      ],
      4
    )
    expect(Array.from(g.ids)).toEqual([0, 1, 2, 0])
    expect(g.count).toBe(3)
  })

  it('should put equal int64 keys in one group', () => {
    const g = groupRows([[1n, 1n, 2n]], 3)
    expect(g.count).toBe(2)
  })
})
