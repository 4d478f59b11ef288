/**
 * The `comparison` block of a response: canary against baseline, both measured by the same Pixie
 * query over the same window, judged with shared/stats. Comparing with the baseline under the
 * same traffic is what a fixed threshold cannot do: it sees a canary that doubles a 1 % error
 * rate, and it does not blame the canary for an outage that hits the stable pods too.
 *
 * Every figure that cannot be measured (a side without requests, a ratio over a baseline of 0)
 * is null, never 0, and the verdict is then `insufficient_data`, never a pass.
 */
import type { ComparisonSettings } from './comparison-params'
import type { Quantile } from './params'
import type { HttpStats } from './pxl/result'
import {
  compareErrorRates,
  compareLatency,
  compareThroughput,
  errorRateVerdict,
  latencyVerdict,
} from './stats'
import type {
  BucketCounts,
  LatencyComparison,
  ProportionTest,
  Verdict,
  VerdictResult,
} from './stats'

/** One side of the comparison as decoded from Pixie's answer. */
export interface ComparisonSide {
  stats: HttpStats
  /** Requests per latency bucket (shared/stats/buckets.ts); only fetched for latency. */
  buckets: BucketCounts | null
}

/** Both sides, decoded. */
export interface ComparedSides {
  canary: ComparisonSide
  baseline: ComparisonSide
}

/** The settings a verdict was reached with, echoed so a reader knows what `not_worse` means. */
interface JudgedBy {
  verdict: Verdict
  /** One sentence with the deciding figures. */
  reason: string
  alpha: number
  margin: number
  min_requests: number
}

/** One side's error figures. */
export interface ErrorRateSideBody {
  requests: number
  errors: number
  rate: number | null
}

/** `comparison.error_rate`. */
export interface ErrorRateComparisonBody extends JudgedBy {
  canary: ErrorRateSideBody
  baseline: ErrorRateSideBody
  /** Canary rate minus baseline rate (a fraction). */
  difference: number | null
  /** Canary rate over baseline rate; null when the baseline rate is 0. */
  ratio: number | null
  /** Two-sided (1 - alpha) Newcombe interval for the difference. */
  interval: { level: number; lower: number; upper: number } | null
  /** Two-sided p-value. */
  p_value: number | null
  /** One-sided p-value for "the canary errs more often" (what the verdict uses). */
  p_value_canary_greater: number | null
  test: ProportionTest | null
}

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
}

/** `comparison.throughput`: no verdict, the split of the traffic. */
export interface ThroughputComparisonBody {
  canary_rps: number | null
  baseline_rps: number | null
  /** Canary requests over both sides' requests; null when neither had any. */
  canary_share: number | null
  /** Canary over baseline rate; null when the baseline had no requests. */
  ratio: number | null
}

function judged(result: VerdictResult, settings: ComparisonSettings): JudgedBy {
  return {
    verdict: result.verdict,
    reason: result.reason,
    alpha: settings.alpha,
    margin: settings.margin,
    min_requests: settings.minRequests,
  }
}

/**
 * Canary error rate against the baseline's: Fisher's exact test (z above its size threshold),
 * the Newcombe interval at confidence 1 - alpha, and the verdict (worse only when significant
 * at alpha AND the difference exceeds the margin).
 *
 * @throws PxCanaryError result_invalid_count for counts that cannot be trusted
 */
export function errorRateComparison(
  canary: HttpStats,
  baseline: HttpStats,
  settings: ComparisonSettings
): ErrorRateComparisonBody {
  const cmp = compareErrorRates(
    { errors: canary.errors, requests: canary.requests },
    { errors: baseline.errors, requests: baseline.requests },
    { confidence: 1 - settings.alpha }
  )
  const verdict = errorRateVerdict(cmp, {
    alpha: settings.alpha,
    margin: settings.margin,
    minSamples: settings.minRequests,
  })
  return {
    canary: { ...cmp.canary },
    baseline: { ...cmp.baseline },
    difference: cmp.difference,
    ratio: cmp.ratio,
    interval: cmp.interval === null ? null : { ...cmp.interval },
    p_value: cmp.pValueTwoSided,
    p_value_canary_greater: cmp.pValueCanaryGreater,
    test: cmp.test,
    ...judged(verdict, settings),
  }
}

const QUANTILE_FRACTION: Record<Quantile, number> = { p50: 0.5, p90: 0.9, p99: 0.99 }

/** Nanoseconds to milliseconds, kept to the microsecond as the latency figures are. */
function ms(ns: number | null): number | null {
  return ns === null ? null : Math.round(ns / 1e3) / 1e3
}

/**
 * Canary latency against the baseline's: the chosen quantile of each side (Pixie's own
 * px.quantiles, so it equals `latency_ms`), their difference and ratio, and the Mann-Whitney U
 * test on the per-bucket counts PxL returned. Worse only when the test is significant at alpha
 * AND the canary quantile exceeds margin x the baseline's.
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
  const cmp: LatencyComparison = {
    ...fromBuckets,
    canary: { requests: fromBuckets.canary.requests, quantileNs: q1 },
    baseline: { requests: fromBuckets.baseline.requests, quantileNs: q2 },
    differenceNs: both ? q1 - q2 : null,
    ratio: both && q2 > 0 ? q1 / q2 : null,
  }
  const verdict = latencyVerdict(cmp, {
    alpha: settings.alpha,
    ratioMargin: settings.margin,
    minSamples: settings.minRequests,
  })
  const mw = cmp.mannWhitney
  return {
    quantile,
    canary: { requests: cmp.canary.requests, quantile_ms: ms(q1) },
    baseline: { requests: cmp.baseline.requests, quantile_ms: ms(q2) },
    difference_ms: ms(cmp.differenceNs),
    ratio: cmp.ratio,
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
    ...judged(verdict, settings),
  }
}

/**
 * Each side's requests per second over the window and the canary's share of the traffic, which
 * shows whether the split matches the rollout's weight. No verdict: how much traffic a canary
 * should get is the rollout's business.
 */
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
