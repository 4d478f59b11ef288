// End to end through the BUNDLED functions (node dist/<fn>.mjs) and the simulator over real gRPC:
// every figure a function reports must match the ground truth computed here, independently, in
// plain JavaScript over the very rows the simulator generated for the window.
//
// Tolerances: request and error counts are exact; error rate and rps are exact ratios of them (to
// 1e-9); the mean latency is exact up to the functions' microsecond rounding (0.002 ms); the
// p50/p90/p99 are Pixie's px.quantiles values (its t-digest, pixie-io/pixie
// src/carnot/funcs/builtins/math_sketches.h), restated in helpers/pixie-quantile.ts, exact up to
// the same microsecond rounding.
import { describe, expect, it } from 'vitest'
import { groundTruth, type Truth, type TruthSelector } from './helpers/ground-truth'
import { NOW, useHarness, type Harness } from './helpers/harness'

function query(namespace: string, selector: string, extra = ''): string {
  return `/?namespace=${namespace}&${selector}${extra ? `&${extra}` : ''}`
}

/** Asserts all three functions report the truth for one selector. */
async function expectAllMatch(
  h: Harness,
  namespace: string,
  selectorParam: string,
  selector: TruthSelector,
  windowSeconds = 60
): Promise<Truth> {
  const truth = groundTruth(h.sim.world, { namespace, selector, nowNs: NOW, windowSeconds })
  const extra = windowSeconds === 60 ? '' : `window=${windowSeconds}s`
  const [er, lat, tp] = await Promise.all([
    h.fns['error-rate'].get(query(namespace, selectorParam, extra)),
    h.fns.latency.get(query(namespace, selectorParam, extra)),
    h.fns.throughput.get(query(namespace, selectorParam, extra)),
  ])
  for (const r of [er, lat, tp]) {
    expect(r.status, JSON.stringify(r.body)).toBe(200)
    expect(r.body.requests).toBe(truth.requests)
    expect(r.body.window_seconds).toBe(windowSeconds)
  }
  expect(er.body.errors).toBe(truth.errors)
  if (truth.errorRate === null) {
    expect(er.body.value).toBeNull()
  } else {
    expect(er.body.error_rate as number).toBeCloseTo(truth.errorRate, 9)
    expect(er.body.value).toBe(er.body.error_rate)
  }
  if (truth.rps === null) {
    expect(tp.body.value).toBeNull()
  } else {
    expect(tp.body.rps as number).toBeCloseTo(truth.rps, 9)
  }
  const latency = lat.body.latency_ms as Record<string, number | null>
  if (truth.meanMs === null) {
    expect(lat.body.value).toBeNull()
  } else {
    expect(Math.abs((latency.mean as number) - truth.meanMs)).toBeLessThan(0.002)
    for (const key of ['p50', 'p90', 'p99'] as const) {
      const expected = truth.quantilesMs![key]
      expect(
        Math.abs((latency[key] as number) - expected),
        `${key} of ${selectorParam}`
      ).toBeLessThan(0.000501)
    }
    expect(lat.body.value).toBe(latency.p99)
  }
  return truth
}

describe('e2e: demo scenario (Argo Rollouts canary demo)', () => {
  const h = useHarness('demo.json')

  it('should report the healthy canary replicaset exactly as the ground truth', async () => {
    const truth = await expectAllMatch(h(), 'default', 'replicaset=canary-demo-7d9f8c6b5', {
      replicaset: 'canary-demo-7d9f8c6b5',
    })
    expect(truth.requests).toBeGreaterThan(400)
    expect(truth.errorRate!).toBeLessThan(0.05)
  })

  it('should report the bad canary failing most requests', async () => {
    const truth = await expectAllMatch(h(), 'default', 'replicaset=canary-demo-6c8d4b9f7', {
      replicaset: 'canary-demo-6c8d4b9f7',
    })
    expect(truth.errorRate!).toBeGreaterThan(0.6)
  })

  it('should select the stable replicaset by rollout and pod-template hash', async () => {
    await expectAllMatch(h(), 'default', 'rollout=canary-demo&hash=5b9d7c6f48', {
      replicaset: 'canary-demo-5b9d7c6f48',
    })
  })

  it('should count pods that back several services under each of them', async () => {
    await expectAllMatch(h(), 'default', 'service=canary-demo-preview', {
      service: 'canary-demo-preview',
    })
    await expectAllMatch(h(), 'default', 'service=canary-demo', { service: 'canary-demo' })
  })

  it('should select pods by name prefix', async () => {
    const pod = h().sim.world.pods.find((p) => p.replicaset === 'canary-demo-6c8d4b9f7')!
    await expectAllMatch(h(), 'default', `pod=${pod.name}`, { podPrefix: pod.name })
  })

  it('should not pick up the prefix-sharing neighbour replicaset or the same name in another namespace', async () => {
    const exact = groundTruth(h().sim.world, {
      namespace: 'default',
      selector: { replicaset: 'canary-demo-6c8d4b9f7' },
      nowNs: NOW,
      windowSeconds: 60,
    })
    const neighbour = groundTruth(h().sim.world, {
      namespace: 'default',
      selector: { replicaset: 'canary-demo-6c8d4b9f7z' },
      nowNs: NOW,
      windowSeconds: 60,
    })
    const staging = groundTruth(h().sim.world, {
      namespace: 'staging',
      selector: { replicaset: 'canary-demo-7d9f8c6b5' },
      nowNs: NOW,
      windowSeconds: 60,
    })
    // Both decoys have traffic and errors in the window, so counting them would show.
    expect(neighbour.requests).toBeGreaterThan(0)
    expect(neighbour.errors).toBeGreaterThan(0)
    expect(staging.errors).toBeGreaterThan(0)
    const r = await h().fns['error-rate'].get(query('default', 'replicaset=canary-demo-6c8d4b9f7'))
    expect(r.body.requests).toBe(exact.requests)
    expect(r.body.errors).toBe(exact.errors)
    await expectAllMatch(h(), 'staging', 'replicaset=canary-demo-7d9f8c6b5', {
      replicaset: 'canary-demo-7d9f8c6b5',
    })
  })

  it('should leave health probes and client-side rows out of every figure', async () => {
    const truth = groundTruth(h().sim.world, {
      namespace: 'default',
      selector: { replicaset: 'canary-demo-7d9f8c6b5' },
      nowNs: NOW,
      windowSeconds: 60,
    })
    // The canary pod answered probes and made failing egress calls in the window.
    expect(truth.probeRows).toBeGreaterThan(0)
    expect(truth.clientRows).toBeGreaterThan(0)
    const r = await h().fns['error-rate'].get(query('default', 'replicaset=canary-demo-7d9f8c6b5'))
    expect(r.body.requests).toBe(truth.requests)
    expect(r.body.errors).toBe(truth.errors)
  })

  it('should count health probes when the caller turns path exclusion off', async () => {
    const truth = groundTruth(h().sim.world, {
      namespace: 'default',
      selector: { replicaset: 'canary-demo-5b9d7c6f48' },
      nowNs: NOW,
      windowSeconds: 60,
    })
    const r = await h().fns.throughput.get(
      query('default', 'replicaset=canary-demo-5b9d7c6f48', 'exclude_paths=none')
    )
    expect(r.status, JSON.stringify(r.body)).toBe(200)
    expect(r.body.requests).toBe(truth.requests + truth.probeRows)
  })

  it('should honour a longer window', async () => {
    await expectAllMatch(
      h(),
      'default',
      'replicaset=canary-demo-5b9d7c6f48',
      { replicaset: 'canary-demo-5b9d7c6f48' },
      300
    )
  })

  it('should answer value null and requests 0 for a selector without traffic', async () => {
    const truth = await expectAllMatch(h(), 'default', 'replicaset=canary-demo-0000000000', {
      replicaset: 'canary-demo-0000000000',
    })
    expect(truth.requests).toBe(0)
  })

  it('should have sent one ExecuteScript per request, each recorded with its exec_funcs', () => {
    const sim = h().sim
    expect(sim.stats.executeScriptCalls).toBe(sim.requests.length)
    expect(sim.requests.every((r) => r.outcome === 'ok')).toBe(true)
    const funcs = new Set(sim.requests.flatMap((r) => r.execFuncs.map((f) => f.funcName)))
    expect(funcs.has('stats_by_replicaset')).toBe(true)
    expect(funcs.has('stats_by_service')).toBe(true)
    // Aggregation happens in PxL: one row comes back per query, however many rows were read.
    expect(sim.requests.every((r) => r.rowsReturned === 1 && r.rowsScanned > 1000)).toBe(true)
  })
})

describe('e2e: a canary with exactly 20 % 5xx', () => {
  const h = useHarness('error-20pct.json')

  it('should report 4xx and 5xx errors by default', async () => {
    const truth = await expectAllMatch(h(), 'shop', 'replicaset=checkout-7c9d5b8f6', {
      replicaset: 'checkout-7c9d5b8f6',
    })
    expect(truth.errorRate!).toBeGreaterThan(0.2)
    expect(truth.errorRate!).toBeLessThan(0.3)
  })

  it('should report only 5xx with errors=5xx', async () => {
    const truth = groundTruth(h().sim.world, {
      namespace: 'shop',
      selector: { replicaset: 'checkout-7c9d5b8f6' },
      nowNs: NOW,
      windowSeconds: 60,
      errorMinStatus: 500,
    })
    const r = await h().fns['error-rate'].get(
      query('shop', 'replicaset=checkout-7c9d5b8f6', 'errors=5xx')
    )
    expect(r.status).toBe(200)
    expect(r.body.errors).toBe(truth.errors)
    expect(r.body.error_rate as number).toBeCloseTo(truth.errorRate!, 9)
    expect(truth.errorRate!).toBeGreaterThan(0.15)
    expect(truth.errorRate!).toBeLessThan(0.25)
  })

  it('should keep the stable replicaset and the service figures apart', async () => {
    await expectAllMatch(h(), 'shop', 'rollout=checkout&hash=5f7b8c9d4', {
      replicaset: 'checkout-5f7b8c9d4',
    })
    await expectAllMatch(h(), 'shop', 'service=checkout', { service: 'checkout' })
  })
})

describe('e2e: latency distributions', () => {
  const h = useHarness('latency.json')

  it('should report lognormal, constant and uniform latency within tolerance', async () => {
    const slow = await expectAllMatch(h(), 'perf', 'replicaset=api-6b8d9c7f5', {
      replicaset: 'api-6b8d9c7f5',
    })
    expect(slow.latenciesMs[Math.floor(slow.requests / 2)]!).toBeGreaterThan(80)
    const constant = await expectAllMatch(h(), 'perf', 'replicaset=api-5c7d8b9f4', {
      replicaset: 'api-5c7d8b9f4',
    })
    expect(constant.meanMs).toBeCloseTo(20, 6)
    await expectAllMatch(h(), 'perf', 'replicaset=api-7f4c8d6b9', { replicaset: 'api-7f4c8d6b9' })
  })

  it('should pick the requested quantile as value', async () => {
    const r = await h().fns.latency.get(query('perf', 'replicaset=api-6b8d9c7f5', 'quantile=p50'))
    expect(r.status).toBe(200)
    expect(r.body.quantile).toBe('p50')
    expect(r.body.value).toBe((r.body.latency_ms as Record<string, number>).p50)
  })
})

describe('e2e: a replicaset with zero traffic', () => {
  const h = useHarness('zero-traffic.json')

  it('should answer value null and requests 0 although its pods answered probes and made calls', async () => {
    const truth = groundTruth(h().sim.world, {
      namespace: 'quiet',
      selector: { replicaset: 'idle-8f6d7c5b9' },
      nowNs: NOW,
      windowSeconds: 60,
    })
    expect(truth.requests).toBe(0)
    expect(truth.probeRows).toBeGreaterThan(0)
    expect(truth.clientRows).toBeGreaterThan(0)
    for (const name of ['error-rate', 'latency', 'throughput'] as const) {
      for (const selector of ['replicaset=idle-8f6d7c5b9', 'service=idle']) {
        const r = await h().fns[name].get(query('quiet', selector))
        expect(r.status, JSON.stringify(r.body)).toBe(200)
        expect(r.body.value).toBeNull()
        expect(r.body.requests).toBe(0)
      }
    }
  })

  it('should still measure its busy neighbour', async () => {
    await expectAllMatch(h(), 'quiet', 'replicaset=idle-5b7c9d8f6', {
      replicaset: 'idle-5b7c9d8f6',
    })
  })
})
