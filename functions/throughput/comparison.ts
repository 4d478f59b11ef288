/**
 * `comparison.throughput`: each side's requests per second over the window and the canary's
 * share of the traffic, which shows whether the split matches the rollout's weight. No verdict:
 * how much traffic a canary should get is the rollout's business.
 */
import type { HttpStats } from '../../shared/pxl/result'
import { compareThroughput } from '../../shared/stats'

/** `comparison.throughput`: no verdict, the split of the traffic. */
export interface ThroughputComparisonBody {
  canary_rps: number | null
  baseline_rps: number | null
  /** Canary requests over both sides' requests; null when neither had any. */
  canary_share: number | null
  /** Canary over baseline rate; null when the baseline had no requests. */
  ratio: number | null
}

/** Both sides' rates and the canary's share of the traffic. */
export function throughputComparison(
  canary: HttpStats,
  baseline: HttpStats,
  windowSeconds: number
): ThroughputComparisonBody {
  const cmp = compareThroughput(canary.requests, baseline.requests, windowSeconds)
  return {
    // Zero requests may mean nothing matched the selector: no measurement, as for `rps`.
    canary_rps: canary.requests === 0 ? null : cmp.canaryRps,
    baseline_rps: baseline.requests === 0 ? null : cmp.baselineRps,
    canary_share: cmp.canaryShare,
    ratio: cmp.ratio,
  }
}
