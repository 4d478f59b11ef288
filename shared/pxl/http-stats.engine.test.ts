// Runs the real HTTP stats script, with the arguments the builders produce, on the simulator's PxL
// engine (a test-only dependency; nothing from simulator/ is bundled into a function), then decodes
// its output like a function does. This checks the PxL's meaning, not just its syntax: inbound
// rows only, probe paths excluded, namespace and selector matching, error counting, one row, exact
// quantiles, and agreement with a direct count over the simulator's own generated traffic.
import { describe, expect, it } from 'vitest'
import type { CellValue } from '../pixie/types'
import type { Selector } from '../selector'
import { ENGINE_NOW_NS, httpEventsSource, podUpid, runOnEngine } from '../../test/helpers/engine'
import type { HttpEvent, PodMetadata } from '../../test/helpers/engine'
import {
  engineWorld,
  executeOnEngine,
  FROZEN_NOW_NS,
  seededScenario,
  SEEDED_NAMESPACE,
  STABLE,
} from '../../test/comparison/engine'
import { DEFAULT_EXCLUDED_PATHS } from './exclusion'
import { buildHttpStatsCall } from './request'
import { decodeHttpStats, expectedSelectorEcho } from './result'
import type { HttpStats } from './result'

const PODS: PodMetadata[] = [
  // Pod 1, the canary: replicaset web-6d8f9, behind two services (Pixie's JSON-array form).
  {
    pod: 'shop/web-6d8f9-abcde',
    namespace: 'shop',
    replicaset: 'shop/web-6d8f9',
    service: '["shop/web","shop/web-preview"]',
  },
  // Pod 2, the stable replicaset web-55c7f, behind one service.
  {
    pod: 'shop/web-55c7f-xyz12',
    namespace: 'shop',
    replicaset: 'shop/web-55c7f',
    service: 'shop/web',
  },
  // Pod 3: same pod and replicaset names in another namespace.
  {
    pod: 'other/web-6d8f9-abcde',
    namespace: 'other',
    replicaset: 'other/web-6d8f9',
    service: 'other/web',
  },
  // Pod 4 and beyond: no metadata at all (resolves to '').
]

type Event = Omit<HttpEvent, 'latencyNs'> & { latencyMs?: number }

const asEvents = (events: Event[]): HttpEvent[] =>
  events.map(({ latencyMs, ...e }) => ({ ...e, latencyNs: Math.round((latencyMs ?? 10) * 1e6) }))

function run(
  events: Event[],
  selector: Selector,
  options: {
    windowSeconds?: number
    excludedPaths?: readonly string[]
    errorMinStatus?: number
  } = {}
): HttpStats {
  const call = buildHttpStatsCall(
    {
      selector,
      windowSeconds: options.windowSeconds ?? 60,
      excludedPaths: options.excludedPaths ?? DEFAULT_EXCLUDED_PATHS,
      errorMinStatus: options.errorMinStatus ?? 400,
    },
    'test'
  )
  const result = runOnEngine(call, httpEventsSource(asEvents(events), PODS))
  return decodeHttpStats(result, call.outputTable, expectedSelectorEcho(call))
}

/** The echo columns of the script's row for a selector. */
function echoOf(selector: Selector): Record<string, CellValue> {
  const call = buildHttpStatsCall(
    { selector, windowSeconds: 60, excludedPaths: [], errorMinStatus: 400 },
    'test'
  )
  const result = runOnEngine(call, httpEventsSource([{ pod: 1 }], PODS))
  const row = result.tables.get(call.outputTable)!.rows[0]!
  return { selector_kind: row.selector_kind!, selector_value: row.selector_value! }
}

const canaryRs: Selector = { kind: 'replicaset', namespace: 'shop', replicaset: 'web-6d8f9' }

describe('HTTP stats script on the PxL engine', () => {
  it('should count only the selected replicaset in its namespace', () => {
    const events: Event[] = [
      { pod: 1, status: 200 },
      { pod: 1, status: 503 },
      { pod: 1, status: 404 },
      { pod: 2, status: 500 },
      { pod: 3, status: 500 },
      { pod: 4, status: 500 },
    ]
    expect(run(events, canaryRs)).toMatchObject({ requests: 3, errors: 2 })
    expect(run(events, canaryRs, { errorMinStatus: 500 })).toMatchObject({ requests: 3, errors: 1 })
  })

  it('should select by pod-name prefix and by service (also inside a JSON array)', () => {
    const events: Event[] = [{ pod: 1 }, { pod: 1 }, { pod: 2 }, { pod: 3 }]
    expect(run(events, { kind: 'pod', namespace: 'shop', pod: 'web-6d8f9-' }).requests).toBe(2)
    expect(run(events, { kind: 'pod', namespace: 'shop', pod: 'web-' }).requests).toBe(3)
    expect(run(events, { kind: 'pod', namespace: 'shop', pod: 'eb-6d8f9' }).requests).toBe(0)
    expect(run(events, { kind: 'service', namespace: 'shop', service: 'web' }).requests).toBe(3)
    expect(
      run(events, { kind: 'service', namespace: 'shop', service: 'web-preview' }).requests
    ).toBe(2)
    expect(run(events, { kind: 'service', namespace: 'shop', service: 'we' }).requests).toBe(0)
  })

  it('should ignore client-side rows and probe paths, also with a query string', () => {
    const events: Event[] = [
      { pod: 1, path: '/api/cart' },
      { pod: 1, path: '/api/cart', role: 1, status: 500 },
      { pod: 1, path: '/healthz', status: 500 },
      { pod: 1, path: '/readyz?verbose=1', status: 500 },
      { pod: 1, path: '/healthz/deep', status: 500 },
    ]
    expect(run(events, canaryRs)).toMatchObject({ requests: 2, errors: 1 })
    expect(run(events, canaryRs, { excludedPaths: [] })).toMatchObject({ requests: 4, errors: 3 })
    expect(run(events, canaryRs, { excludedPaths: ['/api/cart'] })).toMatchObject({
      requests: 3,
      errors: 3,
    })
  })

  it('should look back only over the window', () => {
    const events: Event[] = [
      { pod: 1, secondsAgo: 5 },
      { pod: 1, secondsAgo: 50 },
      { pod: 1, secondsAgo: 90 },
    ]
    expect(run(events, canaryRs, { windowSeconds: 30 }).requests).toBe(1)
    expect(run(events, canaryRs, { windowSeconds: 60 }).requests).toBe(2)
    expect(run(events, canaryRs, { windowSeconds: 120 }).requests).toBe(3)
  })

  it('should report latency quantiles and the mean in nanoseconds', () => {
    const events: Event[] = Array.from({ length: 100 }, (_, i) => ({ pod: 1, latencyMs: i + 1 }))
    const stats = run(events, canaryRs)
    expect(stats.requests).toBe(100)
    expect(stats.latencyNs?.mean).toBeCloseTo(50.5e6, -3)
    const { p50, p90, p99 } = stats.latencyNs!
    expect(p50).toBeGreaterThan(45e6)
    expect(p50).toBeLessThan(56e6)
    expect(p90).toBeGreaterThan(85e6)
    expect(p90).toBeLessThan(95e6)
    expect(p99).toBeGreaterThan(95e6)
    expect(p99).toBeLessThanOrEqual(100e6)
  })

  it('should take quantiles as Pixie does and report the mean', () => {
    // Pixie's t-digest keeps every value at this size and reads quantile q at the 0-based position
    // q * n - 1/2 between sorted values, clamped to the minimum and maximum (pixie-io/tdigest
    // tdigest.h, used by px.quantiles in pixie-io/pixie src/carnot/funcs/builtins/math_sketches.h).
    // Sorted 1, 2, 3, 5 ms, n = 4: p50 at 1.5 -> 2.5 ms; p90 at 3.1 and p99 at 3.46 are past the
    // last value -> 5 ms. Mean 11 / 4 = 2.75 ms.
    const events: Event[] = [1, 2, 3, 5].map((latencyMs) => ({ pod: 1, latencyMs }))
    const { latencyNs } = run(events, canaryRs)
    expect(latencyNs!.p50).toBeCloseTo(2.5e6, 0)
    expect(latencyNs!.p90).toBeCloseTo(5e6, 0)
    expect(latencyNs!.p99).toBeCloseTo(5e6, 0)
    expect(latencyNs!.mean).toBe(2.75e6)
  })

  it("should agree with a direct count over the simulator's generated traffic", () => {
    const { world, table } = engineWorld(seededScenario(7), 90)
    const selector: Selector = {
      kind: 'replicaset',
      namespace: SEEDED_NAMESPACE,
      replicaset: STABLE,
    }
    const call = buildHttpStatsCall(
      { selector, windowSeconds: 60, excludedPaths: DEFAULT_EXCLUDED_PATHS, errorMinStatus: 400 },
      'test'
    )
    const stats = decodeHttpStats(
      executeOnEngine(call, { world, table }),
      call.outputTable,
      expectedSelectorEcho(call)
    )
    const column = <T>(name: string): T[] =>
      table.data[table.columns.findIndex((c) => c.name === name)] as T[]
    const time = column<bigint>('time_')
    const upid = column<string>('upid')
    const role = column<bigint>('trace_role')
    const path = column<string>('req_path')
    const status = column<bigint>('resp_status')
    const latency = column<bigint>('latency')
    const since = FROZEN_NOW_NS - 60_000_000_000n
    let requests = 0
    let errors = 0
    let sumNs = 0
    for (let i = 0; i < time.length; i++) {
      if (time[i]! < since || role[i] !== 2n) continue
      if (DEFAULT_EXCLUDED_PATHS.includes(path[i]!.split('?')[0]!)) continue
      if (world.metadata.resolve('namespace', upid[i]!) !== SEEDED_NAMESPACE) continue
      if (world.metadata.resolve('replicaset', upid[i]!) !== `${SEEDED_NAMESPACE}/${STABLE}`)
        continue
      requests++
      if (status[i]! >= 400n) errors++
      sumNs += Number(latency[i]!)
    }
    // The 90 s of history reach beyond the window, and probes and errors are present.
    expect(time.some((t) => t < since)).toBe(true)
    expect(path.some((p) => DEFAULT_EXCLUDED_PATHS.includes(p))).toBe(true)
    expect(requests).toBeGreaterThan(1000)
    expect(errors).toBeGreaterThan(0)
    expect(stats).toMatchObject({ requests, errors })
    expect(stats.latencyNs!.mean).toBeCloseTo(sumNs / requests, 3)
  })

  // What the rows cover (shared/pxl/coverage.ts): px.min/px.max of time_ (pixie-io/pixie
  // src/carnot/funcs/builtins/math_ops.cc registers both for TIME64NS), px.now() at compile time
  // (src/carnot/planner/objects/pixie_module.cc) and, per node, the earliest row over the whole
  // table, keyed by px.upid_to_asid (src/carnot/funcs/metadata/metadata_ops.h).
  it("should report the selected rows' times and their nodes' earliest rows over every pod", () => {
    const canaryRs: Selector = { kind: 'replicaset', namespace: 'shop', replicaset: 'web-6d8f9' }
    const S = 1_000_000_000n
    const stats = run(
      [
        { pod: 1, secondsAgo: 20 },
        { pod: 1, secondsAgo: 2 },
        // Node 1's oldest row is another pod's client-side row: it still says what node 1 holds.
        { pod: 2, secondsAgo: 50, role: 1 },
        // Node 2 serves the canary too; its oldest row is the canary's own.
        { pod: 1, asid: 2, secondsAgo: 30 },
        // Node 3 serves nothing selected: its rows say nothing about the canary's coverage.
        { pod: 2, asid: 3, secondsAgo: 10 },
      ],
      canaryRs
    )
    expect(stats.requests).toBe(3)
    expect(stats.span).toEqual({
      firstNs: ENGINE_NOW_NS - 30n * S,
      lastNs: ENGINE_NOW_NS - 2n * S,
      retainedFromNs: ENGINE_NOW_NS - 30n * S,
      nowNs: ENGINE_NOW_NS,
    })
    const oneNode = run(
      [
        { pod: 1, secondsAgo: 20 },
        { pod: 2, secondsAgo: 50, role: 1 },
      ],
      canaryRs
    )
    expect(oneNode.span?.retainedFromNs).toBe(ENGINE_NOW_NS - 50n * S)
  })

  it('should return one row with zero requests when nothing matched', () => {
    expect(run([], canaryRs)).toEqual({ requests: 0, errors: 0, latencyNs: null })
    expect(run([{ pod: 2 }], canaryRs)).toEqual({ requests: 0, errors: 0, latencyNs: null })
  })

  it('should echo the selector it applied, as the decoder checks it', () => {
    expect(echoOf(canaryRs)).toEqual({
      selector_kind: 'replicaset',
      selector_value: 'shop/web-6d8f9',
    })
    expect(echoOf({ kind: 'pod', namespace: 'shop', pod: 'web-' })).toEqual({
      selector_kind: 'pod',
      selector_value: 'shop/web-',
    })
    expect(echoOf({ kind: 'service', namespace: 'shop', service: 'web' })).toEqual({
      selector_kind: 'service',
      selector_value: 'shop/web',
    })
  })
})
