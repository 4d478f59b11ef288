/**
 * The throughput metric: inbound HTTP requests per second served by the selected pods, averaged
 * over the span of the window the data covers (requests / covered_seconds: the newest rows are up
 * to a push period behind, and retention can cut the window's start). Pixie's UI scripts average per-bin rates,
 * which skips empty bins; a canary gate needs the plain count over the window.
 *
 * With a baseline selector the same query also measures the baseline, and
 * `comparison.throughput` reports both rates and the canary's share of the traffic.
 */
import type { MetricDefinition } from '../../shared/metric'
import { noExtraParams } from '../../shared/params'
import { coverageOf } from '../../shared/pxl/coverage'
import { throughputComparison } from './comparison'

export const throughput: MetricDefinition<Record<string, never>> = {
  name: 'throughput',
  params: noExtraParams,
  // Throughput does not depend on which statuses are errors; the PxL function still takes one.
  errorMinStatus: () => 400,
  latencyBuckets: false,
  figures: (stats, query) => {
    // Zero requests may equally mean "nothing matched the selector": report no measurement.
    // The rate divides by the span the rows cover (shared/pxl/coverage.ts), not the window.
    const seconds =
      stats.span == null
        ? query.windowSeconds
        : coverageOf(stats.span, query.windowSeconds).coveredSeconds
    const rps = stats.requests === 0 || !(seconds > 0) ? null : stats.requests / seconds
    return { value: rps, rps }
  },
  compare: (sides, query) => ({
    throughput: throughputComparison(sides.canary.stats, sides.baseline.stats, query.windowSeconds),
  }),
}
