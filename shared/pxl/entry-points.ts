/**
 * The public functions every protocol's stats script exposes, as PxL text: `stats_by_<kind>`
 * (the one-row summary plus the echo columns) and `latency_by_<kind>` (that row plus the latency
 * buckets), one per selector kind, with the same names, selection and echo as the HTTP script
 * (shared/pxl/http-stats.ts), so requests, comparisons and the decoder work for every protocol.
 * Only the rows each script starts from (`_rows`) and what counts as an error (`_summarize`)
 * differ. Built once at load: each script stays one constant string.
 */
import { HTTP_STATS_SCRIPT } from './http-stats'

/**
 * Per selector kind, as the HTTP script selects: its echo (also the ctx key), its function suffix
 * (also its argument) and its filter on the ctx column.
 */
const KINDS = [
  ['replicaset', 'replicaset', 'df.replicaset == replicaset'],
  ['pod', 'pod_prefix', 'px.find(df.pod, pod_prefix) == 0'],
  ['service', 'service', 'px.has_service_name(df.service, service)'],
] as const

/**
 * The shared helpers: `_quantiles` (the plucked p50/p90/p99 columns), and `_echo` and
 * `_latency_buckets` taken from the HTTP script's source so every
 * protocol echoes and buckets exactly as HTTP does (and the bundle carries their text once).
 */
export const COMMON_HELPERS = `def _quantiles(df):
${['p50', 'p90', 'p99'].map((q) => `    df.latency_${q}_ns = px.pluck_float64(df.latency_quantiles, '${q}')\n`).join('')}    return df


${HTTP_STATS_SCRIPT.source
  .slice(
    HTTP_STATS_SCRIPT.source.indexOf('def _echo('),
    HTTP_STATS_SCRIPT.source.indexOf('def stats_by_')
  )
  .trimEnd()}`
/**
 * `_covered(df, start_time)`: the selected rows joined with their node's earliest row in the
 * window over the whole `table`, as the HTTP script does (`_node_starts`, shared/pxl/coverage.ts),
 * so a `_summarize` can add COVERAGE_AGGS to its agg and `now_ns` after it.
 */
export function coverageHelper(table: string): string {
  return `def _node_starts(start_time: str):
    df = px.DataFrame(table='${table}', start_time=start_time, select=['time_', 'upid'])
    df.asid = px.upid_to_asid(df.upid)
    df = df.groupby('asid').agg(node_first_ns=('time_', px.min))
    return df


def _covered(df, start_time: str):
    df.asid = px.upid_to_asid(df.upid)
    df = df.merge(_node_starts(start_time), how='inner', left_on='asid', right_on='asid', suffixes=['', '_node'])
    return df`
}

/** The coverage aggregates (HTTP_STATS_COVERAGE_COLUMNS but now_ns) for a `_summarize` agg. */
export const COVERAGE_AGGS =
  "first_ns=('time_', px.min), last_ns=('time_', px.max), retained_from_ns=('node_first_ns', px.max)"

/**
 * The six public functions for a script whose `_rows(<rowArgs>)` returns the protocol's rows and
 * `_summarize(df<, summarizeArgs>)` the one-row summary.
 *
 * @param rowParams annotated parameters of `_rows`, e.g. 'start_time: str, namespace: str'
 * @param summarizeParams annotated parameters of `_summarize` beyond df ('' for none)
 */
export function publicFunctions(rowParams: string, summarizeParams: string): string {
  const names = (params: string) =>
    params === '' ? [] : params.split(', ').map((p) => p.split(':')[0]!.trim())
  const rowArgs = names(rowParams).join(', ')
  // Every `_summarize` takes start_time too: it reads where each node's rows begin
  // (coverageHelper, shared/pxl/coverage.ts).
  const summarize = ['df', 'start_time', ...names(summarizeParams)].join(', ')
  const blocks: string[] = []
  for (const [kind, arg, filter] of KINDS) {
    const params = [rowParams.replace('namespace: str', `namespace: str, ${arg}: str`)]
    if (summarizeParams !== '') params.push(summarizeParams)
    const head = `(${params.join(', ')}):
    df = _rows(${rowArgs})
    df.${kind} = df.ctx['${kind}']
    df = df[${filter}]
    `
    blocks.push(
      `def stats_by_${arg}${head}return _echo(_summarize(${summarize}), '${kind}', ${arg})\n`,
      `def latency_by_${arg}${head}return [_echo(_summarize(${summarize}), '${kind}', ${arg}), _latency_buckets(df)]\n`
    )
  }
  return blocks.join('\n\n')
}
