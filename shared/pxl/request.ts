/**
 * Typed builders that turn validated parameters into a Vizier ExecuteScript call. The PxL source
 * is always the protocol's constant script (STATS_SCRIPTS); every request value (namespace, selector, window,
 * excluded paths, request filters, error threshold) becomes a string argument of one exec_funcs
 * entry, which Pixie binds as a literal and never parses as code.
 */
import { methodFilterPattern, NO_FILTERS, pathFilterPattern } from '../filters'
import type { RequestFilters } from '../filters'
import type { ExecuteScriptOptions } from '../pixie/types'
import type { Selector } from '../selector'
import { excludedPathsPattern } from './exclusion'
import { grpcOkStatusPattern } from '../protocol'
import type { Protocol } from '../protocol'
import { GRPC_STATS_SCRIPT } from './grpc-stats'
import { HTTP_STATS_FUNCTIONS, HTTP_STATS_SCRIPT, HTTP_STATS_TABLE } from './http-stats'
import { MYSQL_STATS_SCRIPT } from './mysql-stats'
import type { PxlScript } from './script'

/** The stats script of each protocol; all share the entry points and output columns. */
export const STATS_SCRIPTS: Readonly<Record<Protocol, PxlScript>> = {
  http: HTTP_STATS_SCRIPT,
  grpc: GRPC_STATS_SCRIPT,
  mysql: MYSQL_STATS_SCRIPT,
}

/** What one stats query needs, already validated (shared/params.ts). */
export interface HttpStatsQuery {
  selector: Selector
  /** Window length in whole seconds, ending now. */
  windowSeconds: number
  /** Exact request paths to ignore (a query string is ignored with them); empty = none. */
  excludedPaths: readonly string[]
  /** Responses with a status at or above this count as errors (400: 4xx and 5xx; 500: 5xx). */
  errorMinStatus: number
  /** Count only requests with this path / method (validated, shared/filters.ts); default none. */
  filters?: RequestFilters
  /** Which traffic is measured (shared/protocol.ts); default http. */
  protocol?: Protocol
}

/** A ready-to-send call plus what the response needs to report about it. */
export interface PxlCall {
  options: ExecuteScriptOptions
  script: PxlScript
  funcName: string
  /** Name of the result table holding the (canary's) output row. */
  outputTable: string
}

/**
 * The arguments a protocol's script takes, from the HTTP ones: gRPC has no method filter and
 * classifies by grpc-status (shared/protocol.ts); MySQL queries have neither path nor method.
 */
function protocolArgs(protocol: Protocol, http: Record<string, string>): Record<string, string> {
  const { start_time, namespace, excluded_paths, path_pattern, error_min_status } = http
  switch (protocol) {
    case 'http':
      return http
    case 'grpc':
      return {
        start_time: start_time!,
        namespace: namespace!,
        excluded_paths: excluded_paths!,
        path_pattern: path_pattern!,
        ok_statuses: grpcOkStatusPattern(Number(error_min_status)),
      }
    case 'mysql':
      return { start_time: start_time!, namespace: namespace! }
  }
}

/** The PxL arguments for one query (all strings, as exec_funcs requires). */
export function httpStatsArgs(query: HttpStatsQuery): {
  funcName: string
  args: Record<string, string>
} {
  const { selector } = query
  if (!Number.isSafeInteger(query.windowSeconds) || query.windowSeconds <= 0) {
    throw new RangeError(`windowSeconds must be a positive integer, got ${query.windowSeconds}`)
  }
  if (
    !Number.isSafeInteger(query.errorMinStatus) ||
    query.errorMinStatus < 100 ||
    query.errorMinStatus > 599
  ) {
    throw new RangeError(`errorMinStatus must be an HTTP status, got ${query.errorMinStatus}`)
  }
  const filters = query.filters ?? NO_FILTERS
  const common = protocolArgs(query.protocol ?? 'http', {
    start_time: `-${query.windowSeconds}s`,
    namespace: selector.namespace,
    excluded_paths: excludedPathsPattern(query.excludedPaths),
    path_pattern: pathFilterPattern(filters.path),
    method_pattern: methodFilterPattern(filters.method),
    error_min_status: String(query.errorMinStatus),
  })
  // Pixie names pods, replicasets and services 'namespace/name'.
  switch (selector.kind) {
    case 'replicaset':
      return {
        funcName: HTTP_STATS_FUNCTIONS.replicaset,
        args: { ...common, replicaset: `${selector.namespace}/${selector.replicaset}` },
      }
    case 'pod':
      return {
        funcName: HTTP_STATS_FUNCTIONS.pod,
        args: { ...common, pod_prefix: `${selector.namespace}/${selector.pod}` },
      }
    case 'service':
      return {
        funcName: HTTP_STATS_FUNCTIONS.service,
        args: { ...common, service: `${selector.namespace}/${selector.service}` },
      }
  }
}

/**
 * Builds the ExecuteScript call for a stats query.
 *
 * @param queryName label for Vizier's own metrics, e.g. 'px-canary/error-rate'
 */
export function buildHttpStatsCall(query: HttpStatsQuery, queryName: string): PxlCall {
  const { funcName, args } = httpStatsArgs(query)
  const script = STATS_SCRIPTS[query.protocol ?? 'http']
  return {
    options: {
      script: script.source,
      execFuncs: [{ funcName, args, outputTablePrefix: HTTP_STATS_TABLE }],
      queryName,
    },
    script,
    funcName,
    outputTable: HTTP_STATS_TABLE,
  }
}
