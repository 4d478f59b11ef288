/**
 * The error-rate metric: the fraction of the selected pods' inbound HTTP requests that failed
 * (status >= 400 by default, as Pixie's own scripts count; `errors=5xx` counts only >= 500).
 * `error_rate` keeps the name the original Pixie demo answered with, so its AnalysisTemplates
 * (`jsonPath: {$.error_rate}`) work by changing the host.
 *
 * With a baseline selector the same query also measures the baseline, and `comparison.error_rate`
 * judges the canary against it (Fisher's exact test, Newcombe interval, a verdict).
 */
import { PxCanaryError } from '../../shared/errors'
import type { MetricDefinition } from '../../shared/metric'
import { errorRateComparison } from './comparison'
import { ERROR_MIN_STATUS, errorRateParams } from './params'
import type { ErrorRateParams } from './params'

export const errorRate: MetricDefinition<ErrorRateParams> = {
  name: 'error-rate',
  params: errorRateParams,
  errorMinStatus: (params) => ERROR_MIN_STATUS[params.errorStatuses],
  latencyBuckets: false,
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
    return { error_rate: errorRateComparison(sides.canary.stats, sides.baseline.stats, settings) }
  },
}
