// Runs the real HTTP stats script, with the arguments the builders produce, on the simulator's PxL
// engine (a test-only dependency; nothing from simulator/ is bundled into a function), then decodes
// its output like a function does. This checks the PxL's meaning, not just its syntax: inbound
// rows only, probe paths excluded, namespace and selector matching, error counting, one row.
import { describe, expect, it } from 'vitest'
import type { CellValue, ColumnType, ResultTable } from '../pixie/types'
import type { Selector } from '../selector'
import { executePxl } from '../../simulator/pxl'
import type { DataSource, EngineTable } from '../../simulator/pxl'
import { DEFAULT_EXCLUDED_PATHS } from './exclusion'
import { buildHttpStatsCall } from './request'
import { decodeHttpStats, expectedSelectorEcho } from './result'
import type { HttpStats } from './result'

const NOW_NS = 1_800_000_000_000_000_000n

interface Pod {
  upid: string
  pod: string
  namespace: string
  replicaset: string
  service: string
}

/** UPIDs as UUID strings, one per pod. */
const upid = (i: number): string => `00000001-0000-0000-0000-${i.toString(16).padStart(12, '0')}`

const PODS: Pod[] = [
  // The canary: replicaset web-6d8f9, behind two services (Pixie's JSON-array form).
  {
    upid: upid(1),
    pod: 'shop/web-6d8f9-abcde',
    namespace: 'shop',
    replicaset: 'shop/web-6d8f9',
    service: '["shop/web","shop/web-preview"]',
  },
  // The stable replicaset web-55c7f, behind one service.
  {
    upid: upid(2),
    pod: 'shop/web-55c7f-xyz12',
    namespace: 'shop',
    replicaset: 'shop/web-55c7f',
    service: 'shop/web',
  },
  // Same pod and replicaset names in another namespace.
  {
    upid: upid(3),
    pod: 'other/web-6d8f9-abcde',
    namespace: 'other',
    replicaset: 'other/web-6d8f9',
    service: 'other/web',
  },
]

interface Event {
  pod: number
  path?: string
  status?: number
  latencyMs?: number
  role?: number
  secondsAgo?: number
}

const COLUMNS: { name: string; type: ColumnType }[] = [
  { name: 'time_', type: 'TIME64NS' },
  { name: 'upid', type: 'UINT128' },
  { name: 'trace_role', type: 'INT64' },
  { name: 'req_path', type: 'STRING' },
  { name: 'req_method', type: 'STRING' },
  { name: 'resp_status', type: 'INT64' },
  { name: 'latency', type: 'INT64' },
]

function source(events: Event[]): DataSource {
  const rows: CellValue[][] = events.map((e) => [
    NOW_NS - BigInt((e.secondsAgo ?? 5) * 1e9),
    upid(e.pod),
    BigInt(e.role ?? 2),
    e.path ?? '/api/cart',
    'GET',
    BigInt(e.status ?? 200),
    BigInt(Math.round((e.latencyMs ?? 10) * 1e6)),
  ])
  const table: EngineTable = {
    name: 'http_events',
    columns: COLUMNS.map((c) => ({ ...c, semanticType: 0 })),
    data: COLUMNS.map((_, i) => rows.map((r) => r[i]!)),
  }
  return {
    table: (name) => (name === 'http_events' ? table : undefined),
    metadata: {
      resolve: (key, id) => {
        const pod = PODS.find((p) => p.upid === id)
        if (pod === undefined) return ''
        return key === 'pod' || key === 'namespace' || key === 'replicaset' || key === 'service'
          ? pod[key]
          : ''
      },
    },
  }
}

/** Engine output (column-major) as the Vizier client would hand it over (row objects). */
function asResultTable(table: EngineTable): ResultTable {
  const n = table.data[0]?.length ?? 0
  const rows = Array.from({ length: n }, (_, i) =>
    Object.fromEntries(table.columns.map((c, j) => [c.name, table.data[j]![i]!]))
  )
  return {
    id: table.name,
    name: table.name,
    columns: table.columns.map((c) => ({ name: c.name, type: c.type, semanticType: 0 })),
    rows,
  }
}

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
  const tables = executePxl(call.options.script, {
    source: source(events),
    execFuncs: call.options.execFuncs ?? [],
    nowNs: NOW_NS,
  })
  const result = { queryId: '', tables: new Map(tables.map((t) => [t.name, asResultTable(t)])) }
  return decodeHttpStats(result, call.outputTable, expectedSelectorEcho(call))
}

/** The echo columns of the script's row for a selector. */
function echoOf(selector: Selector): Record<string, CellValue> {
  const call = buildHttpStatsCall(
    { selector, windowSeconds: 60, excludedPaths: [], errorMinStatus: 400 },
    'test'
  )
  const [table] = executePxl(call.options.script, {
    source: source([{ pod: 1 }]),
    execFuncs: call.options.execFuncs ?? [],
    nowNs: NOW_NS,
  })
  const row = asResultTable(table!).rows[0]!
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
