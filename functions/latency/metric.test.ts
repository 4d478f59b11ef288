import { describe, expect, it } from 'vitest'
import { createMetricApp } from '../../shared/app'
import { PxCanaryError } from '../../shared/errors'
import { createFakeVizierClient } from '../../test/helpers/fake-vizier'
import type { Responder } from '../../test/helpers/fake-vizier'
import type { ScriptResult } from '../../shared/pixie/types'
import { comparisonResponder, comparisonResult } from '../../test/helpers/comparison-result'
import { statsResult } from '../../test/helpers/stats-result'
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

/** n latencies in ms spread evenly over [from, to]. */
const spread = (n: number, from: number, to: number): number[] =>
  Array.from({ length: n }, (_, i) => from + ((to - from) * i) / (n - 1))

describe('latency function with a baseline', () => {
  it('should compare the quantile and the bucketed distributions from one query', async () => {
    const { app, client } = setup(
      comparisonResponder({
        canary: { latenciesMs: spread(300, 30, 180) },
        baseline: { latenciesMs: spread(900, 20, 120) },
      })
    )
    const json = await body(
      await app.request('/?namespace=shop&rollout=web&hash=6d8f9&baseline_hash=55c7f')
    )
    expect(client.calls).toHaveLength(1)
    expect(client.calls[0]?.execFuncs?.map((f) => [f.funcName, f.outputTablePrefix])).toEqual([
      ['latency_by_replicaset', 'canary'],
      ['latency_by_replicaset', 'baseline'],
    ])
    expect(json.requests).toBe(300)
    expect(json.baseline.requests).toBe(900)
    const cmp = json.comparison.latency
    expect(cmp).toMatchObject({
      quantile: 'p99',
      verdict: 'worse',
      margin: 1.1,
      canary: { requests: 300, quantile_ms: json.latency_ms.p99 },
      baseline: { requests: 900, quantile_ms: json.baseline.latency_ms.p99 },
    })
    expect(cmp.ratio).toBeCloseTo(json.latency_ms.p99 / json.baseline.latency_ms.p99, 3)
    expect(cmp.mann_whitney.p_value_canary_slower).toBeLessThan(1e-6)
    expect(cmp.reason).toMatch(/Mann-Whitney/)
  })

  it('should not call a same-latency canary worse, and honour quantile and margin', async () => {
    const { app } = setup(
      comparisonResponder({
        canary: { latenciesMs: spread(300, 20, 120) },
        baseline: { latenciesMs: spread(900, 20, 120) },
      })
    )
    const same = await body(await app.request('/?namespace=a&pod=b&baseline_pod=c'))
    expect(same.comparison.latency.verdict).toBe('not_worse')
    const p50 = await body(
      await app.request('/?namespace=a&pod=b&baseline_pod=c&quantile=p50&margin=2')
    )
    expect(p50.comparison.latency).toMatchObject({ quantile: 'p50', margin: 2 })
    expect(p50.comparison.latency.canary.quantile_ms).toBe(p50.latency_ms.p50)
  })

  it('should answer 502 when the buckets disagree with the request count', async () => {
    const { app } = setup((options) => {
      const result = comparisonResult(options, {
        canary: { latenciesMs: spread(10, 1, 10) },
        baseline: { latenciesMs: spread(10, 1, 10) },
      })
      result.tables.get('baseline[1]')!.rows.pop()
      return result
    })
    const res = await app.request('/?namespace=a&pod=b&baseline_pod=c')
    expect(res.status).toBe(502)
    expect((await body(res)).error.code).toBe('result_inconsistent_counts')
  })

  it('should answer 502 when a bucket table is missing or malformed', async () => {
    for (const [mutate, code] of [
      [(r: ScriptResult) => r.tables.delete('canary[1]'), 'result_missing_table'],
      [
        (r: ScriptResult) => r.tables.get('canary[1]')!.rows.push({ bucket: 200n, count: 1n }),
        'result_invalid_bucket',
      ],
      [
        (r: ScriptResult) => (r.tables.get('canary[1]')!.rows[0]!.count = -1n),
        'result_invalid_count',
      ],
    ] as const) {
      const { app } = setup((options) => {
        const result = comparisonResult(options, {
          canary: { latenciesMs: [5, 6] },
          baseline: { latenciesMs: [5, 6] },
        })
        mutate(result)
        return result
      })
      const res = await app.request('/?namespace=a&pod=b&baseline_pod=c')
      expect(res.status).toBe(502)
      expect((await body(res)).error.code).toBe(code)
    }
  })
})
