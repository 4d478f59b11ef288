/**
 * `comparison.latency`: the canary's latency against the baseline's, both measured by the same
 * Pixie query over the same window, judged at the median (Mann-Whitney U on the per-bucket counts
 * PxL returned) and in the tail (the share of requests beyond the pooled quantile, Fisher's exact
 * test), each look at alpha / (2 looks) so the whole analysis stays at alpha
 * (shared/stats/rollout-verdict.ts). A regression that lives only in the tail is caught even when
 * the canary is faster at the median. A figure that cannot be measured is null, and the verdict
 * then `insufficient_data`, never a pass.
 */
import type { ComparedSides } from '../../shared/comparison'
import { judged } from '../../shared/comparison-params'
import type { ComparisonSettings, JudgedBy } from '../../shared/comparison-params'
import { compareLatency, DEFAULT_TAIL_MARGIN, latencyRolloutVerdict } from '../../shared/stats'
import type { LatencyDecider } from '../../shared/stats'
import { ms } from './figures'
import type { Quantile } from './params'

/** One side's latency figure. */
export interface LatencySideBody {
  requests: number
  /** The chosen quantile in ms (Pixie's px.quantiles, the same figure as latency_ms). */
  quantile_ms: number | null
}

/** `comparison.latency`. */
export interface LatencyComparisonBody extends JudgedBy {
  quantile: Quantile
  canary: LatencySideBody
  baseline: LatencySideBody
  /** Canary minus baseline quantile, in ms. */
  difference_ms: number | null
  /** Canary over baseline quantile; null when the baseline quantile is 0. */
  ratio: number | null
  /**
   * Interval for the quantile ratio, from the bucket counts (order statistics of each side,
   * Bonferroni-combined); `upper` null when unbounded. Null when insufficient data.
   */
  ratio_interval: { level: number; lower: number; upper: number | null } | null
  /** Mann-Whitney U on the bucketed latencies; null when a side has no requests. */
  mann_whitney: {
    u: number
    /** Chance that a random canary request is slower than a random baseline one (ties half). */
    probability_greater: number
    z: number
    p_value: number
    /** One-sided p-value for "the canary is slower" (what the verdict uses). */
    p_value_canary_slower: number
  } | null
  /** The median part of the verdict; null when insufficient data. */
  location: {
    /** Canary median over baseline median, both read from the buckets. */
    median_ratio: number | null
    p_value_canary_slower: number
    probability_greater: number
    /** Significant at alpha_per_test AND median_ratio above `margin`. */
    worse: boolean
  } | null
  /** The tail part of the verdict; null when insufficient data. */
  tail: {
    /** Lower edge of the bucket holding the pooled quantile: the tail is at least this slow. */
    threshold_ms: number
    canary: TailSideBody
    baseline: TailSideBody
    /** Canary share over baseline share; null when the baseline has none in the tail. */
    share_ratio: number | null
    /** Fisher's one-sided exact p-value for "the canary has more of its requests in the tail". */
    p_value_canary_greater: number
    /** `tail_margin`: the share ratio the canary must exceed to be worse. */
    margin: number
    worse: boolean
  } | null
  /** Which part called the canary worse; null unless worse. */
  decided_by: LatencyDecider | null
  tail_margin: number
}

/** One side's share of requests in the tail. */
export interface TailSideBody {
  requests: number
  in_tail: number
  share: number
}

const QUANTILE_FRACTION: Record<Quantile, number> = { p50: 0.5, p90: 0.9, p99: 0.99 }

function msOrNull(ns: number | null): number | null {
  return ns === null ? null : ms(ns)
}

/**
 * Canary latency against the baseline's: the chosen quantile of each side (Pixie's own
 * px.quantiles, so it equals `latency_ms`), their difference and ratio with the ratio's interval
 * from the buckets, and the verdict: worse when the canary is significantly (at
 * alpha / (2 looks)) AND materially slower at the median (median ratio above `margin`) or in the
 * tail (its share beyond the pooled quantile above `tail_margin` x the baseline's).
 *
 * @throws PxCanaryError result_invalid_count / result_invalid_bucket for malformed buckets
 */
export function latencyComparison(
  sides: ComparedSides,
  quantile: Quantile,
  settings: ComparisonSettings
): LatencyComparisonBody {
  const { canary, baseline } = sides
  if (canary.buckets === null || baseline.buckets === null) {
    throw new Error('latencyComparison needs the latency buckets of both sides')
  }
  const fromBuckets = compareLatency(canary.buckets, baseline.buckets, {
    quantile: QUANTILE_FRACTION[quantile],
  })
  const q1 = canary.stats.latencyNs?.[quantile] ?? null
  const q2 = baseline.stats.latencyNs?.[quantile] ?? null
  const both = q1 !== null && q2 !== null
  // The quantiles shown and judged are Pixie's own px.quantiles (t-digest) figures, what a user
  // sees in Pixie, where the bucket estimate may be off by up to 19 %; the buckets serve the
  // Mann-Whitney test.
  const tailMargin = settings.extraMargin ?? DEFAULT_TAIL_MARGIN
  const verdict = latencyRolloutVerdict(canary.buckets, baseline.buckets, {
    alpha: settings.alpha,
    looks: settings.looks,
    quantile: QUANTILE_FRACTION[quantile],
    ratioMargin: settings.margin,
    tailMargin,
    minSamples: settings.minRequests,
  })
  const { location, tail, quantileRatioInterval: interval } = verdict
  const mw = fromBuckets.mannWhitney
  return {
    quantile,
    canary: { requests: fromBuckets.canary.requests, quantile_ms: msOrNull(q1) },
    baseline: { requests: fromBuckets.baseline.requests, quantile_ms: msOrNull(q2) },
    difference_ms: both ? ms(q1 - q2) : null,
    ratio: both && q2 > 0 ? q1 / q2 : null,
    ratio_interval:
      interval === null
        ? null
        : { level: interval.level, lower: interval.lower, upper: interval.upper },
    mann_whitney:
      mw === null
        ? null
        : {
            u: mw.u,
            probability_greater: mw.probabilityGreater,
            z: mw.z,
            p_value: mw.pTwoSided,
            p_value_canary_slower: mw.pGreater,
          },
    location:
      location === null
        ? null
        : {
            median_ratio: location.medianRatio,
            p_value_canary_slower: location.pValueCanarySlower,
            probability_greater: location.probabilityGreater,
            worse: location.worse,
          },
    tail:
      tail === null
        ? null
        : {
            threshold_ms: ms(tail.thresholdNs),
            canary: {
              requests: tail.canary.requests,
              in_tail: tail.canary.inTail,
              share: tail.canary.share,
            },
            baseline: {
              requests: tail.baseline.requests,
              in_tail: tail.baseline.inTail,
              share: tail.baseline.share,
            },
            share_ratio: tail.shareRatio,
            p_value_canary_greater: tail.pValueCanaryGreater,
            margin: tailMargin,
            worse: tail.worse,
          },
    decided_by: verdict.decidedBy,
    ...judged(verdict, settings, verdict.alphaPerTest),
    tail_margin: tailMargin,
  }
}
