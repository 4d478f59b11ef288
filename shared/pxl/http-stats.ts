/**
 * The one PxL script px-canary runs: a one-row summary of the inbound HTTP requests served by a set
 * of pods over a window. Every metric (error rate, latency, throughput) reads the same row, so the
 * three functions share one query shape and Pixie's plan cache. For a comparison with a baseline
 * the same script is called once per side in one request (shared/comparison.ts); the latency
 * metric then calls `latency_by_<kind>`, which returns the same row plus the side's requests per
 * latency bucket, both from one filtered frame so they always count the same requests.
 *
 * Why it looks the way it does (Pixie's PxL reference, docs.px.dev/reference/pxl):
 * - `trace_role == 2` keeps only server-side rows (requests the pods served), never their egress.
 * - `df.agg(...)` without groupby yields exactly one row however much traffic there is, so the
 *   answer's size does not grow with traffic; with no traffic that row has requests == 0.
 * - One public function per selector kind because PxL has no `if`; they share `_inbound` and
 *   `_summarize`. Every public argument is annotated (Pixie requires it for exec_funcs) and every
 *   value arrives as a string argument, never as source text.
 * - Only statements Pixie's compiler accepts: import, assignment, def (no defaults), return.
 * - Each public function echoes what it selected (`selector_kind`, a constant, and
 *   `selector_value`, its selector argument as received) as two columns after the agg, so the
 *   decoder can refuse a row measured for anything other than what the request asked for.
 * - Request filters (shared/filters.ts) arrive as RE2 full-match pattern arguments,
 *   `path_pattern` on req_path and `method_pattern` on req_method; a disabled filter is a pattern
 *   that matches everything, since PxL has no `if`. The health-path exclusion applies first.
 * - Latency buckets follow shared/stats/buckets.ts: latency clamped to [1023, 2^37] ns, bucket =
 *   floor(4 log2(latency)) - 39, then a groupby on the bucket, so at most 110 rows per side
 *   however much traffic there is. Groups without requests do not exist (absent = 0).
 * - What the rows cover (shared/pxl/coverage.ts): the summary also carries the earliest and
 *   latest selected row (`px.min`/`px.max` of time_, registered for TIME64NS in pixie-io/pixie
 *   src/carnot/funcs/builtins/math_ops.cc), px.now() at compilation, and `retained_from_ns`: per
 *   node (`px.upid_to_asid`, the agent id in the UPID, src/carnot/funcs/metadata/metadata_ops.h)
 *   the earliest row in the window over the whole http_events table, joined onto the selected rows
 *   by an inner merge on the node (every selected row's node is in that table; `merge(...,
 *   suffixes=['', '_x'])` as in src/carnot/planner/objects/dataframe.h) and maxed in the same
 *   agg, so the answer stays one row and says where each serving node's retained rows begin.
 */
import { definePxlScript } from './script'

/** Output table name (exec_funcs output_table_prefix) of every stats function. */
export const HTTP_STATS_TABLE = 'http_stats'

/** The exec_funcs entry points, one per selector kind. */
export const HTTP_STATS_FUNCTIONS = {
  replicaset: 'stats_by_replicaset',
  pod: 'stats_by_pod_prefix',
  service: 'stats_by_service',
} as const

export type HttpStatsFunction = (typeof HTTP_STATS_FUNCTIONS)[keyof typeof HTTP_STATS_FUNCTIONS]

/**
 * The exec_funcs entry points returning [summary row, latency buckets] (a list: output tables
 * `<prefix>[0]` and `<prefix>[1]`), one per selector kind. Same arguments as the stats functions.
 */
export const HTTP_LATENCY_FUNCTIONS = {
  replicaset: 'latency_by_replicaset',
  pod: 'latency_by_pod_prefix',
  service: 'latency_by_service',
} as const

export type HttpLatencyFunction =
  (typeof HTTP_LATENCY_FUNCTIONS)[keyof typeof HTTP_LATENCY_FUNCTIONS]

/** Per selector kind, the argument carrying the selector's value ('namespace/name'). */
export const SELECTOR_ARGS = {
  replicaset: 'replicaset',
  pod: 'pod_prefix',
  service: 'service',
} as const

/**
 * Per exec function: the `selector_kind` constant its row echoes, and the argument whose value it
 * echoes as `selector_value`.
 */
export const HTTP_STATS_SELECTOR_ECHO: Readonly<
  Record<HttpStatsFunction | HttpLatencyFunction, { readonly kind: string; readonly arg: string }>
> = {
  stats_by_replicaset: { kind: 'replicaset', arg: 'replicaset' },
  stats_by_pod_prefix: { kind: 'pod', arg: 'pod_prefix' },
  stats_by_service: { kind: 'service', arg: 'service' },
  latency_by_replicaset: { kind: 'replicaset', arg: 'replicaset' },
  latency_by_pod_prefix: { kind: 'pod', arg: 'pod_prefix' },
  latency_by_service: { kind: 'service', arg: 'service' },
}

/** The echo columns (see the module comment) and their Pixie types. */
export const HTTP_STATS_ECHO_COLUMNS = {
  selector_kind: 'STRING',
  selector_value: 'STRING',
} as const

/** Columns of the output row and their Pixie types. */
export const HTTP_STATS_COLUMNS = {
  requests: 'INT64',
  errors: 'INT64',
  latency_sum_ns: 'INT64',
  latency_quantiles: 'STRING',
  latency_p50_ns: 'FLOAT64',
  latency_p90_ns: 'FLOAT64',
  latency_p99_ns: 'FLOAT64',
} as const

/**
 * What the selected rows cover (shared/pxl/coverage.ts reads them): the earliest and latest
 * selected row, the latest of the per-node earliest rows in the window over the whole
 * http_events table on the nodes that served them, and px.now() at compilation.
 */
export const HTTP_STATS_COVERAGE_COLUMNS = {
  first_ns: 'TIME64NS',
  last_ns: 'TIME64NS',
  retained_from_ns: 'TIME64NS',
  now_ns: 'TIME64NS',
} as const

/** Columns of a latency bucket table (shared/stats/buckets.ts) and their Pixie types. */
export const LATENCY_BUCKET_COLUMNS = {
  bucket: 'INT64',
  count: 'INT64',
} as const

const SOURCE = `import px


def _inbound(start_time: str, namespace: str, excluded_paths: str, path_pattern: str, method_pattern: str):
    df = px.DataFrame(table='http_events', start_time=start_time, select=['time_', 'upid', 'trace_role', 'req_path', 'req_method', 'resp_status', 'latency'])
    df = df[df.trace_role == 2]
    df = df[not px.regex_match(excluded_paths, df.req_path)]
    df = df[px.regex_match(path_pattern, df.req_path)]
    df = df[px.regex_match(method_pattern, df.req_method)]
    df.namespace = df.ctx['namespace']
    df = df[df.namespace == namespace]
    return df


def _node_starts(start_time: str):
    df = px.DataFrame(table='http_events', start_time=start_time, select=['time_', 'upid'])
    df.asid = px.upid_to_asid(df.upid)
    df = df.groupby('asid').agg(node_first_ns=('time_', px.min))
    return df


def _summarize(df, start_time: str, error_min_status: int):
    df.failure = df.resp_status >= error_min_status
    df.asid = px.upid_to_asid(df.upid)
    df = df.merge(_node_starts(start_time), how='inner', left_on='asid', right_on='asid', suffixes=['', '_node'])
    df = df.agg(requests=('latency', px.count), errors=('failure', px.sum), latency_sum_ns=('latency', px.sum), latency_quantiles=('latency', px.quantiles), first_ns=('time_', px.min), last_ns=('time_', px.max), retained_from_ns=('node_first_ns', px.max))
    df.now_ns = px.now()
    df.latency_p50_ns = px.pluck_float64(df.latency_quantiles, 'p50')
    df.latency_p90_ns = px.pluck_float64(df.latency_quantiles, 'p90')
    df.latency_p99_ns = px.pluck_float64(df.latency_quantiles, 'p99')
    return df


def _echo(df, kind: str, value: str):
    df.selector_kind = kind
    df.selector_value = value
    return df


def _latency_buckets(df):
    df.clamped_ns = px.select(df.latency < 1023, 1023, df.latency)
    df.clamped_ns = px.select(df.clamped_ns > 137438953472, 137438953472, df.clamped_ns)
    df.bucket = px.floor(4.0 * px.log2(df.clamped_ns)) - 39
    df = df.groupby('bucket').agg(count=('latency', px.count))
    return df


def stats_by_replicaset(start_time: str, namespace: str, replicaset: str, excluded_paths: str, path_pattern: str, method_pattern: str, error_min_status: int):
    df = _inbound(start_time, namespace, excluded_paths, path_pattern, method_pattern)
    df.replicaset = df.ctx['replicaset']
    df = df[df.replicaset == replicaset]
    df = _summarize(df, start_time, error_min_status)
    df.selector_kind = 'replicaset'
    df.selector_value = replicaset
    return df


def stats_by_pod_prefix(start_time: str, namespace: str, pod_prefix: str, excluded_paths: str, path_pattern: str, method_pattern: str, error_min_status: int):
    df = _inbound(start_time, namespace, excluded_paths, path_pattern, method_pattern)
    df.pod = df.ctx['pod']
    df = df[px.find(df.pod, pod_prefix) == 0]
    df = _summarize(df, start_time, error_min_status)
    df.selector_kind = 'pod'
    df.selector_value = pod_prefix
    return df


def stats_by_service(start_time: str, namespace: str, service: str, excluded_paths: str, path_pattern: str, method_pattern: str, error_min_status: int):
    df = _inbound(start_time, namespace, excluded_paths, path_pattern, method_pattern)
    df.service = df.ctx['service']
    df = df[px.has_service_name(df.service, service)]
    df = _summarize(df, start_time, error_min_status)
    df.selector_kind = 'service'
    df.selector_value = service
    return df


def latency_by_replicaset(start_time: str, namespace: str, replicaset: str, excluded_paths: str, path_pattern: str, method_pattern: str, error_min_status: int):
    df = _inbound(start_time, namespace, excluded_paths, path_pattern, method_pattern)
    df.replicaset = df.ctx['replicaset']
    df = df[df.replicaset == replicaset]
    return [_echo(_summarize(df, start_time, error_min_status), 'replicaset', replicaset), _latency_buckets(df)]


def latency_by_pod_prefix(start_time: str, namespace: str, pod_prefix: str, excluded_paths: str, path_pattern: str, method_pattern: str, error_min_status: int):
    df = _inbound(start_time, namespace, excluded_paths, path_pattern, method_pattern)
    df.pod = df.ctx['pod']
    df = df[px.find(df.pod, pod_prefix) == 0]
    return [_echo(_summarize(df, start_time, error_min_status), 'pod', pod_prefix), _latency_buckets(df)]


def latency_by_service(start_time: str, namespace: str, service: str, excluded_paths: str, path_pattern: str, method_pattern: str, error_min_status: int):
    df = _inbound(start_time, namespace, excluded_paths, path_pattern, method_pattern)
    df.service = df.ctx['service']
    df = df[px.has_service_name(df.service, service)]
    return [_echo(_summarize(df, start_time, error_min_status), 'service', service), _latency_buckets(df)]
`

/** The HTTP stats script (constant source; see the module comment). */
export const HTTP_STATS_SCRIPT = definePxlScript('px-canary/http_stats', SOURCE)
