/**
 * Throughput of one instance at fixed concurrency, side by side: the bare Hono fixture (what the
 * framework alone can serve here), the simulator queried directly (what Pixie alone can serve
 * here), and each function with distinct queries (each one a Pixie query) and with one identical
 * query (coalesced). All of them share the machine's CPUs with the load process and the simulator.
 */
import { isOk } from './http-probe'
import { runLoad, type LoadResult, type LoadTarget } from './load'
import { replayCalls } from './overhead'
import { DISTINCT_PATH_TEMPLATE, taggedPath } from './queries'
import { startService, type Service } from './service'
import type { SimulatorHandle } from './simulator-client'

export interface ThroughputOptions {
  concurrency: number
  warmupMs: number
  durationMs: number
  seqStart: number
}

export interface ThroughputResults {
  bareHono: LoadResult
  /** Undefined when no function call could be recorded for replay. */
  direct: LoadResult | undefined
  functions: Array<{ name: string; distinct: LoadResult; identical: LoadResult }>
  nextSeq: number
}

/** Runs every throughput job in turn; the bare Hono instance is started and stopped here. */
export async function measureThroughput(
  services: readonly Service[],
  bareHonoEntry: string,
  sim: SimulatorHandle,
  options: ThroughputOptions
): Promise<ThroughputResults> {
  let seq = options.seqStart
  const load = (target: LoadTarget): Promise<LoadResult> =>
    runLoad({
      target,
      concurrency: options.concurrency,
      warmupMs: options.warmupMs,
      durationMs: options.durationMs,
      seqStart: seq,
    })

  const hono = await startService({
    name: 'bare Hono',
    entry: bareHonoEntry,
    readyPath: '/',
    accept: isOk,
  })
  let bareHono: LoadResult
  try {
    bareHono = await load({ kind: 'http', port: hono.port, paths: ['/'] })
  } finally {
    await hono.stop()
  }

  let direct: LoadResult | undefined
  const first = services[0]
  if (first) {
    await sim.resetStats()
    const primer = await runLoad({
      target: { kind: 'http', port: first.port, paths: [DISTINCT_PATH_TEMPLATE] },
      concurrency: 1,
      warmupMs: 0,
      durationMs: 300,
      seqStart: seq,
    })
    seq = primer.nextSeq
    const calls = replayCalls(await sim.records(200))
    if (calls.length > 0) direct = await load({ kind: 'grpc', address: sim.address, calls })
  }

  const functions: ThroughputResults['functions'] = []
  for (const service of services) {
    const distinct = await load({
      kind: 'http',
      port: service.port,
      paths: [DISTINCT_PATH_TEMPLATE],
    })
    seq = distinct.nextSeq
    const identical = await load({
      kind: 'http',
      port: service.port,
      paths: [taggedPath(`same${seq++}`)],
    })
    functions.push({ name: service.name, distinct, identical })
  }
  return { bareHono, direct, functions, nextSeq: seq }
}
