/**
 * The throughput metric: inbound HTTP requests per second served by the selected pods, averaged
 * over the whole window (requests / window_seconds). Pixie's UI scripts average per-bin rates,
 * which skips empty bins; a canary gate needs the plain count over the window.
 */
import type { MetricDefinition } from '../../shared/app'
import { noExtraParams } from '../../shared/params'
import { buildHttpStatsCall } from '../../shared/pxl/request'

/** Throughput does not depend on which statuses are errors; the PxL function still takes one. */
const ERROR_MIN_STATUS = 400

export const throughput: MetricDefinition<Record<string, never>> = {
  metric: 'throughput',
  params: noExtraParams,
  buildCall: (query) =>
    buildHttpStatsCall({ ...query, errorMinStatus: ERROR_MIN_STATUS }, 'px-canary/throughput'),
  figures: (stats, query) => {
    // Zero requests may equally mean "nothing matched the selector": report no measurement.
    const rps = stats.requests === 0 ? null : stats.requests / query.windowSeconds
    return { value: rps, rps }
  },
}
