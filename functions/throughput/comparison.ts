/**
 * `comparison.throughput`: each side's requests per second over the window, the canary's share
 * of the traffic, and whether the canary is starved of traffic. A canary far below its share
 * (crash loops, failing readiness, a broken route) is `worse`; judging it against the baseline
 * under the same query window (an exact binomial test on its share, shared/stats/traffic-share.ts)
 * tells it from a quiet service, which is `insufficient_data`, never a pass or a failure.
 */
import type { ShareSettings } from '../../shared/comparison-params'
import type { HttpStats } from '../../shared/pxl/result'
import { compareThroughput, trafficShareVerdict } from '../../shared/stats'
import type { Verdict } from '../../shared/stats'

/** `comparison.throughput`. */
export interface ThroughputComparisonBody {
  canary_rps: number | null
  baseline_rps: number | null
  /** Canary requests over both sides' requests; null when neither had any. */
  canary_share: number | null
  /** Canary over baseline rate; null when the baseline had no requests. */
  ratio: number | null
  /** worse: starved; insufficient_data: too few requests in total to tell; else not_worse. */
  verdict: Verdict
  reason: string
  /** The same as canary_share: the canary's share of both sides' requests. */
  share: number | null
  /** `min_share`: the share the test is made against. */
  starved_below: number
  /** One-sided exact p-value of a share this low if the canary's true share were starved_below. */
  p_value_starved: number | null
  /** Fewest requests on both sides together for a verdict at this level. */
  min_total: number
  /** The false-alarm rate over the whole analysis, and the level each look tests at. */
  alpha: number
  looks: number
  alpha_per_look: number
  min_share: number
}

/** Both sides' rates, the canary's share of the traffic, and the starvation verdict. */
export function throughputComparison(
  canary: HttpStats,
  baseline: HttpStats,
  windowSeconds: number,
  settings: ShareSettings
): ThroughputComparisonBody {
  const cmp = compareThroughput(canary.requests, baseline.requests, windowSeconds)
  const verdict = trafficShareVerdict(canary.requests, baseline.requests, {
    expectedShare: settings.minShare,
    shareMargin: 1,
    alpha: settings.alpha,
    looks: settings.looks,
  })
  return {
    // Zero requests may mean nothing matched the selector: no measurement, as for `rps`.
    canary_rps: canary.requests === 0 ? null : cmp.canaryRps,
    baseline_rps: baseline.requests === 0 ? null : cmp.baselineRps,
    canary_share: cmp.canaryShare,
    ratio: cmp.ratio,
    verdict: verdict.verdict,
    reason: verdict.reason,
    share: verdict.share,
    starved_below: verdict.starvedBelow,
    p_value_starved: verdict.pValueStarved,
    min_total: verdict.minTotal,
    alpha: settings.alpha,
    looks: settings.looks,
    alpha_per_look: verdict.alphaPerLook,
    min_share: settings.minShare,
  }
}
