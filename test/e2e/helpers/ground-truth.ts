/**
 * Ground truth for e2e tests, computed INDEPENDENTLY of the PxL engine and the functions: plain
 * JavaScript over the rows the simulator generates for the window (the generator is deterministic
 * per second, so these are the very rows the simulator served) and the scenario's own topology.
 *
 * The definitions restate the HTTP contract: inbound (server-side, trace_role 2) requests of the
 * selected pods in the namespace, health-probe paths (as the scenario declares them) left out,
 * over [now - window, now]; an error is a status >= errorMinStatus (400 by default).
 */
import { COL } from '../../../simulator/http-events'
import type { SimPod, World } from '../../../simulator/topology'
import { generateHttpEvents } from '../../../simulator/traffic'

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
  /** requests / window seconds, null without requests. */
  rps: number | null
  /** Latencies of the counted requests in ms, ascending. */
  latenciesMs: number[]
  meanMs: number | null
  /** Probe rows of the selected pods in the window (excluded from everything above). */
  probeRows: number
  /** Client-side (trace_role 1) rows of the selected pods in the window (excluded too). */
  clientRows: number
}

function selects(pod: SimPod, namespace: string, selector: TruthSelector): boolean {
  if (pod.namespace !== namespace) return false
  if ('replicaset' in selector) return pod.replicaset === selector.replicaset
  if ('podPrefix' in selector) return pod.name.startsWith(selector.podPrefix)
  return pod.services.includes(selector.service)
}

export function groundTruth(world: World, query: TruthQuery): Truth {
  const probePaths = new Set(world.pods.flatMap((p) => p.traffic.probes?.paths ?? []))
  const selected = new Set(
    world.pods.filter((p) => selects(p, query.namespace, query.selector)).map((p) => p.upid)
  )
  const errorMin = BigInt(query.errorMinStatus ?? 400)
  const table = generateHttpEvents(world, {
    startNs: query.nowNs - BigInt(query.windowSeconds) * 1_000_000_000n,
    endNs: query.nowNs,
    ...(query.multiplier === undefined ? {} : { multiplier: query.multiplier }),
  })
  const col = (name: keyof typeof COL) => table.data[COL[name]] ?? []
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
  const latenciesMs: number[] = []
  for (let r = 0; r < upids.length; r++) {
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
    if ((statuses[r] as bigint) >= errorMin) errors++
    latenciesMs.push(Number(latencies[r] as bigint) / 1e6)
  }
  latenciesMs.sort((a, b) => a - b)
  const sum = latenciesMs.reduce((s, x) => s + x, 0)
  return {
    requests,
    errors,
    errorRate: requests === 0 ? null : errors / requests,
    rps: requests === 0 ? null : requests / query.windowSeconds,
    latenciesMs,
    meanMs: requests === 0 ? null : sum / requests,
    probeRows,
    clientRows,
  }
}

/**
 * The tolerance band for a reported quantile: Pixie's px.quantiles is a t-digest (an estimate),
 * so a reported q-quantile is accepted when it lies between the empirical (q - 0.02) and
 * (q + 0.02) quantiles of the true latencies, widened by 1 %.
 */
export function quantileBand(sortedMs: number[], q: number): [number, number] {
  const at = (p: number) => {
    const clamped = Math.min(1, Math.max(0, p))
    return (
      sortedMs[Math.min(sortedMs.length - 1, Math.floor(clamped * (sortedMs.length - 1)))] ?? NaN
    )
  }
  return [at(q - 0.02) * 0.99, at(q + 0.02) * 1.01]
}
