/**
 * The latency bucket scheme shared by PxL (which counts requests per bucket) and the statistics
 * here (which rebuild quantiles and the Mann-Whitney test from those counts). A bounded summary
 * of at most LATENCY_BUCKET_COUNT rows per side keeps the rows fetched from Pixie constant however
 * much traffic there is.
 *
 * Scheme: four buckets per octave of nanoseconds. Bucket k (1 <= k <= 108) holds latencies in
 * [2^((k+39)/4), 2^((k+40)/4)) ns, so bucket 1 starts at 2^10 ns = 1.024 us and bucket 108 ends at
 * 2^37 ns = 137.4 s; bucket 0 holds everything faster than 1.024 us and bucket 109 everything
 * from 137.4 s up. Adjacent bounds differ by a factor 2^(1/4) = 1.189, which bounds the relative
 * error of a quantile read from the buckets by 19 %.
 *
 * PxL computes the same index from an INT64 latency in ns with px.log2 and px.floor:
 *
 *     lat = px.select(df.latency < 1023, 1023, df.latency)
 *     lat = px.select(lat > 137438953472, 137438953472, lat)
 *     df.bucket = px.floor(4.0 * px.log2(lat)) - 39
 *
 * For integer ns the latency is in bucket k exactly when latency^4 >= 2^(k+39), so the integer
 * lower bounds in {@link LATENCY_BUCKET_LOWER_NS} are ceil(2^((k+39)/4)); the tests check that
 * every bound is at least 1e-12 away (in log2 units) from the nearest exact boundary, so any log2
 * accurate to a few ulps gives the same bucket as {@link bucketIndex}.
 * @module
 */
import { PxCanaryError } from '../errors'
import { assertCount } from './counts'

/** Buckets per octave (factor 2) of latency. */
export const LATENCY_BUCKETS_PER_OCTAVE = 4
/** Number of buckets, underflow (0) and overflow (last) included. */
export const LATENCY_BUCKET_COUNT = 110
/** Bucket k >= 1 starts at 2^((k + OFFSET) / 4) ns; PxL subtracts this from floor(4 log2 ns). */
export const LATENCY_BUCKET_INDEX_OFFSET = 39
/** Latencies below this many ns land in bucket 0 (the underflow bucket). */
export const LATENCY_BUCKET_MIN_NS = 1024
/** Latencies at or above this many ns (2^37, 137.4 s) land in the last (overflow) bucket. */
export const LATENCY_BUCKET_MAX_NS = 137_438_953_472

/**
 * Inclusive integer lower bound, in ns, of every bucket: entry k is the smallest integer latency
 * in bucket k (0 for bucket 0). Offered as data so a PxL script or a simulator can bucket without
 * this module.
 */
export const LATENCY_BUCKET_LOWER_NS: readonly number[] = /* @__PURE__ */ lowerBounds()

function lowerBounds(): number[] {
  const bounds = [0]
  for (let k = 1; k < LATENCY_BUCKET_COUNT; k++) {
    bounds.push(Math.ceil(2 ** ((k + LATENCY_BUCKET_INDEX_OFFSET) / LATENCY_BUCKETS_PER_OCTAVE)))
  }
  return bounds
}

/** A bucket's latency range in ns: integer latencies with lowerNs <= latency < upperNs. */
export interface BucketBounds {
  readonly lowerNs: number
  /** Infinity for the overflow bucket. */
  readonly upperNs: number
}

/**
 * The bucket that holds a latency given in ns (an INT64 cell arrives as a bigint). Fractions of a
 * ns are dropped first, as PxL's INT64 latency has none. Throws a RangeError for a negative or
 * non-finite latency.
 */
export function bucketIndex(latencyNs: number | bigint): number {
  let ns: number
  if (typeof latencyNs === 'bigint') {
    ns = latencyNs >= BigInt(LATENCY_BUCKET_MAX_NS) ? LATENCY_BUCKET_MAX_NS : Number(latencyNs)
  } else {
    ns = Math.floor(latencyNs)
  }
  if (!(ns >= 0) || !Number.isFinite(ns)) {
    throw new RangeError(
      `bucketIndex: latency must be a finite number of ns >= 0, got ${String(latencyNs)}`
    )
  }
  if (ns < LATENCY_BUCKET_MIN_NS) return 0
  if (ns >= LATENCY_BUCKET_MAX_NS) return LATENCY_BUCKET_COUNT - 1
  const bounds = LATENCY_BUCKET_LOWER_NS
  // The log2 estimate is exact except within rounding of a bound; the integer bounds decide.
  let k = Math.floor(LATENCY_BUCKETS_PER_OCTAVE * Math.log2(ns)) - LATENCY_BUCKET_INDEX_OFFSET
  k = Math.min(LATENCY_BUCKET_COUNT - 2, Math.max(1, k))
  while (k > 1 && ns < (bounds[k] as number)) k--
  while (k < LATENCY_BUCKET_COUNT - 2 && ns >= (bounds[k + 1] as number)) k++
  return k
}

/** The latency range of bucket `index`; throws a RangeError for an index outside the scheme. */
export function bucketBounds(index: number): BucketBounds {
  if (!Number.isInteger(index) || index < 0 || index >= LATENCY_BUCKET_COUNT) {
    throw new RangeError(
      `bucketBounds: index must be an integer in [0, ${LATENCY_BUCKET_COUNT - 1}], got ${index}`
    )
  }
  const lowerNs = LATENCY_BUCKET_LOWER_NS[index] as number
  const upperNs = LATENCY_BUCKET_LOWER_NS[index + 1] ?? Number.POSITIVE_INFINITY
  return { lowerNs, upperNs }
}

/**
 * Dense per-bucket request counts (index = bucket, missing trailing entries count 0), as the
 * quantile and Mann-Whitney functions take them.
 */
export type BucketCounts = readonly number[]

/** One row of a PxL per-bucket aggregate; INT64 cells arrive as bigint. */
export interface BucketRow {
  readonly bucket: number | bigint
  readonly count: number | bigint
}

/**
 * Turns PxL rows (bucket, count) into dense {@link BucketCounts}, adding up repeated buckets.
 * Throws PxCanaryError result_invalid_bucket for an index outside the scheme and
 * result_invalid_count for a negative or non-integer count, because such a row means the query
 * and this scheme disagree and no statistic built on it can be trusted.
 */
export function toBucketCounts(rows: Iterable<BucketRow>): number[] {
  const counts: number[] = new Array<number>(LATENCY_BUCKET_COUNT).fill(0)
  for (const row of rows) {
    const index = Number(row.bucket)
    if (!Number.isInteger(index) || index < 0 || index >= LATENCY_BUCKET_COUNT) {
      throw new PxCanaryError(
        'result_invalid_bucket',
        `latency bucket index must be an integer in [0, ${LATENCY_BUCKET_COUNT - 1}], got ${String(row.bucket)}`,
        { details: { bucket: String(row.bucket) } }
      )
    }
    const count = Number(row.count)
    assertCount(count, `bucket ${index} count`)
    counts[index] = (counts[index] as number) + count
  }
  assertBucketCounts(counts, 'buckets')
  return counts
}

/**
 * Checks dense bucket counts (at most `maxBuckets` entries, by default the latency scheme's, each
 * a non-negative integer, a total that is still a safe integer) and returns the total.
 */
export function assertBucketCounts(
  counts: BucketCounts,
  label: string,
  maxBuckets: number = LATENCY_BUCKET_COUNT
): number {
  if (counts.length > maxBuckets) {
    throw new PxCanaryError(
      'result_invalid_bucket',
      `${label} has ${counts.length} buckets, at most ${maxBuckets} expected`
    )
  }
  let total = 0
  for (let i = 0; i < counts.length; i++) {
    const count = counts[i] as number
    assertCount(count, `${label}[${i}]`)
    total += count
  }
  assertCount(total, `${label} total`)
  return total
}
