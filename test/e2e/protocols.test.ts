// End to end through the BUNDLED functions (node dist/<fn>.mjs) and the simulator over real gRPC,
// for protocol=grpc and protocol=mysql: every figure must match the ground truth computed
// independently in helpers/protocol-truth.ts over the very rows the simulator generated (same
// tolerances as ground-truth.test.ts).
import { describe, expect, it } from 'vitest'
import type { Truth } from './helpers/ground-truth'
import { NOW, useHarness, type Harness } from './helpers/harness'
import { grpcTruth, mysqlTruth, type ProtocolTruthQuery } from './helpers/protocol-truth'

const CANARY = 'orders-7b8c9d6f5'
const STABLE = 'orders-6d5f7c8b9'

/** All three functions for one query string, each checked against the truth. */
async function expectAllMatch(h: Harness, qs: string, truth: Truth, protocol: string) {
  const [er, lat, tp] = await Promise.all([
    h.fns['error-rate'].get(`/?${qs}`),
    h.fns.latency.get(`/?${qs}`),
    h.fns.throughput.get(`/?${qs}`),
  ])
  for (const r of [er, lat, tp]) {
    expect(r.status, JSON.stringify(r.body)).toBe(200)
    expect(r.body.protocol).toBe(protocol)
    expect(r.body.requests).toBe(truth.requests)
  }
  expect(er.body.errors).toBe(truth.errors)
  expect(er.body.error_rate as number).toBeCloseTo(truth.errorRate!, 9)
  expect(tp.body.rps as number).toBeCloseTo(truth.rps!, 9)
  const latency = lat.body.latency_ms as Record<string, number>
  expect(Math.abs(latency.mean! - truth.meanMs!)).toBeLessThan(0.002)
  for (const key of ['p50', 'p90', 'p99'] as const) {
    expect(Math.abs(latency[key]! - truth.quantilesMs![key]), key).toBeLessThan(0.000501)
  }
  return { er, lat, tp }
}

function q(selector: ProtocolTruthQuery['selector'], extra: Partial<ProtocolTruthQuery> = {}) {
  return { namespace: 'shop', selector, nowNs: NOW, windowSeconds: 60, ...extra }
}

describe('e2e: protocols scenario', () => {
  const h = useHarness('protocols.json')

  describe('e2e: protocol=grpc', () => {
    it('should report a canary failing 20 % of its calls with UNAVAILABLE while its HTTP status is 200 throughout', async () => {
      const truth = grpcTruth(h().sim.world, q({ replicaset: CANARY }))
      expect(truth.requests).toBeGreaterThan(2500)
      expect(truth.httpErrors).toBe(0)
      const { er } = await expectAllMatch(
        h(),
        `namespace=shop&replicaset=${CANARY}&protocol=grpc`,
        truth,
        'grpc'
      )
      expect(Math.abs((er.body.error_rate as number) - 0.2)).toBeLessThan(0.03)
      // Over HTTP the same pod looks perfect: gRPC failures travel as HTTP 200.
      const http = await h().fns['error-rate'].get(`/?namespace=shop&replicaset=${CANARY}`)
      expect(http.status).toBe(200)
      expect(http.body.errors).toBe(0)
      expect(http.body).not.toHaveProperty('protocol')
    })

    it('should count only server-side codes with errors=5xx', async () => {
      const stable = grpcTruth(h().sim.world, q({ replicaset: STABLE }, { serverOnly: true }))
      const r = await h().fns['error-rate'].get(
        `/?namespace=shop&replicaset=${STABLE}&protocol=grpc&errors=5xx`
      )
      expect(r.status, JSON.stringify(r.body)).toBe(200)
      expect(r.body.requests).toBe(stable.requests)
      // NOT_FOUND is the caller's fault: the stable pods have some, none of them count here.
      expect(grpcTruth(h().sim.world, q({ replicaset: STABLE })).errors).toBeGreaterThan(0)
      expect(stable.errors).toBe(0)
      expect(r.body.errors).toBe(0)
    })

    it('should filter by gRPC method through path=/package.Service/Method', async () => {
      const path = '/shop.v1.Orders/PlaceOrder'
      const truth = grpcTruth(h().sim.world, q({ service: 'orders' }, { path }))
      await expectAllMatch(
        h(),
        `namespace=shop&service=orders&protocol=grpc&path=${path}`,
        truth,
        'grpc'
      )
    })

    it('should compare the canary with its baseline', async () => {
      const canary = grpcTruth(h().sim.world, q({ replicaset: CANARY }))
      const stable = grpcTruth(h().sim.world, q({ replicaset: STABLE }))
      const r = await h().fns['error-rate'].get(
        `/?namespace=shop&replicaset=${CANARY}&baseline_replicaset=${STABLE}&protocol=grpc`
      )
      expect(r.status, JSON.stringify(r.body)).toBe(200)
      expect(r.body.errors).toBe(canary.errors)
      const baseline = r.body.baseline as Record<string, unknown>
      expect(baseline.requests).toBe(stable.requests)
      expect(baseline.errors).toBe(stable.errors)
      const comparison = r.body.comparison as { error_rate: { verdict: string } }
      expect(comparison.error_rate.verdict).toBe('worse')
      const lat = await h().fns.latency.get(
        `/?namespace=shop&replicaset=${CANARY}&baseline_replicaset=${STABLE}&protocol=grpc`
      )
      expect(lat.status, JSON.stringify(lat.body)).toBe(200)
      expect((lat.body.baseline as Record<string, unknown>).requests).toBe(stable.requests)
    })

    it('should refuse an HTTP method filter, naming the protocol', async () => {
      const r = await h().fns.throughput.get(
        `/?namespace=shop&replicaset=${CANARY}&protocol=grpc&method=POST`
      )
      expect(r.status).toBe(400)
      const error = r.body.error as { code: string; message: string }
      expect(error.code).toBe('invalid_method')
      expect(error.message).toContain('protocol=grpc')
    })
  })

  describe('e2e: protocol=mysql', () => {
    it("should report the canary's outbound queries: errors as Pixie marks them, latency, queries per second", async () => {
      const truth = mysqlTruth(h().sim.world, q({ replicaset: CANARY }))
      expect(truth.requests).toBeGreaterThan(1000)
      expect(truth.errors).toBeGreaterThan(0)
      await expectAllMatch(
        h(),
        `namespace=shop&replicaset=${CANARY}&protocol=mysql`,
        truth,
        'mysql'
      )
    })

    it('should count each query once, on the side that sent it', async () => {
      // The database pod holds the server-side row of every query; it sent none itself.
      const db = mysqlTruth(h().sim.world, q({ podPrefix: 'mysql-0' }))
      expect(db.serverRows).toBeGreaterThan(1000)
      expect(db.requests).toBe(0)
      const r = await h().fns.throughput.get('/?namespace=shop&pod=mysql-0&protocol=mysql')
      expect(r.status, JSON.stringify(r.body)).toBe(200)
      expect(r.body.requests).toBe(0)
      expect(r.body.value).toBeNull()
      // A service over both the senders and the database still counts each query once.
      const all = mysqlTruth(h().sim.world, q({ service: 'orders' }))
      await expectAllMatch(h(), 'namespace=shop&service=orders&protocol=mysql', all, 'mysql')
    })

    it('should compare the canary with its baseline', async () => {
      const stable = mysqlTruth(h().sim.world, q({ replicaset: STABLE }))
      const r = await h().fns['error-rate'].get(
        `/?namespace=shop&replicaset=${CANARY}&baseline_replicaset=${STABLE}&protocol=mysql`
      )
      expect(r.status, JSON.stringify(r.body)).toBe(200)
      const baseline = r.body.baseline as Record<string, unknown>
      expect(baseline.requests).toBe(stable.requests)
      expect(baseline.errors).toBe(stable.errors)
      expect((r.body.comparison as { error_rate: { verdict: string } }).error_rate.verdict).toBe(
        'worse'
      )
      const tp = await h().fns.throughput.get(
        `/?namespace=shop&replicaset=${CANARY}&baseline_replicaset=${STABLE}&protocol=mysql`
      )
      expect(tp.status, JSON.stringify(tp.body)).toBe(200)
    })

    it('should refuse path, method, exclude_paths and errors=5xx, naming the protocol', async () => {
      for (const [param, code] of [
        ['path=/x', 'invalid_path'],
        ['method=GET', 'invalid_method'],
        ['exclude_paths=/healthz', 'invalid_exclude_paths'],
        ['errors=5xx', 'invalid_errors'],
      ] as const) {
        const r = await h().fns['error-rate'].get(
          `/?namespace=shop&replicaset=${CANARY}&protocol=mysql&${param}`
        )
        expect(r.status, param).toBe(400)
        const error = r.body.error as { code: string; message: string }
        expect(error.code).toBe(code)
        expect(error.message).toContain('protocol=mysql')
      }
    })
  })
})

describe('e2e: gRPC on a Vizier with restricted data access', () => {
  const h = useHarness('protocols-restricted.json')

  it('should answer a clear error, never an error rate, when the headers are REDACTED', async () => {
    const r = await h().fns['error-rate'].get(`/?namespace=shop&replicaset=${CANARY}&protocol=grpc`)
    expect(r.status).toBe(502)
    const error = r.body.error as { code: string; message: string }
    expect(error.code).toBe('result_redacted')
    expect(error.message).toContain('restricted data access')
    // HTTP and MySQL figures do not read the redacted columns and still work.
    const http = await h().fns['error-rate'].get(`/?namespace=shop&replicaset=${CANARY}`)
    expect(http.status).toBe(200)
    const mysql = await h().fns['error-rate'].get(
      `/?namespace=shop&replicaset=${CANARY}&protocol=mysql`
    )
    expect(mysql.status).toBe(200)
  })
})
