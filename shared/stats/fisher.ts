/**
 * Fisher's exact test for a 2x2 table (canary vs baseline, error vs success), exact for any
 * counts, so small canaries (a handful of requests, zero errors) get a valid p-value.
 * @module
 */
import { assertErrorCounts, type ErrorCounts } from './counts'

/** P-values of Fisher's exact test; "greater" means the canary's error proportion is higher. */
export interface FisherExactResult {
  /** Sum of the probabilities of all tables no more likely than the observed one. */
  readonly pTwoSided: number
  /** P(X >= observed canary errors): evidence that the canary errs more often. */
  readonly pGreater: number
  /** P(X <= observed canary errors). */
  readonly pLess: number
}

/**
 * Tables whose probability is within this relative tolerance of the observed one count as "as
 * likely" in the two-sided sum, so that floating-point noise between mathematically equal table
 * probabilities (symmetric tables) does not drop them. R's fisher.test uses the same 1 + 1e-7.
 */
const TIE_TOLERANCE = 1 + 1e-7

/** Terms below this fraction of the mode's probability are not visited (they underflow anyway). */
const NEGLIGIBLE = 1e-300

/**
 * Fisher's exact test on the table [[a, n1 - a], [c, n2 - c]] with a = canary errors of n1
 * requests and c = baseline errors of n2 requests.
 *
 * Conditioning on the margins, the canary's error count X is hypergeometric. Instead of
 * log-factorials, the probabilities are walked outwards from the mode with the exact ratio
 * P(x+1)/P(x) = (K-x)(n1-x) / ((x+1)(n2-K+x+1)) and normalised by their own sum, which is exact up
 * to rounding (about 1e-12 relative) and never overflows. Only terms above 1e-300 of the mode are
 * visited: about 37 standard deviations each side, so the cost is O(sqrt(n)) rather than O(n): at
 * most about 30 000 steps, well under a millisecond, at a million requests per side. A p-value below about 1e-300 reads 0.
 */
export function fisherExactTest(canary: ErrorCounts, baseline: ErrorCounts): FisherExactResult {
  assertErrorCounts(canary, 'canary')
  assertErrorCounts(baseline, 'baseline')
  const a = canary.errors
  const n1 = canary.requests
  const n2 = baseline.requests
  const k = a + baseline.errors
  const lo = Math.max(0, k - n2)
  const hi = Math.min(k, n1)
  if (lo === hi) return { pTwoSided: 1, pGreater: 1, pLess: 1 }

  const mode = Math.min(hi, Math.max(lo, Math.floor(((n1 + 1) * (k + 1)) / (n1 + n2 + 2))))
  // Relative probabilities r(x) = P(x) / P(mode), below the mode and from the mode upwards.
  const down: number[] = []
  for (let x = mode, r = 1; x > lo;) {
    r *= (x * (n2 - k + x)) / ((k - x + 1) * (n1 - x + 1))
    x--
    if (r < NEGLIGIBLE) break
    down.push(r)
  }
  const up: number[] = [1]
  for (let x = mode, r = 1; x < hi; x++) {
    r *= ((k - x) * (n1 - x)) / ((x + 1) * (n2 - k + x + 1))
    if (r < NEGLIGIBLE) break
    up.push(r)
  }
  const first = mode - down.length
  const rel = (x: number): number => (x < mode ? (down[mode - 1 - x] ?? 0) : (up[x - mode] ?? 0))

  const observed = rel(a) * TIE_TOLERANCE
  let total = 0
  let greater = 0
  let less = 0
  let twoSided = 0
  // Sum from the smallest terms (the ends) inwards for accuracy.
  const last = mode + up.length - 1
  for (let i = first, j = last; i <= j;) {
    const x = rel(i) <= rel(j) ? i++ : j--
    const r = rel(x)
    total += r
    if (x >= a) greater += r
    if (x <= a) less += r
    if (r <= observed) twoSided += r
  }
  return {
    pTwoSided: Math.min(1, twoSided / total),
    pGreater: Math.min(1, greater / total),
    pLess: Math.min(1, less / total),
  }
}
