/**
 * Distribution-free confidence bounds for a quantile read from latency buckets, and for the ratio
 * of two such quantiles: the q-quantile lies between two order statistics whose ranks come from
 * Binomial(n, q), and an order statistic is known only to its bucket, so each bound is widened to
 * the outer edge of its bucket. The bounds are therefore conservative, never narrower than the
 * data allow.
 * @module
 */
import { binomialTails } from './binomial'
import { assertBucketCounts, bucketBounds, type BucketCounts } from './buckets'
import { assertOpenUnit } from './counts'

/** Ranks (1-based) of the order statistics that bound the q-quantile. */
export interface QuantileRanks {
  /** X_(lower) <= quantile with probability >= 1 - (1 - confidence) / 2; 0 = no lower bound. */
  readonly lower: number
  /** X_(upper) >= quantile with probability >= 1 - (1 - confidence) / 2; n + 1 = no upper bound. */
  readonly upper: number
}

/**
 * The order-statistic ranks of a two-sided interval for the q-quantile of n draws (Conover 1999,
 * Practical Nonparametric Statistics, 3rd ed., section 3.2; David & Nagaraja 2003, Order
 * Statistics, section 7.1). With B ~ Binomial(n, q) the number of draws below the quantile,
 * P(X_(l) > quantile) = P(B <= l - 1) and P(X_(u) < quantile) <= P(B >= u); l is the largest and
 * u the smallest rank that keep each of these at most (1 - confidence) / 2. Valid for discrete
 * (tied) data too, where both probabilities can only be smaller.
 */
export function quantileRanks(n: number, q: number, confidence: number): QuantileRanks {
  assertOpenUnit(q, 'quantile')
  assertOpenUnit(confidence, 'confidence')
  const tail = (1 - confidence) / 2
  // lower: largest l in [1, n] with P(B <= l - 1) <= tail; P(B <= l - 1) grows with l.
  let lo = 0
  let hi = n
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2)
    if (binomialTails(mid - 1, n, q).lower <= tail) lo = mid
    else hi = mid - 1
  }
  const lower = lo
  // upper: smallest u in [1, n] with P(B >= u) <= tail; P(B >= u) falls with u.
  lo = 1
  hi = n + 1
  while (lo < hi) {
    const mid = Math.floor((lo + hi) / 2)
    if (binomialTails(mid, n, q).upper <= tail) hi = mid
    else lo = mid + 1
  }
  return { lower, upper: lo }
}

/** A two-sided interval; `upper` null means unbounded (the data cannot cap it). */
export interface QuantileInterval {
  readonly level: number
  readonly lower: number
  readonly upper: number | null
}

/**
 * Interval, in ns, for the q-quantile of the latencies behind `counts`, or null without requests.
 * The lower bound is the lower edge of the bucket that holds the lower-rank order statistic, the
 * upper bound the upper edge of the bucket that holds the upper-rank one (null when that is the
 * overflow bucket or the rank exceeds n). Throws a RangeError unless 0 < q < 1 and
 * 0 < confidence < 1.
 */
export function bucketQuantileInterval(
  counts: BucketCounts,
  q: number,
  confidence: number
): QuantileInterval | null {
  const n = assertBucketCounts(counts, 'buckets')
  if (n === 0) return null
  const ranks = quantileRanks(n, q, confidence)
  const lower = ranks.lower === 0 ? 0 : bucketBounds(bucketOfRank(counts, ranks.lower)).lowerNs
  const upperNs =
    ranks.upper > n ? Infinity : bucketBounds(bucketOfRank(counts, ranks.upper)).upperNs
  return { level: confidence, lower, upper: Number.isFinite(upperNs) ? upperNs : null }
}

/** Interval for canary quantile / baseline quantile; `upper` null means unbounded. */
export interface RatioInterval {
  readonly level: number
  readonly lower: number
  readonly upper: number | null
}

/**
 * Interval for the ratio canary q-quantile / baseline q-quantile at `confidence`, or null when a
 * side has no requests. Each side's interval is taken at 1 - (1 - confidence) / 2, so both hold
 * together with probability >= confidence (Bonferroni), and the ratio interval is
 * [canary lower / baseline upper, canary upper / baseline lower]: conservative, as the bucket
 * edges are. `upper` is null when the canary's bound is unbounded or the baseline's lower bound
 * is 0; `lower` is 0 when the baseline's upper bound is unbounded.
 */
export function quantileRatioInterval(
  canary: BucketCounts,
  baseline: BucketCounts,
  q: number,
  confidence: number
): RatioInterval | null {
  assertOpenUnit(confidence, 'confidence')
  const each = 1 - (1 - confidence) / 2
  const c = bucketQuantileInterval(canary, q, each)
  const b = bucketQuantileInterval(baseline, q, each)
  if (c === null || b === null) return null
  return {
    level: confidence,
    lower: b.upper === null ? 0 : c.lower / b.upper,
    upper: c.upper === null || b.lower === 0 ? null : c.upper / b.lower,
  }
}

/** The bucket that holds the request of 1-based rank `rank` (1 <= rank <= total). */
export function bucketOfRank(counts: BucketCounts, rank: number): number {
  let seen = 0
  for (let i = 0; i < counts.length; i++) {
    seen += counts[i] as number
    if (seen >= rank) return i
  }
  throw new RangeError(`bucketOfRank: rank ${rank} exceeds the ${seen} requests`)
}
