/**
 * One side's decoded figures (what shared/pxl/result.ts hands a comparison), for the metrics'
 * comparison tests: quantiles scaled from the p99, no latency at all without requests.
 */
import type { HttpStats } from '../../shared/pxl/result'

/** `requests` with `errors`; p50/p90 at 30 % / 70 % of `p99Ms`; mean 0. */
export function decodedStats(requests: number, errors = 0, p99Ms = 100): HttpStats {
  return {
    requests,
    errors,
    latencyNs:
      requests === 0 ? null : { p50: p99Ms * 0.3e6, p90: p99Ms * 0.7e6, p99: p99Ms * 1e6, mean: 0 },
  }
}
