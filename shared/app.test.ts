import { describe, expect, it } from 'vitest'
import { createMetricApp } from './app'
import { PxCanaryError } from './errors'
import type { ErrorCode } from './errors'
import { createLogger } from './logger'
import type { MetricDefinition } from './metric'
import { noExtraParams } from './params'
import type { ScriptResult } from './pixie/types'
import { HTTP_STATS_SCRIPT, HTTP_STATS_TABLE } from './pxl/http-stats'
import { createFakeVizierClient, hangingResponder } from '../test/helpers/fake-vizier'
import type { Responder } from '../test/helpers/fake-vizier'
import {
  RETENTION_CUT_SPAN,
  scriptResult,
  statsResult,
  statsRow,
  STATS_NOW_NS,
} from '../test/helpers/stats-result'

/** A minimal metric: value = requests (null without traffic). */
const counting: MetricDefinition<Record<string, never>> = {
  name: 'throughput',
  params: noExtraParams,
  errorMinStatus: () => 400,
  latencyBuckets: false,
  figures: (stats) => ({ value: stats.requests === 0 ? null : stats.requests }),
}

function setup(
  responder?: Responder,
  deps: { requestTimeoutMs?: number; maxConcurrentQueries?: number; authToken?: string } = {}
) {
  const client = createFakeVizierClient(responder)
  const lines: string[] = []
  const logger = createLogger({ write: (line) => lines.push(line) })
  const app = createMetricApp(counting, { client, logger, ...deps })
  const logs = () => lines.map((l) => JSON.parse(l) as Record<string, unknown>)
  return { app, client, logs }
}

async function json(response: Response): Promise<Record<string, any>> {
  expect(response.headers.get('content-type')).toMatch(/^application\/json/)
  return (await response.json()) as Record<string, any>
}

describe('createMetricApp', () => {
  // Each node keeps http_events up to a byte bound, oldest rows expiring first (pixie-io/pixie
  // src/table_store/table/table.cc): a window reaching past them must not read as a full one.
  it('should answer no value, the covered span and the reason when retention cut the window', async () => {
    const S = 1_000_000_000n
    const nowNs = STATS_NOW_NS
    const cut = RETENTION_CUT_SPAN
    const { app } = setup(() => statsResult({ requests: 21_600, span: cut }))
    const body = await json(await app.request('/?namespace=shop&replicaset=web-7d9f&window=1h'))
    expect(body).toMatchObject({
      value: null,
      requests: 21_600,
      window_seconds: 3600,
      covered_seconds: 900,
      coverage_ratio: 0.25,
      reason: 'pixie_retention',
    })
    // Cut by less than the head allowance (30 s of a 1 h window): a full window, no reason.
    const late = { ...cut, firstNs: nowNs - 3575n * S, retainedFromNs: nowNs - 3575n * S }
    const { app: full } = setup(() => statsResult({ requests: 21_600, span: late }))
    const ok = await json(await full.request('/?namespace=shop&replicaset=web-7d9f&window=1h'))
    expect(ok).toMatchObject({ value: 21_600, covered_seconds: 3600 })
    expect(ok.reason).toBeUndefined()
  })

  it('should answer the query form with the measured figures and what was measured', async () => {
    const { app, client } = setup(() => statsResult({ requests: 120 }))
    const res = await app.request('/?namespace=shop&replicaset=web-7d9f&window=2m')
    expect(res.status).toBe(200)
    expect(await json(res)).toEqual({
      metric: 'throughput',
      value: 120,
      requests: 120,
      window_seconds: 120,
      covered_seconds: 120,
      selector: { namespace: 'shop', kind: 'replicaset', replicaset: 'web-7d9f' },
      excluded_paths: ['/healthz', '/readyz', '/livez', '/health', '/ready', '/live', '/ping'],
      script: {
        name: HTTP_STATS_SCRIPT.name,
        sha256: HTTP_STATS_SCRIPT.sha256,
        function: 'stats_by_replicaset',
      },
    })
    expect(client.calls).toHaveLength(1)
    expect(client.calls[0]?.execFuncs?.[0]?.args).toMatchObject({
      start_time: '-120s',
      namespace: 'shop',
      replicaset: 'shop/web-7d9f',
    })
  })

  it('should report the rollout and hash a replicaset was named by', async () => {
    const { app } = setup(() => statsResult({ requests: 1 }))
    const body = await json(await app.request('/?namespace=shop&rollout=web&hash=6d8f9'))
    expect(body.selector).toEqual({
      namespace: 'shop',
      kind: 'replicaset',
      replicaset: 'web-6d8f9',
      rollout: 'web',
      hash: '6d8f9',
    })
  })

  it('should answer the path form like the query form with a pod-prefix selector', async () => {
    const { app, client } = setup(() => statsResult({ requests: 7 }))
    const pathForm = await json(await app.request('/throughput/default/canary-demo-6d8f9'))
    const queryForm = await json(await app.request('/?namespace=default&pod=canary-demo-6d8f9'))
    expect(pathForm).toEqual(queryForm)
    expect(pathForm.selector).toEqual({
      namespace: 'default',
      kind: 'pod',
      pod: 'canary-demo-6d8f9',
    })
    expect(client.calls[0]?.execFuncs?.[0]?.args.pod_prefix).toBe('default/canary-demo-6d8f9')
  })

  it('should accept window on the path form but refuse a second selector or namespace', async () => {
    const { app } = setup(() => statsResult({ requests: 7 }))
    const ok = await app.request('/throughput/default/canary-demo?window=30s')
    expect((await json(ok)).window_seconds).toBe(30)
    const twoSelectors = await app.request('/throughput/default/canary-demo?service=web')
    expect(twoSelectors.status).toBe(400)
    expect((await json(twoSelectors)).error.code).toBe('conflicting_selectors')
    const twoNamespaces = await app.request('/throughput/default/canary-demo?namespace=other')
    expect((await json(twoNamespaces)).error.code).toBe('invalid_namespace')
    const badPrefix = await app.request('/throughput/default/Canary')
    expect((await json(badPrefix)).error.code).toBe('invalid_pod')
  })

  it('should answer null, never 0, when there was no traffic', async () => {
    // A row of zero requests carries Pixie's cut-off quantiles JSON for an empty digest.
    const row = { ...statsRow({ requests: 0 }), latency_quantiles: '{"p01":' }
    const { app } = setup(() =>
      scriptResult({ ...statsResult().tables.get(HTTP_STATS_TABLE)!, rows: [row] })
    )
    const res = await app.request('/?namespace=shop&service=web')
    expect(res.status).toBe(200)
    const body = await json(res)
    expect(body.value).toBeNull()
    expect(body.requests).toBe(0)
  })

  it('should answer an empty stats table 502, not "no traffic": the script always yields a row', async () => {
    const { app } = setup(() => statsResult())
    const res = await app.request('/?namespace=shop&service=web')
    expect(res.status).toBe(502)
    expect((await json(res)).error.code).toBe('result_unexpected_rows')
  })

  it('should send request values only as exec_funcs arguments, never in the script', async () => {
    const { app, client } = setup(() => statsResult({ requests: 1 }))
    await app.request('/?namespace=zzns&pod=zzpod&exclude_paths=/zzpath')
    const call = client.calls[0]!
    expect(call.script).toBe(HTTP_STATS_SCRIPT.source)
    expect(call.script).not.toMatch(/zz(ns|pod|path)/)
    expect(JSON.stringify(call.execFuncs)).toMatch(/zzns/)
    expect(call.queryName).toBe('px-canary/throughput')
  })

  it('should answer bad parameters with 400 and the code naming the parameter', async () => {
    const { app, client } = setup(() => statsResult({ requests: 1 }))
    const cases: [string, string][] = [
      ['/?pod=a', 'missing_namespace'],
      ['/?namespace=A&pod=a', 'invalid_namespace'],
      ['/?namespace=a', 'missing_selector'],
      ['/?namespace=a&pod=a&service=b', 'conflicting_selectors'],
      ['/?namespace=a&pod=a&window=2d', 'invalid_window'],
      ['/?namespace=a&pod=a&exclude_paths=healthz', 'invalid_exclude_paths'],
      ['/?namespace=a&pod=a&foo=1', 'unknown_parameter'],
      ['/?namespace=a&pod=a&=1', 'unknown_parameter'],
      ['/?namespace=a&pod=a&pod=b', 'invalid_pod'],
    ]
    for (const [url, code] of cases) {
      const res = await app.request(url)
      expect(res.status, url).toBe(400)
      const body = await json(res)
      expect(body.error.code, url).toBe(code)
      expect(body.error.message, url).toEqual(expect.any(String))
    }
    expect(client.calls).toHaveLength(0)
  })

  it('should map each Pixie failure to 502, and the deadline to 504, as JSON', async () => {
    const codes: [ErrorCode, number][] = [
      ['pixie_unauthenticated', 502],
      ['pixie_permission_denied', 502],
      ['pixie_unavailable', 502],
      ['pixie_script_error', 502],
      ['pixie_transport_error', 502],
      ['pixie_protocol_error', 502],
      ['pixie_decryption_failed', 502],
      ['pixie_result_too_large', 502],
      ['pixie_deadline_exceeded', 504],
    ]
    for (const [code, status] of codes) {
      const { app, logs } = setup(() => {
        throw new PxCanaryError(code, `Pixie said ${code}`, { details: { line: 3 } })
      })
      const res = await app.request('/?namespace=a&pod=b')
      expect(res.status, code).toBe(status)
      expect(await json(res)).toEqual({
        error: { code, message: `Pixie said ${code}`, details: { line: 3 } },
      })
      expect(logs()[0]).toMatchObject({ status, error_code: code })
    }
  })

  it('should answer a result it cannot trust with 502', async () => {
    const { app } = setup(() => scriptResult())
    const res = await app.request('/?namespace=a&pod=b')
    expect(res.status).toBe(502)
    expect((await json(res)).error.code).toBe('result_missing_table')
  })

  it('should answer 504 when Pixie does not answer in time, and abort the call', async () => {
    const { app, client } = setup(hangingResponder(), { requestTimeoutMs: 50 })
    const res = await app.request('/?namespace=a&pod=b')
    expect(res.status).toBe(504)
    expect((await json(res)).error.code).toBe('pixie_deadline_exceeded')
    expect(client.calls[0]?.signal?.aborted).toBe(true)
    expect(client.calls[0]?.timeoutMs).toBe(50)
  })

  it('should answer 500 with a generic message for a bug, logging the real message', async () => {
    const { app, logs } = setup(() => {
      throw new TypeError('boom: cannot read x')
    })
    const res = await app.request('/?namespace=a&pod=b')
    expect(res.status).toBe(500)
    const body = await json(res)
    expect(body.error.code).toBe('internal_error')
    expect(body.error.message).not.toContain('boom')
    expect(logs()[0]).toMatchObject({ level: 'error', error_message: 'boom: cannot read x' })
  })

  it('should share one Pixie call among identical concurrent requests', async () => {
    const releases: ((r: ScriptResult) => void)[] = []
    const { app, client } = setup(() => new Promise((resolve) => releases.push(resolve)))
    const pending = Array.from({ length: 20 }, () => app.request('/?namespace=a&pod=b'))
    const other = app.request('/?namespace=a&pod=c')
    await new Promise((resolve) => setImmediate(resolve))
    expect(client.calls).toHaveLength(2)
    expect(client.calls.map((c) => c.execFuncs?.[0]?.args.pod_prefix)).toEqual(['a/b', 'a/c'])
    releases[0]!(statsResult({ requests: 3 }))
    releases[1]!(statsResult({ requests: 4 }))
    const bodies = await Promise.all(pending.map(async (p) => json(await p)))
    for (const body of bodies) expect(body.requests).toBe(3)
    expect((await json(await other)).requests).toBe(4)
    // Once answered, the next identical request asks Pixie again (no stale cache).
    const again = app.request('/?namespace=a&pod=b')
    await new Promise((resolve) => setImmediate(resolve))
    releases[2]!(statsResult({ requests: 5 }))
    expect((await json(await again)).requests).toBe(5)
    expect(client.calls).toHaveLength(3)
  })

  it('should answer 503 overloaded beyond its concurrent-query bound', async () => {
    const { app } = setup(hangingResponder(), { maxConcurrentQueries: 1, requestTimeoutMs: 200 })
    const first = app.request('/?namespace=a&pod=b')
    await new Promise((resolve) => setImmediate(resolve))
    const second = await app.request('/?namespace=a&pod=c')
    expect(second.status).toBe(503)
    expect((await json(second)).error.code).toBe('overloaded')
    expect((await first).status).toBe(504)
  })

  it('should answer health routes without calling Pixie', async () => {
    const { app, client } = setup()
    for (const path of ['/health/liveness', '/health/readiness']) {
      const res = await app.request(path)
      expect(res.status).toBe(200)
      expect(await json(res)).toEqual({ status: 'ok' })
    }
    expect(client.calls).toHaveLength(0)
  })

  it('should answer unknown routes with 404 and other methods with 405, as JSON', async () => {
    const { app } = setup()
    const missing = await app.request('/metrics')
    expect(missing.status).toBe(404)
    expect((await json(missing)).error.code).toBe('not_found')
    const wrongMetric = await app.request('/error-rate/default/web')
    expect(wrongMetric.status).toBe(404)
    for (const path of ['/', '/health/liveness', '/throughput/a/b']) {
      const res = await app.request(path, { method: 'POST' })
      expect(res.status, path).toBe(405)
      expect(res.headers.get('allow')).toBe('GET, HEAD')
      expect((await json(res)).error.code).toBe('method_not_allowed')
    }
  })

  it('should log one JSON line per request without headers or secrets', async () => {
    const { app, logs } = setup(() => statsResult({ requests: 2 }))
    await app.request('/?namespace=a&pod=b', { headers: { authorization: 'Bearer s3cr3t' } })
    await app.request('/?namespace=a')
    const [ok, bad] = logs()
    expect(logs()).toHaveLength(2)
    expect(ok).toMatchObject({
      level: 'info',
      msg: 'request',
      method: 'GET',
      path: '/',
      status: 200,
      metric: 'throughput',
    })
    expect(ok?.duration_ms).toEqual(expect.any(Number))
    expect(ok).not.toHaveProperty('error_code')
    expect(bad).toMatchObject({ status: 400, error_code: 'missing_selector' })
    expect(JSON.stringify(logs())).not.toContain('s3cr3t')
  })

  it('should require the bearer token on metric routes when one is configured', async () => {
    const token = 'a-long-enough-caller-token'
    const { app, client, logs } = setup(() => statsResult({ requests: 1 }), { authToken: token })
    const anonymous = await app.request('/?namespace=a&pod=b')
    expect(anonymous.status).toBe(401)
    expect(anonymous.headers.get('www-authenticate')).toMatch(/^Bearer/)
    expect((await json(anonymous)).error.code).toBe('unauthorized')
    const wrong = await app.request('/throughput/a/b', {
      headers: { authorization: 'Bearer nope' },
    })
    expect(wrong.status).toBe(401)
    expect(client.calls).toHaveLength(0)
    const ok = await app.request('/?namespace=a&pod=b', {
      headers: { authorization: `Bearer ${token}` },
    })
    expect(ok.status).toBe(200)
    expect((await app.request('/health/readiness')).status).toBe(200)
    expect(JSON.stringify(logs())).not.toContain(token)
  })
})
