import { describe, expect, it } from 'vitest'
import type { ComparisonSide } from '../../shared/comparison'
import type { ComparisonSettings } from '../../shared/comparison-params'
import { bucketIndex, LATENCY_BUCKET_COUNT } from '../../shared/stats'
import { decodedStats as stats } from '../../test/helpers/decoded-stats'
import { latencyComparison } from './comparison'

const LATENCY_SETTINGS: ComparisonSettings = {
  alpha: 0.05,
  margin: 1.1,
  minRequests: 50,
  looks: 1,
  extraMargin: 2,
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

describe('latencyComparison', () => {
  const baseline = side(spread(600, 20, 120), 118)

  it('should call a 1.5x slower canary worse, with the Mann-Whitney figures', () => {
    const canary = side(spread(300, 30, 180), 177)
    const body = latencyComparison({ canary, baseline }, 'p99', LATENCY_SETTINGS)
    expect(body.verdict).toBe('worse')
    expect(body.canary).toEqual({ requests: 300, quantile_ms: 177 })
    expect(body.baseline).toEqual({ requests: 600, quantile_ms: 118 })
    expect(body.difference_ms).toBeCloseTo(59, 9)
    expect(body.ratio).toBeCloseTo(177 / 118, 12)
    expect(body.mann_whitney?.p_value_canary_slower).toBeLessThan(1e-6)
    expect(body.mann_whitney?.probability_greater).toBeGreaterThan(0.6)
    expect(body).toMatchObject({ quantile: 'p99', alpha: 0.05, margin: 1.1, min_requests: 50 })
    expectJsonSafe(body)
  })

  it('should call a canary faster at the median but slow in the tail worse, decided by the tail', () => {
    // 1,000 requests per side: the canary's median 12 ms against 40 ms, but 5 % at 6 s.
    const fast = spread(950, 5, 20)
    const canary = side([...fast, ...Array<number>(50).fill(6000)], 6000)
    const base = side(spread(1000, 20, 120), 118)
    const body = latencyComparison({ canary, baseline: base }, 'p99', {
      ...LATENCY_SETTINGS,
      looks: 10,
    })
    expect(body.verdict).toBe('worse')
    expect(body.decided_by).toBe('tail')
    expect(body.reason).toMatch(/^canary slower in the tail/)
    expect(body.mann_whitney?.p_value_canary_slower).toBeGreaterThan(0.5)
    expect(body.location).toMatchObject({ worse: false })
    expect(body.location!.median_ratio).toBeLessThan(0.5)
    expect(body.tail).toMatchObject({ worse: true, margin: 2 })
    expect(body.tail!.canary.in_tail).toBeGreaterThanOrEqual(50)
    expect(body.tail!.p_value_canary_greater).toBeLessThan(body.alpha_per_test)
    expect(body).toMatchObject({ looks: 10, alpha: 0.05, tail_margin: 2 })
    expect(body.alpha_per_test).toBeCloseTo(0.05 / 20, 12)
    expect(body.ratio_interval!.level).toBeCloseTo(0.95, 12)
    expect(body.ratio_interval!.lower).toBeGreaterThan(10)
    expectJsonSafe(body)
  })

  it('should judge the tail share ratio against tail_margin', () => {
    // 5 % of the canary at 6 s against 1 % of the baseline: a share ratio of 5.
    const canary = side([...spread(950, 20, 120), ...Array<number>(50).fill(6000)], 6000)
    const base = side([...spread(990, 20, 120), ...Array<number>(10).fill(6000)], 6000)
    const judge = (tailMargin: number) =>
      latencyComparison({ canary, baseline: base }, 'p99', {
        ...LATENCY_SETTINGS,
        extraMargin: tailMargin,
      })
    expect(judge(2).tail!.share_ratio).toBeCloseTo(5, 9)
    expect(judge(2)).toMatchObject({ verdict: 'worse', decided_by: 'tail', tail_margin: 2 })
    expect(judge(10).tail).toMatchObject({ worse: false, margin: 10 })
    expect(judge(10).verdict).toBe('not_worse')
  })

  it('should call the same distribution not worse', () => {
    const canary = side(spread(300, 20, 120), 119)
    const body = latencyComparison({ canary, baseline }, 'p99', LATENCY_SETTINGS)
    expect(body.verdict).toBe('not_worse')
    expect(body.mann_whitney?.p_value_canary_slower).toBeGreaterThan(0.3)
  })

  it('should compare the quantile asked for, from the same figures as latency_ms', () => {
    const canary = side(spread(300, 20, 120), 119)
    const body = latencyComparison({ canary, baseline }, 'p50', LATENCY_SETTINGS)
    expect(body.quantile).toBe('p50')
    expect(body.canary.quantile_ms).toBeCloseTo(119 * 0.3, 9)
    expect(body.baseline.quantile_ms).toBeCloseTo(118 * 0.3, 9)
  })

  it('should answer insufficient_data with null test figures when a side has no requests', () => {
    const empty: ComparisonSide = { stats: stats(0), buckets: buckets([]) }
    const body = latencyComparison({ canary: empty, baseline }, 'p99', LATENCY_SETTINGS)
    expect(body.verdict).toBe('insufficient_data')
    expect(body).toMatchObject({
      canary: { requests: 0, quantile_ms: null },
      difference_ms: null,
      ratio: null,
      mann_whitney: null,
    })
    expectJsonSafe(body)
  })

  it('should refuse bucket counts that are not counts', () => {
    const bad: ComparisonSide = { stats: stats(3), buckets: [1, -1, 3] }
    expect(() => latencyComparison({ canary: bad, baseline }, 'p99', LATENCY_SETTINGS)).toThrow(
      expect.objectContaining({ code: 'result_invalid_count' })
    )
  })
})
