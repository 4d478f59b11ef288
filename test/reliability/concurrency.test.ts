// The concurrency bound and coalescing. Excess distinct queries wait for a free slot within their
// deadline (a burst is absorbed) and only then answer 503 overloaded; identical concurrent
// requests share one Pixie query, checked at app level, through a spawned bundle against the
// Vizier double (its call log), and against the simulator (its ExecuteScript counter).
import { request as httpRequest } from 'node:http'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ScriptResult } from '../../shared/pixie/types'
import { createFakeVizierClient, hangingResponder } from '../helpers/fake-vizier'
import type { Responder } from '../helpers/fake-vizier'
import { startBundle } from '../helpers/spawn'
import type { RunningBundle } from '../helpers/spawn'
import { startSimulator } from '../../simulator'
import type { Simulator } from '../../simulator'
import { startVizierDouble } from '../vizier-double'
import type { VizierDouble } from '../vizier-double'
import { echoedResult, holdStats, metricApp, rawGet, respondWithStats, waitUntil } from './helpers'

const tick = () => new Promise((resolve) => setImmediate(resolve))

/** A responder whose calls wait for the test to release them, oldest first. */
function slowResponder() {
  const waiting: { pod: string; release: () => void }[] = []
  const responder: Responder = (options) =>
    new Promise<ScriptResult>((resolve, reject) => {
      const pod = options.execFuncs?.[0]?.args.pod_prefix ?? ''
      options.signal?.addEventListener('abort', () => reject(new Error('aborted')))
      waiting.push({
        pod,
        release: () => resolve(echoedResult(options, { requests: 10, errors: 1 })),
      })
    })
  return { responder, waiting }
}

describe('concurrency bound (app level, slow fake client)', () => {
  it('should make excess queries wait for a slot and answer them all', async () => {
    const { responder, waiting } = slowResponder()
    const client = createFakeVizierClient(responder)
    const app = metricApp('error-rate', {
      client,
      maxConcurrentQueries: 2,
      requestTimeoutMs: 20_000,
    })
    const settled: string[] = []
    const answers = ['p1', 'p2', 'p3', 'p4', 'p5'].map((pod) =>
      Promise.resolve(app.request(`/error-rate/shop/${pod}`)).then(async (res) => {
        settled.push(pod)
        return { pod, status: res.status, body: (await res.json()) as Record<string, any> }
      })
    )
    await waitUntil(() => waiting.length === 2, 5000, 'two queries to reach Pixie')
    await tick()
    // Three wait: nothing was refused, nothing else reached Pixie.
    expect(client.calls).toHaveLength(2)
    expect(settled).toEqual([])
    for (let released = 0; released < 5; released++) {
      await waitUntil(() => waiting.length > released, 5000, `query ${released + 1} to start`)
      waiting[released]!.release()
    }
    const results = await Promise.all(answers)
    for (const r of results) {
      expect(r.status, JSON.stringify(r.body)).toBe(200)
      expect(r.body.error_rate).toBe(0.1)
    }
    // Oldest first: the waiting queries started in the order they arrived.
    expect(waiting.map((w) => w.pod)).toEqual([
      'shop/p1',
      'shop/p2',
      'shop/p3',
      'shop/p4',
      'shop/p5',
    ])
  })

  it('should answer 503 overloaded only once the deadline passed without a free slot', async () => {
    const client = createFakeVizierClient(hangingResponder())
    const app = metricApp('throughput', { client, maxConcurrentQueries: 1, requestTimeoutMs: 300 })
    const first = app.request('/throughput/shop/a')
    await waitUntil(() => client.calls.length === 1, 5000, 'the first query')
    let answered = false
    const second = Promise.resolve(app.request('/throughput/shop/b')).then((res) => {
      answered = true
      return res
    })
    await tick()
    await tick()
    expect(answered).toBe(false)
    const res = await second
    expect(res.status).toBe(503)
    const body = (await res.json()) as Record<string, any>
    expect(body.error.code).toBe('overloaded')
    expect(body.error.message).toMatch(/retry/)
    expect(client.calls).toHaveLength(1)
    expect((await first).status).toBe(504)
  })

  it('should answer 503 at once when even the waiting queue is full', async () => {
    const client = createFakeVizierClient(hangingResponder())
    const app = metricApp('throughput', {
      client,
      maxConcurrentQueries: 1,
      maxQueuedQueries: 1,
      requestTimeoutMs: 10_000,
    })
    void app.request('/throughput/shop/a')
    void app.request('/throughput/shop/b')
    await waitUntil(() => client.calls.length === 1, 5000, 'the first query')
    const res = await app.request('/throughput/shop/c')
    expect(res.status).toBe(503)
    expect(((await res.json()) as any).error.code).toBe('overloaded')
  })
})

/** Sends n GETs on n fresh connections; resolves the answers, plus when every request is sent. */
function burst(base: string, path: string, n: number) {
  const url = new URL(base)
  let sent = 0
  let received = 0
  const answers = Array.from(
    { length: n },
    () =>
      new Promise<{ status: number; body: string }>((resolve, reject) => {
        const req = httpRequest(
          { host: url.hostname, port: url.port, path, agent: false, timeout: 30_000 },
          (res) => {
            let body = ''
            res.setEncoding('utf8')
            res.on('data', (c: string) => (body += c))
            res.on('end', () => {
              received++
              resolve({ status: res.statusCode ?? 0, body })
            })
          }
        )
        req.on('finish', () => sent++)
        req.on('timeout', () => req.destroy(new Error('timed out')))
        req.on('error', reject)
        req.end()
      })
  )
  return { answers: Promise.all(answers), allSent: () => sent === n, received: () => received }
}

describe('coalescing through a spawned bundle', () => {
  let double: VizierDouble
  let fn: RunningBundle

  beforeAll(async () => {
    double = await startVizierDouble(respondWithStats({ requests: 500, errors: 5 }))
    fn = await startBundle('error-rate', { PX_DIRECT_ADDR: double.address })
  })

  afterAll(async () => {
    await fn?.stop('SIGKILL')
    await double?.close()
  })

  it('should send 1 query to Vizier for 100 identical concurrent requests', async () => {
    const release = holdStats(double, { requests: 500, errors: 5 })
    const before = double.requests.length
    const { answers, allSent } = burst(
      fn.url,
      '/?namespace=default&replicaset=canary-demo-7d9f8c6b5',
      100
    )
    await waitUntil(allSent, 10_000, 'all 100 requests to be sent')
    // A request on a fresh connection answered after all 100 were sent: the server has read them.
    expect((await rawGet(fn.url, '/health/readiness')).status).toBe(200)
    await waitUntil(() => double.requests.length > before, 10_000, 'the Pixie query')
    release.open()
    const results = await answers
    expect(double.requests.length - before).toBe(1)
    expect(new Set(results.map((r) => r.status))).toEqual(new Set([200]))
    const values = new Set(
      results.map((r) => (JSON.parse(r.body) as { error_rate: number }).error_rate)
    )
    expect([...values]).toEqual([0.01])
  })
})

describe('coalescing against the simulator', () => {
  let sim: Simulator
  let fn: RunningBundle

  beforeAll(async () => {
    sim = await startSimulator({
      scenario: join(import.meta.dirname, '..', '..', 'scenarios', 'demo.json'),
      port: 0,
      onWarning: () => {},
    })
    fn = await startBundle('latency', { PX_DIRECT_ADDR: sim.address })
  })

  afterAll(async () => {
    await fn?.stop('SIGKILL')
    await sim?.close()
  })

  it('should cost the simulator 1 ExecuteScript for 100 identical concurrent requests', async () => {
    // The first answer comes 6 s late (within the 8 s deadline): all 100 requests arrive while
    // it is pending.
    sim.setFault({ latencyMs: 6000, times: 1 })
    const before = sim.stats.executeScriptCalls
    const { answers, allSent, received } = burst(
      fn.url,
      '/latency/default/canary-demo-7d9f8c6b5-',
      100
    )
    await waitUntil(allSent, 10_000, 'all 100 requests to be sent')
    expect((await rawGet(fn.url, '/health/readiness')).status).toBe(200)
    // Still pending when the server had read them all: they can only have joined the one call.
    expect(received()).toBe(0)
    const results = await answers
    expect(sim.stats.executeScriptCalls - before).toBe(1)
    expect(new Set(results.map((r) => r.status))).toEqual(new Set([200]))
    const bodies = new Set(results.map((r) => r.body))
    expect(bodies.size).toBe(1)
    expect(typeof (JSON.parse([...bodies][0]!) as { value: unknown }).value).toBe('number')
  })
})
