import { describe, expect, it } from 'vitest'
import type { ComparisonSide } from '../../shared/comparison'
import type { ComparisonSettings } from '../../shared/comparison-params'
import { PxCanaryError } from '../../shared/errors'
import type { HttpStats } from '../../shared/pxl/result'
import { bucketIndex, LATENCY_BUCKET_COUNT } from '../../shared/stats'
import { throughputComparison } from './comparison'

const SETTINGS: ComparisonSettings = { alpha: 0.05, margin: 0.01, minRequests: 50 }
const LATENCY_SETTINGS: ComparisonSettings = { alpha: 0.05, margin: 1.1, minRequests: 50 }

function stats(requests: number, errors = 0, p99Ms = 100): HttpStats {
  return {
    requests,
    errors,
    latencyNs:
      requests === 0 ? null : { p50: p99Ms * 0.3e6, p90: p99Ms * 0.7e6, p99: p99Ms * 1e6, mean: 0 },
  }
}

/** Bucket counts of the given latencies in ms, as PxL's groupby returns them. */
function buckets(latenciesMs: number[]): number[] {
  const counts = new Array<number>(LATENCY_BUCKET_COUNT).fill(0)
  for (const ms of latenciesMs) counts[bucketIndex(Math.round(ms * 1e6))]! += 1
  return counts
}

/** n latencies spread evenly over [fromMs, toMs]. */
const spread = (n: number, fromMs: number, toMs: number): number[] =>
  Array.from({ length: n }, (_, i) => fromMs + ((toMs - fromMs) * i) / Math.max(1, n - 1))

function side(latenciesMs: number[], p99Ms: number): ComparisonSide {
  return { stats: stats(latenciesMs.length, 0, p99Ms), buckets: buckets(latenciesMs) }
}

/** No NaN or Infinity anywhere: the body must survive JSON unchanged. */
function expectJsonSafe(value: unknown): void {
  expect(JSON.parse(JSON.stringify(value))).toEqual(value)
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
