import { describe, expect, it } from 'vitest'
import { createMetricApp } from '../../shared/app'
import { PxCanaryError } from '../../shared/errors'
import type { ErrorCode } from '../../shared/errors'
import { HTTP_STATS_SCRIPT } from '../../shared/pxl/http-stats'
import { createFakeVizierClient } from '../../shared/testing/fake-vizier'
import type { Responder } from '../../shared/testing/fake-vizier'
import { statsResult } from '../../shared/testing/stats-result'
import { errorRate } from './metric'

function setup(responder?: Responder) {
  const client = createFakeVizierClient(responder)
  return { app: createMetricApp(errorRate, { client }), client }
}

async function body(res: Response): Promise<Record<string, any>> {
  return (await res.json()) as Record<string, any>
}

describe('error-rate function', () => {
  it('should answer the fraction of failed requests, counting 4xx and 5xx by default', async () => {
    const { app, client } = setup(() => statsResult({ requests: 200, errors: 3 }))
    const res = await app.request('/?namespace=shop&replicaset=web-7d9f')
    expect(res.status).toBe(200)
    expect(await body(res)).toMatchObject({
      metric: 'error-rate',
      value: 3 / 200,
      error_rate: 3 / 200,
      errors: 3,
      error_statuses: '4xx5xx',
      requests: 200,
      window_seconds: 60,
      selector: { namespace: 'shop', kind: 'replicaset', replicaset: 'web-7d9f' },
      script: { sha256: HTTP_STATS_SCRIPT.sha256, function: 'stats_by_replicaset' },
    })
    expect(client.calls[0]?.execFuncs?.[0]?.args.error_min_status).toBe('400')
    expect(client.calls[0]?.queryName).toBe('px-canary/error-rate')
  })

  it('should count only 5xx when asked', async () => {
    const { app, client } = setup(() => statsResult({ requests: 10, errors: 1 }))
    const res = await body(await app.request('/?namespace=shop&service=web&errors=5xx'))
    expect(res.error_statuses).toBe('5xx')
    expect(res.error_rate).toBe(0.1)
    expect(client.calls[0]?.execFuncs?.[0]?.args.error_min_status).toBe('500')
  })

  it('should select by rollout + hash, pod prefix and service', async () => {
    const { app, client } = setup(() => statsResult({ requests: 1 }))
    await app.request('/?namespace=shop&rollout=web&hash=6d8f9')
    await app.request('/?namespace=shop&pod=web-6d8f9-')
    await app.request('/?namespace=shop&service=web')
    expect(client.calls.map((c) => [c.execFuncs?.[0]?.funcName, c.execFuncs?.[0]?.args])).toEqual([
      ['stats_by_replicaset', expect.objectContaining({ replicaset: 'shop/web-6d8f9' })],
      ['stats_by_pod_prefix', expect.objectContaining({ pod_prefix: 'shop/web-6d8f9-' })],
      ['stats_by_service', expect.objectContaining({ service: 'shop/web' })],
    ])
  })

  it("should answer the demo's path form with the same figure under error_rate", async () => {
    const { app } = setup(() => statsResult({ requests: 40, errors: 2 }))
    const pathForm = await body(await app.request('/error-rate/default/canary-demo-6d8f9'))
    const queryForm = await body(await app.request('/?namespace=default&pod=canary-demo-6d8f9'))
    expect(pathForm.error_rate).toBe(2 / 40)
    expect(pathForm).toEqual(queryForm)
  })

  it('should answer null, not 0, without traffic', async () => {
    const { app } = setup(() => statsResult())
    const res = await body(await app.request('/error-rate/default/canary-demo-6d8f9'))
    expect(res).toMatchObject({ value: null, error_rate: null, errors: 0, requests: 0 })
  })

  it('should refuse an unknown errors value and latency-only parameters', async () => {
    const { app, client } = setup(() => statsResult({ requests: 1 }))
    const bad = await app.request('/?namespace=a&pod=b&errors=4xx')
    expect(bad.status).toBe(400)
    expect((await body(bad)).error.code).toBe('invalid_errors')
    const other = await app.request('/?namespace=a&pod=b&quantile=p50')
    expect((await body(other)).error.code).toBe('unknown_parameter')
    expect(client.calls).toHaveLength(0)
  })

  it('should answer Pixie failures with 502/504 JSON, never a rate', async () => {
    for (const [code, status] of [
      ['pixie_unavailable', 502],
      ['pixie_script_error', 502],
      ['pixie_deadline_exceeded', 504],
    ] as [ErrorCode, number][]) {
      const { app } = setup(() => {
        throw new PxCanaryError(code, 'failed')
      })
      const res = await app.request('/error-rate/default/canary-demo')
      expect(res.status).toBe(status)
      const json = await body(res)
      expect(json.error.code).toBe(code)
      expect(json).not.toHaveProperty('error_rate')
    }
  })

  it('should keep request values out of the PxL source', async () => {
    const { app, client } = setup(() => statsResult({ requests: 1 }))
    await app.request('/?namespace=qqns&replicaset=qqrs-1&exclude_paths=/qqpath')
    expect(client.calls[0]?.script).toBe(HTTP_STATS_SCRIPT.source)
    expect(client.calls[0]?.script).not.toMatch(/qq/)
  })

  it('should answer health checks without calling Pixie', async () => {
    const { app, client } = setup()
    expect((await app.request('/health/liveness')).status).toBe(200)
    expect((await app.request('/health/readiness')).status).toBe(200)
    expect(client.calls).toHaveLength(0)
  })
})
