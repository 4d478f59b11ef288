/**
 * The error-rate metric: the fraction of the selected pods' inbound HTTP requests that failed
 * (status >= 400 by default, as Pixie's own scripts count; `errors=5xx` counts only >= 500).
 * `error_rate` keeps the name the original Pixie demo answered with, so its AnalysisTemplates
 * (`jsonPath: {$.error_rate}`) work by changing the host.
 *
 * With a baseline selector the same query also measures the baseline, and `comparison.error_rate`
 * judges the canary against it (Fisher's exact test, Newcombe interval, a verdict).
 */
import type { MetricDefinition } from '../../shared/app'
import { errorRateComparison } from '../../shared/comparison'
import { ERROR_RATE_MARGIN, withComparisonParams } from '../../shared/comparison-params'
import type { ComparisonSettings } from '../../shared/comparison-params'
import { PxCanaryError } from '../../shared/errors'
import { errorRateParams, ERROR_MIN_STATUS } from '../../shared/params'
import type { ErrorStatuses } from '../../shared/params'
import { buildMetricCall } from '../../shared/pxl/comparison'

export interface ErrorRateParams {
  errorStatuses: ErrorStatuses
  /** How to judge against a baseline; null without one. */
  comparison: ComparisonSettings | null
}

export const errorRate: MetricDefinition<ErrorRateParams> = {
  metric: 'error-rate',
  params: withComparisonParams(errorRateParams, ERROR_RATE_MARGIN),
  buildCall: (query) =>
    buildMetricCall(
      { ...query, errorMinStatus: ERROR_MIN_STATUS[query.params.errorStatuses] },
      'px-canary/error-rate',
      { latencyBuckets: false }
    ),
  figures: (stats, query) => {
    // No requests means no measurement: null, never a reassuring 0.
    const rate = stats.requests === 0 ? null : stats.errors / stats.requests
    return {
      value: rate,
      error_rate: rate,
      errors: stats.errors,
      error_statuses: query.params.errorStatuses,
    }
  },
  compare: (sides, query) => {
    const settings = query.params.comparison
    if (settings === null) {
      throw new PxCanaryError('internal_error', 'a comparison without comparison settings')
    }
    return { error_rate: errorRateComparison(sides.canary, sides.baseline, settings) }
  },
}
