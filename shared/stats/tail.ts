/**
 * A test aimed at the latency tail: does the canary put more of its requests in the slowest
 * buckets than the baseline does? Mann-Whitney compares whole distributions and barely moves
 * when only a few percent of requests get slow, which is how most latency regressions look
 * (a slow dependency, GC pauses, a lock).
 *
 * Method: a two-sample quantile test (the median test of Mood 1950 moved to the quantile q;
 * Conover 1999, Practical Nonparametric Statistics, section 4.3). The tail is every bucket from
 * the one holding the pooled q-quantile of both sides upwards. That threshold depends only on
 * the pooled counts, and under "same distribution" every split of the pooled requests into
 * canary and baseline is equally likely, so given the pooled counts the canary's share of the
 * tail requests is exactly hypergeometric: Fisher's one-sided exact test on the 2x2 table
 * (side x in tail) is exact, ties and bucket width included. Starting the tail at the lower edge
 * of the threshold bucket (not inside it) is what makes the bucket resolution harmless: no
 * interpolation within a bucket ever enters the test.
 * @module
 */
import { assertBucketCounts, bucketBounds, type BucketCounts } from './buckets'
import { assertOpenUnit } from './counts'
import { fisherExactTest } from './fisher'
import { bucketOfRank } from './quantile-interval'

/** One side's tail figures. */
export interface TailSide {
  readonly requests: number
  /** Requests in the tail (at or above `thresholdNs`). */
  readonly inTail: number
  /** inTail / requests. */
  readonly share: number
}

export interface TailTest {
  /** The quantile that placed the threshold, e.g. 0.99. */
  readonly quantile: number
  /** First bucket of the tail: the bucket holding the pooled q-quantile. */
  readonly thresholdBucket: number
  /** Lower edge of that bucket, in ns: the tail is every request at least this slow. */
  readonly thresholdNs: number
  readonly canary: TailSide
  readonly baseline: TailSide
  /** canary share / baseline share; null when the baseline has no request in the tail. */
  readonly shareRatio: number | null
  /** One-sided Fisher exact p-value for "the canary has a larger share in the tail". */
  readonly pValueCanaryGreater: number
}

/**
 * The tail test at quantile q (0 < q < 1), or null when a side has no requests. Throws
 * PxCanaryError result_invalid_count / result_invalid_bucket for malformed counts.
 */
export function tailTest(canary: BucketCounts, baseline: BucketCounts, q: number): TailTest | null {
  assertOpenUnit(q, 'quantile')
  const n1 = assertBucketCounts(canary, 'canary')
  const n2 = assertBucketCounts(baseline, 'baseline')
  if (n1 === 0 || n2 === 0) return null
  const length = Math.max(canary.length, baseline.length)
  const pooled = Array.from({ length }, (_, i) => (canary[i] ?? 0) + (baseline[i] ?? 0))
  const threshold = bucketOfRank(pooled, Math.max(1, Math.ceil(q * (n1 + n2))))
  let c = 0
  let b = 0
  for (let i = threshold; i < length; i++) {
    c += canary[i] ?? 0
    b += baseline[i] ?? 0
  }
  const fisher = fisherExactTest({ errors: c, requests: n1 }, { errors: b, requests: n2 })
  return {
    quantile: q,
    thresholdBucket: threshold,
    thresholdNs: bucketBounds(threshold).lowerNs,
    canary: { requests: n1, inTail: c, share: c / n1 },
    baseline: { requests: n2, inTail: b, share: b / n2 },
    shareRatio: b > 0 ? c / n1 / (b / n2) : null,
    pValueCanaryGreater: fisher.pGreater,
  }
}
