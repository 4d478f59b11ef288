// Hostile input over the network, against spawned bundles: what Vizier receives is the judge.
// The Vizier double and the simulator record every ExecuteScript; after hostile requests the
// query_str they saw must be the constant script byte for byte, and the only request values in
// it are exec_funcs argument values that passed validation. Fewer runs than at app level: each
// is a real HTTP request to a child process.
import { connect } from 'node:net'
import { join } from 'node:path'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { HTTP_STATS_SCRIPT } from '../../shared/pxl/http-stats'
import { startSimulator } from '../../simulator'
import type { Simulator } from '../../simulator'
import { startVizierDouble } from '../vizier-double'
import type { VizierDouble } from '../vizier-double'
import { rawGet, respondWithStats } from '../reliability/helpers'
import { startBundle } from '../helpers/spawn'
import type { RunningBundle } from '../helpers/spawn'
import { argumentProblems, encode, hostileValue, PARAMETERS } from './arbitraries'
import type { Parameter } from './arbitraries'

const ROOT = join(import.meta.dirname, '..', '..')
const SOURCE = Buffer.from(HTTP_STATS_SCRIPT.source, 'utf8')

/** A valid query (of the metric with that extra parameter) except for `parameter`. */
function target(
  parameter: Parameter,
  value: string,
  extra: Record<string, string> = { errors: '5xx' }
): string {
  const params: Record<string, string> = { namespace: 'default', ...extra }
  if (parameter === 'rollout' || parameter === 'hash') {
    Object.assign(params, { rollout: 'canary-demo', hash: '7d9f8c6b5' })
  } else if (parameter === 'replicaset' || parameter === 'pod' || parameter === 'service') {
    params[parameter] = 'canary-demo'
  } else {
    params.replicaset = 'canary-demo-7d9f8c6b5'
  }
  params[parameter] = value
  return `/?${Object.entries(params)
    .map(([k, v]) => `${k}=${encode(v)}`)
    .join('&')}`
}

/** Sends bytes as a request and reads the status line; the server may refuse before routing. */
function rawRequest(port: number, head: Buffer): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1')
    let data = ''
    const timer = setTimeout(() => socket.destroy(new Error('no answer in 10 s')), 10_000)
    socket.on('data', (c) => {
      data += c.toString('latin1')
      const match = /^HTTP\/1\.1 (\d{3})/.exec(data)
      if (match) {
        clearTimeout(timer)
        socket.destroy()
        resolve(Number(match[1]))
      }
    })
    socket.on('error', (err) => {
      clearTimeout(timer)
      reject(err)
    })
    socket.on('close', () => {
      clearTimeout(timer)
      if (!/^HTTP\/1\.1 \d{3}/.test(data)) reject(new Error(`closed without a status: ${data}`))
    })
    socket.write(head)
  })
}

/** A hostile value of one of the parameters a metric accepts (all but `not`). */
const hostileCase = (not: Parameter) =>
  fc
    .constantFrom(...PARAMETERS.filter((p) => p !== not))
    .chain((parameter) =>
      fc.record({ parameter: fc.constant(parameter), value: hostileValue(parameter) })
    )

describe('hostile input through a spawned bundle, judged by the Vizier double', () => {
  let double: VizierDouble
  let fn: RunningBundle

  beforeAll(async () => {
    double = await startVizierDouble(respondWithStats({ requests: 30, errors: 3 }))
    fn = await startBundle('error-rate', { PX_DIRECT_ADDR: double.address })
  })

  afterAll(async () => {
    await fn?.stop('SIGKILL')
    await double?.close()
  })

  it('should answer 400 invalid_<parameter> to hostile values and send Vizier nothing', async () => {
    await fc.assert(
      fc.asyncProperty(hostileCase('quantile'), async ({ parameter, value }) => {
        const before = double.requests.length
        const res = await rawGet(fn.url, target(parameter, value))
        expect(res.status, res.text).toBe(400)
        expect(res.json?.error.code).toBe(`invalid_${parameter}`)
        expect(double.requests.length).toBe(before)
      }),
      { numRuns: 40 }
    )
  })

  it('should answer request-target tricks the HTTP parser or the router refuse with 4xx', async () => {
    const url = new URL(fn.url)
    const port = Number(url.port)
    const before = double.requests.length
    const heads = [
      'GET /?namespace=default&replicaset=a\u0001b HTTP/1.1',
      'GET /?namespace=default&replicaset=a b HTTP/1.1',
      "GET /error-rate/default/a'); px.display(df HTTP/1.1",
      'GET /error-rate/default/a\nb HTTP/1.1',
      'GET /error-rate/default/\u00e9t\u00e9 HTTP/1.1',
      'GET /error-rate/../../etc/passwd HTTP/1.1',
      'GET /error-rate/default/%2e%2e%2f%2e%2e HTTP/1.1',
      'GET /error-rate/default/%252e%252e HTTP/1.1',
      'GET /?namespace=default&replicaset=x%0aimport%20os HTTP/1.1',
      `GET /?namespace=default&replicaset=${'a'.repeat(20_000)} HTTP/1.1`,
      'GET http://evil.example/?namespace=default&replicaset=a%27b HTTP/1.1',
    ]
    for (const line of heads) {
      const status = await rawRequest(
        port,
        Buffer.from(`${line}\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`, 'utf8')
      )
      expect([400, 404, 414, 431], line.slice(0, 80)).toContain(status)
    }
    expect(double.requests.length).toBe(before)
  })

  it('should send Vizier the constant script byte for byte, values only as validated arguments', async () => {
    const valid = fc.record({
      kind: fc.constantFrom('replicaset', 'pod', 'service'),
      name: fc.stringMatching(/^[a-z]([-a-z0-9]{0,20}[a-z0-9])?$/),
      window: fc.constantFrom('10s', '90', '5m', '1h'),
      exclude: fc.constantFrom('none', '/healthz', "/a(b);c,/d'e", '/x.y*z+'),
    })
    await fc.assert(
      fc.asyncProperty(valid, async ({ kind, name, window, exclude }) => {
        const before = double.requests.length
        const path = `/?namespace=default&${kind}=${name}&window=${window}&exclude_paths=${encode(exclude)}`
        const res = await rawGet(fn.url, path)
        expect(res.status, res.text).toBe(200)
        expect(double.requests.length).toBe(before + 1)
      }),
      { numRuns: 25 }
    )
    expect(double.requests.length).toBeGreaterThan(0)
    for (const { request } of double.requests) {
      expect(Buffer.from(request.queryStr, 'utf8').equals(SOURCE)).toBe(true)
      expect(request.execFuncs).toHaveLength(1)
      const args = Object.fromEntries(request.execFuncs[0]!.argValues.map((a) => [a.name, a.value]))
      expect(argumentProblems(args)).toEqual([])
    }
  })
})

describe('hostile input through a spawned bundle, judged by the simulator', () => {
  let sim: Simulator
  let fn: RunningBundle

  beforeAll(async () => {
    sim = await startSimulator({
      scenario: join(ROOT, 'scenarios', 'demo.json'),
      port: 0,
      onWarning: () => {},
    })
    fn = await startBundle('latency', { PX_DIRECT_ADDR: sim.address })
  })

  afterAll(async () => {
    await fn?.stop('SIGKILL')
    await sim?.close()
  })

  it('should let only validated values reach the PxL engine, in a constant script', async () => {
    const anyCase = fc.oneof(
      hostileCase('errors').map((c) => ({ ...c, hostile: true })),
      fc.constant({
        parameter: 'replicaset' as Parameter,
        value: 'canary-demo-7d9f8c6b5',
        hostile: false,
      })
    )
    await fc.assert(
      fc.asyncProperty(anyCase, async ({ parameter, value, hostile }) => {
        const path = target(parameter, value, { quantile: 'p50' })
        const before = sim.stats.executeScriptCalls
        const res = await rawGet(fn.url, path)
        if (hostile) {
          expect(res.status, res.text).toBe(400)
          expect(sim.stats.executeScriptCalls).toBe(before)
        } else {
          expect(res.status, res.text).toBe(200)
          expect(typeof res.json?.value).toBe('number')
        }
      }),
      { numRuns: 25 }
    )
    for (const request of sim.requests) {
      expect(Buffer.from(request.queryStr, 'utf8').equals(SOURCE)).toBe(true)
      for (const func of request.execFuncs) expect(argumentProblems(func.args)).toEqual([])
    }
  })
})
