/**
 * The throughput metric: inbound HTTP requests per second served by the selected pods, averaged
 * over the whole window (requests / window_seconds). Pixie's UI scripts average per-bin rates,
 * which skips empty bins; a canary gate needs the plain count over the window.
 *
 * With a baseline selector the same query also measures the baseline, and
 * `comparison.throughput` reports both rates, the canary's share of the traffic and whether the
 * canary is starved of it (`min_share`, `alpha`, `looks`).
 */
import { withShareParams } from '../../shared/comparison-params'
import type { ShareSettings } from '../../shared/comparison-params'
import { PxCanaryError } from '../../shared/errors'
import type { MetricDefinition } from '../../shared/metric'
import { noExtraParams } from '../../shared/params'
import { throughputComparison } from './comparison'

/** Throughput's parameters: the traffic-share ones, null without a baseline. */
export interface ThroughputParams {
  share: ShareSettings | null
}

export const throughput: MetricDefinition<ThroughputParams> = {
  name: 'throughput',
  params: withShareParams(noExtraParams),
  // Throughput does not depend on which statuses are errors; the PxL function still takes one.
  errorMinStatus: () => 400,
  latencyBuckets: false,
  figures: (stats, query) => {
    // Zero requests may equally mean "nothing matched the selector": report no measurement.
    const rps = stats.requests === 0 ? null : stats.requests / query.windowSeconds
    return { value: rps, rps }
  },
  compare: (sides, query) => {
    const settings = query.params.share
    if (settings === null) {
      throw new PxCanaryError('internal_error', 'a comparison without traffic-share settings')
    }
    return {
      throughput: throughputComparison(
        sides.canary.stats,
        sides.baseline.stats,
        query.windowSeconds,
        settings
      ),
    }
  },
}
