// Spawns the bundled function (dist/error-rate.mjs, built by the vitest global setup) against the
// Vizier test double, as Knative would run it, and calls it over HTTP on 127.0.0.1.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { HTTP_STATS_SCRIPT } from '../../shared/pxl/http-stats'
import { getJson, statsTableSpec } from '../../test/helpers/bundle-fixtures'
import { runBundleToExit, startBundle } from '../../test/helpers/spawn'
import type { RunningBundle } from '../../test/helpers/spawn'
import { Code, failWith, respondWithTable, startVizierDouble } from '../../test/vizier-double'
import type { VizierDouble } from '../../test/vizier-double'

describe('error-rate bundle', () => {
  let double: VizierDouble
  let fn: RunningBundle

  beforeAll(async () => {
    double = await startVizierDouble(respondWithTable(statsTableSpec({ requests: 250, errors: 5 })))
    fn = await startBundle('error-rate', { PX_DIRECT_ADDR: double.address })
  })

  afterAll(async () => {
    await fn?.stop('SIGKILL')
    await double?.close()
  })

  it("should answer the demo's path form with the error rate Pixie measured", async () => {
    const { status, contentType, body } = await getJson(
      `${fn.url}/error-rate/default/canary-demo-6d8f9`
    )
    expect(status).toBe(200)
    expect(contentType).toMatch(/^application\/json/)
    expect(body).toMatchObject({
      metric: 'error-rate',
      value: 5 / 250,
      error_rate: 5 / 250,
      errors: 5,
      requests: 250,
      selector: { namespace: 'default', kind: 'pod', pod: 'canary-demo-6d8f9' },
      script: { sha256: HTTP_STATS_SCRIPT.sha256 },
    })
    const request = double.requests.at(-1)!.request
    expect(request.queryStr).toBe(HTTP_STATS_SCRIPT.source)
    const func = request.execFuncs[0]!
    expect(func.funcName).toBe('stats_by_pod_prefix')
    expect(func.outputTablePrefix).toBe('http_stats')
    expect(Object.fromEntries(func.argValues.map((a) => [a.name, a.value]))).toMatchObject({
      namespace: 'default',
      pod_prefix: 'default/canary-demo-6d8f9',
      start_time: '-60s',
      error_min_status: '400',
    })
  })

  it('should answer bad parameters with 400 JSON without calling Pixie', async () => {
    const before = double.requests.length
    const { status, body } = await getJson(`${fn.url}/?namespace=default&rollout=web`)
    expect(status).toBe(400)
    expect(body.error.code).toBe('missing_hash')
    expect(double.requests.length).toBe(before)
  })

  it('should answer 502 JSON when Pixie fails', async () => {
    double.setBehaviour(failWith(Code.Unavailable, 'cluster is not healthy'))
    try {
      const { status, body } = await getJson(`${fn.url}/?namespace=default&service=web&errors=5xx`)
      expect(status).toBe(502)
      expect(body.error.code).toMatch(/^pixie_/)
    } finally {
      double.setBehaviour(respondWithTable(statsTableSpec({ requests: 250, errors: 5 })))
    }
  })

  it('should log one JSON line per request', async () => {
    await getJson(`${fn.url}/health/readiness`)
    const line = fn
      .lines()
      .filter((l) => l.msg === 'request')
      .at(-1)
    expect(line).toMatchObject({
      method: 'GET',
      path: '/health/readiness',
      status: 200,
      metric: 'error-rate',
    })
  })

  it('should finish an in-flight request on SIGTERM, then exit 0', async () => {
    let answered = false
    const slow = respondWithTable(statsTableSpec({ requests: 10, errors: 1 }))
    double.setBehaviour(async function* (call) {
      await new Promise((resolve) => setTimeout(resolve, 300))
      yield* slow(call) as AsyncIterable<never>
    })
    const calls = double.requests.length
    const pending = getJson(`${fn.url}/?namespace=default&replicaset=web-1`).then((r) => {
      answered = true
      return r
    })
    for (let i = 0; i < 100 && double.requests.length === calls; i++) {
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
    expect(double.requests.length).toBe(calls + 1)
    const exit = fn.stop('SIGTERM')
    const { status, body } = await pending
    expect(status).toBe(200)
    expect(body.error_rate).toBe(0.1)
    expect(await exit).toEqual({ code: 0, signal: null })
    expect(answered).toBe(true)
    expect(fn.lines().some((l) => l.msg === 'stopped')).toBe(true)
  })

  it('should refuse to start without Pixie configured, exiting 1 with a clear line', async () => {
    const exit = await runBundleToExit('error-rate', { PORT: '0' })
    expect(exit.code).toBe(1)
    expect(exit.lines).toContainEqual(
      expect.objectContaining({ level: 'error', msg: 'invalid configuration' })
    )
  })

  it('should refuse half of the cloud pair without echoing the key', async () => {
    const exit = await runBundleToExit('error-rate', {
      PORT: '0',
      PX_API_KEY: 'px-api-secret-value',
    })
    expect(exit.code).toBe(1)
    expect(JSON.stringify(exit.lines)).toMatch(/PX_CLUSTER_ID/)
    expect(JSON.stringify(exit.lines)).not.toContain('px-api-secret-value')
  })

  it('should require the caller token when PX_CANARY_AUTH_TOKEN is set', async () => {
    const token = 'bundle-test-caller-token'
    const guarded = await startBundle('error-rate', {
      PX_DIRECT_ADDR: double.address,
      PX_CANARY_AUTH_TOKEN: token,
    })
    try {
      const url = `${guarded.url}/error-rate/default/canary-demo`
      const anonymous = await getJson(url)
      expect(anonymous.status).toBe(401)
      expect(anonymous.body.error.code).toBe('unauthorized')
      const ok = await getJson(url, { headers: { authorization: `Bearer ${token}` } })
      expect(ok.status).toBe(200)
      expect((await getJson(`${guarded.url}/health/liveness`)).status).toBe(200)
      expect(JSON.stringify(guarded.lines())).not.toContain(token)
    } finally {
      await guarded.stop('SIGKILL')
    }
  })
})
