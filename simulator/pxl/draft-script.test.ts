/**
 * The draft canary script end to end, as the functions will call it through exec_funcs, against a
 * hand-built table whose expected figures are worked out in the comments.
 */
import { describe, expect, it } from 'vitest'
import type { ExecFunc } from '../../shared/pixie/types'
import type { CellValue } from '../../shared/pixie/types'
import { syntheticHttpEvents } from './bench'
import {
  DRAFT_ARGS,
  DRAFT_SCRIPT,
  HTTP_COLUMNS,
  makeSource,
  NOW_NS,
  rowsOf,
  runScript,
  secondsAgo,
  tableFromRows,
  upid,
} from './fixtures'

const CANARY_SERVICES = '["default/canary-demo","default/canary-demo-preview"]'
const METADATA = {
  [upid(1)]: {
    namespace: 'default',
    replicaset: 'default/canary-demo-7d9f',
    pod: 'default/canary-demo-7d9f-aaaa',
    service: CANARY_SERVICES,
  },
  [upid(2)]: {
    namespace: 'default',
    replicaset: 'default/canary-demo-7d9f',
    pod: 'default/canary-demo-7d9f-bbbb',
    service: CANARY_SERVICES,
  },
  [upid(3)]: {
    namespace: 'default',
    replicaset: 'default/canary-demo-55aa',
    pod: 'default/canary-demo-55aa-cccc',
    service: 'default/canary-demo',
  },
  [upid(4)]: {
    namespace: 'other',
    replicaset: 'other/canary-demo-7d9f',
    pod: 'other/canary-demo-7d9f-dddd',
    service: 'other/canary-demo',
  },
  // upid(5) has no metadata at all (resolves to '').
}

// seconds ago, upid, trace_role, req_path, resp_status, latency ns
const ROWS: [number, number, bigint, string, bigint, bigint][] = [
  [5, 1, 2n, '/api', 200n, 1000n], //         r1  canary
  [10, 1, 2n, '/api', 500n, 3000n], //        r2  canary, 5xx
  [15, 2, 2n, '/api?x=1', 404n, 2000n], //    r3  canary, 4xx
  [20, 2, 2n, '/healthz', 200n, 100n], //     r4  excluded path
  [25, 2, 2n, '/readyz?full=1', 200n, 100n], // r5 excluded path (query string)
  [30, 1, 1n, '/api', 500n, 9000n], //        r6  client side: excluded
  [90, 1, 2n, '/api', 500n, 9000n], //        r7  outside the 60 s window
  [12, 3, 2n, '/api', 200n, 4000n], //        r8  stable
  [14, 3, 2n, '/api', 503n, 6000n], //        r9  stable, 5xx
  [16, 4, 2n, '/api', 500n, 7000n], //        r10 other namespace
  [18, 5, 2n, '/api', 500n, 7000n], //        r11 no metadata
  [8, 1, 2n, '/healthz/deep', 200n, 5000n], // r12 canary: not a full match of the exclusion
]

const TABLE = tableFromRows(
  'http_events',
  HTTP_COLUMNS,
  ROWS.map(([ago, u, role, path, status, latency]) => [
    secondsAgo(ago),
    upid(u),
    role,
    path,
    'GET',
    status,
    latency,
  ])
)

function stats(funcName: string, args: Record<string, string>): Record<string, CellValue> {
  const calls: ExecFunc[] = [
    { funcName, args: { ...DRAFT_ARGS, ...args }, outputTablePrefix: 'stats' },
  ]
  const rows = rowsOf(runScript(DRAFT_SCRIPT, makeSource([TABLE], METADATA), calls).get('stats'))
  expect(rows).toHaveLength(1)
  return rows[0] as Record<string, CellValue>
}

function quantiles(json: CellValue): Record<string, number> {
  return JSON.parse(json as string) as Record<string, number>
}

describe('draft canary script', () => {
  it('should summarize the canary replicaset', () => {
    // In scope: r1, r2, r3, r12 -> 4 requests; status >= 400: r2, r3 -> 2 errors;
    // latency sum 1000 + 3000 + 2000 + 5000 = 11000.
    const s = stats('stats_by_replicaset', { replicaset: 'default/canary-demo-7d9f' })
    expect([s.requests, s.errors, s.latency_sum_ns]).toEqual([4n, 2n, 11000n])
    // Pixie's t-digest (pixie-io/pixie src/carnot/funcs/builtins/math_sketches.h): sorted 1000,
    // 2000, 3000, 5000 interpolated at rank 4q - 1/2, clamped to min and max.
    expect(s.latency_quantiles).toBe(
      '{"p01":1000.0,"p10":1000.0,"p25":1500.0,"p50":2500.0,"p75":4000.0,"p90":5000.0,"p99":5000.0}'
    )
  })

  it('should count only 5xx when error_min_status is 500', () => {
    const s = stats('stats_by_replicaset', {
      replicaset: 'default/canary-demo-7d9f',
      error_min_status: '500',
    })
    expect([s.requests, s.errors]).toEqual([4n, 1n])
  })

  it('should summarize the stable replicaset', () => {
    // r8, r9: 2 requests, 1 error (503), 10000 ns.
    const s = stats('stats_by_replicaset', { replicaset: 'default/canary-demo-55aa' })
    expect([s.requests, s.errors, s.latency_sum_ns]).toEqual([2n, 1n, 10000n])
  })

  it('should select pods by name prefix', () => {
    // Pod ...-bbbb (upid 2): r3 only (r4, r5 are excluded paths).
    const s = stats('stats_by_pod', { pod_prefix: 'default/canary-demo-7d9f-b' })
    expect([s.requests, s.errors, s.latency_sum_ns]).toEqual([1n, 1n, 2000n])
    expect(quantiles(s.latency_quantiles as CellValue)).toEqual({
      p01: 2000,
      p10: 2000,
      p25: 2000,
      p50: 2000,
      p75: 2000,
      p90: 2000,
      p99: 2000,
    })
  })

  it('should select a service by membership in the multi-service JSON array', () => {
    // canary-demo-preview: only upids 1 and 2 -> r1, r2, r3, r12.
    const preview = stats('stats_by_service', { service: 'default/canary-demo-preview' })
    expect([preview.requests, preview.errors]).toEqual([4n, 2n])
    // canary-demo: upids 1, 2 (array) and 3 (plain) -> r1, r2, r3, r12, r8, r9; errors r2, r3, r9.
    const all = stats('stats_by_service', { service: 'default/canary-demo' })
    expect([all.requests, all.errors, all.latency_sum_ns]).toEqual([6n, 3n, 21000n])
  })

  it('should scope by namespace', () => {
    // r10 is the only row in namespace 'other'.
    const s = stats('stats_by_replicaset', {
      namespace: 'other',
      replicaset: 'other/canary-demo-7d9f',
    })
    expect([s.requests, s.errors, s.latency_sum_ns]).toEqual([1n, 1n, 7000n])
  })

  it('should return one row of zeros and empty quantiles without traffic', () => {
    const s = stats('stats_by_replicaset', { replicaset: 'default/nothing-here' })
    expect(s).toEqual({
      requests: 0n,
      errors: 0n,
      latency_sum_ns: 0n,
      latency_quantiles: '{"p01":',
    })
  })

  it('should answer several exec_funcs in one script execution, in order', () => {
    const calls: ExecFunc[] = [
      {
        funcName: 'stats_by_replicaset',
        args: { ...DRAFT_ARGS, replicaset: 'default/canary-demo-7d9f' },
        outputTablePrefix: 'canary',
      },
      {
        funcName: 'stats_by_replicaset',
        args: { ...DRAFT_ARGS, replicaset: 'default/canary-demo-55aa' },
        outputTablePrefix: 'stable',
      },
    ]
    const out = runScript(DRAFT_SCRIPT, makeSource([TABLE], METADATA), calls)
    expect([...out.keys()]).toEqual(['canary', 'stable'])
    expect(rowsOf(out.get('canary'))[0]?.requests).toBe(4n)
    expect(rowsOf(out.get('stable'))[0]?.requests).toBe(2n)
  })

  it('should agree with a direct computation over synthetic traffic', () => {
    const { table, metadata } = syntheticHttpEvents(20_000, 7)
    const rs = 'default/canary-demo-55aa'
    const excluded = /^(\/healthz|\/readyz)(\?.*)?$/
    let requests = 0n
    let errors = 0n
    let sum = 0n
    const [time, up, role, path, , status, latency] = table.data as CellValue[][] as [
      bigint[],
      string[],
      bigint[],
      string[],
      string[],
      bigint[],
      bigint[],
    ]
    for (let i = 0; i < time.length; i++) {
      if (
        (time[i] as bigint) < NOW_NS - 60_000_000_000n ||
        role[i] !== 2n ||
        excluded.test(path[i] as string)
      )
        continue
      const md = metadata[up[i] as string]
      if (md?.namespace !== 'default' || md.replicaset !== rs) continue
      requests++
      if ((status[i] as bigint) >= 400n) errors++
      sum += latency[i] as bigint
    }
    const calls: ExecFunc[] = [
      {
        funcName: 'stats_by_replicaset',
        args: { ...DRAFT_ARGS, replicaset: rs },
        outputTablePrefix: 's',
      },
    ]
    const row = rowsOf(runScript(DRAFT_SCRIPT, makeSource([table], metadata), calls).get('s'))[0]
    expect(requests).toBeGreaterThan(1000n)
    expect(row).toMatchObject({ requests, errors, latency_sum_ns: sum })
  })
})

describe("the seed demo's error-rate script shape", () => {
  it('should compute a guarded error-rate percent with px.select', () => {
    const script = `import px
df = px.DataFrame(table='http_events', start_time='-60s')
df = df[df.trace_role == 2]
df.pod = df.ctx['pod']
df = df[px.contains(df.pod, 'default/canary-demo-7d9f')]
df.failure = df.resp_status >= 400
df = df.agg(n=('latency', px.count), err=('failure', px.sum))
df.error_rate = px.Percent(px.select(df.n != 0, df.err / df.n, 0.0))
px.display(df, 'pod_stats')
`
    // Canary rows in the window with trace_role 2: r1, r2, r3, r4, r5, r12 -> 6, errors r2, r3 -> 2.
    const t = runScript(script, makeSource([TABLE], METADATA)).get('pod_stats')
    expect(rowsOf(t)).toEqual([{ n: 6n, err: 2n, error_rate: 2 / 6 }])
    expect(t?.columns.find((c) => c.name === 'error_rate')?.semanticType).toBe(900)
  })
})
