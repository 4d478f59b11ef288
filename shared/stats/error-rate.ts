/**
 * The error-rate comparison of canary against baseline: rates, difference, ratio, a confidence
 * interval for the difference and p-values, ready to be returned as the `comparison` block.
 * @module
 */
import { assertErrorCounts, assertOpenUnit, type ErrorCounts } from './counts'
import { fisherExactTest } from './fisher'
import { newcombeInterval, twoProportionZTest, type Interval } from './proportions'

/** Which test produced the p-values. */
export type ProportionTest = 'fisher_exact' | 'two_proportion_z'

/** One side's figures; `rate` is null when the side had no requests. */
export interface ErrorRateSide {
  readonly errors: number
  readonly requests: number
  readonly rate: number | null
}

/**
 * The comparison. Every derived figure is null when it cannot be measured (a side without
 * requests, or a ratio over a baseline rate of 0): null is never a healthy 0.
 */
export interface ErrorRateComparison {
  readonly canary: ErrorRateSide
  readonly baseline: ErrorRateSide
  /** canary rate - baseline rate (a fraction, e.g. 0.04 is 4 percentage points). */
  readonly difference: number | null
  /** canary rate / baseline rate; null when the baseline rate is 0. */
  readonly ratio: number | null
  /** Newcombe hybrid score interval for `difference`. */
  readonly interval: Interval | null
  readonly pValueTwoSided: number | null
  /** One-sided p-value for "the canary errs more often than the baseline". */
  readonly pValueCanaryGreater: number | null
  readonly test: ProportionTest | null
}

export interface ErrorRateOptions {
  /** Confidence level of `interval` (default 0.95). */
  readonly confidence?: number
  /**
   * Fisher's exact test is used while the hypergeometric variance of the canary's error count
   * is at most this (default 250 000), which covers every table up to a million requests per
   * side at well under a millisecond. Above it, the pooled z-test is used: every expected cell
   * count then exceeds this number, where the two agree to a few parts in a thousand.
   */
  readonly exactMaxVariance?: number
}

/** Default {@link ErrorRateOptions.exactMaxVariance}. */
export const FISHER_EXACT_MAX_VARIANCE = 250_000

/**
 * Compares canary and baseline error counts. Throws PxCanaryError result_invalid_count for
 * counts that are not integers with 0 <= errors <= requests, and a RangeError for a confidence
 * outside (0, 1).
 */
export function compareErrorRates(
  canary: ErrorCounts,
  baseline: ErrorCounts,
  options: ErrorRateOptions = {}
): ErrorRateComparison {
  assertErrorCounts(canary, 'canary')
  assertErrorCounts(baseline, 'baseline')
  const confidence = options.confidence ?? 0.95
  assertOpenUnit(confidence, 'confidence')
  const c = side(canary)
  const b = side(baseline)
  if (c.rate === null || b.rate === null) {
    return {
      canary: c,
      baseline: b,
      difference: null,
      ratio: null,
      interval: null,
      pValueTwoSided: null,
      pValueCanaryGreater: null,
      test: null,
    }
  }
  const exact =
    hypergeometricVariance(canary, baseline) <=
    (options.exactMaxVariance ?? FISHER_EXACT_MAX_VARIANCE)
  let pTwoSided: number
  let pGreater: number
  if (exact) {
    const fisher = fisherExactTest(canary, baseline)
    pTwoSided = fisher.pTwoSided
    pGreater = fisher.pGreater
  } else {
    const z = twoProportionZTest(canary, baseline)
    pTwoSided = z.pTwoSided
    pGreater = z.pGreater
  }
  return {
    canary: c,
    baseline: b,
    difference: c.rate - b.rate,
    ratio: b.rate > 0 ? c.rate / b.rate : null,
    interval: newcombeInterval(canary, baseline, confidence),
    pValueTwoSided: pTwoSided,
    pValueCanaryGreater: pGreater,
    test: exact ? 'fisher_exact' : 'two_proportion_z',
  }
}

function side(counts: ErrorCounts): ErrorRateSide {
  return {
    errors: counts.errors,
    requests: counts.requests,
    rate: counts.requests > 0 ? counts.errors / counts.requests : null,
  }
}

/** Var[X] of the canary's error count given the margins: n1 n2 K (N - K) / (N^2 (N - 1)). */
function hypergeometricVariance(canary: ErrorCounts, baseline: ErrorCounts): number {
  const n1 = canary.requests
  const n2 = baseline.requests
  const n = n1 + n2
  const k = canary.errors + baseline.errors
  if (n < 2) return 0
  return ((n1 / n) * n2 * (k / n) * (n - k)) / (n - 1)
}
