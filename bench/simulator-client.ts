/**
 * The bench's handle on the simulator process (bench/simulator-host.ts): start it with a scenario,
 * read its counters and per-query records, change the traffic multiplier, stop it. Every call is
 * bounded by a timeout and `close` always ends the process (SIGTERM, then SIGKILL).
 */
import type { ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import type { ExecFunc } from '../shared/pixie/types'
import { spawnTracked, stopProcess } from '../test/helpers/spawn'

/** An operation of the simulator host, as sent by the bench. */
export type HostCall =
  | { op: 'start'; scenario: unknown; multiplier: number }
  | { op: 'stats' | 'resetStats' | 'close' }
  | { op: 'setMultiplier'; multiplier: number }
  | { op: 'records'; withQuery: number }
  /** Delay before every ExecuteScript answer (0 clears it): the simulator's latency fault. */
  | { op: 'setLatency'; latencyMs: number }

/** A HostCall with the id its answer carries back. */
export type HostRequest = HostCall & { id: number }

export interface HostResponse {
  id: number
  ok: boolean
  result?: unknown
  error?: string
}

/** One ExecuteScript call the simulator received. */
export interface HostRecord {
  /** The PxL source; only present for the first `withQuery` records asked for. */
  queryStr: string | undefined
  execFuncs: ExecFunc[]
  queryName: string
  rowsScanned: number
  rowsReturned: number
  outcome: string
  /** The simulator's own time for this query (table read + PxL execution), ms; null if unknown. */
  engineMs: number | null
}

export interface SimStats {
  executeScriptCalls: number
  healthCheckCalls: number
  rowsScanned: number
  rowsReturned: number
}

export interface SimulatorHandle {
  /** 'host:port' for PX_DIRECT_ADDR. */
  address: string
  stats(): Promise<SimStats>
  resetStats(): Promise<void>
  setMultiplier(multiplier: number): Promise<void>
  /** Makes every ExecuteScript answer start `latencyMs` late (0: no added latency). */
  setLatency(latencyMs: number): Promise<void>
  /** Calls recorded since the last reset; the PxL source only for the first `withQuery`. */
  records(withQuery?: number): Promise<HostRecord[]>
  close(): Promise<void>
}

const hostPath = fileURLToPath(new URL('./simulator-host.ts', import.meta.url))

function caller(child: ChildProcess) {
  let nextId = 1
  const pending = new Map<number, (res: HostResponse) => void>()
  child.on('message', (res: HostResponse) => pending.get(res.id)?.(res))
  child.once('exit', (code, signal) => {
    for (const settle of pending.values()) {
      settle({
        id: 0,
        ok: false,
        error: `simulator process exited (code ${code}, signal ${signal})`,
      })
    }
    pending.clear()
  })
  return async function call<T>(req: HostCall, timeoutMs = 30_000): Promise<T> {
    const id = nextId++
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        pending.delete(id)
        reject(new Error(`simulator ${req.op}: no answer within ${timeoutMs} ms`))
      }, timeoutMs)
      pending.set(id, (res) => {
        clearTimeout(timer)
        pending.delete(id)
        if (res.ok) resolve(res.result as T)
        else reject(new Error(`simulator ${req.op}: ${res.error ?? 'failed'}`))
      })
      if (!child.connected) {
        clearTimeout(timer)
        pending.delete(id)
        reject(new Error(`simulator ${req.op}: simulator process is gone`))
        return
      }
      child.send({ ...req, id })
    })
  }
}

/** Starts the simulator process with `scenario` at `multiplier` and waits until it listens. */
export async function startSimulatorHost(
  scenario: unknown,
  multiplier = 1
): Promise<SimulatorHandle> {
  const child = spawnTracked(process.execPath, ['--import', 'tsx', hostPath], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  })
  const call = caller(child)
  try {
    const started = await call<{ address: string }>({ op: 'start', scenario, multiplier }, 60_000)
    return {
      address: started.address,
      stats: () => call<SimStats>({ op: 'stats' }),
      resetStats: () => call<null>({ op: 'resetStats' }).then(() => undefined),
      setMultiplier: (m) =>
        call<null>({ op: 'setMultiplier', multiplier: m }).then(() => undefined),
      setLatency: (latencyMs) => call<null>({ op: 'setLatency', latencyMs }).then(() => undefined),
      records: (withQuery = 0) => call<HostRecord[]>({ op: 'records', withQuery }),
      close: async () => {
        await call<null>({ op: 'close' }, 5000).catch(() => undefined)
        await stopProcess(child, 2000)
      },
    }
  } catch (err) {
    await stopProcess(child, 2000)
    throw err
  }
}
