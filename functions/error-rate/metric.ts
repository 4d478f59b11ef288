/**
 * The error-rate metric: the fraction of the selected pods' inbound HTTP requests that failed
 * (status >= 400 by default, as Pixie's own scripts count; `errors=5xx` counts only >= 500).
 * `error_rate` keeps the name the original Pixie demo answered with, so its AnalysisTemplates
 * (`jsonPath: {$.error_rate}`) work by changing the host.
 */
import type { MetricDefinition } from '../../shared/app'
import { errorRateParams, ERROR_MIN_STATUS } from '../../shared/params'
import type { ErrorStatuses } from '../../shared/params'
import { buildHttpStatsCall } from '../../shared/pxl/request'

export interface ErrorRateParams {
  errorStatuses: ErrorStatuses
}

export const errorRate: MetricDefinition<ErrorRateParams> = {
  metric: 'error-rate',
  params: errorRateParams,
  buildCall: (query) =>
    buildHttpStatsCall(
      { ...query, errorMinStatus: ERROR_MIN_STATUS[query.params.errorStatuses] },
      'px-canary/error-rate'
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
}
