/**
 * Ground truth for the gRPC and MySQL protocols, computed INDEPENDENTLY of the PxL engine and the
 * functions: plain JavaScript over the rows the simulator generates for the window, with the
 * definitions restated from Pixie's tables, not imported from the scripts.
 *
 * - gRPC: inbound (trace_role 2) http_events rows with major_version 2 and content_type 2 of the
 *   selected pods, minus the health-service paths; the grpc-status is read by parsing resp_headers
 *   as JSON (pixie-io/pixie src/stirling/source_connectors/socket_tracer/grpc_trace_bpf_test.cc:
 *   `"grpc-status":"0"`); an error is any status but "0", or only the codes that grpc-gateway maps
 *   to 5xx (grpc-ecosystem/grpc-gateway runtime/errors.go) when `serverOnly`.
 * - MySQL: mysql_events rows with trace_role 1 (the query's sender) of the selected pods; an error
 *   is resp_status 3 (pixie-io/pixie src/pxl_scripts/px/mysql_stats/mysql_stats.pxl).
 */
import { COL } from '../../../simulator/http-events'
import { generateMysqlEvents, MYSQL_COL } from '../../../simulator/mysql-events'
import type { World } from '../../../simulator/topology'
import { generateHttpEvents } from '../../../simulator/traffic'
import {
  coveredTruth,
  nodeFirstRows,
  pushedUntilNs,
  selects,
  truthFigures,
  type Truth,
  type TruthSelector,
} from './ground-truth'

const GRPC_HEALTH = new Set(['/grpc.health.v1.Health/Check', '/grpc.health.v1.Health/Watch'])
const GRPC_SERVER_CODES = new Set(['2', '4', '12', '13', '14', '15'])

export interface ProtocolTruthQuery {
  namespace: string
  selector: TruthSelector
  nowNs: bigint
  windowSeconds: number
  /** gRPC only: count only server-side codes as errors (errors=5xx). */
  serverOnly?: boolean
  /** gRPC only: count only this path. */
  path?: string
}

function selectedUpids(world: World, q: ProtocolTruthQuery): Set<string> {
  return new Set(
    world.pods.filter((pod) => selects(pod, q.namespace, q.selector)).map((p) => p.upid)
  )
}

/** The rows a query at q.nowNs reads: from the window's start to the last push before it runs. */
function windowRange(world: World, q: ProtocolTruthQuery): { startNs: bigint; endNs: bigint } {
  return {
    startNs: q.nowNs - BigInt(q.windowSeconds) * 1_000_000_000n,
    endNs: pushedUntilNs(world, q.nowNs),
  }
}

/** The selected rows' nodes and newest time, for the covered span. */
interface Served {
  nodeFirst: Map<string, bigint>
  nodes: Set<string>
  lastNs: bigint
}

function summarize(
  latenciesNs: number[],
  errors: number,
  q: ProtocolTruthQuery,
  served: Served
): Truth {
  const covered = coveredTruth(q, served.nodeFirst, served.nodes, served.lastNs, latenciesNs.length)
  return { ...truthFigures(latenciesNs, errors, covered), probeRows: 0, clientRows: 0 }
}

/** An empty tally over a table whose upid and time_ columns are `upids` and `times`. */
function newServed(world: World, upids: unknown[], times: unknown[]): Served {
  return { nodeFirst: nodeFirstRows(world, upids, times), nodes: new Set(), lastNs: 0n }
}

function serve(world: World, served: Served, upid: string, time: bigint): void {
  served.nodes.add(world.byUpid.get(upid)?.node ?? '')
  if (time > served.lastNs) served.lastNs = time
}

/** The gRPC calls the selected pods served in the window, and those that failed. */
export function grpcTruth(world: World, q: ProtocolTruthQuery): Truth & { httpErrors: number } {
  const upids = selectedUpids(world, q)
  const table = generateHttpEvents(world, windowRange(world, q))
  const col = (name: keyof typeof COL) => table.data[COL[name]] ?? []
  const [up, role, major, ctype, path, headers, status, latency] = [
    col('upid'),
    col('trace_role'),
    col('major_version'),
    col('content_type'),
    col('req_path'),
    col('resp_headers'),
    col('resp_status'),
    col('latency'),
  ]
  const latencies: number[] = []
  let errors = 0
  let httpErrors = 0
  const times = col('time_')
  const served = newServed(world, up, times)
  for (let r = 0; r < up.length; r++) {
    if (!upids.has(up[r] as string) || role[r] !== 2n) continue
    if (major[r] !== 2n || ctype[r] !== 2n) continue
    if (GRPC_HEALTH.has(path[r] as string)) continue
    if (q.path !== undefined && path[r] !== q.path) continue
    const code = (JSON.parse(headers[r] as string) as Record<string, string>)['grpc-status'] ?? ''
    if (q.serverOnly ? GRPC_SERVER_CODES.has(code) || code === '' : code !== '0') errors++
    if ((status[r] as bigint) >= 400n) httpErrors++
    latencies.push(Number(latency[r] as bigint))
    serve(world, served, up[r] as string, times[r] as bigint)
  }
  return { ...summarize(latencies, errors, q, served), httpErrors }
}

/** The MySQL queries the selected pods sent in the window (client side), and the failed ones. */
export function mysqlTruth(world: World, q: ProtocolTruthQuery): Truth & { serverRows: number } {
  const upids = selectedUpids(world, q)
  const table = generateMysqlEvents(world, windowRange(world, q))
  const col = (name: keyof typeof MYSQL_COL) => table.data[MYSQL_COL[name]] ?? []
  const [up, role, status, latency] = [
    col('upid'),
    col('trace_role'),
    col('resp_status'),
    col('latency'),
  ]
  const latencies: number[] = []
  let errors = 0
  let serverRows = 0
  const times = col('time_')
  const served = newServed(world, up, times)
  for (let r = 0; r < up.length; r++) {
    if (!upids.has(up[r] as string)) continue
    if (role[r] !== 1n) {
      serverRows++
      continue
    }
    if (status[r] === 3n) errors++
    latencies.push(Number(latency[r] as bigint))
    serve(world, served, up[r] as string, times[r] as bigint)
  }
  return { ...summarize(latencies, errors, q, served), serverRows }
}
