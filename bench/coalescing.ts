/**
 * Coalescing: `burst` identical requests sent at once and the number of ExecuteScript calls the
 * simulator received for them. Two ways to send them:
 * - 'warm': over `burst` keep-alive connections opened beforehand, as Knative's queue-proxy
 *   holds connections to the container, so all requests reach the function together;
 * - 'fresh': each on a new TCP connection started in the same tick, as separate Argo clients
 *   calling a function directly would; accepting 100 connections takes the function a while, so
 *   the last requests may arrive after the first query has already finished.
 * The simulator answers a query in about a millisecond, faster than a function can even read 100
 * requests, so the goal figure adds a realistic Pixie query time (the simulator's latency fault);
 * the same burst without it is reported too. Every round uses a new tag so no round can profit from
 * an earlier one.
 */
import { Agent, request } from 'node:http'
import { getFresh, type ProbeResponse } from './http-probe'
import { taggedPath } from './queries'
import type { Service } from './service'
import type { SimulatorHandle } from './simulator-client'

export type Connections = 'warm' | 'fresh'

/** The burst variants, in table order: the goal one first. */
export const BURST_VARIANTS = [
  { key: 'warm-slow', connections: 'warm', slowPixie: true },
  { key: 'fresh-slow', connections: 'fresh', slowPixie: true },
  { key: 'warm-fast', connections: 'warm', slowPixie: false },
] as const

export type BurstVariant = (typeof BURST_VARIANTS)[number]['key']

export interface BurstResult {
  connections: Connections
  /** Pixie queries the burst caused. */
  pixieCalls: number
  /** Requests answered 200. */
  ok: number
  /** Requests answered otherwise or failed, by status or error message. */
  failures: Record<string, number>
}

function getWith(
  agent: Agent,
  port: number,
  path: string,
  timeoutMs: number
): Promise<ProbeResponse> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, agent }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (c: Buffer) => chunks.push(c))
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') })
      )
      res.on('error', reject)
    })
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`no response within ${timeoutMs} ms`)))
    req.on('error', reject)
    req.end()
  })
}

/** Sends one burst of identical requests and counts the Pixie queries it caused. */
export async function burstOnce(
  service: Service,
  sim: SimulatorHandle,
  burst: number,
  tag: string,
  connections: Connections
): Promise<BurstResult> {
  const path = taggedPath(tag)
  const agent = new Agent({ keepAlive: true, maxSockets: burst, maxFreeSockets: burst })
  try {
    let send: () => Promise<ProbeResponse>
    if (connections === 'warm') {
      // Open `burst` connections: that many concurrent cheap requests, each needing its own socket.
      await Promise.all(
        Array.from({ length: burst }, () =>
          getWith(agent, service.port, '/health/readiness', 15_000)
        )
      )
      send = () => getWith(agent, service.port, path, 15_000)
    } else {
      send = () => getFresh(service.port, path, 15_000)
    }
    const before = (await sim.stats()).executeScriptCalls
    const answers = await Promise.allSettled(Array.from({ length: burst }, send))
    const after = (await sim.stats()).executeScriptCalls
    const failures: Record<string, number> = {}
    let ok = 0
    for (const a of answers) {
      if (a.status === 'fulfilled' && a.value.status === 200) ok++
      else {
        const key =
          a.status === 'fulfilled' ? `HTTP ${a.value.status}` : String(a.reason).slice(0, 80)
        failures[key] = (failures[key] ?? 0) + 1
      }
    }
    return { connections, pixieCalls: after - before, ok, failures }
  } finally {
    agent.destroy()
  }
}

export interface CoalescingOptions {
  burst: number
  rounds: number
  /** Added Pixie query time of the slow variants, in milliseconds. */
  pixieLatencyMs: number
  seqStart: number
}

/**
 * Runs every burst variant `rounds` times against one function; the simulator's added latency is
 * always cleared again before this settles.
 */
export async function measureCoalescing(
  service: Service,
  sim: SimulatorHandle,
  options: CoalescingOptions
): Promise<{ results: Record<BurstVariant, BurstResult[]>; nextSeq: number }> {
  const results: Record<BurstVariant, BurstResult[]> = {
    'warm-slow': [],
    'fresh-slow': [],
    'warm-fast': [],
  }
  let seq = options.seqStart
  try {
    for (let round = 0; round < options.rounds; round++) {
      for (const v of BURST_VARIANTS) {
        await sim.setLatency(v.slowPixie ? options.pixieLatencyMs : 0)
        const result = await burstOnce(service, sim, options.burst, `burst${seq++}`, v.connections)
        results[v.key].push(result)
      }
    }
  } finally {
    await sim.setLatency(0)
  }
  return { results, nextSeq: seq }
}
