import { describe, expect, it } from 'vitest'
import { PxCanaryError } from '../errors'
import { compareThroughput } from './throughput'

describe('compareThroughput', () => {
  it('should give each side its rate and the canary its share of the traffic', () => {
    const r = compareThroughput(60, 540, 60)
    expect(r.canaryRps).toBe(1)
    expect(r.baselineRps).toBe(9)
    expect(r.canaryShare).toBeCloseTo(0.1, 12)
    expect(r.ratio).toBeCloseTo(1 / 9, 12)
  })

  it('should give null share and ratio, not 0, when there is nothing to divide by', () => {
    expect(compareThroughput(0, 0, 30)).toEqual({
      canaryRps: 0,
      baselineRps: 0,
      canaryShare: null,
      ratio: null,
    })
    expect(compareThroughput(5, 0, 30).ratio).toBeNull()
  })

  it('should reject bad counts and windows', () => {
    expect(() => compareThroughput(-1, 0, 30)).toThrow(PxCanaryError)
    expect(() => compareThroughput(1, 0, 0)).toThrow(RangeError)
    expect(() => compareThroughput(1, 0, Number.POSITIVE_INFINITY)).toThrow(RangeError)
  })
})
