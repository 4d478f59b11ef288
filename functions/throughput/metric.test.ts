import { describe, expect, it } from 'vitest'
import { createMetricApp } from '../../shared/app'
import { PxCanaryError } from '../../shared/errors'
import { createFakeVizierClient } from '../../shared/testing/fake-vizier'
import type { Responder } from '../../shared/testing/fake-vizier'
import { statsResult } from '../../shared/testing/stats-result'
import { throughput } from './metric'

function setup(responder?: Responder) {
  const client = createFakeVizierClient(responder)
  return { app: createMetricApp(throughput, { client }), client }
}

async function body(res: Response): Promise<Record<string, any>> {
  return (await res.json()) as Record<string, any>
}

describe('throughput function', () => {
  it('should answer requests per second over the whole window', async () => {
    const { app, client } = setup(() => statsResult({ requests: 300 }))
    const res = await app.request('/?namespace=shop&replicaset=web-7d9f&window=2m')
    expect(res.status).toBe(200)
    expect(await body(res)).toMatchObject({
      metric: 'throughput',
      value: 300 / 120,
      rps: 300 / 120,
      requests: 300,
      window_seconds: 120,
    })
    expect(client.calls[0]?.execFuncs?.[0]?.args.start_time).toBe('-120s')
    expect(client.calls[0]?.queryName).toBe('px-canary/throughput')
  })

  it('should answer the path form like the query form', async () => {
    const { app } = setup(() => statsResult({ requests: 90 }))
    const pathForm = await body(await app.request('/throughput/default/canary-demo-6d8f9'))
    const queryForm = await body(await app.request('/?namespace=default&pod=canary-demo-6d8f9'))
    expect(pathForm).toEqual(queryForm)
    expect(pathForm.rps).toBe(90 / 60)
  })

  it('should answer null, not 0 rps, when nothing was measured', async () => {
    const { app } = setup(() => statsResult())
    expect(await body(await app.request('/?namespace=a&service=b'))).toMatchObject({
      value: null,
      rps: null,
      requests: 0,
    })
  })

  it('should refuse other metrics parameters', async () => {
    const { app } = setup(() => statsResult({ requests: 1 }))
    for (const extra of ['errors=5xx', 'quantile=p50']) {
      const res = await app.request(`/?namespace=a&pod=b&${extra}`)
      expect(res.status).toBe(400)
      expect((await body(res)).error.code).toBe('unknown_parameter')
    }
  })

  it('should answer 502 when Pixie fails', async () => {
    const { app } = setup(() => {
      throw new PxCanaryError('pixie_unavailable', 'cluster unhealthy')
    })
    const res = await app.request('/?namespace=a&pod=b')
    expect(res.status).toBe(502)
    expect(await body(res)).toEqual({
      error: { code: 'pixie_unavailable', message: 'cluster unhealthy' },
    })
  })
})
