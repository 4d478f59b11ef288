import { describe, expect, it } from 'vitest'
import type { HttpStats } from '../../shared/pxl/result'
import { throughputComparison } from './comparison'

function stats(requests: number, errors = 0, p99Ms = 100): HttpStats {
  return {
    requests,
    errors,
    latencyNs:
      requests === 0 ? null : { p50: p99Ms * 0.3e6, p90: p99Ms * 0.7e6, p99: p99Ms * 1e6, mean: 0 },
  }
}

describe('throughputComparison', () => {
  it("should report each side's rate and the canary's share of the traffic", () => {
    expect(throughputComparison(stats(600), stats(5400), 60)).toEqual({
      canary_rps: 10,
      baseline_rps: 90,
      canary_share: 0.1,
      ratio: 600 / 5400,
    })
  })

  it('should report null, never 0, for a side without requests', () => {
    expect(throughputComparison(stats(0), stats(600), 60)).toEqual({
      canary_rps: null,
      baseline_rps: 10,
      canary_share: 0,
      ratio: 0,
    })
    expect(throughputComparison(stats(0), stats(0), 60)).toEqual({
      canary_rps: null,
      baseline_rps: null,
      canary_share: null,
      ratio: null,
    })
  })
})
