// Graceful shutdown of a spawned bundle, as Knative scales it down: on SIGTERM it stops
// accepting connections at once, closes idle keep-alive connections, lets the request in flight
// finish with its 200, closes its gRPC session to Vizier and exits 0 within the grace period
// (the request deadline plus 2 s), also when Pixie hangs.
import { Agent, get } from 'node:http'
import type { Socket } from 'node:net'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { getJson } from '../helpers/bundle-fixtures'
import { startBundle } from '../helpers/spawn'
import type { RunningBundle } from '../helpers/spawn'
import { neverAnswer, startVizierDouble } from '../vizier-double'
import type { VizierDouble } from '../vizier-double'
import {
  getInFlight,
  holdStats,
  rawGet,
  respondWithStats,
  startTcpProxy,
  waitUntil,
} from './helpers'
import type { TcpProxy } from './helpers'

const QUERY = '/?namespace=default&replicaset=canary-demo-7d9f8c6b5'
// The default grace period: request deadline (8 s) + 2 s.
const GRACE_MS = 10_000

/** Opens a keep-alive connection (one answered request) and returns its idle socket. */
async function idleKeepAlive(url: string): Promise<{ socket: Socket; closed: () => boolean }> {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 })
  const socket = await new Promise<Socket>((resolve, reject) => {
    const req = get(`${url}/health/liveness`, { agent }, (res) => {
      res.resume()
      res.on('end', () => resolve(req.socket!))
    })
    req.on('error', reject)
  })
  let closed = false
  socket.once('close', () => (closed = true))
  return { socket, closed: () => closed }
}

describe('graceful shutdown of a spawned bundle', () => {
  let double: VizierDouble
  let proxy: TcpProxy
  let fn: RunningBundle | undefined

  beforeAll(async () => {
    double = await startVizierDouble(respondWithStats({ requests: 40, errors: 4 }))
    proxy = await startTcpProxy(double.port)
  })

  afterEach(async () => {
    await fn?.stop('SIGKILL')
    fn = undefined
  })

  afterAll(async () => {
    await proxy?.close()
    await double?.close()
  })

  it('should finish the request in flight with 200, refuse new connections, close its gRPC session and exit 0', async () => {
    double.setBehaviour(respondWithStats({ requests: 40, errors: 4 }))
    fn = await startBundle('error-rate', { PX_DIRECT_ADDR: proxy.address })
    // A first query opens the gRPC session (through the proxy, which counts it).
    expect((await getJson(`${fn.url}${QUERY}`)).status).toBe(200)
    expect(proxy.open).toBe(1)
    const idle = await idleKeepAlive(fn.url)

    const release = holdStats(double, { requests: 40, errors: 4 })
    const { inFlight } = await getInFlight(double, `${fn.url}${QUERY}&window=2m`)

    const exit = fn.stop('SIGTERM', GRACE_MS + 5000)
    const running = fn
    await waitUntil(() => running.lines().some((l) => l.msg === 'stopping'), 10_000, "'stopping'")
    // No new connections...
    await expect(rawGet(running.url, '/health/readiness')).rejects.toMatchObject({
      code: 'ECONNREFUSED',
    })
    // ...idle keep-alive connections are closed, while the request in flight goes on.
    await waitUntil(idle.closed, 5000, 'the idle keep-alive connection to close')
    expect(release.opened).toBe(false)
    release.open()

    const { status, body } = await inFlight
    expect(status).toBe(200)
    expect(body).toMatchObject({ error_rate: 0.1, requests: 40, window_seconds: 120 })
    // Killed after the grace period otherwise: exit code 0 means it left within it, by itself.
    expect(await exit).toEqual({ code: 0, signal: null })
    expect(proxy.open).toBe(0)
    expect(proxy.closedByClient).toBe(proxy.opened)
    const messages = running.lines().map((l) => l.msg)
    expect(messages.indexOf('stopping')).toBeLessThan(messages.indexOf('stopped'))
    const log = running
      .lines()
      .find((l) => l.msg === 'request' && l.status === 200 && String(l.path) === '/')
    expect(log).toBeDefined()
  })

  it('should exit 0 at once on SIGTERM when idle, and on SIGINT too', async () => {
    for (const signal of ['SIGTERM', 'SIGINT'] as const) {
      fn = await startBundle('latency', { PX_DIRECT_ADDR: proxy.address })
      expect((await getJson(`${fn.url}/health/readiness`)).status).toBe(200)
      expect(await fn.stop(signal, GRACE_MS)).toEqual({ code: 0, signal: null })
      expect(fn.lines().at(-1)).toMatchObject({ msg: 'stopped' })
      fn = undefined
    }
  })

  it('should still answer (504) and exit 0 within the grace period when Pixie hangs', async () => {
    double.setBehaviour(neverAnswer())
    fn = await startBundle('throughput', { PX_DIRECT_ADDR: proxy.address })
    const calls = double.requests.length
    const inFlight = getJson(`${fn.url}/throughput/default/canary-demo-`, { timeoutMs: 20_000 })
    await waitUntil(() => double.requests.length > calls, 10_000, 'the Pixie call')
    const exit = fn.stop('SIGTERM', GRACE_MS + 5000)
    const { status, body } = await inFlight
    expect(status).toBe(504)
    expect(body.error.code).toBe('pixie_deadline_exceeded')
    expect(await exit).toEqual({ code: 0, signal: null })
    // The hung call was cancelled on the wire, not left running.
    expect(await double.requests.at(-1)!.outcome).toBe('cancelled')
  })
})
