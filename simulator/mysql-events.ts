/**
 * The mysql_events table: its schema as Pixie's socket tracer defines it (pixie-io/pixie
 * src/stirling/source_connectors/socket_tracer/mysql_table.h; px_info_, debug builds only, left
 * out) and the seeded rows of the scenario pods' outbound queries (scenario `traffic.mysql`).
 *
 * Like http_events (simulator/traffic.ts), every (pod, second) draws from its own PRNG, so any
 * window can be generated on its own and a test can recompute exactly the rows a query saw.
 * Pixie traces MySQL on both sides of a connection (conn_tracker.cc): each query is a trace_role 1
 * row under the pod that sent it and, when the scenario names the database's pod (`server_pod`),
 * a trace_role 2 row under that pod with the same time and latency.
 */
import type { CellValue } from '../shared/pixie/types'
import { SemanticType, TRACE_ROLE_CLIENT, TRACE_ROLE_SERVER } from './http-events'
import { pickIndex, rngFor } from './prng'
import type { EngineColumn, EngineTable } from './pxl/types'
import type { SimPod, World } from './topology'
import { latencySampler, secondsOf } from './traffic'

export const MYSQL_EVENTS_COLUMNS = [
  { name: 'time_', type: 'TIME64NS', semanticType: SemanticType.ST_TIME_NS },
  { name: 'upid', type: 'UINT128', semanticType: SemanticType.ST_UPID },
  { name: 'remote_addr', type: 'STRING', semanticType: SemanticType.ST_IP_ADDRESS },
  { name: 'remote_port', type: 'INT64', semanticType: SemanticType.ST_PORT },
  { name: 'trace_role', type: 'INT64', semanticType: SemanticType.ST_NONE },
  { name: 'req_cmd', type: 'INT64', semanticType: SemanticType.ST_NONE },
  { name: 'req_body', type: 'STRING', semanticType: SemanticType.ST_NONE },
  { name: 'resp_status', type: 'INT64', semanticType: SemanticType.ST_NONE },
  { name: 'resp_body', type: 'STRING', semanticType: SemanticType.ST_NONE },
  { name: 'latency', type: 'INT64', semanticType: SemanticType.ST_DURATION_NS },
] as const satisfies readonly EngineColumn[]

export const MYSQL_COL = Object.fromEntries(
  MYSQL_EVENTS_COLUMNS.map((c, i) => [c.name, i])
) as Record<(typeof MYSQL_EVENTS_COLUMNS)[number]['name'], number>

/** protocols/mysql/types.h: Command::kQuery (COM_QUERY) and RespStatus kOK / kErr. */
export const MYSQL_COM_QUERY = 3n
export const MYSQL_RESP_OK = 2n
export const MYSQL_RESP_ERR = 3n

const NS_PER_S = 1_000_000_000n

interface Weighted {
  keys: string[]
  cumulative: number[]
}

function weighted(w: Record<string, number>): Weighted {
  const keys = Object.keys(w)
  let total = 0
  return { keys, cumulative: keys.map((k) => (total += w[k] ?? 0)) }
}

/** The rows of one second, row-major, unsorted. */
function secondRows(world: World, pod: SimPod, second: number, multiplier: number): CellValue[][] {
  const spec = pod.traffic.mysql
  if (spec === undefined) return []
  const rate = spec.qps * multiplier
  if (rate <= 0) return []
  const rng = rngFor(world.scenario.seed, 'mysql', pod.index, second)
  const queries = weighted(spec.queries)
  const errors = weighted(spec.errors)
  const latency = latencySampler(spec.latency)
  const server =
    spec.server_pod === undefined
      ? undefined
      : world.pods.find((p) => p.namespace === pod.namespace && p.name === spec.server_pod)
  const whole = Math.floor(rate)
  const count = whole + (rng() < rate - whole ? 1 : 0)
  const rows: CellValue[][] = []
  for (let i = 0; i < count; i++) {
    const time = BigInt(second) * NS_PER_S + BigInt(1 + Math.floor(rng() * 999_999_998))
    const failed = rng() < spec.error_rate
    const query = queries.keys[pickIndex(queries.cumulative, rng)] ?? ''
    const error = errors.keys[pickIndex(errors.cumulative, rng)] ?? ''
    const latencyNs = BigInt(Math.max(0, Math.round(latency(rng) * 1e6)))
    const clientPort = BigInt(32768 + Math.floor(rng() * 28232))
    if (pod.startedNs !== undefined && time < pod.startedNs) continue
    const status = failed ? MYSQL_RESP_ERR : MYSQL_RESP_OK
    const body = failed ? error : ''
    rows.push([
      time,
      pod.upid,
      spec.remote_addr,
      BigInt(spec.remote_port),
      TRACE_ROLE_CLIENT,
      MYSQL_COM_QUERY,
      query,
      status,
      body,
      latencyNs,
    ])
    if (server !== undefined) {
      rows.push([
        time,
        server.upid,
        pod.ip,
        clientPort,
        TRACE_ROLE_SERVER,
        MYSQL_COM_QUERY,
        query,
        status,
        body,
        latencyNs,
      ])
    }
  }
  return rows
}

export interface MysqlGenerateOptions {
  /** Inclusive start, ns since the epoch. */
  startNs: bigint
  /** Inclusive end, ns since the epoch. */
  endNs: bigint
  /** Traffic multiplier (default: the scenario's). */
  multiplier?: number
}

/**
 * The mysql_events rows of every pod with startNs <= time_ <= endNs, time-sorted, column-major.
 * The same world and range always give the same rows.
 */
export function generateMysqlEvents(world: World, options: MysqlGenerateOptions): EngineTable {
  const multiplier = options.multiplier ?? world.scenario.multiplier
  const [first, last] = secondsOf(options.startNs, options.endNs)
  const rows: CellValue[][] = []
  const senders = world.pods.filter((p) => p.traffic.mysql !== undefined)
  if (senders.length > 0) {
    for (let s = first; s <= last; s++) {
      for (const pod of senders) {
        for (const row of secondRows(world, pod, s, multiplier)) {
          const time = row[MYSQL_COL.time_] as bigint
          if (time >= options.startNs && time <= options.endNs) rows.push(row)
        }
      }
    }
  }
  rows.sort((a, b) => {
    const d = (a[MYSQL_COL.time_] as bigint) - (b[MYSQL_COL.time_] as bigint)
    return d < 0n ? -1 : d > 0n ? 1 : 0
  })
  const data = MYSQL_EVENTS_COLUMNS.map((_, c) => rows.map((row) => row[c] as CellValue))
  return { name: 'mysql_events', columns: MYSQL_EVENTS_COLUMNS.map((c) => ({ ...c })), data }
}
