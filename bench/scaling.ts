/**
 * Scaling with traffic: the same distinct queries at traffic x1, x10, x100 (the simulator's
 * multiplier scales every request rate, so the rows Pixie scans grow with it). Because aggregation
 * happens in PxL, the rows the functions fetch should stay the same, and the function's own time
 * should stay flat while the simulator's grows. The function's time is measured as in the overhead
 * phase: each function request paired with a direct call of the same shape (function_i -
 * direct_i), which cancels everything that grows on the simulator's side, including its garbage
 * collection after big queries; latency minus the simulator's timed work is kept for reference.
 * The function's CPU per request and the floor fixture (Hono in front of one raw HTTP/2 call),
 * paired the same way at every level, are reported beside it: what grows for any server on this
 * stack and this machine, and what grows in the function's own work.
 */
import { getFresh } from './http-probe'
import { runLoad } from './load'
import { pairWithSimulator, replayCalls } from './overhead'
import { DISTINCT_PATH_TEMPLATE, seqOfCall, taggedPath } from './queries'
import type { Service } from './service'
import type { SimulatorHandle } from './simulator-client'
import { readCpuMs } from '../test/helpers/spawn'

export interface ScalingLevel {
  multiplier: number
  /** Result rows sent back per query (all queries of the level, all functions). */
  rowsReturned: number[]
  /** Source rows read per query. */
  rowsScanned: number[]
  /** The simulator's own time per query (ms). */
  simulatorMs: number[]
  /** Function latency per request (ms). */
  functionMs: number[]
  /** Function latency minus the simulator's time for the same query (ms). */
  pairedMs: number[]
  /** Function latency minus the paired direct call's latency (ms). */
  vsDirectMs: number[]
  /** Requests not answered 200. */
  failures: number
  /**
   * CPU time (user + system, /proc) of the function processes during the level's paired jobs, and
   * the function requests they served: the function's own work, whatever the simulator's load
   * does to the waits on the same two CPUs.
   */
  functionCpuMs: number
  requests: number
  /**
   * The floor fixture (bench/fixtures/bare-proxy.ts) paired the same way at this level: what the
   * same pacing costs a server that does nothing but forward the call. Empty without a floor.
   */
  floorVsDirectMs: number[]
}

export interface ScalingOptions {
  multipliers: number[]
  durationMs: number
  /** Pairs to record per function and level at least, however slow the queries get. */
  minRequests: number
  seqStart: number
  /** Progress: called after each level. */
  onLevel?: (level: ScalingLevel, ms: number) => void
  /** The floor fixture, already serving, measured at every level after the functions. */
  floor?: Service
}

/** Measures every level in turn; the simulator is left at the last multiplier. */
export async function measureScaling(
  services: readonly Service[],
  sim: SimulatorHandle,
  options: ScalingOptions
): Promise<{ levels: ScalingLevel[]; nextSeq: number }> {
  let seq = options.seqStart
  const levels: ScalingLevel[] = []
  for (const multiplier of options.multipliers) {
    const started = Date.now()
    await sim.setMultiplier(multiplier)
    // The first query at a new multiplier generates the whole history; keep it out of the figures.
    // These queries also provide the calls replayed as the direct halves of the pairs.
    await sim.resetStats()
    for (const s of services)
      await getFresh(s.port, taggedPath(`warm${multiplier}x${seq++}`), 30_000)
    const calls = replayCalls(await sim.records(services.length))
    if (calls.length === 0) throw new Error(`x${multiplier}: no successful Pixie call to replay`)
    const level: ScalingLevel = {
      multiplier,
      rowsReturned: [],
      rowsScanned: [],
      simulatorMs: [],
      functionMs: [],
      pairedMs: [],
      vsDirectMs: [],
      failures: 0,
      functionCpuMs: 0,
      requests: 0,
      floorVsDirectMs: [],
    }
    for (const service of services) {
      await sim.resetStats()
      const own = calls.filter((c) => c.queryName.endsWith(service.name))
      const pid = service.child.pid
      const cpuBefore = pid === undefined ? undefined : readCpuMs(pid)
      const result = await runLoad({
        target: {
          kind: 'paired',
          port: service.port,
          paths: [DISTINCT_PATH_TEMPLATE],
          address: sim.address,
          calls: own.length > 0 ? own : calls,
        },
        concurrency: 1,
        warmupMs: 0,
        durationMs: options.durationMs,
        minRequests: options.minRequests,
        seqStart: seq,
      })
      const cpuAfter = pid === undefined ? undefined : readCpuMs(pid)
      if (cpuBefore !== undefined && cpuAfter !== undefined) {
        level.functionCpuMs += cpuAfter - cpuBefore
        level.requests += result.nextSeq - seq
      }
      seq = result.nextSeq
      level.failures += result.completed - result.ok
      result.latenciesMs.forEach((ms, i) => {
        const direct = result.directMs?.[i]
        if (result.entryOk[i] && direct !== undefined) level.vsDirectMs.push(ms - direct)
      })
      const records = await sim.records(0)
      const measured = new Set(result.seqs)
      for (const r of records) {
        const s = seqOfCall(r.execFuncs)
        // Direct halves carry tags offset by DIRECT_TAG_OFFSET (bench/load-protocol.ts), never in `measured`.
        if (s === undefined || !measured.has(s) || r.outcome !== 'ok') continue
        level.rowsReturned.push(r.rowsReturned)
        level.rowsScanned.push(r.rowsScanned)
      }
      const paired = pairWithSimulator(result, records)
      level.functionMs.push(...result.latenciesMs)
      level.pairedMs.push(...paired.pairedMs)
      level.simulatorMs.push(...paired.simulatorMs)
    }
    if (options.floor) {
      const result = await runLoad({
        target: {
          kind: 'paired',
          port: options.floor.port,
          paths: [DISTINCT_PATH_TEMPLATE],
          address: sim.address,
          calls,
        },
        concurrency: 1,
        warmupMs: 0,
        durationMs: options.durationMs,
        minRequests: options.minRequests,
        seqStart: seq,
      })
      seq = result.nextSeq
      result.latenciesMs.forEach((ms, i) => {
        const direct = result.directMs?.[i]
        if (result.entryOk[i] && direct !== undefined) level.floorVsDirectMs.push(ms - direct)
      })
    }
    levels.push(level)
    options.onLevel?.(level, Date.now() - started)
  }
  return { levels, nextSeq: seq }
}
