/** The latency figures of one side, in milliseconds, from Pixie's nanoseconds. */
import type { MetricFigures } from '../../shared/metric'
import type { HttpStats } from '../../shared/pxl/result'
import type { Quantile } from './params'

/** Nanoseconds to milliseconds, kept to the microsecond (finer digits are sketch noise). */
export function ms(ns: number): number {
  return Math.round(ns / 1e3) / 1e3
}

/** `value` (the chosen quantile) and `latency_ms`; all null without requests. */
export function latencyFigures(stats: HttpStats, quantile: Quantile): MetricFigures {
  if (stats.latencyNs === null) {
    return { value: null, quantile, latency_ms: { p50: null, p90: null, p99: null, mean: null } }
  }
  const latencyMs = {
    p50: ms(stats.latencyNs.p50),
    p90: ms(stats.latencyNs.p90),
    p99: ms(stats.latencyNs.p99),
    mean: ms(stats.latencyNs.mean),
  }
  return { value: latencyMs[quantile], quantile, latency_ms: latencyMs }
}
