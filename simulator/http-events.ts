/**
 * The http_events table schema as Pixie's socket tracer defines it (column names, data types and
 * semantic types; pixie-io/pixie src/stirling/source_connectors/socket_tracer/http_table.h). px_info_ (debug builds only) is left out.
 */
import type { EngineColumn } from './pxl/types'

/** px.api.vizierpb.SemanticType numbers used by http_events. */
export const SemanticType = {
  ST_NONE: 1,
  ST_TIME_NS: 2,
  ST_UPID: 200,
  ST_BYTES: 800,
  ST_DURATION_NS: 901,
  ST_IP_ADDRESS: 1100,
  ST_PORT: 1200,
  ST_HTTP_REQ_METHOD: 1300,
  ST_HTTP_RESP_STATUS: 1400,
  ST_HTTP_RESP_MESSAGE: 1500,
} as const

/** trace_role values: 1 = client side, 2 = server side. */
export const TRACE_ROLE_CLIENT = 1n
export const TRACE_ROLE_SERVER = 2n

export const HTTP_EVENTS_COLUMNS = [
  { name: 'time_', type: 'TIME64NS', semanticType: SemanticType.ST_TIME_NS },
  { name: 'upid', type: 'UINT128', semanticType: SemanticType.ST_UPID },
  { name: 'remote_addr', type: 'STRING', semanticType: SemanticType.ST_IP_ADDRESS },
  { name: 'remote_port', type: 'INT64', semanticType: SemanticType.ST_PORT },
  { name: 'local_addr', type: 'STRING', semanticType: SemanticType.ST_IP_ADDRESS },
  { name: 'local_port', type: 'INT64', semanticType: SemanticType.ST_PORT },
  { name: 'trace_role', type: 'INT64', semanticType: SemanticType.ST_NONE },
  { name: 'encrypted', type: 'BOOLEAN', semanticType: SemanticType.ST_NONE },
  { name: 'major_version', type: 'INT64', semanticType: SemanticType.ST_NONE },
  { name: 'minor_version', type: 'INT64', semanticType: SemanticType.ST_NONE },
  { name: 'content_type', type: 'INT64', semanticType: SemanticType.ST_NONE },
  { name: 'req_headers', type: 'STRING', semanticType: SemanticType.ST_NONE },
  { name: 'req_method', type: 'STRING', semanticType: SemanticType.ST_HTTP_REQ_METHOD },
  { name: 'req_path', type: 'STRING', semanticType: SemanticType.ST_NONE },
  { name: 'req_body', type: 'STRING', semanticType: SemanticType.ST_NONE },
  { name: 'req_body_size', type: 'INT64', semanticType: SemanticType.ST_BYTES },
  { name: 'resp_headers', type: 'STRING', semanticType: SemanticType.ST_NONE },
  { name: 'resp_status', type: 'INT64', semanticType: SemanticType.ST_HTTP_RESP_STATUS },
  { name: 'resp_message', type: 'STRING', semanticType: SemanticType.ST_HTTP_RESP_MESSAGE },
  { name: 'resp_body', type: 'STRING', semanticType: SemanticType.ST_NONE },
  { name: 'resp_body_size', type: 'INT64', semanticType: SemanticType.ST_BYTES },
  { name: 'latency', type: 'INT64', semanticType: SemanticType.ST_DURATION_NS },
] as const satisfies readonly EngineColumn[]

export type HttpEventsColumn = (typeof HTTP_EVENTS_COLUMNS)[number]['name']

/** Column positions by name, for code that builds or reads rows. */
export const COL = Object.fromEntries(HTTP_EVENTS_COLUMNS.map((c, i) => [c.name, i])) as Record<
  HttpEventsColumn,
  number
>

/** HTTP reason phrases for resp_message (HTTP/1.x). */
export const REASON_PHRASES: Record<number, string> = {
  200: 'OK',
  201: 'Created',
  204: 'No Content',
  301: 'Moved Permanently',
  302: 'Found',
  304: 'Not Modified',
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  409: 'Conflict',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
}
