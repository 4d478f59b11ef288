/**
 * The metric requests the bench sends. Functions coalesce identical in-flight queries, so phases
 * that must reach Pixie once per request make every query distinct without changing its cost: the
 * default excluded probe paths plus one made-up path `/bench-<n>`, which matches no traffic. The
 * same tag, found again in the ExecuteScript arguments the simulator received, pairs each HTTP
 * request with its Pixie query.
 */
import { DEFAULT_EXCLUDED_PATHS } from '../shared/pxl/exclusion'
import { SEQ_TOKEN } from './load'
import { BENCH_NAMESPACE, BENCH_REPLICASET } from './scenario'

/** The plain metric request: the canary replicaset over the last 60 s. */
export const METRIC_PATH = `/?namespace=${BENCH_NAMESPACE}&replicaset=${BENCH_REPLICASET}&window=60s`

/** A metric request made distinct by `tag` (letters, digits and - only). */
export function taggedPath(tag: string): string {
  return `${METRIC_PATH}&exclude_paths=${[...DEFAULT_EXCLUDED_PATHS, `/bench-${tag}`].join(',')}`
}

/** A path template that the load worker turns into a distinct query per request. */
export const DISTINCT_PATH_TEMPLATE = taggedPath(SEQ_TOKEN)

/** The sequence number a distinct query carried, read back from its ExecuteScript arguments. */
export function seqOfCall(execFuncs: unknown): number | undefined {
  const match = /\/bench-(\d+)(?!\d)/.exec(JSON.stringify(execFuncs))
  return match ? Number(match[1]) : undefined
}
