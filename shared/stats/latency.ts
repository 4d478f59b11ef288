/**
 * The latency comparison of canary against baseline from per-bucket counts: a chosen quantile on
 * each side, their difference and ratio, and the Mann-Whitney U test on the whole distributions.
 * @module
 */
import { assertBucketCounts, type BucketCounts } from './buckets'
import { mannWhitneyFromBuckets, type MannWhitneyResult } from './mann-whitney'
import { bucketQuantile } from './quantile'

/** One side's figures; `quantileNs` is null when the side had no requests. */
export interface LatencySide {
  readonly requests: number
  /** The chosen quantile in ns, read from the buckets (see bucketQuantile). */
  readonly quantileNs: number | null
}

/** The comparison; a figure that cannot be measured is null, never 0. */
export interface LatencyComparison {
  /** The quantile compared, e.g. 0.99. */
  readonly quantile: number
  readonly canary: LatencySide
  readonly baseline: LatencySide
  /** canary quantile - baseline quantile, in ns. */
  readonly differenceNs: number | null
  /** canary quantile / baseline quantile; null when the baseline quantile is 0. */
  readonly ratio: number | null
  /** Null when either side has no requests. */
  readonly mannWhitney: MannWhitneyResult | null
}

export interface LatencyOptions {
  /** The quantile to compare, in [0, 1] (default 0.99, the HTTP contract's default p99). */
  readonly quantile?: number
}

/**
 * Compares canary and baseline latency bucket counts (see buckets.ts). Throws PxCanaryError
 * result_invalid_count / result_invalid_bucket for malformed counts and a RangeError for a
 * quantile outside [0, 1].
 */
export function compareLatency(
  canary: BucketCounts,
  baseline: BucketCounts,
  options: LatencyOptions = {}
): LatencyComparison {
  const quantile = options.quantile ?? 0.99
  const n1 = assertBucketCounts(canary, 'canary')
  const n2 = assertBucketCounts(baseline, 'baseline')
  const q1 = bucketQuantile(canary, quantile)
  const q2 = bucketQuantile(baseline, quantile)
  const both = q1 !== null && q2 !== null
  return {
    quantile,
    canary: { requests: n1, quantileNs: q1 },
    baseline: { requests: n2, quantileNs: q2 },
    differenceNs: both ? q1 - q2 : null,
    ratio: both && q2 > 0 ? q1 / q2 : null,
    mannWhitney: n1 > 0 && n2 > 0 ? mannWhitneyFromBuckets(canary, baseline) : null,
  }
}
