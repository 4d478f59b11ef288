/**
 * The throughput metric: inbound HTTP requests per second served by the selected pods, averaged
 * over the span of the window the data covers (requests / covered_seconds: the newest rows are up
 * to a push period behind, and retention can cut the window's start). Pixie's UI scripts average
 * per-bin rates, which skips empty bins; a canary gate needs the plain count over the window.
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
import { coverageOf } from '../../shared/pxl/coverage'
import type { HttpStats } from '../../shared/pxl/result'
import { throughputComparison } from './comparison'

/**
 * Requests per second over the span the rows cover (shared/pxl/coverage.ts), not the window;
 * null without requests, since zero rows may equally mean "nothing matched the selector".
 */
function rpsOf(stats: HttpStats, windowSeconds: number): number | null {
  const seconds =
    stats.span == null ? windowSeconds : coverageOf(stats.span, windowSeconds).coveredSeconds
  return stats.requests === 0 || !(seconds > 0) ? null : stats.requests / seconds
}

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
    const rps = rpsOf(stats, query.windowSeconds)
    return { value: rps, rps }
  },
  compare: (sides, query) => {
    const settings = query.params.share
    if (settings === null) {
      throw new PxCanaryError('internal_error', 'a comparison without traffic-share settings')
    }
    const { canary, baseline } = sides
    const body = throughputComparison(canary.stats, baseline.stats, query.windowSeconds, settings)
    // The same rates as each side's `rps`: over the span its rows cover.
    const canaryRps = rpsOf(canary.stats, query.windowSeconds)
    const baselineRps = rpsOf(baseline.stats, query.windowSeconds)
    return {
      throughput: {
        ...body,
        canary_rps: canaryRps,
        baseline_rps: baselineRps,
        ratio: canaryRps !== null && baselineRps !== null ? canaryRps / baselineRps : body.ratio,
      },
    }
  },
}
