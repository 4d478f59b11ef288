import { describe, expect, it } from 'vitest'
import { createMetricApp } from '../../shared/app'
import { PxCanaryError } from '../../shared/errors'
import type { ErrorCode } from '../../shared/errors'
import { HTTP_STATS_SCRIPT } from '../../shared/pxl/http-stats'
import { createFakeVizierClient } from '../../test/helpers/fake-vizier'
import type { Responder } from '../../test/helpers/fake-vizier'
import { comparisonResponder, comparisonResult } from '../../test/helpers/comparison-result'
import { statsResult } from '../../test/helpers/stats-result'
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
    const { app } = setup(() => statsResult({ requests: 0 }))
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

describe('error-rate function with a baseline', () => {
  const worse = comparisonResponder({
    canary: { requests: 2000, errors: 80 },
    baseline: { requests: 6000, errors: 60 },
  })

  it('should measure canary and baseline in one query and judge the canary', async () => {
    const { app, client } = setup(worse)
    const res = await app.request(
      '/?namespace=shop&rollout=web&hash=6d8f9&baseline_hash=55c7f&errors=5xx'
    )
    expect(res.status).toBe(200)
    const json = await body(res)
    // The canary's figures stay where they always are.
    expect(json).toMatchObject({
      metric: 'error-rate',
      value: 0.04,
      error_rate: 0.04,
      errors: 80,
      requests: 2000,
      selector: { kind: 'replicaset', replicaset: 'web-6d8f9', rollout: 'web', hash: '6d8f9' },
      baseline: {
        value: 0.01,
        error_rate: 0.01,
        errors: 60,
        requests: 6000,
        error_statuses: '5xx',
        selector: { kind: 'replicaset', replicaset: 'web-55c7f', rollout: 'web', hash: '55c7f' },
      },
      comparison: {
        error_rate: {
          verdict: 'worse',
          canary: { requests: 2000, errors: 80, rate: 0.04 },
          baseline: { requests: 6000, errors: 60, rate: 0.01 },
          test: 'fisher_exact',
          alpha: 0.05,
          margin: 0.01,
          min_requests: 50,
        },
      },
      script: { function: 'stats_by_replicaset', baseline_function: 'stats_by_replicaset' },
    })
    expect(json.comparison.error_rate.difference).toBeCloseTo(0.03, 12)
    expect(client.calls).toHaveLength(1)
    const funcs = client.calls[0]?.execFuncs ?? []
    expect(funcs.map((f) => [f.outputTablePrefix, f.args.replicaset])).toEqual([
      ['canary', 'shop/web-6d8f9'],
      ['baseline', 'shop/web-55c7f'],
    ])
    expect(funcs.every((f) => f.args.error_min_status === '500')).toBe(true)
  })

  it('should apply alpha, margin and min_requests', async () => {
    const { app } = setup(worse)
    const loose = await body(
      await app.request('/?namespace=shop&pod=web-6d8f9&baseline_pod=web-55c7f&margin=0.05')
    )
    expect(loose.comparison.error_rate).toMatchObject({ verdict: 'not_worse', margin: 0.05 })
    const strict = await body(
      await app.request(
        '/?namespace=shop&pod=web-6d8f9&baseline_pod=web-55c7f&min_requests=5000&alpha=0.01'
      )
    )
    expect(strict.comparison.error_rate).toMatchObject({
      verdict: 'insufficient_data',
      alpha: 0.01,
      min_requests: 5000,
    })
  })

  it('should report nulls and insufficient_data, never 0, for a baseline without traffic', async () => {
    const { app } = setup(
      comparisonResponder({ canary: { requests: 500, errors: 5 }, baseline: { requests: 0 } })
    )
    const json = await body(
      await app.request('/?namespace=shop&service=web-canary&baseline_service=web')
    )
    expect(json.value).toBe(0.01)
    expect(json.baseline).toMatchObject({ value: null, error_rate: null, requests: 0 })
    expect(json.comparison.error_rate).toMatchObject({
      verdict: 'insufficient_data',
      difference: null,
      ratio: null,
      p_value: null,
    })
  })

  it('should answer 502, never a comparison, when the baseline table is missing', async () => {
    const { app } = setup((options) =>
      comparisonResult(
        { ...options, execFuncs: options.execFuncs?.slice(0, 1) },
        {
          canary: { requests: 100 },
          baseline: { requests: 100 },
        }
      )
    )
    const res = await app.request('/?namespace=shop&pod=a&baseline_pod=b')
    expect(res.status).toBe(502)
    expect((await body(res)).error.code).toBe('result_missing_table')
  })

  it('should refuse bad baseline and comparison parameters with 400 before calling Pixie', async () => {
    const { app, client } = setup(worse)
    for (const [query, code] of [
      ['pod=a&baseline_pod=b&baseline_service=c', 'conflicting_selectors'],
      ['pod=a&baseline_hash=b1', 'missing_rollout'],
      ['pod=a&baseline_pod=Bad', 'invalid_baseline_pod'],
      ['pod=a&baseline_pod=a', 'invalid_baseline_pod'],
      ['pod=a&baseline_pod=b&alpha=0.5', 'invalid_alpha'],
      ['pod=a&baseline_pod=b&margin=1', 'invalid_margin'],
      ['pod=a&baseline_pod=b&min_requests=0', 'invalid_min_requests'],
      ['pod=a&alpha=0.05', 'missing_baseline'],
      ['pod=a&path=/x*', 'invalid_path'],
      ['pod=a&method=TRACE', 'invalid_method'],
    ]) {
      const res = await app.request(`/?namespace=shop&${query}`)
      expect(res.status, query).toBe(400)
      expect((await body(res)).error.code, query).toBe(code)
    }
    expect(client.calls).toHaveLength(0)
  })
})

describe('error-rate function with request filters', () => {
  it('should filter inside PxL with pattern arguments and report the filters', async () => {
    const { app, client } = setup(() => statsResult({ requests: 40, errors: 2 }))
    const json = await body(
      await app.request('/?namespace=shop&pod=web-&path=/orders/*/items&method=POST')
    )
    expect(json.filters).toEqual({ path: '/orders/*/items', method: 'POST' })
    expect(client.calls[0]?.execFuncs?.[0]?.args).toMatchObject({
      path_pattern: '/orders/[^/?]+/items(?:\\?.*)?',
      method_pattern: 'POST',
    })
    expect(client.calls[0]?.script).toBe(HTTP_STATS_SCRIPT.source)
  })

  it('should answer exactly as before without filters or a baseline', async () => {
    const { app, client } = setup(() => statsResult({ requests: 40, errors: 2 }))
    const json = await body(await app.request('/?namespace=shop&pod=web-'))
    expect(Object.keys(json)).toEqual([
      'metric',
      'value',
      'error_rate',
      'errors',
      'error_statuses',
      'requests',
      'window_seconds',
      'covered_seconds',
      'selector',
      'excluded_paths',
      'script',
    ])
    expect(Object.keys(json.script)).toEqual(['name', 'sha256', 'function'])
    expect(client.calls[0]?.execFuncs).toHaveLength(1)
    expect(client.calls[0]?.execFuncs?.[0]?.args).toMatchObject({
      path_pattern: '(?s).*',
      method_pattern: '(?s).*',
    })
  })
})
