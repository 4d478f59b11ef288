/**
 * The latency metric: quantiles (p50, p90, p99) and mean of the selected pods' inbound HTTP
 * request latency, in milliseconds. Pixie measures latency per request from eBPF (nanoseconds,
 * request to response); the quantiles come from Pixie's own px.quantiles over the window.
 * `quantile` (default p99) picks which one is `value`.
 *
 * With a baseline selector the same query also measures the baseline and counts each side's
 * requests per log-spaced latency bucket (in PxL, at most 110 rows per side), and
 * `comparison.latency` judges the canary against it (the quantile's ratio, Mann-Whitney U).
 */
import type { MetricDefinition } from '../../shared/app'
import { latencyComparison } from '../../shared/comparison'
import { LATENCY_MARGIN, withComparisonParams } from '../../shared/comparison-params'
import type { ComparisonSettings } from '../../shared/comparison-params'
import { PxCanaryError } from '../../shared/errors'
import { latencyParams } from '../../shared/params'
import type { Quantile } from '../../shared/params'
import { buildMetricCall, decodeComparisonBuckets } from '../../shared/pxl/comparison'

export interface LatencyParams {
  quantile: Quantile
  /** How to judge against a baseline; null without one. */
  comparison: ComparisonSettings | null
}

/** Latency does not depend on which statuses are errors; the PxL function still takes one. */
const ERROR_MIN_STATUS = 400

/** Nanoseconds to milliseconds, kept to the microsecond (finer digits are sketch noise). */
function ms(ns: number): number {
  return Math.round(ns / 1e3) / 1e3
}

export const latency: MetricDefinition<LatencyParams> = {
  metric: 'latency',
  params: withComparisonParams(latencyParams, LATENCY_MARGIN),
  buildCall: (query) =>
    buildMetricCall({ ...query, errorMinStatus: ERROR_MIN_STATUS }, 'px-canary/latency', {
      latencyBuckets: true,
    }),
  figures: (stats, query) => {
    const { quantile } = query.params
    if (stats.latencyNs === null) {
      return { value: null, quantile, latency_ms: { p50: null, p90: null, p99: null, mean: null } }
    }
    const latencyMs = {
      p50: ms(stats.latencyNs.p50),
      p90: ms(stats.latencyNs.p90),
      p99: ms(stats.latencyNs.p99),
      mean: ms(stats.latencyNs.mean),
    }
    return { value: latencyMs[quantile], quantile, latency_ms: latencyMs }
  },
  compare: (sides, query) => {
    const settings = query.params.comparison
    if (settings === null) {
      throw new PxCanaryError('internal_error', 'a comparison without comparison settings')
    }
    return {
      latency: latencyComparison(decodeComparisonBuckets(sides), query.params.quantile, settings),
    }
  },
}
