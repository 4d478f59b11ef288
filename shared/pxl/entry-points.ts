/**
 * The public functions every protocol's stats script exposes, as PxL text: `stats_by_<kind>`
 * (the one-row summary plus the echo columns) and `latency_by_<kind>` (that row plus the latency
 * buckets), one per selector kind, with the same names, selection and echo as the HTTP script
 * (shared/pxl/http-stats.ts), so requests, comparisons and the decoder work for every protocol.
 * Only the rows each script starts from (`_rows`) and what counts as an error (`_summarize`)
 * differ. Built once at load: each script stays one constant string.
 */

/** The selection per selector kind: its argument, the ctx column and the filter line. */
const KINDS = [
  {
    kind: 'replicaset',
    fn: 'replicaset',
    arg: 'replicaset',
    select: "    df.replicaset = df.ctx['replicaset']\n    df = df[df.replicaset == replicaset]",
  },
  {
    kind: 'pod',
    fn: 'pod_prefix',
    arg: 'pod_prefix',
    select: "    df.pod = df.ctx['pod']\n    df = df[px.find(df.pod, pod_prefix) == 0]",
  },
  {
    kind: 'service',
    fn: 'service',
    arg: 'service',
    select:
      "    df.service = df.ctx['service']\n    df = df[px.has_service_name(df.service, service)]",
  },
] as const

/** The shared helpers: echo and latency buckets (the same as in shared/pxl/http-stats.ts). */
export const COMMON_HELPERS = `def _echo(df, kind: str, value: str):
    df.selector_kind = kind
    df.selector_value = value
    return df


def _latency_buckets(df):
    df.clamped_ns = px.select(df.latency < 1023, 1023, df.latency)
    df.clamped_ns = px.select(df.clamped_ns > 137438953472, 137438953472, df.clamped_ns)
    df.bucket = px.floor(4.0 * px.log2(df.clamped_ns)) - 39
    df = df.groupby('bucket').agg(count=('latency', px.count))
    return df
`

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
  const summarize = ['df', ...names(summarizeParams)].join(', ')
  const blocks: string[] = []
  for (const k of KINDS) {
    const params = [rowParams.replace('namespace: str', `namespace: str, ${k.arg}: str`)]
    if (summarizeParams !== '') params.push(summarizeParams)
    const signature = params.join(', ')
    blocks.push(`def stats_by_${k.fn}(${signature}):
    df = _rows(${rowArgs})
${k.select}
    df = _summarize(${summarize})
    return _echo(df, '${k.kind}', ${k.arg})
`)
    blocks.push(`def latency_by_${k.fn}(${signature}):
    df = _rows(${rowArgs})
${k.select}
    return [_echo(_summarize(${summarize}), '${k.kind}', ${k.arg}), _latency_buckets(df)]
`)
  }
  return blocks.join('\n\n')
}
