/**
 * Runs a function's PxL call (its constant script and exec_funcs) on the simulator's PxL engine and
 * hands the answer over as the Vizier client does (row objects per table), so tests check what the
 * production script means, not only its syntax. Also builds small http_events sources from
 * hand-written events, for tests whose expected figures are worked out by hand.
 */
import type {
  CellValue,
  ColumnType,
  ExecFunc,
  ResultTable,
  ScriptResult,
} from '../../shared/pixie/types'
import { executePxl } from '../../simulator/pxl'
import type { DataSource, EngineTable } from '../../simulator/pxl'

/** A fixed "now" (ns) for the engine and the simulator alike, so both see the same rows. */
export const ENGINE_NOW_NS = 1_800_000_000_000_000_000n

/** What the engine needs of a call: the script and its exec_funcs, as sent to Vizier. */
export interface EngineCall {
  options: { script: string; execFuncs?: ExecFunc[] }
}

/** An engine output table (column-major) as the Vizier client hands it over (row objects). */
export function asResultTable(table: EngineTable): ResultTable {
  const n = table.data[0]?.length ?? 0
  const rows = Array.from({ length: n }, (_, i) =>
    Object.fromEntries(table.columns.map((c, j) => [c.name, table.data[j]![i]!]))
  )
  return {
    id: table.name,
    name: table.name,
    columns: table.columns.map((c) => ({ name: c.name, type: c.type, semanticType: 0 })),
    rows,
  }
}

/** Executes `call` over `source` at `nowNs`, as Vizier would, answering a ScriptResult. */
export function runOnEngine(
  call: EngineCall,
  source: DataSource,
  nowNs: bigint = ENGINE_NOW_NS
): ScriptResult {
  const tables = executePxl(call.options.script, {
    source,
    execFuncs: call.options.execFuncs ?? [],
    nowNs,
  })
  return { queryId: 'engine', tables: new Map(tables.map((t) => [t.name, asResultTable(t)])) }
}

/** Pixie metadata of one pod, as its ctx[...] columns read ('namespace/name' forms). */
export interface PodMetadata {
  pod: string
  namespace: string
  replicaset: string
  /** One service, or several as Pixie's JSON array text; '' for none. */
  service: string
}

/** One http_events row; `pod` is a 1-based index into the pod list (beyond it: no metadata). */
export interface HttpEvent {
  pod: number
  path?: string
  method?: string
  status?: number
  latencyNs?: bigint | number
  /** 2 = server side (default), 1 = client side. */
  role?: number
  secondsAgo?: number
  /** The agent (node) id in the UPID's high bits; default 1 (every pod on one node). */
  asid?: number
}

/** The UPID (as a UUID string) of pod `i`. */
export const podUpid = (i: number, asid = 1): string =>
  `${asid.toString(16).padStart(8, '0')}-0000-0000-0000-${i.toString(16).padStart(12, '0')}`

const HTTP_COLUMNS: { name: string; type: ColumnType }[] = [
  { name: 'time_', type: 'TIME64NS' },
  { name: 'upid', type: 'UINT128' },
  { name: 'trace_role', type: 'INT64' },
  { name: 'req_path', type: 'STRING' },
  { name: 'req_method', type: 'STRING' },
  { name: 'resp_status', type: 'INT64' },
  { name: 'latency', type: 'INT64' },
]

/**
 * A source holding only http_events, built from `events` (defaults: 5 s before `nowNs`, GET
 * /api/cart, 200, 10 ms, server side), with `pods[i - 1]` as pod i's metadata; a pod without
 * metadata resolves to '' like Pixie's metadata gaps.
 */
export function httpEventsSource(
  events: readonly HttpEvent[],
  pods: readonly PodMetadata[],
  nowNs: bigint = ENGINE_NOW_NS
): DataSource {
  const rows: CellValue[][] = events.map((e) => [
    nowNs - BigInt(Math.round((e.secondsAgo ?? 5) * 1e9)),
    podUpid(e.pod, e.asid),
    BigInt(e.role ?? 2),
    e.path ?? '/api/cart',
    e.method ?? 'GET',
    BigInt(e.status ?? 200),
    BigInt(e.latencyNs ?? 10_000_000),
  ])
  const table: EngineTable = {
    name: 'http_events',
    columns: HTTP_COLUMNS.map((c) => ({ ...c, semanticType: 0 })),
    data: HTTP_COLUMNS.map((_, i) => rows.map((r) => r[i]!)),
  }
  return {
    table: (name) => (name === 'http_events' ? table : undefined),
    metadata: {
      resolve: (key, id) => {
        // Metadata follows the pod, whatever node (asid) its UPID names.
        const index = pods.findIndex((_, i) => podUpid(i + 1).slice(8) === id.slice(8))
        const pod = pods[index]
        if (pod === undefined) return ''
        return key === 'pod' || key === 'namespace' || key === 'replicaset' || key === 'service'
          ? pod[key]
          : ''
      },
    },
  }
}
