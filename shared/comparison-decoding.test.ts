import { describe, expect, it } from 'vitest'
import { codeOf } from '../test/helpers/code-of'
import { PxCanaryError } from './errors'
import type { CellValue, ColumnType, ResultTable } from './pixie/types'
import type { Selector } from './selector'
import { scriptResult, statsColumns, statsRow } from '../test/helpers/stats-result'
import type { StatsRowInput } from '../test/helpers/stats-result'
import { buildComparisonCall, decodeComparison, decodeLatencyBuckets } from './comparison'
import type { ComparisonQuery } from './comparison'
import { DEFAULT_EXCLUDED_PATHS } from './pxl/exclusion'
import { HTTP_STATS_SCRIPT } from './pxl/http-stats'

const canary: Selector = {
  kind: 'replicaset',
  namespace: 'shop',
  replicaset: 'web-6d8f9',
  rollout: 'web',
  hash: '6d8f9',
}
const baseline: Selector = { kind: 'service', namespace: 'shop', service: 'web-stable' }

const query: ComparisonQuery = {
  selector: canary,
  baseline,
  windowSeconds: 120,
  excludedPaths: DEFAULT_EXCLUDED_PATHS,
  errorMinStatus: 500,
  filters: { path: '/orders/*', method: 'POST' },
}

function table(
  name: string,
  columns: Record<string, ColumnType>,
  rows: Record<string, CellValue>[]
) {
  return {
    id: name,
    name,
    columns: Object.entries(columns).map(([n, type]) => ({ name: n, type, semanticType: 0 })),
    rows,
  } satisfies ResultTable
}

/** A summary table with the echo columns of the given selector argument. */
function statsTable(name: string, input: StatsRowInput, echo: [string, string]): ResultTable {
  return {
    id: name,
    name,
    columns: statsColumns(),
    rows: [statsRow(input, { selector_kind: echo[0], selector_value: echo[1] })],
  }
}

const BUCKET_COLUMNS = { bucket: 'INT64', count: 'INT64' } as const

function bucketTable(name: string, counts: Array<[number | bigint, number | bigint]>) {
  return table(
    name,
    BUCKET_COLUMNS,
    counts.map(([bucket, count]) => ({ bucket: BigInt(bucket), count: BigInt(count) }))
  )
}

const CANARY_ECHO: [string, string] = ['replicaset', 'shop/web-6d8f9']
const BASELINE_ECHO: [string, string] = ['service', 'shop/web-stable']

describe('buildComparisonCall', () => {
  it('should call one function per side in one request of the constant script', () => {
    const call = buildComparisonCall(query, 'px-canary/error-rate', { latencyBuckets: false })
    expect(call.options.script).toBe(HTTP_STATS_SCRIPT.source)
    expect(call.options.queryName).toBe('px-canary/error-rate')
    expect(call.options.execFuncs?.map((f) => [f.funcName, f.outputTablePrefix])).toEqual([
      ['stats_by_replicaset', 'canary'],
      ['stats_by_service', 'baseline'],
    ])
    const [c, b] = call.options.execFuncs ?? []
    expect(c?.args.replicaset).toBe('shop/web-6d8f9')
    expect(b?.args.service).toBe('shop/web-stable')
    // Everything else is the same for both sides.
    for (const name of [
      'start_time',
      'namespace',
      'excluded_paths',
      'path_pattern',
      'method_pattern',
      'error_min_status',
    ]) {
      expect(c?.args[name], name).toBe(b?.args[name])
    }
    expect(c?.args).toMatchObject({
      start_time: '-120s',
      error_min_status: '500',
      path_pattern: '/orders/[^/?]+(?:\\?.*)?',
      method_pattern: 'POST',
    })
    expect(call.comparison).toEqual({
      canary: {
        funcName: 'stats_by_replicaset',
        stats: 'canary',
        buckets: null,
        echo: { kind: 'replicaset', value: 'shop/web-6d8f9' },
      },
      baseline: {
        funcName: 'stats_by_service',
        stats: 'baseline',
        buckets: null,
        echo: { kind: 'service', value: 'shop/web-stable' },
      },
    })
    expect([call.funcName, call.outputTable]).toEqual(['stats_by_replicaset', 'canary'])
  })

  it('should call the latency functions, whose list output gives two tables per side', () => {
    const call = buildComparisonCall(
      { ...query, baseline: { kind: 'pod', namespace: 'shop', pod: 'web-55c7f-' } },
      'px-canary/latency',
      { latencyBuckets: true }
    )
    expect(call.options.execFuncs?.map((f) => f.funcName)).toEqual([
      'latency_by_replicaset',
      'latency_by_pod_prefix',
    ])
    expect(call.comparison.canary).toMatchObject({ stats: 'canary[0]', buckets: 'canary[1]' })
    expect(call.comparison.baseline).toMatchObject({
      stats: 'baseline[0]',
      buckets: 'baseline[1]',
      echo: { kind: 'pod', value: 'shop/web-55c7f-' },
    })
  })

  it('should never put a request value into the script source', () => {
    const call = buildComparisonCall(
      { ...query, filters: { path: "/x/'); px.display(df)/*", method: null } },
      'px-canary/latency',
      { latencyBuckets: true }
    )
    expect(call.options.script).toBe(HTTP_STATS_SCRIPT.source)
    expect(call.options.execFuncs?.[0]?.args.method_pattern).toBe('(?s).*')
  })
})

describe('decodeComparison', () => {
  const statsCall = buildComparisonCall(query, 'q', { latencyBuckets: false })
  const latencyCall = buildComparisonCall(query, 'q', { latencyBuckets: true })

  it("should decode both sides' rows", () => {
    const result = scriptResult(
      statsTable('canary', { requests: 100, errors: 4 }, CANARY_ECHO),
      statsTable('baseline', { requests: 300, errors: 3 }, BASELINE_ECHO)
    )
    const sides = decodeComparison(result, statsCall.comparison)
    expect(sides.canary).toMatchObject({ stats: { requests: 100, errors: 4 }, buckets: null })
    expect(sides.baseline).toMatchObject({ stats: { requests: 300, errors: 3 }, buckets: null })
  })

  it('should decode the bucket tables into dense counts', () => {
    const result = scriptResult(
      statsTable('canary[0]', { requests: 5, p99Ns: 1e7 }, CANARY_ECHO),
      bucketTable('canary[1]', [
        [60, 2],
        [55, 3],
      ]),
      statsTable('baseline[0]', { requests: 1, p99Ns: 1e7 }, BASELINE_ECHO),
      bucketTable('baseline[1]', [[0, 1]])
    )
    const sides = decodeComparison(result, latencyCall.comparison)
    expect(sides.canary.buckets?.[55]).toBe(3)
    expect(sides.canary.buckets?.[60]).toBe(2)
    expect(sides.baseline.buckets?.[0]).toBe(1)
    expect(sides.canary.buckets?.reduce((a, b) => a + b, 0)).toBe(5)
  })

  it('should accept a side without traffic: no summary rows and no buckets', () => {
    const result = scriptResult(
      statsTable('canary[0]', { requests: 0 }, CANARY_ECHO),
      bucketTable('canary[1]', []),
      statsTable('baseline[0]', { requests: 2, p99Ns: 1e6 }, BASELINE_ECHO),
      bucketTable('baseline[1]', [[40, 2]])
    )
    const sides = decodeComparison(result, latencyCall.comparison)
    expect(sides.canary.stats).toEqual({ requests: 0, errors: 0, latencyNs: null })
    expect(sides.canary.buckets?.every((n) => n === 0)).toBe(true)
  })

  it('should fail closed when a table is missing or a row is for another selector', () => {
    const canaryOnly = scriptResult(statsTable('canary', { requests: 1 }, CANARY_ECHO))
    expect(codeOf(() => decodeComparison(canaryOnly, statsCall.comparison))).toBe(
      'result_missing_table'
    )
    const swapped = scriptResult(
      statsTable('canary', { requests: 1 }, CANARY_ECHO),
      statsTable('baseline', { requests: 1 }, CANARY_ECHO)
    )
    expect(codeOf(() => decodeComparison(swapped, statsCall.comparison))).toBe(
      'result_selector_mismatch'
    )
    const noBuckets = scriptResult(
      statsTable('canary[0]', { requests: 1 }, CANARY_ECHO),
      statsTable('baseline[0]', { requests: 1 }, BASELINE_ECHO),
      bucketTable('baseline[1]', [[1, 1]])
    )
    expect(codeOf(() => decodeComparison(noBuckets, latencyCall.comparison))).toBe(
      'result_missing_table'
    )
  })

  it('should refuse a side whose summary table has no echo columns', () => {
    const bare = statsTable('baseline', { requests: 1 }, BASELINE_ECHO)
    bare.columns = bare.columns.filter((c) => !c.name.startsWith('selector_'))
    const result = scriptResult(statsTable('canary', { requests: 1 }, CANARY_ECHO), bare)
    expect(codeOf(() => decodeComparison(result, statsCall.comparison))).toBe(
      'result_missing_column'
    )
  })

  it("should fail closed when a side's buckets do not add up to its requests", () => {
    const result = scriptResult(
      statsTable('canary[0]', { requests: 5, p99Ns: 1e7 }, CANARY_ECHO),
      bucketTable('canary[1]', [[60, 4]]),
      statsTable('baseline[0]', { requests: 1, p99Ns: 1e7 }, BASELINE_ECHO),
      bucketTable('baseline[1]', [[0, 1]])
    )
    expect(codeOf(() => decodeComparison(result, latencyCall.comparison))).toBe(
      'result_inconsistent_counts'
    )
  })
})

describe('decodeLatencyBuckets', () => {
  const decode = (t: ResultTable) => decodeLatencyBuckets(scriptResult(t), t.name)

  it('should refuse malformed bucket tables with a result error each', () => {
    const cases: Array<[ResultTable, string]> = [
      [table('b', { bucket: 'INT64' }, []), 'result_missing_column'],
      [table('b', { bucket: 'FLOAT64', count: 'INT64' }, []), 'result_bad_type'],
      [table('b', { bucket: 'INT64', count: 'STRING' }, []), 'result_bad_type'],
      [table('b', BUCKET_COLUMNS, [{ bucket: 3n }]), 'result_missing_column'],
      [table('b', BUCKET_COLUMNS, [{ bucket: 3n, count: 1.5 }]), 'result_bad_type'],
      [bucketTable('b', [[110, 1]]), 'result_invalid_bucket'],
      [bucketTable('b', [[-1, 1]]), 'result_invalid_bucket'],
      [bucketTable('b', [[2n ** 63n - 1n, 1]]), 'result_invalid_bucket'],
      [
        bucketTable('b', [
          [4, 1],
          [4, 2],
        ]),
        'result_invalid_bucket',
      ],
      [bucketTable('b', [[4, -1]]), 'result_invalid_count'],
      [bucketTable('b', [[4, 2n ** 60n]]), 'result_invalid_count'],
      [
        bucketTable(
          'b',
          Array.from({ length: 111 }, (_, i) => [i, 1] as [number, number])
        ),
        'result_unexpected_rows',
      ],
    ]
    for (const [t, code] of cases) {
      expect(
        codeOf(() => decode(t)),
        JSON.stringify(t, (_, v) => (typeof v === 'bigint' ? String(v) : v))
      ).toBe(code)
    }
  })

  it('should map each bucket to its index', () => {
    const counts = decode(
      bucketTable('b', [
        [0, 7],
        [109, 2],
        [50, 1],
      ])
    )
    expect(counts).toHaveLength(110)
    expect([counts[0], counts[50], counts[109], counts[1]]).toEqual([7, 1, 2, 0])
  })
})
