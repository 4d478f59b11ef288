/**
 * The gRPC stats script: the same one-row summary and echo as the HTTP script
 * (shared/pxl/http-stats.ts), over the inbound gRPC calls of the selected pods, where an error is a
 * grpc-status outside the `ok_statuses` pattern (shared/protocol.ts says which codes count).
 *
 * Why it looks the way it does (pixie-io/pixie, paths under src/stirling/source_connectors/socket_tracer):
 * - gRPC calls are rows of http_events with major_version 2 and content_type 2 (gRPC)
 *   (http_table.h; socket_trace_connector.cc fills them from HTTP/2 streams). resp_status is the
 *   `:status` header, 200 even when the call failed, so it says nothing about gRPC errors.
 * - grpc-status is a trailer, recorded in resp_headers, a JSON object of string values
 *   (grpc_trace_bpf_test.cc expects `"grpc-status":"0"`); `px.pluck` returns it as a string
 *   (src/carnot/funcs/builtins/json_ops.h; `px.pluck_int64` would read 0 for a string). A call is
 *   OK when that string fully matches `ok_statuses` (px.regex_match is a full match), so an absent
 *   status ('') is never OK.
 * - errors = requests - ok_calls, both from the agg, so no boolean negation is needed.
 * - With Vizier's restricted data access, resp_headers reads 'REDACTED'
 *   (src/carnot/planner/compiler/analyzer/restrict_columns_rule.cc RedactAllData): every status
 *   would be unreadable, so the row counts `headers_redacted` and the decoder refuses to answer
 *   (shared/pxl/protocol-result.ts) instead of reporting a 100 % or 0 % error rate.
 * - The path is the method, `/<package>.<Service>/<Method>` (http2_trace_bpf_test.cc), so path
 *   filters and exclusions apply to req_path as for HTTP; there is no HTTP method filter (always POST).
 * - Only Go gRPC servers are traced (Pixie's data sources documentation, docs.px.dev).
 */
import { COMMON_HELPERS, COVERAGE_AGGS, coverageHelper, publicFunctions } from './entry-points'
import { definePxlScript } from './script'

/** Extra columns of the gRPC row, after HTTP_STATS_COLUMNS, and their Pixie types. */
export const GRPC_EXTRA_COLUMNS = {
  ok_calls: 'INT64',
  headers_redacted: 'INT64',
} as const

const SOURCE = `import px


${COMMON_HELPERS}


def _rows(start_time: str, namespace: str, excluded_paths: str, path_pattern: str):
    df = px.DataFrame(table='http_events', start_time=start_time, select=['time_', 'upid', 'trace_role', 'major_version', 'content_type', 'req_path', 'resp_headers', 'latency'])
    df = df[df.trace_role == 2]
    df = df[df.major_version == 2]
    df = df[df.content_type == 2]
    df = df[not px.regex_match(excluded_paths, df.req_path)]
    df = df[px.regex_match(path_pattern, df.req_path)]
    df.namespace = df.ctx['namespace']
    df = df[df.namespace == namespace]
    return df


${coverageHelper('http_events')}


def _summarize(df, start_time: str, ok_statuses: str):
    df.grpc_status = px.pluck(df.resp_headers, 'grpc-status')
    df.ok = px.regex_match(ok_statuses, df.grpc_status)
    df.redacted = df.resp_headers == 'REDACTED'
    df = _covered(df, start_time)
    df = df.agg(requests=('latency', px.count), ok_calls=('ok', px.sum), headers_redacted=('redacted', px.sum), latency_sum_ns=('latency', px.sum), latency_quantiles=('latency', px.quantiles), ${COVERAGE_AGGS})
    df.now_ns = px.now()
    df.errors = df.requests - df.ok_calls
    return _quantiles(df)


${publicFunctions('start_time: str, namespace: str, excluded_paths: str, path_pattern: str', 'ok_statuses: str')}`

/** The gRPC stats script (constant source; see the module comment). */
export const GRPC_STATS_SCRIPT = definePxlScript('px-canary/grpc_stats', SOURCE)
