/**
 * Runs the Vizier simulator in its own process for the bench (`node --import tsx
 * bench/simulator-host.ts`), driven over IPC by simulator-client.ts. A separate process keeps the
 * simulator's CPU work (PxL execution over synthetic rows) off the bench's event loop, whose 1 ms
 * cold-start polling must not stall behind a query.
 *
 * It also times the simulator's own work per query: the PxL engine is injected (startSimulator's
 * `executePxl` option) wrapped in a timer, so every recorded request carries the engine time
 * (reading the synthetic http_events table plus executing the script), keyed by the request's
 * execFuncs array, which the server hands to the engine by reference.
 */
import type { ExecFunc } from '../shared/pixie/types'
import type { ExecutePxl } from '../simulator/pxl/types'
import type { Simulator, SimulatorOptions } from '../simulator/server'
import type { HostRecord, HostRequest, HostResponse } from './simulator-client'

const engineMs = new WeakMap<ExecFunc[], number>()
let sim: Simulator | undefined

async function loadEngine(): Promise<ExecutePxl> {
  const specifier = '../simulator/pxl/index'
  const mod = (await import(specifier)) as { executePxl?: ExecutePxl }
  if (typeof mod.executePxl !== 'function') throw new Error('simulator/pxl exports no executePxl')
  return mod.executePxl
}

/** startSimulator from simulator/index (its public entry), or simulator/server where no index exists. */
async function loadStart(): Promise<(o: SimulatorOptions) => Promise<Simulator>> {
  type Mod = { startSimulator?: (o: SimulatorOptions) => Promise<Simulator> }
  for (const specifier of ['../simulator/index', '../simulator/server']) {
    const mod = (await import(specifier).catch(() => undefined)) as Mod | undefined
    if (typeof mod?.startSimulator === 'function') return mod.startSimulator
  }
  throw new Error('neither simulator/index nor simulator/server exports startSimulator')
}

async function handle(req: HostRequest): Promise<unknown> {
  switch (req.op) {
    case 'start': {
      if (sim) throw new Error('simulator already started')
      const [engine, start] = await Promise.all([loadEngine(), loadStart()])
      const timed: ExecutePxl = (script, options) => {
        const t0 = process.hrtime.bigint()
        try {
          return engine(script, options)
        } finally {
          if (options.execFuncs) {
            engineMs.set(options.execFuncs, Number(process.hrtime.bigint() - t0) / 1e6)
          }
        }
      }
      sim = await start({
        scenario: req.scenario as SimulatorOptions['scenario'],
        port: 0,
        multiplier: req.multiplier,
        executePxl: timed,
      })
      return { address: sim.address, port: sim.port }
    }
    case 'stats':
      return { ...requireSim().stats }
    case 'resetStats':
      requireSim().resetStats()
      return null
    case 'setMultiplier':
      requireSim().setMultiplier(req.multiplier)
      return null
    case 'setLatency':
      if (req.latencyMs > 0) requireSim().setFault({ latencyMs: req.latencyMs })
      else requireSim().clearFaults()
      return null
    case 'records': {
      const records: HostRecord[] = requireSim().requests.map((r, i) => ({
        queryStr: i < req.withQuery ? r.queryStr : undefined,
        execFuncs: r.execFuncs,
        queryName: r.queryName,
        rowsScanned: r.rowsScanned,
        rowsReturned: r.rowsReturned,
        outcome: r.outcome,
        engineMs: engineMs.get(r.execFuncs) ?? null,
      }))
      return records
    }
    case 'close':
      await sim?.close()
      sim = undefined
      return null
  }
}

function requireSim(): Simulator {
  if (!sim) throw new Error('simulator not started')
  return sim
}

process.on('message', (req: HostRequest) => {
  handle(req).then(
    (result) => process.send?.({ id: req.id, ok: true, result } satisfies HostResponse),
    (err: unknown) =>
      process.send?.({
        id: req.id,
        ok: false,
        error: err instanceof Error ? err.message : String(err),
      } satisfies HostResponse)
  )
})
process.on('disconnect', () => {
  void (sim?.close() ?? Promise.resolve()).finally(() => process.exit(0))
})
process.on('SIGTERM', () => {
  void (sim?.close() ?? Promise.resolve()).finally(() => process.exit(0))
})
