/**
 * The PxL library: the scripts as constant data, the builders that turn validated parameters into
 * Vizier ExecuteScript calls, and the defensive decoder of their result.
 */
export { definePxlScript } from './script'
export type { PxlScript } from './script'
export {
  DEFAULT_EXCLUDED_PATHS,
  MATCH_NOTHING_PATTERN,
  escapeRegex,
  excludedPathsPattern,
} from './exclusion'
export {
  HTTP_LATENCY_FUNCTIONS,
  HTTP_STATS_COLUMNS,
  HTTP_STATS_FUNCTIONS,
  HTTP_STATS_SCRIPT,
  HTTP_STATS_TABLE,
  LATENCY_BUCKET_COLUMNS,
  SELECTOR_ARGS,
} from './http-stats'
export type { HttpLatencyFunction, HttpStatsFunction } from './http-stats'
export {
  buildComparisonCall,
  buildMetricCall,
  COMPARISON_PREFIXES,
  decodeComparison,
  decodeComparisonBuckets,
  decodeComparisonStats,
  decodeLatencyBuckets,
} from './comparison'
export type {
  ComparedStats,
  ComparisonCallOptions,
  ComparisonInput,
  ComparisonPlan,
  ComparisonQuery,
  ComparisonSideName,
  ComparisonSideTables,
  MetricStatsQuery,
} from './comparison'
export { buildHttpStatsCall, httpStatsArgs } from './request'
export type { HttpStatsQuery, PxlCall } from './request'
export { decodeHttpStats } from './result'
export type { HttpStats, LatencyNs } from './result'
