/**
 * `npm run bench:alloc`: bytes allocated per request, by module, for each function's app and for
 * the own-cost floor, in one process on the machine's Node, against the simulator.
 *
 * Garbage is what a request costs the collector: every byte allocated on the JS heap is scavenged
 * later, whether or not it outlives the request. V8's sampling heap profiler (inspector
 * `HeapProfiler.startSampling`, one sample per `ALLOC_INTERVAL` bytes on average) is asked to keep
 * the samples of objects already collected, so its total is what the requests allocated, not what
 * is left. Each target:
 * - a function: `createMetricApp` (shared/app.ts) with the real Vizier client in the simulator's
 *   development mode and its log line written to /dev/null, as shared/serve.ts builds it;
 * - the floor: bench/fixtures/floor-app.ts, what bench/fixtures/bare-proxy.ts serves: Hono with one
 *   raw node:http2 ExecuteScript call per request and a small JSON answer.
 * Requests go to `app.fetch` with @hono/node-server's lightweight Request and Response in place
 * (as in a function); the HTTP server's own allocations are left out, the same for every target.
 * Every request is a distinct query. Sampling makes the figures estimates: read differences of
 * a few hundred bytes as noise.
 *
 *   npm run bench:alloc   # ALLOC_REQUESTS (2000), ALLOC_INTERVAL (256 bytes), ALLOC_TOP (12)
 *   ALLOC_MODULE=shared/pixie npm run bench:alloc   # also that module's functions, per target
 */
import { Session } from 'node:inspector/promises'
import { closeSync, openSync, writeSync } from 'node:fs'
import { connect } from 'node:http2'
import { dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { getRequestListener } from '@hono/node-server'
import { createMetricApp } from '../shared/app'
import { createLogger } from '../shared/logger'
import type { MetricDefinition } from '../shared/metric'
import { createVizierClient } from '../shared/pixie/client'
import { errorRate } from '../functions/error-rate/metric'
import { latency } from '../functions/latency/metric'
import { throughput } from '../functions/throughput/metric'
import { stopAll } from '../test/helpers/spawn'
import { runStandalone } from './standalone'
import { floorApp } from './fixtures/floor-app'
import { replayCalls } from './overhead'
import { allocationsByFunction, allocationsByModule, excessBytes } from './heap-summary'
import type { HeapSampleNode } from './heap-summary'
import { taggedPath } from './queries'
import { benchScenario } from './scenario'
import { startSimulatorHost } from './simulator-client'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const REQUESTS = Number(process.env.ALLOC_REQUESTS ?? 2000)
const INTERVAL = Number(process.env.ALLOC_INTERVAL ?? 256)
const WARM_UP = 300
const TOP = Number(process.env.ALLOC_TOP ?? 12)
const MODULE = process.env.ALLOC_MODULE

type Fetch = (request: Request) => Response | Promise<Response>

async function drive(fetch: Fetch, from: number, count: number): Promise<void> {
  for (let i = from; i < from + count; i++) {
    const response = await fetch(new Request(`http://function${taggedPath(String(i))}`))
    if (response.status !== 200)
      throw new Error(`HTTP ${response.status}: ${await response.text()}`)
    await response.text()
  }
}

async function main(): Promise<void> {
  // As in the functions (shared/serve.ts): @hono/node-server's listener puts its lightweight
  // Request and Response in place of the global ones.
  getRequestListener(() => new Response(null))
  const sim = await startSimulatorHost(benchScenario, 1)
  const devNull = openSync('/dev/null', 'w')
  const client = createVizierClient({ mode: 'direct', address: sim.address })
  const session = connect(`http://${sim.address}`)
  session.on('error', () => {})
  const inspector = new Session()
  inspector.connect()
  await inspector.post('HeapProfiler.enable')
  try {
    const logger = createLogger({ write: (line) => void writeSync(devNull, `${line}\n`) })
    const targets: [string, Fetch][] = []
    for (const definition of [errorRate, latency, throughput] as MetricDefinition<unknown>[]) {
      targets.push([definition.name, createMetricApp(definition, { client, logger }).fetch])
    }
    let next = 1_000_000
    // The functions' warm-up calls are the floor's calls to replay (retagged per request).
    for (const [, fetch] of targets) {
      await drive(fetch, next, WARM_UP)
      next += WARM_UP
    }
    const calls = replayCalls(await sim.records(200))
    const floor = floorApp(session, calls).fetch
    targets.push(['floor', floor])
    await drive(floor, next, WARM_UP)
    next += WARM_UP

    const results = new Map<string, ReturnType<typeof allocationsByModule>>()
    const functionsOf = new Map<string, ReturnType<typeof allocationsByFunction>>()
    for (const [name, fetch] of targets) {
      await inspector.post('HeapProfiler.startSampling', {
        samplingInterval: INTERVAL,
        includeObjectsCollectedByMajorGC: true,
        includeObjectsCollectedByMinorGC: true,
      } as never)
      await drive(fetch, next, REQUESTS)
      next += REQUESTS
      const { profile } = (await inspector.post('HeapProfiler.stopSampling')) as unknown as {
        profile: { head: HeapSampleNode }
      }
      results.set(name, allocationsByModule(profile.head, REQUESTS, root))
      if (MODULE) functionsOf.set(name, allocationsByFunction(profile.head, REQUESTS, root, MODULE))
    }

    const kb = (bytes: number): string => (bytes / 1024).toFixed(1).padStart(7)
    const load = (await import('node:os')).loadavg().map((l) => l.toFixed(2))
    console.log(`node ${process.version}; load average ${load.join(' ')}`)
    console.log(`allocated per request, ${REQUESTS} distinct requests each, KB:`)
    for (const [name, r] of results) console.log(`  ${kb(r.total)}  ${name}`)
    const floorModules = results.get('floor')!.modules
    for (const [name, r] of results) {
      if (name === 'floor') continue
      console.log(`${name} minus the floor, by module (KB per request):`)
      for (const m of excessBytes(r.modules, floorModules).slice(0, TOP)) {
        console.log(`  ${kb(m.bytes)}  ${m.name}`)
      }
    }
    for (const [name, functions] of functionsOf) {
      console.log(`${name}: ${MODULE} by function (KB per request):`)
      for (const f of functions.slice(0, TOP)) console.log(`  ${kb(f.bytes)}  ${f.name}`)
    }
  } finally {
    inspector.disconnect()
    session.close()
    await client.close()
    closeSync(devNull)
    await sim.close()
    await stopAll()
  }
}

runStandalone('bench:alloc', main)
