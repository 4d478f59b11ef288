/**
 * Score-based intervals and the large-sample z-test for proportions. Wilson and Newcombe are
 * used instead of the textbook Wald interval because they stay inside [0, 1] and keep close to
 * their nominal coverage at small counts and at 0 errors, which is the common canary case.
 * @module
 */
import { assertCount, assertErrorCounts, assertOpenUnit, type ErrorCounts } from './counts'
import { normalQuantile, normalSf } from './normal'

/** A two-sided confidence interval. */
export interface Interval {
  /** Confidence level, e.g. 0.95. */
  readonly level: number
  readonly lower: number
  readonly upper: number
}

/**
 * Wilson's score interval for a single proportion x/n (Wilson 1927; method 3 of Newcombe 1998a),
 * without continuity correction. Throws a RangeError for confidence outside (0, 1) and
 * result_invalid_count for counts that are not integers with 0 <= x <= n, n >= 1.
 */
export function wilsonInterval(successes: number, total: number, confidence = 0.95): Interval {
  assertCount(successes, 'successes')
  assertCount(total, 'total')
  assertErrorCounts({ errors: successes, requests: total }, 'proportion')
  if (total === 0) throw new RangeError('wilsonInterval: total must be at least 1')
  assertOpenUnit(confidence, 'confidence')
  const z = normalQuantile(1 - (1 - confidence) / 2)
  const p = successes / total
  const z2n = (z * z) / total
  const centre = (p + z2n / 2) / (1 + z2n)
  const half = (z / (1 + z2n)) * Math.sqrt((p * (1 - p)) / total + z2n / (4 * total))
  return {
    level: confidence,
    lower: successes === 0 ? 0 : Math.max(0, centre - half),
    upper: successes === total ? 1 : Math.min(1, centre + half),
  }
}

/**
 * Newcombe's hybrid score interval for the difference canary - baseline of two independent
 * proportions (Newcombe 1998b, method 10): it combines the two Wilson intervals,
 * L = d - sqrt((p1 - l1)^2 + (u2 - p2)^2), U = d + sqrt((u1 - p1)^2 + (p2 - l2)^2).
 * Both sides need at least one request.
 */
export function newcombeInterval(
  canary: ErrorCounts,
  baseline: ErrorCounts,
  confidence = 0.95
): Interval {
  assertErrorCounts(canary, 'canary')
  assertErrorCounts(baseline, 'baseline')
  if (canary.requests === 0 || baseline.requests === 0) {
    throw new RangeError('newcombeInterval: both sides need at least one request')
  }
  const p1 = canary.errors / canary.requests
  const p2 = baseline.errors / baseline.requests
  const w1 = wilsonInterval(canary.errors, canary.requests, confidence)
  const w2 = wilsonInterval(baseline.errors, baseline.requests, confidence)
  const d = p1 - p2
  return {
    level: confidence,
    lower: Math.max(-1, d - Math.hypot(p1 - w1.lower, w2.upper - p2)),
    upper: Math.min(1, d + Math.hypot(w1.upper - p1, p2 - w2.lower)),
  }
}

/** Result of the pooled two-proportion z-test. */
export interface ZTestResult {
  /** (p1 - p2) / pooled standard error; 0 when the pooled proportion is 0 or 1. */
  readonly z: number
  readonly pTwoSided: number
  /** P(Z >= z): evidence that the canary's proportion is higher. */
  readonly pGreater: number
}

/**
 * The pooled two-proportion z-test (equivalently Pearson's chi-square on the 2x2 table, z^2 =
 * X^2), without continuity correction. Valid only for large expected counts; the error-rate
 * comparison uses it only where Fisher's exact test would be slow and the two agree closely.
 * With no errors (or only errors) on both sides there is no evidence of a difference: z = 0, p = 1.
 */
export function twoProportionZTest(canary: ErrorCounts, baseline: ErrorCounts): ZTestResult {
  assertErrorCounts(canary, 'canary')
  assertErrorCounts(baseline, 'baseline')
  const n1 = canary.requests
  const n2 = baseline.requests
  if (n1 === 0 || n2 === 0) {
    throw new RangeError('twoProportionZTest: both sides need at least one request')
  }
  const pooled = (canary.errors + baseline.errors) / (n1 + n2)
  const se = Math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
  if (!(se > 0)) return { z: 0, pTwoSided: 1, pGreater: 1 }
  const z = (canary.errors / n1 - baseline.errors / n2) / se
  return { z, pTwoSided: Math.min(1, 2 * normalSf(Math.abs(z))), pGreater: normalSf(z) }
}
