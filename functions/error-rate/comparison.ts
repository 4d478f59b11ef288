/**
 * `comparison.error_rate`: the canary's error rate against the baseline's, both measured by the
 * same Pixie query over the same window. This is what a fixed threshold cannot do: it sees a
 * canary that doubles a 1 % error rate, and does not blame the canary for an outage that hits
 * the stable pods too. A figure that cannot be measured is null, and the verdict then
 * `insufficient_data`, never a pass.
 */
import { judged } from '../../shared/comparison-params'
import type { ComparisonSettings, JudgedBy } from '../../shared/comparison-params'
import type { HttpStats } from '../../shared/pxl/result'
import { errorRateRolloutVerdict } from '../../shared/stats'
import type { ProportionTest } from '../../shared/stats'

/** One side's error figures. */
export interface ErrorRateSideBody {
  requests: number
  errors: number
  rate: number | null
}

/** `comparison.error_rate`. */
export interface ErrorRateComparisonBody extends JudgedBy {
  canary: ErrorRateSideBody
  baseline: ErrorRateSideBody
  /** Canary rate minus baseline rate (a fraction). */
  difference: number | null
  /** Canary rate over baseline rate; null when the baseline rate is 0. */
  ratio: number | null
  /** Two-sided (1 - 2 alpha_per_test) Newcombe interval: its lower end matches the test. */
  interval: { level: number; lower: number; upper: number } | null
  /** Two-sided p-value. */
  p_value: number | null
  /** One-sided p-value for "the canary errs more often" (what the verdict uses). */
  p_value_canary_greater: number | null
  test: ProportionTest | null
}

/**
 * Canary error rate against the baseline's: Fisher's exact test (z above its size threshold),
 * the Newcombe interval, and the verdict (worse only when significant at alpha / looks AND the
 * difference exceeds the margin), so `looks` looks together stay at alpha.
 *
 * @throws PxCanaryError result_invalid_count for counts that cannot be trusted
 */
export function errorRateComparison(
  canary: HttpStats,
  baseline: HttpStats,
  settings: ComparisonSettings
): ErrorRateComparisonBody {
  const verdict = errorRateRolloutVerdict(
    { errors: canary.errors, requests: canary.requests },
    { errors: baseline.errors, requests: baseline.requests },
    {
      alpha: settings.alpha,
      looks: settings.looks,
      margin: settings.margin,
      minSamples: settings.minRequests,
    }
  )
  const cmp = verdict.comparison
  return {
    canary: { ...cmp.canary },
    baseline: { ...cmp.baseline },
    difference: cmp.difference,
    ratio: cmp.ratio,
    interval: cmp.interval === null ? null : { ...cmp.interval },
    p_value: cmp.pValueTwoSided,
    p_value_canary_greater: cmp.pValueCanaryGreater,
    test: cmp.test,
    ...judged(verdict, settings, verdict.alphaPerTest),
  }
}
