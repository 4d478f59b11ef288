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
  HTTP_STATS_COLUMNS,
  HTTP_STATS_FUNCTIONS,
  HTTP_STATS_SCRIPT,
  HTTP_STATS_TABLE,
} from './http-stats'
export type { HttpStatsFunction } from './http-stats'
export { buildHttpStatsCall, httpStatsArgs } from './request'
export type { HttpStatsQuery, PxlCall } from './request'
export { decodeHttpStats } from './result'
export type { HttpStats, LatencyNs } from './result'
