/**
 * `comparison.latency`: the canary's latency quantile against the baseline's, both measured by
 * the same Pixie query over the same window, and a Mann-Whitney U test on the per-bucket counts
 * PxL returned. A figure that cannot be measured is null, and the verdict then
 * `insufficient_data`, never a pass.
 */
import type { ComparedSides } from '../../shared/comparison'
import { judged } from '../../shared/comparison-params'
import type { ComparisonSettings, JudgedBy } from '../../shared/comparison-params'
import { compareLatency, latencyVerdict } from '../../shared/stats'
import type { LatencyComparison } from '../../shared/stats'
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

const QUANTILE_FRACTION: Record<Quantile, number> = { p50: 0.5, p90: 0.9, p99: 0.99 }

function msOrNull(ns: number | null): number | null {
  return ns === null ? null : ms(ns)
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
    canary: { requests: cmp.canary.requests, quantile_ms: msOrNull(q1) },
    baseline: { requests: cmp.baseline.requests, quantile_ms: msOrNull(q2) },
    difference_ms: msOrNull(cmp.differenceNs),
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
