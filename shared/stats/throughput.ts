/**
 * The throughput comparison: each side's request rate and the canary's share of the traffic,
 * which shows whether the traffic split (e.g. a 10 % canary weight) is what the rollout intends.
 * @module
 */
import { assertCount } from './counts'

/** Rates in requests per second; a figure that cannot be measured is null. */
export interface ThroughputComparison {
  readonly canaryRps: number
  readonly baselineRps: number
  /** canary / (canary + baseline) requests; null when neither side had requests. */
  readonly canaryShare: number | null
  /** canary / baseline rate; null when the baseline had no requests. */
  readonly ratio: number | null
}

/**
 * Request rates over a window of `windowSeconds` (> 0). Throws PxCanaryError
 * result_invalid_count for counts that are not non-negative integers and a RangeError for a
 * window that is not a positive finite number.
 */
export function compareThroughput(
  canaryRequests: number,
  baselineRequests: number,
  windowSeconds: number
): ThroughputComparison {
  assertCount(canaryRequests, 'canary.requests')
  assertCount(baselineRequests, 'baseline.requests')
  if (!(windowSeconds > 0 && Number.isFinite(windowSeconds))) {
    throw new RangeError(`windowSeconds must be a positive number, got ${String(windowSeconds)}`)
  }
  const total = canaryRequests + baselineRequests
  return {
    canaryRps: canaryRequests / windowSeconds,
    baselineRps: baselineRequests / windowSeconds,
    canaryShare: total > 0 ? canaryRequests / total : null,
    ratio: baselineRequests > 0 ? canaryRequests / baselineRequests : null,
  }
}
