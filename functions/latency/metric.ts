/**
 * The latency metric: quantiles (p50, p90, p99) and mean of the selected pods' inbound HTTP
 * request latency, in milliseconds. Pixie measures latency per request from eBPF (nanoseconds,
 * request to response); the quantiles come from Pixie's own px.quantiles over the window.
 * `quantile` (default p99) picks which one is `value`.
 *
 * With a baseline selector the same query also counts each side's requests per log-spaced
 * latency bucket (in PxL, at most 110 rows per side), and `comparison.latency` judges the canary
 * against the baseline at the median (Mann-Whitney U) and in the tail (a two-sample quantile test).
 */
import { PxCanaryError } from '../../shared/errors'
import type { MetricDefinition } from '../../shared/metric'
import { latencyComparison } from './comparison'
import { latencyFigures } from './figures'
import { latencyParams } from './params'
import type { LatencyParams } from './params'

export const latency: MetricDefinition<LatencyParams> = {
  name: 'latency',
  params: latencyParams,
  // Latency does not depend on which statuses are errors; the PxL function still takes one.
  errorMinStatus: () => 400,
  latencyBuckets: true,
  figures: (stats, query) => latencyFigures(stats, query.params.quantile),
  compare: (sides, query) => {
    const settings = query.params.comparison
    if (settings === null) {
      throw new PxCanaryError('internal_error', 'a comparison without comparison settings')
    }
    return { latency: latencyComparison(sides, query.params.quantile, settings) }
  },
}
