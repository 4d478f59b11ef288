import { afterEach, describe, expect, it } from 'vitest'
import { json, startTestServer } from './test-server'
import type { Reply, TestServer } from './test-server'
import type { Metric, WebMetric } from './types'
import { goJsonMarshal, measureWeb } from './web-provider'

let servers: TestServer[] = []
afterEach(async () => {
  await Promise.all(servers.map((s) => s.close()))
  servers = []
})

async function serve(handler: (index: number) => Reply): Promise<TestServer> {
  const server = await startTestServer((_req, index) => handler(index))
  servers.push(server)
  return server
}

function metric(
  web: Partial<WebMetric> & { url: string },
  conditions: Partial<Metric> = {}
): Metric {
  return { name: 'm', ...conditions, provider: { web } }
}

describe('measureWeb: the request', () => {
  it('should GET by default with a fresh connection per measurement', async () => {
    const server = await serve(() => json({ ok: true }))
    const m = metric({ url: `${server.url}/x?a=1` })
    await measureWeb(m)
    await measureWeb(m)
    expect(server.requests.map((r) => [r.method, r.url])).toEqual([
      ['GET', '/x?a=1'],
      ['GET', '/x?a=1'],
    ])
    expect(server.requests[0]?.remotePort).not.toBe(server.requests[1]?.remotePort)
    expect(server.requests[0]?.headers['user-agent']).toBe('Go-http-client/1.1')
  })

  it('should set headers with the last value winning, case-insensitively', async () => {
    const server = await serve(() => json(1))
    await measureWeb(
      metric({
        url: server.url,
        headers: [
          { key: 'X-Token', value: 'first' },
          { key: 'x-token', value: 'second' },
        ],
      })
    )
    expect(server.requests[0]?.headers['x-token']).toBe('second')
  })

  it('should send a body with POST and a JSON body with its content type with PUT', async () => {
    const server = await serve(() => json(1))
    await measureWeb(metric({ url: server.url, method: 'POST', body: 'raw' }))
    await measureWeb(
      metric({
        url: server.url,
        method: 'PUT',
        jsonBody: { a: 1 },
        headers: [{ key: 'Content-Type', value: 'text/plain' }],
      })
    )
    expect(server.requests[0]).toMatchObject({ method: 'POST', body: 'raw' })
    expect(server.requests[1]).toMatchObject({ method: 'PUT', body: '{"a":1}' })
    expect(server.requests[1]?.headers['content-type']).toBe('application/json')
  })

  it('should refuse a body with GET, both bodies at once and other methods', async () => {
    const server = await serve(() => json(1))
    const withGet = await measureWeb(metric({ url: server.url, body: 'x' }))
    const both = await measureWeb(
      metric({ url: server.url, method: 'POST', body: 'x', jsonBody: { a: 1 } })
    )
    const patch = await measureWeb(metric({ url: server.url, method: 'PATCH' }))
    expect(withGet).toMatchObject({ phase: 'Error', message: expect.stringMatching(/POST or PUT/) })
    expect(both).toMatchObject({
      phase: 'Error',
      message: expect.stringMatching(/either Body or JSONBody/),
    })
    expect(patch.phase).toBe('Error')
    expect(server.requests).toHaveLength(0)
  })

  it('should connect to the rewritten host while keeping the original Host header', async () => {
    const server = await serve(() => json({ requests: 1 }))
    const outcome = await measureWeb(
      metric({ url: 'http://px-error-rate.px-canary.svc.cluster.local/?namespace=x' }),
      { hostRewrite: { 'px-error-rate.px-canary.svc.cluster.local': server.host } }
    )
    expect(outcome.phase).toBe('Successful')
    expect(server.requests[0]?.headers.host).toBe('px-error-rate.px-canary.svc.cluster.local')
  })

  it('should follow a redirect like Go does', async () => {
    const server = await serve((i) =>
      i === 0 ? { status: 302, headers: { location: '/moved' } } : json(0.01)
    )
    const outcome = await measureWeb(
      metric({ url: `${server.url}/start` }, { successCondition: 'result < 0.1' })
    )
    expect(outcome.phase).toBe('Successful')
    expect(server.requests.map((r) => r.url)).toEqual(['/start', '/moved'])
  })
})

describe('measureWeb: failures are Error measurements', () => {
  it('should turn a non-2xx status into Error, whatever the body', async () => {
    for (const status of [300, 400, 500, 502, 504]) {
      const server = await serve(() => json({ error: { code: 'x' } }, status))
      const outcome = await measureWeb(metric({ url: server.url }))
      expect(outcome).toEqual({
        phase: 'Error',
        message: `received non 2xx response code: ${status}`,
      })
    }
  })

  it('should turn a connection failure into Error', async () => {
    const server = await serve(() => json(1))
    await server.close()
    servers = []
    const outcome = await measureWeb(metric({ url: server.url }))
    expect(outcome.phase).toBe('Error')
    expect(outcome.message).toMatch(/^Get ".*":/)
  })

  it('should turn an unsupported scheme into Error', async () => {
    const outcome = await measureWeb(metric({ url: 'ftp://example/x' }))
    expect(outcome).toMatchObject({
      phase: 'Error',
      message: expect.stringMatching(/unsupported protocol scheme "ftp"/),
    })
  })

  it('should time out after timeoutSeconds (scaled here: 1 s -> 20 ms)', async () => {
    const server = await serve(() => ({ hang: true }))
    const outcome = await measureWeb(metric({ url: server.url, timeoutSeconds: 1 }), {
      timeoutScale: 0.02,
    })
    expect(outcome).toMatchObject({
      phase: 'Error',
      message: expect.stringMatching(/Client.Timeout exceeded/),
    })
  })

  it('should time out while reading a body that never ends', async () => {
    const server = await serve(() => ({ stallBody: true }))
    const outcome = await measureWeb(metric({ url: server.url, timeoutSeconds: 1 }), {
      timeoutScale: 0.05,
    })
    expect(outcome).toMatchObject({
      phase: 'Error',
      message: expect.stringMatching(/Client.Timeout exceeded/),
    })
  })

  it('should default the timeout to 10 s when unset or not positive', async () => {
    // 600 ms real replies: inside a 150 s timeout scaled to 3 s, outside 10 s scaled to 200 ms.
    const server = await serve(() => ({ ...json({ a: 1 }), delayMs: 600 }))
    const options = { timeoutScale: 0.02 }
    const explicit = await measureWeb(metric({ url: server.url, timeoutSeconds: 150 }), options)
    const unset = await measureWeb(metric({ url: server.url }), options)
    const zero = await measureWeb(metric({ url: server.url, timeoutSeconds: 0 }), options)
    expect(explicit.phase).toBe('Successful')
    expect(unset.phase).toBe('Error')
    expect(zero.phase).toBe('Error')
  })
})

describe('measureWeb: the body', () => {
  it('should evaluate conditions on the value at jsonPath and record it as JSON', async () => {
    const server = await serve(() => json({ error_rate: 0.2, requests: 80, z: 1, a: '<&>' }))
    const pass = await measureWeb(
      metric({ url: server.url, jsonPath: '{$.error_rate}' }, { successCondition: 'result <= 0.1' })
    )
    const whole = await measureWeb(metric({ url: server.url, jsonPath: '{$}' }))
    expect(pass).toEqual({ phase: 'Failed', value: '0.2' })
    expect(whole.value).toBe('{"a":"\\u003c\\u0026\\u003e","error_rate":0.2,"requests":80,"z":1}')
  })

  it('should make a JSON null at the path an Error unless the condition handles nil', async () => {
    const server = await serve(() => json({ error_rate: null, requests: 0 }))
    const measure = (successCondition: string) =>
      measureWeb(metric({ url: server.url, jsonPath: '{$.error_rate}' }, { successCondition }))
    const compared = await measure('result <= 0.1')
    // A nil result is typed nil at compile time (expr-lang/expr conf/env.go), so even a guarded
    // `result <= 0.1` does not compile (checker/checker.go binaryNode); default(result, 0) returns
    // interface {} and does (argoproj/argo-rollouts docs/analysis/datadog.md uses it).
    const isNilGuard = await measure('isNil(result) || result <= 0.1')
    const defaulted = await measure('default(result, 0) <= 0.1')
    for (const outcome of [compared, isNilGuard]) {
      expect(outcome).toMatchObject({
        phase: 'Error',
        message: expect.stringMatching(/metric result is nil or empty/),
      })
    }
    expect(defaulted).toEqual({ phase: 'Successful', value: 'null' })
  })

  it('should make a jsonPath that matches nothing an Error', async () => {
    const server = await serve(() => json({ a: 1 }))
    const outcome = await measureWeb(metric({ url: server.url, jsonPath: '{$.error_rate}' }))
    expect(outcome).toMatchObject({
      phase: 'Error',
      message: expect.stringMatching(/is not found/),
    })
  })

  it('should make a jsonPath syntax error an Error before any request', async () => {
    // argoproj/argo-rollouts metricproviders/metricproviders.go builds the client-go JSONPath
    // parser with the provider; analysis/analysis.go records the error as the measurement message.
    const server = await serve(() => json({ error_rate: 0.01 }))
    const outcome = await measureWeb(
      metric({ url: server.url, jsonPath: '{$.error_rate' }, { successCondition: 'true' })
    )
    expect(outcome).toEqual({ phase: 'Error', message: 'unclosed action' })
    expect(server.requests).toHaveLength(0)
  })

  it('should read a jsonPath without braces as literal text', async () => {
    // kubernetes/client-go util/jsonpath/parser.go parseText: text outside {...} is a result.
    const server = await serve(() => json({ error_rate: 0.01 }))
    const outcome = await measureWeb(
      metric({ url: server.url, jsonPath: '$.error_rate' }, { successCondition: 'result <= 0.05' })
    )
    expect(outcome.phase).toBe('Error')
    expect(outcome.message).toContain('mismatched types string and float64')
  })

  it('should make a string number compared with a number an Error', async () => {
    const server = await serve(() => json({ v: '0.05' }))
    const outcome = await measureWeb(
      metric({ url: server.url, jsonPath: '{$.v}' }, { successCondition: 'result < 0.1' })
    )
    expect(outcome).toMatchObject({
      phase: 'Error',
      message: expect.stringMatching(/mismatched types/),
    })
  })

  it('should evaluate conditions on a non-JSON body as a string (v1.10)', async () => {
    const server = await serve((i) => ({ body: i === 0 ? 'not json' : '' }))
    const text = await measureWeb(
      metric({ url: server.url, jsonPath: '{$.x}' }, { successCondition: 'result == "ok"' })
    )
    const empty = await measureWeb(
      metric({ url: server.url }, { successCondition: 'result == "ok"' })
    )
    expect(text).toEqual({ phase: 'Failed', value: 'not json' })
    expect(empty).toEqual({ phase: 'Failed', value: '' })
  })

  it('should pass a non-JSON body without evaluating anything in v1.9 mode', async () => {
    const server = await serve(() => ({ body: 'not json' }))
    const outcome = await measureWeb(
      metric({ url: server.url }, { successCondition: 'result == "ok"' }),
      { nonJsonBody: 'succeed' }
    )
    expect(outcome).toEqual({ phase: 'Successful', value: 'not json' })
  })
})

describe('goJsonMarshal', () => {
  it('should sort keys and escape HTML characters like encoding/json', () => {
    expect(goJsonMarshal({ b: [1, { d: 1, c: 2 }], a: '>' })).toBe(
      '{"a":"\\u003e","b":[1,{"c":2,"d":1}]}'
    )
  })
})
