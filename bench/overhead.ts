/**
 * Overhead added to the Pixie query, measured on one function instance under steady closed-loop
 * load from a second process, two ways from the same requests:
 *
 * - vs direct (the goal figure): every lane alternates one function request (a distinct query)
 *   with one direct ExecuteScript call of the same shape (a call the function made in a short
 *   primer phase, replayed straight to the simulator with the project's own Vizier client),
 *   swapping the order every pair. overhead_i = function_i - direct_i, so machine noise that hits
 *   both halves of a pair cancels. This is what a caller pays for asking px-canary instead of
 *   asking Pixie itself.
 * - vs the simulator's own time: each function request is matched (by its /bench-<n> tag) to the
 *   simulator's time for its query (table read + PxL execution, timed inside the simulator
 *   process); overhead_i = latency_i - simulator_i. This includes the loopback gRPC transfer and
 *   encoding, so it is an upper bound of the function's own cost.
 */
import { runLoad, type LoadResult, type ReplayCall } from './load'
import { DISTINCT_PATH_TEMPLATE, seqOfCall } from './queries'
import { readCpuMs } from '../test/helpers/spawn'
import type { Service } from './service'
import type { HostRecord, SimulatorHandle } from './simulator-client'

export interface OverheadOptions {
  concurrency: number
  /** Primer phase whose calls are replayed as the direct halves (also warms the function). */
  primerMs: number
  warmupMs: number
  durationMs: number
  /** First request sequence number; returned advanced so later phases never repeat a query. */
  seqStart: number
  /**
   * Calls to replay as the direct halves instead of a primer's (the floor fixture, which makes no
   * call of its own to record). The instance is still warmed by a primer phase.
   */
  calls?: ReplayCall[]
}

export interface OverheadSamples {
  /** Function latency per measured pair (ms). */
  functionMs: number[]
  /** Direct ExecuteScript latency per measured pair (ms), aligned with functionMs. */
  directMs: number[]
  /** function_i - direct_i per measured pair (ms). */
  vsDirectMs: number[]
  /** Latency minus the simulator's own time for the same query (ms), per matched request. */
  vsSimulatorMs: number[]
  /** The simulator's own time per matched query (ms). */
  simulatorMs: number[]
  /** ExecuteScript calls caused by the function's requests of the measured job (warm-up included). */
  pixieCalls: number
  /** HTTP requests of the measured job (warm-up included). */
  /** CPU time the function process used during the paired job (warm-up included), from /proc. */
  functionCpuMs?: number
  requestsSent: number
  /** Non-200 answers and failed pairs during the measured phase. */
  failures: number
  nextSeq: number
  /** The calls replayed as the direct halves. */
  calls: ReplayCall[]
}

/** Pairs measured requests with the simulator's per-query time through their sequence tag. */
export function pairWithSimulator(
  result: Pick<LoadResult, 'latenciesMs' | 'seqs' | 'entryOk'>,
  records: readonly HostRecord[]
): { pairedMs: number[]; simulatorMs: number[] } {
  const bySeq = new Map<number, number>()
  for (const r of records) {
    const seq = seqOfCall(r.execFuncs)
    if (seq !== undefined && r.engineMs !== null && r.outcome === 'ok') bySeq.set(seq, r.engineMs)
  }
  const pairedMs: number[] = []
  const simulatorMs: number[] = []
  result.latenciesMs.forEach((ms, i) => {
    if (!result.entryOk[i]) return
    const sim = bySeq.get(result.seqs[i] ?? -1)
    if (sim === undefined) return
    pairedMs.push(ms - sim)
    simulatorMs.push(sim)
  })
  return { pairedMs, simulatorMs }
}

/** Replayable calls from the simulator's records (successful ones that kept their source). */
export function replayCalls(records: readonly HostRecord[], max = 200): ReplayCall[] {
  return records
    .filter((r) => r.outcome === 'ok' && r.queryStr !== undefined)
    .slice(0, max)
    .map((r) => ({ script: r.queryStr as string, execFuncs: r.execFuncs, queryName: r.queryName }))
}

function failuresOf(result: LoadResult): number {
  const errors = Object.values(result.errors).reduce((a, b) => a + b, 0)
  return result.completed - result.ok + errors
}

/** Runs the primer and the paired job against one function instance. */
export async function measureOverhead(
  service: Service,
  sim: SimulatorHandle,
  options: OverheadOptions
): Promise<OverheadSamples> {
  await sim.resetStats()
  const primer = await runLoad({
    target: { kind: 'http', port: service.port, paths: [DISTINCT_PATH_TEMPLATE] },
    concurrency: options.concurrency,
    warmupMs: 0,
    durationMs: options.primerMs,
    seqStart: options.seqStart,
  })
  const calls = options.calls ?? replayCalls(await sim.records(200))
  if (calls.length === 0) throw new Error(`${service.name}: no successful Pixie call to replay`)

  await sim.resetStats()
  const seqStart = primer.nextSeq
  const pid = service.child.pid
  const cpuBefore = pid === undefined ? undefined : readCpuMs(pid)
  const job = await runLoad({
    target: {
      kind: 'paired',
      port: service.port,
      paths: [DISTINCT_PATH_TEMPLATE],
      address: sim.address,
      calls,
    },
    concurrency: options.concurrency,
    warmupMs: options.warmupMs,
    durationMs: options.durationMs,
    seqStart,
  })
  const cpuAfter = pid === undefined ? undefined : readCpuMs(pid)
  const directMs = job.directMs ?? []
  if (job.ok === 0 || directMs.length !== job.latenciesMs.length) {
    throw new Error(
      `${service.name}: no successful pair (${JSON.stringify({ ...job.statuses, ...job.errors }).slice(0, 300)})`
    )
  }
  const records = await sim.records(0)
  const own = records.filter((r) => {
    const seq = seqOfCall(r.execFuncs)
    return seq !== undefined && seq >= seqStart && seq < job.nextSeq
  })
  const okPairs = job.latenciesMs.flatMap((ms, i) =>
    job.entryOk[i] ? [{ ms, direct: directMs[i] as number }] : []
  )
  const paired = pairWithSimulator(job, records)
  return {
    functionMs: okPairs.map((p) => p.ms),
    directMs: okPairs.map((p) => p.direct),
    vsDirectMs: okPairs.map((p) => p.ms - p.direct),
    vsSimulatorMs: paired.pairedMs,
    simulatorMs: paired.simulatorMs,
    pixieCalls: own.length,
    requestsSent: job.nextSeq - seqStart,
    ...(cpuBefore !== undefined && cpuAfter !== undefined
      ? { functionCpuMs: cpuAfter - cpuBefore }
      : {}),
    failures: failuresOf(job),
    nextSeq: job.nextSeq,
    calls,
  }
}
