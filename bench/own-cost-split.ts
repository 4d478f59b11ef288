/**
 * An experiment, not part of `npm run bench`: which layer of a function the own cost per request
 * goes to, measured side by side in one process on the machine's Node.
 *
 *   node --import tsx bench/own-cost-split.ts   # SPLIT_REQUESTS, SPLIT_PAIRS
 *
 * 1. In-process, no network, with @hono/node-server's global Response in place as in a function:
 *    `app.fetch(new Request(...))` of bare Hono (one route answering a
 *    small JSON, as bench/fixtures/bare-proxy.ts does after its call) and of each function's app
 *    (shared/app.ts) over a fake Vizier client that answers at once with a one-row stats result,
 *    with a secret configured (as the API key is in cloud mode), without and with the request log line (JSON, secrets scrubbed, written to /dev/null with
 *    fs.writeSync). Rounds alternate the variants; microseconds per request, median of rounds.
 * 2. Against the simulator (its own process, as in the bench): the project's Vizier client
 *    (shared/pixie/client.ts) beside one raw node:http2 ExecuteScript call with the same encoded
 *    request (what bare-proxy.ts does), alternating, each call a distinct query; p50 of each
 *    and of the paired difference.
 */
import { closeSync, openSync, readFileSync, writeSync } from 'node:fs'
import { connect } from 'node:http2'
import { getRequestListener } from '@hono/node-server'
import { Hono } from 'hono/tiny'
import { createMetricApp } from '../shared/app'
import { buildMetricCall } from '../shared/comparison'
import { createLogger, silentLogger } from '../shared/logger'
import type { Logger } from '../shared/logger'
import type { MetricDefinition } from '../shared/metric'
import { parseMetricQuery } from '../shared/params'
import { createVizierClient } from '../shared/pixie/client'
import type { ExecuteScriptOptions } from '../shared/pixie/types'
import { errorRate } from '../functions/error-rate/metric'
import { latency } from '../functions/latency/metric'
import { throughput } from '../functions/throughput/metric'
import { createFakeVizierClient } from '../test/helpers/fake-vizier'
import { statsResult } from '../test/helpers/stats-result'
import { rawExecuteScript } from './fixtures/raw-execute-script'
import { benchScenario } from './scenario'
import { startSimulatorHost } from './simulator-client'
import { median } from './stats'
import { stopAll } from '../test/helpers/spawn'
import { runStandalone } from './standalone'

const SECRET = 'a-secret-api-key-value'
const SELECTOR = 'namespace=default&replicaset=canary-abc&window=60s'
const REQUESTS = Number(process.env.SPLIT_REQUESTS ?? 4000)
const PAIRS = Number(process.env.SPLIT_PAIRS ?? 600)
const ROUNDS = 7

const pathOf = (i: number): string => `/?${SELECTOR}&exclude_paths=/healthz,/split-${i}`

type Fetch = (request: Request) => Response | Promise<Response>

/** Microseconds per request of `requests` sequential fetches (a distinct path each). */
async function timeFetches(fetch: Fetch, from: number, requests: number): Promise<number> {
  const started = process.hrtime.bigint()
  for (let i = from; i < from + requests; i++) {
    const response = await fetch(new Request(`http://function${pathOf(i)}`))
    if (response.status !== 200)
      throw new Error(`HTTP ${response.status}: ${await response.text()}`)
    await response.text()
  }
  return Number(process.hrtime.bigint() - started) / 1e3 / requests
}

function bareHono(): Fetch {
  const app = new Hono()
  app.get('/', (c) => c.json({ requests: 1 }))
  return app.fetch
}

function functionApp(definition: MetricDefinition<unknown>, logger: Logger): Fetch {
  const result = statsResult({
    requests: 1000,
    errors: 10,
    latencySumNs: 1e9,
    p50Ns: 1e6,
    p90Ns: 2e6,
    p99Ns: 5e6,
  })
  const client = createFakeVizierClient(() => result)
  // A secret configured, as every cloud deployment has one (the API key).
  return createMetricApp(definition, { client, logger, secrets: [SECRET] }).fetch
}

async function inProcess(devNull: number): Promise<void> {
  const logger = createLogger({
    write: (line) => void writeSync(devNull, `${line}\n`),
    redact: [SECRET],
  })
  const definitions = [errorRate, latency, throughput] as MetricDefinition<unknown>[]
  const variants: [string, Fetch][] = [['bare Hono, one JSON route', bareHono()]]
  for (const d of definitions) {
    variants.push([`${d.name}, fake Vizier client, no log line`, functionApp(d, silentLogger)])
    variants.push([`${d.name}, fake Vizier client, with its log line`, functionApp(d, logger)])
  }
  const samples = new Map<string, number[]>(variants.map(([name]) => [name, []]))
  let next = 0
  for (const [, fetch] of variants) next += (await timeFetches(fetch, next, 500), 500) // warm-up
  for (let round = 0; round < ROUNDS; round++) {
    const order = round % 2 === 0 ? variants : [...variants].reverse()
    for (const [name, fetch] of order) {
      samples.get(name)!.push(await timeFetches(fetch, next, REQUESTS))
      next += REQUESTS
    }
  }
  console.log(`1. app.fetch in-process, ${ROUNDS} rounds of ${REQUESTS} requests, us per request:`)
  for (const [name] of variants) {
    console.log(`  ${median(samples.get(name)!).toFixed(1).padStart(7)} us  ${name}`)
  }
}

/** The options of error-rate's call for request i (a distinct query each). */
function callOf(i: number): ExecuteScriptOptions {
  const raw = Object.fromEntries(
    [...new URLSearchParams(pathOf(i).slice(2))].map(([k, v]) => [k, [v]])
  )
  const query = parseMetricQuery(raw, errorRate.params)
  const { call } = buildMetricCall(
    { ...query, errorMinStatus: errorRate.errorMinStatus(query.params) },
    'px-canary/error-rate',
    { latencyBuckets: errorRate.latencyBuckets }
  )
  return call.options
}

async function againstSimulator(): Promise<void> {
  const sim = await startSimulatorHost(benchScenario, 1)
  const client = createVizierClient({ mode: 'direct', address: sim.address })
  const session = connect(`http://${sim.address}`)
  session.on('error', () => {})
  const raw = async (options: ExecuteScriptOptions): Promise<void> => {
    const call = {
      script: options.script,
      execFuncs: options.execFuncs ?? [],
      queryName: options.queryName ?? '',
    }
    if (!(await rawExecuteScript(session, call))) throw new Error('the raw call failed')
  }
  const timed = async (run: () => Promise<unknown>): Promise<number> => {
    const started = process.hrtime.bigint()
    await run()
    return Number(process.hrtime.bigint() - started) / 1e6
  }
  try {
    const ours: number[] = []
    const bare: number[] = []
    let next = 1_000_000
    for (let i = 0; i < 100; i++) {
      await client.executeScript(callOf(next++))
      await raw(callOf(next++))
    }
    for (let i = 0; i < PAIRS; i++) {
      const a = callOf(next++)
      const b = callOf(next++)
      if (i % 2 === 0) {
        ours.push(await timed(() => client.executeScript(a)))
        bare.push(await timed(() => raw(b)))
      } else {
        bare.push(await timed(() => raw(b)))
        ours.push(await timed(() => client.executeScript(a)))
      }
    }
    const diffs = ours.map((ms, i) => ms - bare[i]!)
    console.log(`2. against the simulator, ${PAIRS} alternating pairs, ms:`)
    console.log(`  ${median(bare).toFixed(3).padStart(7)} ms  raw node:http2 call, p50`)
    console.log(`  ${median(ours).toFixed(3).padStart(7)} ms  the project's Vizier client, p50`)
    console.log(`  ${median(diffs).toFixed(3).padStart(7)} ms  paired difference, p50`)
  } finally {
    session.close()
    await client.close()
    await sim.close()
  }
}

async function main(): Promise<void> {
  // As in the functions (shared/serve.ts): @hono/node-server's request listener puts its
  // lightweight Response in place of the global one, which Hono's answers are then made of.
  getRequestListener(() => new Response(null))
  const load = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')
  console.log(`node ${process.version}; load average ${load}`)
  const devNull = openSync('/dev/null', 'w')
  try {
    await inProcess(devNull)
  } finally {
    closeSync(devNull)
  }
  await againstSimulator()
  await stopAll()
}

runStandalone('own-cost-split', main)
