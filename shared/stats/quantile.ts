/**
 * Quantiles read back from latency bucket counts: PxL returns only counts per bucket, so a
 * quantile is located to its bucket exactly and interpolated within it.
 * @module
 */
import {
  assertBucketCounts,
  bucketBounds,
  LATENCY_BUCKET_COUNT,
  type BucketCounts,
} from './buckets'

/**
 * The q-quantile, in ns, of the latencies summarised by `counts` (see buckets.ts), or null when
 * there are no requests. The quantile is the latency of rank q * n in the sorted requests (for
 * q > 0 the same bucket as the ceil(q n)-th request): its bucket is exact, and within the bucket
 * the value is interpolated geometrically between the bounds, so the relative error is below
 * 2^(1/4) - 1 = 19 %. Bucket 0 (below 1.024 us) is interpolated linearly from 0. A quantile in
 * the overflow bucket returns that bucket's lower bound (2^37 ns = 137.4 s), a lower bound of the
 * true value. Throws a RangeError unless 0 <= q <= 1.
 */
export function bucketQuantile(counts: BucketCounts, q: number): number | null {
  if (!(q >= 0 && q <= 1)) throw new RangeError(`quantile must be in [0, 1], got ${String(q)}`)
  const total = assertBucketCounts(counts, 'buckets')
  if (total === 0) return null
  const rank = q * total
  let below = 0
  for (let i = 0; i < counts.length; i++) {
    const count = counts[i] as number
    if (count === 0) continue
    if (below + count >= rank) {
      const fraction = Math.min(1, Math.max(0, (rank - below) / count))
      const { lowerNs, upperNs } = bucketBounds(i)
      if (i === 0) return fraction * upperNs
      if (i === LATENCY_BUCKET_COUNT - 1) return lowerNs
      // Clamped: rounding must not move the estimate out of the bucket it is known to be in.
      return Math.min(upperNs, Math.max(lowerNs, lowerNs * (upperNs / lowerNs) ** fraction))
    }
    below += count
  }
  // Unreachable: the last non-empty bucket always satisfies below + count >= q * total.
  return null
}
