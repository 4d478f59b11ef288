/**
 * The Mann-Whitney U test (Wilcoxon rank-sum) on two samples given as counts per ordered bucket,
 * which is all PxL returns for latency. Requests in one bucket are tied: they get the bucket's
 * mid-rank, and the variance carries the tie correction.
 * @module
 */
import { assertBucketCounts, type BucketCounts } from './buckets'
import { normalSf } from './normal'

/** Result of {@link mannWhitneyFromBuckets}; "greater" means the canary is slower. */
export interface MannWhitneyResult {
  /** The canary's U: (baseline, canary) pairs where the canary is slower, plus half the ties. */
  readonly u: number
  /** U / (n1 n2): the probability that a random canary request is slower (ties count half). */
  readonly probabilityGreater: number
  /** (U - n1 n2 / 2) / sd, without continuity correction; 0 when every request is tied. */
  readonly z: number
  /** Two-sided p-value (normal approximation, tie and continuity corrected). */
  readonly pTwoSided: number
  /** One-sided p-value for "the canary is slower" (normal approximation, corrected likewise). */
  readonly pGreater: number
}

/**
 * Mann-Whitney U from bucket counts of the canary (sample 1) and the baseline (sample 2); the
 * buckets must be in increasing order of value, of any number (not only the latency scheme).
 *
 * U = sum_i canary_i * (baseline below bucket i + baseline_i / 2), which equals the rank-sum
 * form with mid-ranks. Under H0, E[U] = n1 n2 / 2 and
 * Var[U] = n1 n2 / 12 * (N + 1 - sum_i (t_i^3 - t_i) / (N (N - 1))), t_i = requests in bucket i,
 * N = n1 + n2. P-values use the normal approximation with a continuity correction of 0.5,
 * (|U - E[U]| - 0.5) / sd floored at 0 for two-sided and (U - E[U] - 0.5) / sd for "greater".
 * With every request in one bucket there is no evidence either way: z = 0 and both p-values are 1.
 * Throws a RangeError when either side has no requests.
 */
export function mannWhitneyFromBuckets(
  canary: BucketCounts,
  baseline: BucketCounts
): MannWhitneyResult {
  const n1 = assertBucketCounts(canary, 'canary', Number.POSITIVE_INFINITY)
  const n2 = assertBucketCounts(baseline, 'baseline', Number.POSITIVE_INFINITY)
  if (n1 === 0 || n2 === 0) {
    throw new RangeError('mannWhitneyFromBuckets: both sides need at least one request')
  }
  const n = n1 + n2
  let u = 0
  let baselineBelow = 0
  let ties = 0
  const buckets = Math.max(canary.length, baseline.length)
  for (let i = 0; i < buckets; i++) {
    const a = canary[i] ?? 0
    const b = baseline[i] ?? 0
    u += a * (baselineBelow + b / 2)
    baselineBelow += b
    const t = a + b
    // (t^3 - t) / (N (N - 1)) term by term, so no intermediate exceeds double precision badly.
    if (t > 1) ties += (((t - 1) / (n - 1)) * t * (t + 1)) / n
  }
  const pairs = n1 * n2
  const mean = pairs / 2
  const variance = (pairs / 12) * (n + 1 - ties)
  const probabilityGreater = u / pairs
  // Rounding can leave a tiny positive variance when everything is tied; treat it as zero.
  if (!(variance > 1e-9 * (pairs / 12) * (n + 1))) {
    return { u, probabilityGreater, z: 0, pTwoSided: 1, pGreater: 1 }
  }
  const sd = Math.sqrt(variance)
  const diff = u - mean
  return {
    u,
    probabilityGreater,
    z: diff / sd,
    pTwoSided: Math.min(1, 2 * normalSf(Math.max(0, Math.abs(diff) - 0.5) / sd)),
    pGreater: normalSf((diff - 0.5) / sd),
  }
}
