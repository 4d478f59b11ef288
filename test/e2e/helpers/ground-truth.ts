/**
 * Ground truth for e2e tests, computed INDEPENDENTLY of the PxL engine and the functions: plain
 * JavaScript over the rows the simulator generates for the window (the generator is deterministic
 * per second, so these are the very rows the simulator served) and the scenario's own topology.
 *
 * The definitions restate the HTTP contract: inbound (server-side, trace_role 2) requests of the
 * selected pods in the namespace, health-probe paths (as the scenario declares them) left out,
 * from now - window (px.now() at compile time) to the last push tick before the query executes
 * (rows are pushed once per push period, so up to a period is missing and rows after px.now() can
 * be in: pixie-io/pixie src/stirling/stirling.cc, src/carnot/exec/memory_source_node.cc); an error is a status >= errorMinStatus (400 by default). Latency
 * quantiles follow Pixie's px.quantiles rule, restated here (pixie-quantile.ts), not imported from
 * the simulator.
 */
import { COL, HTTP_EVENTS_COLUMNS } from '../../../simulator/http-events'
import type { SimPod, World } from '../../../simulator/topology'
import { generateHttpEvents } from '../../../simulator/traffic'
import { MAX_EXACT, pixieQuantile } from './pixie-quantile'
import { pushPhaseMs } from '../../../simulator/datasource'

export type TruthSelector = { replicaset: string } | { podPrefix: string } | { service: string }

export interface TruthQuery {
  namespace: string
  selector: TruthSelector
  nowNs: bigint
  windowSeconds: number
  errorMinStatus?: number
  multiplier?: number
}

export interface Truth {
  requests: number
  errors: number
  /** errors / requests, null without requests. */
  errorRate: number | null
  /** requests / coveredSeconds, null without requests. */
  rps: number | null
  /**
   * Seconds of the window the rows cover by the answers' definition (README "What the data
   * covers"): from the window's start, or from the latest per-node oldest retained row when a
   * serving node's rows start more than min(30 s, window / 10) late; to the newest selected row,
   * held within 1.2 s of now. Null without requests.
   */
  coveredSeconds: number | null
  /** Whether a node serving the selection had its window cut by retention (as defined above). */
  truncated: boolean
  /** Latencies of the counted requests in ms, ascending. */
  latenciesMs: number[]
  meanMs: number | null
  /**
   * Pixie's px.quantiles p50/p90/p99 of the counted latencies in ms; null without requests and
   * above 8,001 of them, where Pixie's t-digest depends on the rows' arrival order.
   */
  quantilesMs: { p50: number; p90: number; p99: number } | null
  /** Probe rows of the selected pods in the window (excluded from everything above). */
  probeRows: number
  /** Client-side (trace_role 1) rows of the selected pods in the window (excluded too). */
  clientRows: number
}

/** Whether the selector picks this pod in the namespace. */
export function selects(pod: SimPod, namespace: string, selector: TruthSelector): boolean {
  if (pod.namespace !== namespace) return false
  if ('replicaset' in selector) return pod.replicaset === selector.replicaset
  if ('podPrefix' in selector) return pod.name.startsWith(selector.podPrefix)
  return pod.services.includes(selector.service)
}

/** The newest row time a query compiled at nowNs sees: the last push tick before it executes. */
export function pushedUntilNs(world: World, nowNs: bigint): bigint {
  const { push_period_ms: period, exec_delay_ms: delay } = world.scenario.pixie
  const execMs = Number(nowNs / 1_000_000n) + delay
  const tickMs = Math.floor((execMs - pushPhaseMs(world)) / period) * period + pushPhaseMs(world)
  const tickNs = BigInt(tickMs) * 1_000_000n
  // A tick exactly at execution counts; rows are never exactly on a tick (sub-ms times).
  return tickNs - 1n
}

export function groundTruth(world: World, query: TruthQuery): Truth {
  const probePaths = new Set(world.pods.flatMap((p) => p.traffic.probes?.paths ?? []))
  // A pod younger than the metadata delay when the query executes resolves to '' and matches no
  // selector (pixie-io/pixie src/carnot/funcs/metadata/metadata_ops.h answers '' for unknown pods).
  const { metadata_delay_ms: metadataDelayMs, exec_delay_ms: execDelayMs } = world.scenario.pixie
  const execNs = query.nowNs + BigInt(execDelayMs) * 1_000_000n
  const resolved = (p: SimPod) =>
    p.startedNs === undefined || execNs - p.startedNs >= BigInt(metadataDelayMs) * 1_000_000n
  const selected = new Set(
    world.pods
      .filter((p) => resolved(p) && selects(p, query.namespace, query.selector))
      .map((p) => p.upid)
  )
  const errorMin = BigInt(query.errorMinStatus ?? 400)
  const table = generateHttpEvents(world, {
    startNs: query.nowNs - BigInt(query.windowSeconds) * 1_000_000_000n,
    endNs: pushedUntilNs(world, query.nowNs),
    ...(query.multiplier === undefined ? {} : { multiplier: query.multiplier }),
  })
  const col = (name: keyof typeof COL) => table.data[COL[name]] ?? []
  const kept = retained(world, table.data)
  const [upids, roles, paths, statuses, latencies] = [
    col('upid'),
    col('trace_role'),
    col('req_path'),
    col('resp_status'),
    col('latency'),
  ]
  let requests = 0
  let errors = 0
  let probeRows = 0
  let clientRows = 0
  const latenciesNs: number[] = []
  const times = col('time_') as bigint[]
  /** Per node: its oldest row left in the window, whatever the pod. */
  const nodeFirst = new Map<string, bigint>()
  const servingNodes = new Set<string>()
  let lastNs = 0n
  for (let r = 0; r < upids.length; r++) {
    if (!kept[r]) continue
    const node = world.byUpid.get(upids[r] as string)?.node ?? ''
    if (!nodeFirst.has(node)) nodeFirst.set(node, times[r] as bigint)
  }
  for (let r = 0; r < upids.length; r++) {
    if (!kept[r]) continue
    if (!selected.has(upids[r] as string)) continue
    if (roles[r] !== 2n) {
      clientRows++
      continue
    }
    if (probePaths.has(paths[r] as string)) {
      probeRows++
      continue
    }
    requests++
    servingNodes.add(world.byUpid.get(upids[r] as string)?.node ?? '')
    if ((times[r] as bigint) > lastNs) lastNs = times[r] as bigint
    if ((statuses[r] as bigint) >= errorMin) errors++
    latenciesNs.push(Number(latencies[r] as bigint))
  }
  return {
    ...truthFigures(
      latenciesNs,
      errors,
      coveredTruth(query, nodeFirst, servingNodes, lastNs, requests)
    ),
    probeRows,
    clientRows,
  }
}

/**
 * The figures of the selected requests: counts exact, latency in ms, Pixie's quantiles (null above
 * MAX_EXACT values, where they depend on arrival order).
 */
export function truthFigures(
  latenciesNs: number[],
  errors: number,
  covered: { coveredSeconds: number | null; truncated: boolean }
): Omit<Truth, 'probeRows' | 'clientRows'> {
  const requests = latenciesNs.length
  const latenciesMs = latenciesNs.map((ns) => ns / 1e6).sort((a, b) => a - b)
  const sum = latenciesMs.reduce((s, x) => s + x, 0)
  return {
    requests,
    errors,
    errorRate: requests === 0 ? null : errors / requests,
    rps: covered.coveredSeconds === null ? null : requests / covered.coveredSeconds,
    coveredSeconds: covered.coveredSeconds,
    truncated: covered.truncated,
    latenciesMs,
    meanMs: requests === 0 ? null : sum / requests,
    quantilesMs:
      requests === 0 || requests > MAX_EXACT
        ? null
        : {
            p50: pixieQuantile(latenciesNs, 0.5) / 1e6,
            p90: pixieQuantile(latenciesNs, 0.9) / 1e6,
            p99: pixieQuantile(latenciesNs, 0.99) / 1e6,
          },
  }
}

/** Bytes of a row as Pixie's table store counts them: 8 per number or time, 16 per UINT128, 1 per
 * BOOLEAN, plus each string's bytes (pixie-io/pixie src/table_store/schema/row_batch.cc). */
function bytesOf(data: unknown[][], r: number): number {
  let bytes = 0
  HTTP_EVENTS_COLUMNS.forEach((c, i) => {
    if (c.type === 'STRING') bytes += Buffer.byteLength((data[i] as string[])[r] as string)
    else bytes += c.type === 'UINT128' ? 16 : c.type === 'BOOLEAN' ? 1 : 8
  })
  return bytes
}

/**
 * Which rows of the window each node still holds: its newest rows up to the scenario's
 * http_events_bytes, the older ones expired (pixie-io/pixie src/table_store/table/table.cc).
 * Rows are in time order, so walking back from the newest finds the cut.
 */
function retained(world: World, data: unknown[][]): boolean[] {
  const limit = world.scenario.pixie.http_events_bytes
  const upids = (data[COL.upid] ?? []) as string[]
  const kept = new Array<boolean>(upids.length).fill(false)
  const used = new Map<string, number>()
  const full = new Set<string>()
  for (let r = upids.length - 1; r >= 0; r--) {
    const node = world.byUpid.get(upids[r] as string)?.node ?? ''
    if (full.has(node)) continue
    const total = (used.get(node) ?? 0) + bytesOf(data, r)
    if (total > limit) {
      full.add(node)
      continue
    }
    used.set(node, total)
    kept[r] = true
  }
  return kept
}

/**
 * The covered span by the answers' definition (README "What the data covers"), restated: from the
 * window's start, or from the latest oldest row of a serving node whose rows start more than
 * min(30 s, window / 10) late; to the newest selected row, held within 1.2 s of now.
 *
 * @param nodeFirst per node, its oldest row in the window over the whole table
 */
export function coveredTruth(
  query: { nowNs: bigint; windowSeconds: number },
  nodeFirst: ReadonlyMap<string, bigint>,
  servingNodes: ReadonlySet<string>,
  lastNs: bigint,
  requests: number
): { coveredSeconds: number | null; truncated: boolean } {
  const startNs = query.nowNs - BigInt(query.windowSeconds) * 1_000_000_000n
  const headNs = BigInt(Math.min(30_000, query.windowSeconds * 100)) * 1_000_000n
  let fromNs = startNs
  for (const node of servingNodes) {
    const first = nodeFirst.get(node) as bigint
    if (first - startNs > headNs && first > fromNs) fromNs = first
  }
  const allowance = 1_200_000_000n
  const endNs =
    lastNs < query.nowNs - allowance
      ? query.nowNs - allowance
      : lastNs > query.nowNs + allowance
        ? query.nowNs + allowance
        : lastNs
  const coveredSeconds = requests === 0 ? null : Number((endNs - fromNs) / 1_000_000n) / 1000
  return { coveredSeconds, truncated: fromNs !== startNs }
}

/** Per node, its oldest row among `upids`/`times` (rows in time order). */
export function nodeFirstRows(
  world: World,
  upids: unknown[],
  times: unknown[]
): Map<string, bigint> {
  const first = new Map<string, bigint>()
  for (let r = 0; r < upids.length; r++) {
    const node = world.byUpid.get(upids[r] as string)?.node ?? ''
    if (!first.has(node)) first.set(node, times[r] as bigint)
  }
  return first
}
