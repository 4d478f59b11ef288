import { describe, expect, it } from 'vitest'
import { createMetricApp } from '../../shared/app'
import { PxCanaryError } from '../../shared/errors'
import { createFakeVizierClient } from '../../test/helpers/fake-vizier'
import type { Responder } from '../../test/helpers/fake-vizier'
import { comparisonResponder } from '../../test/helpers/comparison-result'
import { RETENTION_CUT_SPAN, statsResult, STATS_NOW_NS } from '../../test/helpers/stats-result'

const S = 1_000_000_000n
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

  // The newest rows are up to a push period behind (pixie-io/pixie src/stirling/stirling.cc): the
  // rate divides by the span the rows cover, not by the whole window.
  it('should divide by the covered span', async () => {
    const nowNs = STATS_NOW_NS
    const span = { firstNs: nowNs - 59n * S, lastNs: nowNs - S, retainedFromNs: 0n, nowNs }
    const { app } = setup(() => statsResult({ requests: 1180, span }))
    expect(await body(await app.request('/?namespace=a&service=b'))).toMatchObject({
      value: 1180 / 59,
      rps: 1180 / 59,
      window_seconds: 60,
      covered_seconds: 59,
    })
  })

  it('should answer null, not 0 rps, when nothing was measured', async () => {
    const { app } = setup(() => statsResult({ requests: 0 }))
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

describe('throughput function with a baseline', () => {
  // Retention (pixie-io/pixie src/table_store/table/table.cc): a side cut short has no figures.
  it('should have no rates and no comparison when retention cut a side short', async () => {
    const cut = RETENTION_CUT_SPAN
    const { app } = setup(
      comparisonResponder({ canary: { requests: 600 }, baseline: { requests: 5400, span: cut } })
    )
    const json = await body(
      await app.request('/?namespace=a&rollout=web&hash=6d8f9&baseline_hash=55c7f&window=1h')
    )
    expect(json).toMatchObject({ value: 10 / 60, covered_seconds: 3600 })
    expect(json.baseline).toMatchObject({
      value: null,
      rps: null,
      requests: 5400,
      covered_seconds: 900,
      coverage_ratio: 0.25,
      reason: 'pixie_retention',
    })
    expect(json.comparison).toBeUndefined()
  })

  it("should report both rates and the canary's share of the traffic from one query", async () => {
    const { app, client } = setup(
      comparisonResponder({ canary: { requests: 600 }, baseline: { requests: 5400 } })
    )
    const json = await body(
      await app.request('/?namespace=a&rollout=web&hash=6d8f9&baseline_hash=55c7f&window=1m')
    )
    expect(json).toMatchObject({
      value: 10,
      rps: 10,
      requests: 600,
      baseline: { value: 90, rps: 90, requests: 5400 },
      comparison: {
        throughput: {
          canary_rps: 10,
          baseline_rps: 90,
          canary_share: 0.1,
          ratio: 600 / 5400,
          verdict: 'not_worse',
          min_share: 0.05,
        },
      },
    })
    expect(client.calls).toHaveLength(1)
  })

  it('should report a null rate, never 0, for a side without traffic', async () => {
    const { app } = setup(
      comparisonResponder({ canary: { requests: 0 }, baseline: { requests: 600 } })
    )
    const json = await body(await app.request('/?namespace=a&pod=b&baseline_pod=c'))
    expect(json).toMatchObject({
      value: null,
      comparison: { throughput: { canary_rps: null, baseline_rps: 10, canary_share: 0 } },
    })
  })

  it('should fail a starved canary and leave a quiet service undecided', async () => {
    const starved = setup(
      comparisonResponder({ canary: { requests: 3 }, baseline: { requests: 2000 } })
    )
    const q = '/?namespace=a&pod=b&baseline_pod=c&min_share=0.05&looks=10'
    expect(await body(await starved.app.request(q))).toMatchObject({
      comparison: { throughput: { verdict: 'worse', looks: 10, alpha_per_look: 0.005 } },
    })
    const quiet = setup(
      comparisonResponder({ canary: { requests: 0 }, baseline: { requests: 30 } })
    )
    expect(await body(await quiet.app.request(q))).toMatchObject({
      comparison: { throughput: { verdict: 'insufficient_data', p_value_starved: null } },
    })
  })

  it('should refuse bad share parameters, and share parameters without a baseline', async () => {
    const { app } = setup(() => statsResult({ requests: 1 }))
    for (const [extra, code] of [
      ['min_share=0', 'invalid_min_share'],
      ['min_share=1', 'invalid_min_share'],
      ['looks=0', 'invalid_looks'],
      ['alpha=0.5', 'invalid_alpha'],
    ] as const) {
      const res = await app.request(`/?namespace=a&pod=b&baseline_pod=c&${extra}`)
      expect(res.status).toBe(400)
      expect((await body(res)).error.code).toBe(code)
    }
    const res = await app.request('/?namespace=a&pod=b&min_share=0.1')
    expect(res.status).toBe(400)
    expect((await body(res)).error.code).toBe('missing_baseline')
  })

  it('should refuse comparison parameters it has no verdict for', async () => {
    const { app } = setup(() => statsResult({ requests: 1 }))
    for (const extra of ['margin=0.01', 'min_requests=10']) {
      const res = await app.request(`/?namespace=a&pod=b&baseline_pod=c&${extra}`)
      expect(res.status).toBe(400)
      expect((await body(res)).error.code).toBe('unknown_parameter')
    }
  })

  it('should count only the filtered requests', async () => {
    const { app, client } = setup(() => statsResult({ requests: 120 }))
    const json = await body(await app.request('/?namespace=a&pod=b&method=GET&window=60s'))
    expect(json).toMatchObject({ rps: 2, filters: { method: 'GET' } })
    expect(client.calls[0]?.execFuncs?.[0]?.args.method_pattern).toBe('GET')
  })
})
