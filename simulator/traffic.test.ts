import { describe, expect, it } from 'vitest'
import type { CellValue } from '../shared/pixie/types'
import { COL, HTTP_EVENTS_COLUMNS } from './http-events'
import { mulberry32 } from './prng'
import { loadScenario } from './scenario'
import { buildWorld } from './topology'
import { generateHttpEvents, latencySampler } from './traffic'

const S = 1_000_000_000n
const NOW = 1_800_000_000_000_000_000n + 123_456_789n
const world = buildWorld(loadScenario(new URL('../scenarios/demo.json', import.meta.url).pathname))

function rows(startNs: bigint, endNs: bigint, multiplier?: number): CellValue[][] {
  const t = generateHttpEvents(world, { startNs, endNs, ...(multiplier ? { multiplier } : {}) })
  const n = t.data[0]?.length ?? 0
  return Array.from({ length: n }, (_, r) => t.data.map((c) => c[r] as CellValue))
}

describe('traffic generation', () => {
  it('should give identical rows for a range however it was asked for', () => {
    const small = rows(NOW - 30n * S, NOW)
    const large = rows(NOW - 90n * S, NOW + 10n * S)
    const inside = large.filter(
      (r) => (r[COL.time_] as bigint) >= NOW - 30n * S && (r[COL.time_] as bigint) <= NOW
    )
    expect(small.length).toBeGreaterThan(100)
    expect(small).toEqual(inside)
    expect(rows(NOW - 30n * S, NOW)).toEqual(small)
  })

  it('should produce time-sorted rows inside the range with the http_events column types', () => {
    const t = generateHttpEvents(world, { startNs: NOW - 20n * S, endNs: NOW })
    expect(t.columns.map((c) => c.name)).toEqual(HTTP_EVENTS_COLUMNS.map((c) => c.name))
    const times = t.data[COL.time_] as bigint[]
    for (let i = 1; i < times.length; i++) expect(times[i]! >= times[i - 1]!).toBe(true)
    expect(times[0]! >= NOW - 20n * S && times[times.length - 1]! <= NOW).toBe(true)
    const typeOf = {
      TIME64NS: 'bigint',
      INT64: 'bigint',
      STRING: 'string',
      BOOLEAN: 'boolean',
      UINT128: 'string',
      FLOAT64: 'number',
    }
    t.columns.forEach((c, i) => {
      for (const v of t.data[i]!.slice(0, 50)) expect(typeof v).toBe(typeOf[c.type])
    })
  })

  it('should generate each pod at its configured rate, probes and egress separately', () => {
    const window = rows(NOW - 60n * S, NOW)
    const canary = world.pods.find(
      (p) => p.namespace === 'default' && p.replicaset === 'canary-demo-7d9f8c6b5'
    )!
    const mine = window.filter((r) => r[COL.upid] === canary.upid)
    const inbound = mine.filter((r) => r[COL.trace_role] === 2n && r[COL.req_path] !== '/healthz')
    const probes = mine.filter((r) => r[COL.req_path] === '/healthz')
    const egress = mine.filter((r) => r[COL.trace_role] === 1n)
    // 8 rps for 60 s: floor(8) every second, so exactly 480 (the window edges are mid-second).
    expect(Math.abs(inbound.length - 480)).toBeLessThanOrEqual(8)
    expect(probes.length).toBeGreaterThan(15)
    expect(probes.length).toBeLessThan(45)
    expect(probes.every((r) => String(r[COL.req_headers]).includes('kube-probe/'))).toBe(true)
    expect(probes.every((r) => r[COL.trace_role] === 2n)).toBe(true)
    expect(Math.abs(egress.length - 120)).toBeLessThanOrEqual(2)
    expect(egress.every((r) => r[COL.resp_status] === 503n && r[COL.remote_port] === 443n)).toBe(
      true
    )
    expect(
      window.filter((r) => r[COL.trace_role] === 1n).every((r) => r[COL.upid] === canary.upid)
    ).toBe(true)
  })

  it('should scale requests and egress with the multiplier but not probes', () => {
    const x1 = rows(NOW - 20n * S, NOW)
    const x10 = rows(NOW - 20n * S, NOW, 10)
    const count = (rs: CellValue[][], probe: boolean) =>
      rs.filter((r) => (r[COL.req_path] === '/healthz') === probe).length
    expect(count(x10, false) / count(x1, false)).toBeGreaterThan(9.5)
    expect(count(x10, false) / count(x1, false)).toBeLessThan(10.5)
    expect(count(x10, true)).toBe(count(x1, true))
  })

  it('should follow the status mix and the latency distribution', () => {
    const bad = world.pods.find((p) => p.replicaset === 'canary-demo-6c8d4b9f7')!
    const served = rows(NOW - 300n * S, NOW).filter(
      (r) => r[COL.upid] === bad.upid && r[COL.trace_role] === 2n && r[COL.req_path] !== '/healthz'
    )
    const errors = served.filter((r) => r[COL.resp_status] === 500n).length
    expect(errors / served.length).toBeGreaterThan(0.75)
    expect(errors / served.length).toBeLessThan(0.85)
    expect(
      served.every(
        (r) =>
          r[COL.resp_message] === (r[COL.resp_status] === 500n ? 'Internal Server Error' : 'OK')
      )
    ).toBe(true)
  })

  it('should sample lognormal latency with the configured median and p99', () => {
    const sample = latencySampler({ dist: 'lognormal', median_ms: 40, p99_ms: 400 })
    const rng = mulberry32(11)
    const xs = Array.from({ length: 50_000 }, () => sample(rng)).sort((a, b) => a - b)
    expect(xs[25_000]! / 40).toBeCloseTo(1, 1)
    expect(xs[49_500]! / 400).toBeGreaterThan(0.9)
    expect(xs[49_500]! / 400).toBeLessThan(1.1)
    const uniform = latencySampler({ dist: 'uniform', min_ms: 5, max_ms: 10 })
    for (let i = 0; i < 100; i++) {
      const v = uniform(rng)
      expect(v >= 5 && v <= 10).toBe(true)
    }
    expect(latencySampler({ dist: 'constant', ms: 7 })(rng)).toBe(7)
  })

  it('should sample a mixture in proportion to its weights', () => {
    // A fast body with 3 % of requests stuck at 6 s, as scenarios/latency-regression.json has.
    const sample = latencySampler({
      dist: 'mixture',
      components: [
        { weight: 97, latency: { dist: 'lognormal', median_ms: 8, p99_ms: 32 } },
        { weight: 3, latency: { dist: 'constant', ms: 6000 } },
      ],
    })
    const rng = mulberry32(12)
    const xs = Array.from({ length: 50_000 }, () => sample(rng))
    const stuck = xs.filter((x) => x === 6000).length / xs.length
    expect(stuck).toBeGreaterThan(0.027)
    expect(stuck).toBeLessThan(0.033)
    const body = xs.filter((x) => x !== 6000).sort((a, b) => a - b)
    expect(body[Math.floor(body.length / 2)]! / 8).toBeCloseTo(1, 1)
  })
})
