/**
 * The binomial distribution's lower and upper tails, exact up to rounding for any n that is a
 * safe integer: the tail tests (traffic share, exceedances) and the order-statistic quantile
 * bounds all reduce to "how likely are k or fewer successes in n trials".
 *
 * As in fisher.ts, no log-factorials: the probabilities are walked outwards from the mode with
 * the exact ratio P(x+1)/P(x) = (n-x)p / ((x+1)(1-p)) and normalised by their own sum. Terms
 * below 1e-300 of the mode are not visited, so the cost is O(sqrt(n p (1-p))), not O(n).
 * @module
 */
import { assertCount } from './counts'

const NEGLIGIBLE = 1e-300

/** P(X <= k) and P(X >= k) for X ~ Binomial(n, p). */
export interface BinomialTails {
  /** P(X <= k). */
  readonly lower: number
  /** P(X >= k). */
  readonly upper: number
}

/**
 * Both tails at k of Binomial(n, p). Throws result_invalid_count unless n is a non-negative safe
 * integer, and a RangeError unless 0 <= p <= 1 and k is an integer (k outside [0, n] is allowed
 * and gives the obvious 0 or 1).
 */
export function binomialTails(k: number, n: number, p: number): BinomialTails {
  assertCount(n, 'n')
  if (!Number.isInteger(k)) throw new RangeError(`binomialTails: k must be an integer, got ${k}`)
  if (!(p >= 0 && p <= 1)) throw new RangeError(`binomialTails: p must be in [0, 1], got ${p}`)
  if (k < 0) return { lower: 0, upper: 1 }
  if (k > n) return { lower: 1, upper: 0 }
  if (p === 0) return { lower: 1, upper: k === 0 ? 1 : 0 }
  if (p === 1) return { lower: k === n ? 1 : 0, upper: 1 }
  const odds = p / (1 - p)
  const mode = Math.min(n, Math.floor((n + 1) * p))
  // Relative probabilities r(x) = P(x) / P(mode), summed without storing them: each sum only
  // ever adds terms of one tail, so small tails keep their relative precision.
  let total = 1
  let lower = mode <= k ? 1 : 0
  let upper = mode >= k ? 1 : 0
  for (let x = mode, r = 1; x > 0;) {
    r *= x / ((n - x + 1) * odds)
    x--
    if (r < NEGLIGIBLE) break
    total += r
    if (x <= k) lower += r
    if (x >= k) upper += r
  }
  for (let x = mode, r = 1; x < n;) {
    r *= ((n - x) * odds) / (x + 1)
    x++
    if (r < NEGLIGIBLE) break
    total += r
    if (x <= k) lower += r
    if (x >= k) upper += r
  }
  return { lower: Math.min(1, lower / total), upper: Math.min(1, upper / total) }
}

/** P(X <= k) for X ~ Binomial(n, p); see {@link binomialTails}. */
export function binomialCdf(k: number, n: number, p: number): number {
  return binomialTails(k, n, p).lower
}

/** P(X >= k) for X ~ Binomial(n, p); see {@link binomialTails}. */
export function binomialSf(k: number, n: number, p: number): number {
  return binomialTails(k, n, p).upper
}
