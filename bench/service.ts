/**
 * A long-running instance of a bundle (a function or a floor fixture) for the load phases: spawned
 * once, polled until it gives an accepted answer, stopped at the end (SIGTERM, then SIGKILL).
 */
import type { ChildProcess } from 'node:child_process'
import { setTimeout as sleep } from 'node:timers/promises'
import { childEnv } from './cold-start'
import { getFresh, type ProbeResponse } from './http-probe'
import { freePort, isRunning, readRssBytes, spawnTracked, stopProcess } from '../test/helpers/spawn'

export interface Service {
  name: string
  port: number
  child: ChildProcess
  /** Current VmRSS in bytes (undefined when unreadable). */
  rssBytes(): number | undefined
  stop(): Promise<void>
}

export interface ServiceSpec {
  name: string
  entry: string
  /** The Node binary that runs it (default: the bench's own). */
  node?: string
  env?: Record<string, string>
  /** Probed until `accept` holds. */
  readyPath: string
  accept: (response: ProbeResponse) => boolean
  /** Bound on the wait for the first accepted answer (default 15 s). */
  readyTimeoutMs?: number
}

/** Spawns `spec.entry` on a free port and resolves once it gives an accepted answer. */
export async function startService(spec: ServiceSpec): Promise<Service> {
  const port = await freePort()
  let stderr = ''
  const child = spawnTracked(spec.node ?? process.execPath, [spec.entry], {
    env: childEnv({ ...spec.env, PORT: String(port) }),
    stdio: ['ignore', 'ignore', 'pipe'],
  })
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString('utf8')).slice(-2000)
  })
  const deadline = Date.now() + (spec.readyTimeoutMs ?? 15_000)
  let lastAnswer: string | undefined
  let lastError = 'no probe sent'
  try {
    for (;;) {
      if (!isRunning(child)) throw new Error(`exited (code ${child.exitCode}) before answering`)
      if (Date.now() > deadline)
        throw new Error(`not ready within ${spec.readyTimeoutMs ?? 15_000} ms`)
      try {
        const response = await getFresh(port, spec.readyPath, Math.max(1, deadline - Date.now()))
        if (spec.accept(response)) break
        lastAnswer = `HTTP ${response.status} ${response.body.slice(0, 200)}`
      } catch (err) {
        lastError = (err as Error).message
      }
      await sleep(10)
    }
  } catch (err) {
    await stopProcess(child)
    const tail = stderr.trim() ? `; stderr: ${stderr.trim().slice(-500)}` : ''
    throw new Error(
      `${spec.name}: ${(err as Error).message} (last: ${lastAnswer ?? lastError})${tail}`
    )
  }
  return {
    name: spec.name,
    port,
    child,
    rssBytes: () => (child.pid === undefined ? undefined : readRssBytes(child.pid)),
    stop: () => stopProcess(child),
  }
}
