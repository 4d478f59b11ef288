import { describe, expect, it } from 'vitest'
import { PxCanaryError } from '../errors'
import { binomialCdf } from './binomial'
import { expectedShareFromPods, trafficShareVerdict } from './traffic-share'

// A canary with 1 pod beside 3 stable pods should get a quarter of the requests; starved means
// below half that, 12.5 %.
const ONE_OF_FOUR = { expectedShare: expectedShareFromPods(1, 3) }

describe('trafficShareVerdict', () => {
  it('should fail a canary that gets no traffic while the baseline is busy', () => {
    const v = trafficShareVerdict(0, 1440, ONE_OF_FOUR)
    expect(v.verdict).toBe('worse')
    expect(v.reason).toContain('starved')
    expect(v.pValueStarved! / 0.875 ** 1440).toBeCloseTo(1, 10)
  })

  it('should fail a canary far below its share and pass one at its share', () => {
    expect(trafficShareVerdict(60, 1440, ONE_OF_FOUR).verdict).toBe('worse') // 4 %
    expect(trafficShareVerdict(360, 1080, ONE_OF_FOUR).verdict).toBe('not_worse') // 25 %
  })

  it('should call a quiet service insufficient_data, never worse', () => {
    // 0.875^22 = 0.053 >= 0.05: even a canary without requests is no evidence at 22 requests.
    const quiet = trafficShareVerdict(0, 22, ONE_OF_FOUR)
    expect(quiet.verdict).toBe('insufficient_data')
    expect(quiet.minTotal).toBe(23)
    expect(trafficShareVerdict(0, 0, ONE_OF_FOUR).verdict).toBe('insufficient_data')
    expect(trafficShareVerdict(0, 23, ONE_OF_FOUR).verdict).toBe('worse')
  })

  it('should spend alpha / looks per look, which needs more traffic for the same verdict', () => {
    const v = trafficShareVerdict(0, 23, { ...ONE_OF_FOUR, looks: 20 })
    expect(v.alphaPerLook).toBeCloseTo(0.0025, 15)
    expect(v.verdict).toBe('insufficient_data')
    // (1 - 0.125)^n < 0.0025 from n = 45.
    expect(v.minTotal).toBe(45)
  })

  it('should use the exact binomial tail as its p-value', () => {
    const v = trafficShareVerdict(100, 900, ONE_OF_FOUR)
    expect(v.pValueStarved).toBeCloseTo(binomialCdf(100, 1000, 0.125), 15)
  })

  it('should reject bad counts and options', () => {
    expect(() => trafficShareVerdict(-1, 10, ONE_OF_FOUR)).toThrow(PxCanaryError)
    expect(() => trafficShareVerdict(1, 10, { expectedShare: 1 })).toThrow(RangeError)
    expect(() => trafficShareVerdict(1, 10, { ...ONE_OF_FOUR, shareMargin: 0 })).toThrow(RangeError)
    expect(() => expectedShareFromPods(0, 3)).toThrow(RangeError)
  })
})
