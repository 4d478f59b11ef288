import { describe, expect, it } from 'vitest'
import { createMetricApp } from '../../shared/app'
import { PxCanaryError } from '../../shared/errors'
import { createFakeVizierClient } from '../../shared/testing/fake-vizier'
import type { Responder } from '../../shared/testing/fake-vizier'
import { statsResult } from '../../shared/testing/stats-result'
import { latency } from './metric'

function setup(responder?: Responder) {
  const client = createFakeVizierClient(responder)
  return { app: createMetricApp(latency, { client }), client }
}

async function body(res: Response): Promise<Record<string, any>> {
  return (await res.json()) as Record<string, any>
}

const measured = () =>
  statsResult({
    requests: 4,
    latencySumNs: 50_000_000,
    p50Ns: 2_500_000,
    p90Ns: 9_000_000,
    p99Ns: 31_250_000,
  })

describe('latency function', () => {
  it('should answer quantiles and mean in milliseconds, p99 as value by default', async () => {
    const { app, client } = setup(measured)
    const res = await app.request('/?namespace=shop&replicaset=web-7d9f')
    expect(res.status).toBe(200)
    expect(await body(res)).toMatchObject({
      metric: 'latency',
      value: 31.25,
      quantile: 'p99',
      latency_ms: { p50: 2.5, p90: 9, p99: 31.25, mean: 50 / 4 },
      requests: 4,
    })
    expect(client.calls[0]?.queryName).toBe('px-canary/latency')
  })

  it('should make the requested quantile the value', async () => {
    const { app } = setup(measured)
    for (const [quantile, ms] of [
      ['p50', 2.5],
      ['p90', 9],
      ['p99', 31.25],
    ] as const) {
      const res = await body(await app.request(`/?namespace=shop&service=web&quantile=${quantile}`))
      expect(res.quantile).toBe(quantile)
      expect(res.value).toBe(ms)
    }
  })

  it('should answer the path form like the query form', async () => {
    const { app, client } = setup(measured)
    const pathForm = await body(await app.request('/latency/default/canary-demo-6d8f9'))
    const queryForm = await body(await app.request('/?namespace=default&pod=canary-demo-6d8f9'))
    expect(pathForm).toEqual(queryForm)
    expect(client.calls[0]?.execFuncs?.[0]?.funcName).toBe('stats_by_pod_prefix')
  })

  it('should answer null latencies without traffic', async () => {
    const { app } = setup(() => statsResult({ requests: 0 }))
    expect(await body(await app.request('/?namespace=a&pod=b'))).toMatchObject({
      value: null,
      requests: 0,
      latency_ms: { p50: null, p90: null, p99: null, mean: null },
    })
  })

  it('should refuse an unknown quantile and error-rate-only parameters', async () => {
    const { app } = setup(measured)
    const bad = await app.request('/?namespace=a&pod=b&quantile=p95')
    expect(bad.status).toBe(400)
    expect((await body(bad)).error.code).toBe('invalid_quantile')
    expect((await body(await app.request('/?namespace=a&pod=b&errors=5xx'))).error.code).toBe(
      'unknown_parameter'
    )
  })

  it('should answer 502 for NaN latencies instead of a number', async () => {
    const { app } = setup(() => statsResult({ requests: 3, p99Ns: Number.NaN }))
    const res = await app.request('/?namespace=a&pod=b')
    expect(res.status).toBe(502)
    expect((await body(res)).error.code).toBe('result_invalid_value')
  })

  it('should answer 504 on a Pixie deadline', async () => {
    const { app } = setup(() => {
      throw new PxCanaryError('pixie_deadline_exceeded', 'late')
    })
    expect((await app.request('/?namespace=a&pod=b')).status).toBe(504)
  })
})
