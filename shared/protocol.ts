/**
 * Which traffic a metric measures: `http` (inbound HTTP requests, the default), `grpc` (inbound
 * gRPC calls, judged by their grpc-status) or `mysql` (the pods' outbound MySQL queries). All three
 * are rows of Pixie's socket tracer, so one query shape serves them; what differs is the table,
 * which side of the connection counts, and what an error is (shared/pxl/grpc-stats.ts,
 * shared/pxl/mysql-stats.ts).
 *
 * PostgreSQL is not offered: Pixie traces client-side connections only to endpoints outside the
 * cluster, MySQL and DNS excepted (pixie-io/pixie
 * src/stirling/source_connectors/socket_tracer/conn_tracker.cc), so a canary's queries to an
 * in-cluster PostgreSQL appear only under the database's pod, which cannot tell the canary's
 * queries from anyone else's.
 */
import * as z from 'zod/mini'
import { invalidParameter, parseParameter } from './parameter'
import { PxCanaryError } from './errors'

export const PROTOCOLS = ['http', 'grpc', 'mysql'] as const

export type Protocol = (typeof PROTOCOLS)[number]

export const DEFAULT_PROTOCOL: Protocol = 'http'

const ALLOWED =
  'http (the default), grpc (inbound gRPC calls; Go gRPC servers only) or mysql (outbound MySQL queries)'

/**
 * Validates the `protocol` parameter through the one hook (undefined: http).
 *
 * @throws PxCanaryError invalid_protocol (400)
 */
export function parseProtocol(value: string | undefined): Protocol {
  return value === undefined
    ? DEFAULT_PROTOCOL
    : parseParameter('protocol', value, z.enum(PROTOCOLS), ALLOWED)
}

/**
 * Paths excluded by default per protocol. gRPC: the standard health service, which kubelet's gRPC
 * probes call (grpc/grpc-proto grpc/health/v1/health.proto). MySQL queries have no path.
 */
export const PROTOCOL_DEFAULT_EXCLUDED_PATHS: Readonly<
  Record<'grpc' | 'mysql', readonly string[]>
> = {
  grpc: ['/grpc.health.v1.Health/Check', '/grpc.health.v1.Health/Watch'],
  mysql: [],
}

/** A parameter that has no counterpart in `protocol`: 400 naming the protocol. */
export function notForProtocol(
  parameter: string,
  protocol: Protocol,
  value: string,
  why: string
): PxCanaryError {
  return invalidParameter(parameter, `absent with protocol=${protocol} (${why})`, value)
}

/**
 * The grpc-status values that do NOT count as errors, as an RE2 full-match pattern, per value of
 * the error-rate `errors` parameter:
 * - 4xx5xx (the default): only OK (0) is a success; every other code is an error.
 * - 5xx: codes meaning the server failed count as errors; codes grpc-gateway maps to 4xx (the
 *   caller's fault, e.g. NOT_FOUND, INVALID_ARGUMENT, CANCELLED) do not. The mapping is
 *   grpc-ecosystem/grpc-gateway runtime/errors.go HTTPStatusFromCode: UNKNOWN 2, DEADLINE_EXCEEDED
 *   4, UNIMPLEMENTED 12, INTERNAL 13, UNAVAILABLE 14 and DATA_LOSS 15 map to 5xx.
 * A call whose grpc-status cannot be read (absent or truncated headers) matches neither and counts
 * as an error: a number that cannot be trusted must not read as healthy.
 */
export const GRPC_OK_STATUS_PATTERNS: Readonly<Record<400 | 500, string>> = {
  400: '0',
  500: '0|1|3|5|6|7|8|9|10|11|16',
}

/** The pattern for an error threshold (400 or 500), else a RangeError (a bug). */
export function grpcOkStatusPattern(errorMinStatus: number): string {
  const pattern = GRPC_OK_STATUS_PATTERNS[errorMinStatus as 400 | 500] as string | undefined
  if (pattern === undefined) throw new RangeError(`no gRPC status classes for ${errorMinStatus}`)
  return pattern
}
