// The README's example calls, answered by each function's app against the simulator with a frozen
// clock, must stay byte-identical (status, content type, the headers a caller relies on, body and
// key order) to the answers recorded in answers.json. Set PX_CANARY_UPDATE_GOLDEN=1 to record
// them anew after an intended change of the HTTP contract.
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { errorRate } from '../../functions/error-rate/metric'
import { latency } from '../../functions/latency/metric'
import { throughput } from '../../functions/throughput/metric'
import { createMetricApp } from '../../shared/app'
import { createVizierClient } from '../../shared/pixie/client'
import type { VizierClient } from '../../shared/pixie/types'
import { startSimulator, type Simulator } from '../../simulator/server'

const ROOT = join(import.meta.dirname, '..', '..')
const GOLDEN = join(import.meta.dirname, 'answers.json')
const NOW = 1_800_000_000_500_000_000n
const TOKEN = 'golden-caller-token'

type Fn = 'error-rate' | 'latency' | 'throughput'
interface Call {
  scenario: 'demo' | 'comparison' | 'latency-regression'
  fn: Fn
  method?: string
  path: string
  auth?: string
  /** Start the app with a caller token. */
  token?: boolean
}

/** The README's calls (quick start, comparison, failure table) plus the routes around them. */
const CALLS: Call[] = [
  {
    scenario: 'demo',
    fn: 'error-rate',
    path: '/?namespace=default&replicaset=canary-demo-6c8d4b9f7',
  },
  {
    scenario: 'demo',
    fn: 'latency',
    path: '/?namespace=default&service=canary-demo-preview&quantile=p99',
  },
  {
    scenario: 'demo',
    fn: 'throughput',
    path: '/?namespace=default&replicaset=canary-demo-5b9d7c6f48&window=5m',
  },
  {
    scenario: 'demo',
    fn: 'error-rate',
    path: '/?namespace=default&replicaset=canary-demo-0000000000',
  },
  { scenario: 'demo', fn: 'error-rate', path: '/?namespace=Default&replicaset=x' },
  { scenario: 'demo', fn: 'error-rate', path: '/error-rate/default/canary-demo-6c8d4b9f7' },
  { scenario: 'demo', fn: 'latency', path: '/latency/default/canary-demo-6c8d4b9f7?quantile=p50' },
  {
    scenario: 'demo',
    fn: 'error-rate',
    path: '/?namespace=default&rollout=canary-demo&hash=6c8d4b9f7&errors=5xx&path=/color&method=GET',
  },
  {
    scenario: 'demo',
    fn: 'throughput',
    path: '/?namespace=default&pod=canary-demo-7d9f8c6b5&exclude_paths=none&window=30s',
  },
  {
    scenario: 'comparison',
    fn: 'error-rate',
    path: '/?namespace=default&rollout=canary-demo&hash=6c8d4b9f7&baseline_hash=5b9d7c6f48',
  },
  {
    scenario: 'comparison',
    fn: 'latency',
    path: '/?namespace=default&rollout=canary-demo&hash=8d7c6b5f4&baseline_hash=5b9d7c6f48&quantile=p90',
  },
  {
    scenario: 'comparison',
    fn: 'throughput',
    path: '/?namespace=default&replicaset=canary-demo-6c8d4b9f7&baseline_replicaset=canary-demo-5b9d7c6f48',
  },
  {
    scenario: 'comparison',
    fn: 'error-rate',
    path: '/?namespace=default&rollout=canary-demo&hash=4f6b8d9c7&baseline_hash=5b9d7c6f48&min_requests=10&alpha=0.01&margin=0.02',
  },
  {
    scenario: 'latency-regression',
    fn: 'latency',
    path: '/?namespace=default&rollout=canary-demo&hash=9c7b5d8f6&baseline_hash=5b9d7c6f48&window=5m&quantile=p99&looks=10',
  },
  {
    scenario: 'comparison',
    fn: 'throughput',
    path: '/?namespace=default&rollout=canary-demo&hash=4f6b8d9c7&baseline_hash=5b9d7c6f48&min_share=0.05&looks=10',
  },
  { scenario: 'demo', fn: 'error-rate', path: '/?namespace=default' },
  { scenario: 'demo', fn: 'error-rate', path: '/?namespace=default&replicaset=a&pod=b' },
  { scenario: 'demo', fn: 'error-rate', path: '/?namespace=default&replicaset=a&windw=5m' },
  { scenario: 'demo', fn: 'error-rate', path: '/?namespace=default&replicaset=a&window=2h' },
  {
    scenario: 'demo',
    fn: 'error-rate',
    path: '/?namespace=default&replicaset=a&window=5m&window=1m',
  },
  { scenario: 'demo', fn: 'error-rate', path: '/?namespace=default&replicaset=a&errors=3xx' },
  { scenario: 'demo', fn: 'latency', path: '/?namespace=default&replicaset=a&quantile=p95' },
  { scenario: 'demo', fn: 'error-rate', path: '/?namespace=default&replicaset=a&path=orders' },
  { scenario: 'demo', fn: 'error-rate', path: '/?namespace=default&replicaset=a&method=FETCH' },
  { scenario: 'demo', fn: 'error-rate', path: '/?namespace=default&rollout=canary-demo' },
  { scenario: 'demo', fn: 'error-rate', path: '/?namespace=default&replicaset=a&alpha=0.5' },
  {
    scenario: 'demo',
    fn: 'error-rate',
    path: '/?namespace=default&replicaset=a&baseline_replicaset=b&alpha=2',
  },
  {
    scenario: 'demo',
    fn: 'error-rate',
    path: '/?namespace=default&replicaset=a&baseline_replicaset=b&baseline_pod=c',
  },
  { scenario: 'demo', fn: 'error-rate', path: '/health/liveness' },
  { scenario: 'demo', fn: 'error-rate', path: '/health/readiness' },
  { scenario: 'demo', fn: 'error-rate', path: '/nope' },
  { scenario: 'demo', fn: 'error-rate', method: 'POST', path: '/?namespace=default&replicaset=a' },
  { scenario: 'demo', fn: 'latency', path: '/error-rate/default/canary-demo-6c8d4b9f7' },
  { scenario: 'demo', fn: 'error-rate', token: true, path: '/?namespace=default&replicaset=a' },
  {
    scenario: 'demo',
    fn: 'error-rate',
    token: true,
    auth: 'Basic abc',
    path: '/?namespace=default&replicaset=a',
  },
  {
    scenario: 'demo',
    fn: 'error-rate',
    token: true,
    auth: `Bearer ${TOKEN}`,
    path: '/?namespace=Default&replicaset=a',
  },
  { scenario: 'demo', fn: 'error-rate', token: true, path: '/health/liveness' },
]

const DEFINITIONS = { 'error-rate': errorRate, latency, throughput } as const
const KEPT_HEADERS = ['content-type', 'www-authenticate', 'allow']

interface Answer {
  call: string
  status: number
  headers: Record<string, string>
  body: string
}

function label(call: Call): string {
  return `${call.fn} ${call.method ?? 'GET'} ${call.path}${call.token ? ` token auth=${call.auth ?? '-'}` : ''}`
}

describe('the README example calls', () => {
  const sims = new Map<string, Simulator>()
  const clients = new Map<string, VizierClient>()
  const answers: Answer[] = []

  beforeAll(async () => {
    for (const scenario of ['demo', 'comparison', 'latency-regression']) {
      const sim = await startSimulator({
        scenario: join(ROOT, 'scenarios', `${scenario}.json`),
        port: 0,
        host: '127.0.0.1',
        clock: () => NOW,
      })
      sims.set(scenario, sim)
      clients.set(scenario, createVizierClient({ mode: 'direct', address: sim.address }))
    }
    for (const call of CALLS) {
      const app = createMetricApp(DEFINITIONS[call.fn] as never, {
        client: clients.get(call.scenario)!,
        ...(call.token ? { authToken: TOKEN } : {}),
      })
      const res = await app.request(`http://127.0.0.1${call.path}`, {
        method: call.method ?? 'GET',
        headers: call.auth === undefined ? {} : { authorization: call.auth },
      })
      const headers: Record<string, string> = {}
      for (const name of KEPT_HEADERS) {
        const value = res.headers.get(name)
        if (value !== null) headers[name] = value
      }
      answers.push({ call: label(call), status: res.status, headers, body: await res.text() })
    }
  }, 60_000)

  afterAll(async () => {
    for (const client of clients.values()) client.close()
    await Promise.all([...sims.values()].map((s) => s.close()))
  })

  it('should answer byte for byte as recorded', () => {
    if (process.env.PX_CANARY_UPDATE_GOLDEN === '1') {
      writeFileSync(GOLDEN, `${JSON.stringify(answers, null, 2)}\n`)
    }
    const recorded = JSON.parse(readFileSync(GOLDEN, 'utf8')) as Answer[]
    expect(answers.map((a) => a.call)).toEqual(recorded.map((a) => a.call))
    for (const [i, answer] of answers.entries()) expect(answer, answer.call).toEqual(recorded[i])
  })

  it('should have measured traffic in the README examples, not only errors', () => {
    const measured = answers.filter((a) => a.status === 200 && a.body.includes('"requests":'))
    expect(measured.length).toBeGreaterThanOrEqual(10)
    expect(answers.some((a) => a.body.includes('"comparison":'))).toBe(true)
  })
})
