/**
 * The shared library every function bundles: the app builder and its entry, the HTTP contract's
 * parameters, errors, logging and configuration, and the PxL library. Functions import named
 * members from here or from the modules directly; esbuild drops what a bundle does not use.
 */
export { createMetricApp, DEFAULT_MAX_CONCURRENT_QUERIES, DEFAULT_REQUEST_TIMEOUT_MS } from './app'
export type {
  BaselineBody,
  MetricAppDeps,
  MetricBody,
  MetricDefinition,
  MetricFigures,
} from './app'
export { errorRateComparison, latencyComparison, throughputComparison } from './comparison'
export type {
  ComparedSides,
  ComparisonSide,
  ErrorRateComparisonBody,
  LatencyComparisonBody,
  ThroughputComparisonBody,
} from './comparison'
export {
  COMPARISON_PARAMS,
  DEFAULT_MIN_REQUESTS,
  ERROR_RATE_MARGIN,
  LATENCY_MARGIN,
  parseComparisonSettings,
  withComparisonParams,
} from './comparison-params'
export type { ComparisonSettings, MarginSpec } from './comparison-params'
export {
  describeFilters,
  FILTER_PARAMS,
  HTTP_METHODS,
  MATCH_EVERYTHING_PATTERN,
  methodFilterPattern,
  NO_FILTERS,
  parseMethodFilter,
  parsePathFilter,
  parseRequestFilters,
  pathFilterPattern,
} from './filters'
export type { HttpMethod, RequestFilters } from './filters'
export { bearerChecker } from './auth'
export { ConfigError, DEFAULT_PORT, parseEnv } from './env'
export type { Env, ServerConfig } from './env'
export { PxCanaryError } from './errors'
export type { ErrorCode, ErrorOptions } from './errors'
export { errorResponse, handleError, statusForCode } from './http-errors'
export type { AppEnv, ErrorBody } from './http-errors'
export { createLogger, silentLogger } from './logger'
export type { LogFields, Logger, LoggerOptions, LogLevel } from './logger'
export {
  DEFAULT_WINDOW_SECONDS,
  ERROR_MIN_STATUS,
  errorRateParams,
  latencyParams,
  MAX_WINDOW_SECONDS,
  MIN_WINDOW_SECONDS,
  noExtraParams,
  parseMetricQuery,
} from './params'
export type {
  CommonParams,
  ErrorStatuses,
  ExtraParams,
  MetricName,
  MetricQuery,
  ParamContext,
  Quantile,
  RawParams,
} from './params'
export { createQueryRunner } from './query-runner'
export type { QueryRunner, QueryRunnerOptions } from './query-runner'
export type { PodPrefixSelector, ReplicaSetSelector, Selector, ServiceSelector } from './selector'
export { serveMetric } from './serve'
export type { ServeOptions } from './serve'
export * from './pxl'
