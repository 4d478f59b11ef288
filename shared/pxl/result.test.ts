import { describe, expect, it } from 'vitest'
import { codeOf } from '../../test/helpers/code-of'
import type { ResultTable } from '../pixie/types'
import { scriptResult, statsColumns, statsResult, statsRow } from '../../test/helpers/stats-result'
import { HTTP_STATS_TABLE } from './http-stats'
import { buildHttpStatsCall } from './request'
import { decodeHttpStats, expectedSelectorEcho } from './result'

function table(patch: Partial<ResultTable>): ResultTable {
  return {
    id: HTTP_STATS_TABLE,
    name: HTTP_STATS_TABLE,
    columns: statsColumns(),
    rows: [statsRow({ requests: 10, errors: 1, latencySumNs: 50_000_000 })],
    ...patch,
  }
}

describe('decodeHttpStats', () => {
  it('should decode counts and latencies of a measured row', () => {
    const stats = decodeHttpStats(
      statsResult({
        requests: 200,
        errors: 7,
        latencySumNs: 1_000_000_000,
        p50Ns: 3e6,
        p90Ns: 8e6,
        p99Ns: 2e7,
        span: { firstNs: 10n, lastNs: 50n, retainedFromNs: 5n, nowNs: 60n },
      })
    )
    expect(stats).toEqual({
      requests: 200,
      errors: 7,
      latencyNs: { p50: 3e6, p90: 8e6, p99: 2e7, mean: 5e6 },
      span: { firstNs: 10n, lastNs: 50n, retainedFromNs: 5n, nowNs: 60n },
    })
  })

  it('should refuse a row without its row times or with times that contradict each other', () => {
    const columns = statsColumns().filter((c) => c.name !== 'retained_from_ns')
    expect(codeOf(() => decodeHttpStats(scriptResult(table({ columns }))))).toBe(
      'result_missing_column'
    )
    for (const span of [
      { firstNs: 50n, lastNs: 10n, retainedFromNs: 5n, nowNs: 60n },
      { firstNs: 10n, lastNs: 50n, retainedFromNs: 51n, nowNs: 60n },
    ]) {
      const rows = [statsRow({ requests: 10, span })]
      expect(codeOf(() => decodeHttpStats(scriptResult(table({ rows }))))).toBe(
        'result_invalid_value'
      )
    }
  })

  it('should refuse an empty table: the script always yields one row', () => {
    expect(codeOf(() => decodeHttpStats(statsResult()))).toBe('result_unexpected_rows')
  })

  it('should report no traffic for requests == 0, never a latency, whatever its quantiles say', () => {
    // Pixie's quantiles JSON of an empty digest is cut off (simulator/pxl/tdigest.ts).
    const nanQuantiles = statsRow({ requests: 0 })
    nanQuantiles.latency_quantiles = '{"p01":'
    nanQuantiles.latency_p99_ns = Number.NaN
    expect(decodeHttpStats(scriptResult(table({ rows: [nanQuantiles] })))).toEqual({
      requests: 0,
      errors: 0,
      latencyNs: null,
    })
  })

  it('should fail closed when the table is missing', () => {
    expect(codeOf(() => decodeHttpStats(scriptResult()))).toBe('result_missing_table')
    expect(codeOf(() => decodeHttpStats(scriptResult(table({ name: 'output' }))))).toBe(
      'result_missing_table'
    )
  })

  it('should fail closed when a column is missing', () => {
    const columns = statsColumns().filter((c) => c.name !== 'errors')
    expect(codeOf(() => decodeHttpStats(scriptResult(table({ columns }))))).toBe(
      'result_missing_column'
    )
    const row = statsRow({ requests: 1 })
    delete row.latency_sum_ns
    expect(codeOf(() => decodeHttpStats(scriptResult(table({ rows: [row] }))))).toBe(
      'result_missing_column'
    )
  })

  it('should fail closed when a column has the wrong type', () => {
    const columns = statsColumns().map((c) =>
      c.name === 'requests' ? { ...c, type: 'FLOAT64' as const } : c
    )
    expect(codeOf(() => decodeHttpStats(scriptResult(table({ columns }))))).toBe('result_bad_type')
    const row = { ...statsRow({ requests: 3 }), requests: 3 }
    expect(codeOf(() => decodeHttpStats(scriptResult(table({ rows: [row] }))))).toBe(
      'result_bad_type'
    )
  })

  it('should fail closed on values that cannot be a measurement', () => {
    const cases = [
      { ...statsRow({ requests: 5 }), requests: -1n },
      statsRow({ requests: 5, errors: 6 }),
      { ...statsRow({ requests: 5 }), latency_p50_ns: Number.NaN },
      { ...statsRow({ requests: 5 }), latency_p99_ns: Number.POSITIVE_INFINITY },
      { ...statsRow({ requests: 5 }), latency_p90_ns: -1 },
      { ...statsRow({ requests: 5 }), requests: 2n ** 53n },
      { ...statsRow({ requests: 0 }), errors: 1n },
      { ...statsRow({ requests: 5 }), latency_sum_ns: -5n },
    ]
    for (const row of cases) {
      expect(codeOf(() => decodeHttpStats(scriptResult(table({ rows: [row] }))))).toBe(
        'result_invalid_value'
      )
    }
  })

  it('should compute the mean from a latency sum beyond 2^53 ns', () => {
    const row = { ...statsRow({ requests: 4 }), latency_sum_ns: 2n ** 60n }
    const stats = decodeHttpStats(scriptResult(table({ rows: [row] })))
    expect(stats.latencyNs?.mean).toBe(2 ** 60 / 4)
  })

  it('should refuse more than one row', () => {
    const rows = [statsRow({ requests: 1 }), statsRow({ requests: 2 })]
    expect(codeOf(() => decodeHttpStats(scriptResult(table({ rows }))))).toBe(
      'result_unexpected_rows'
    )
  })

  it('should refuse latencies the quantiles JSON does not hold (pluck answers 0.0 for those)', () => {
    for (const quantiles of [
      '{}',
      '{"p50": 1, "p90": 2}',
      'not json',
      '{"p50":1,"p90":2,"p99":"x"}',
    ]) {
      const row = { ...statsRow({ requests: 5 }), latency_quantiles: quantiles }
      expect(
        codeOf(() => decodeHttpStats(scriptResult(table({ rows: [row] })))),
        quantiles
      ).toBe('result_invalid_value')
    }
    const fine = {
      ...statsRow({ requests: 5, p50Ns: 1, p90Ns: 2, p99Ns: 7 }),
      latency_quantiles: '{"p01":0,"p50":1,"p90":2,"p99":7}',
    }
    expect(decodeHttpStats(scriptResult(table({ rows: [fine] }))).latencyNs?.p99).toBe(7)
  })

  it('should refuse plucked quantiles that disagree with the quantiles JSON of their row', () => {
    // px.pluck_float64 reads the same JSON, so a plucked value is the JSON's number exactly.
    const quantiles = '{"p01":1e9,"p10":2e9,"p25":3e9,"p50":4e9,"p75":5e9,"p90":5.5e9,"p99":6e9}'
    const zeros = { ...statsRow({ requests: 5 }), latency_quantiles: quantiles }
    expect(
      codeOf(() => decodeHttpStats(scriptResult(table({ rows: [zeros] })))),
      'zeros'
    ).toBe('result_invalid_value')
    const agreeing = {
      ...statsRow({ requests: 5, p50Ns: 4e9, p90Ns: 5.5e9, p99Ns: 6e9 }),
      latency_quantiles: quantiles,
    }
    expect(decodeHttpStats(scriptResult(table({ rows: [agreeing] }))).latencyNs).toMatchObject({
      p50: 4e9,
      p90: 5.5e9,
      p99: 6e9,
    })
  })

  it('should refuse quantiles that decrease (p50 <= p90 <= p99, and so in the JSON)', () => {
    for (const [p50, p90, p99] of [
      [5, 4, 6],
      [1, 6, 5],
      [7, 7, 6],
    ] as const) {
      const row = { ...statsRow({ requests: 5, p50Ns: p50, p90Ns: p90, p99Ns: p99 }) }
      expect(
        codeOf(() => decodeHttpStats(scriptResult(table({ rows: [row] })))),
        `${p50} ${p90} ${p99}`
      ).toBe('result_invalid_value')
    }
    const lowTail = {
      ...statsRow({ requests: 5, p50Ns: 1, p90Ns: 2, p99Ns: 3 }),
      latency_quantiles: '{"p01":9,"p50":1,"p90":2,"p99":3}',
    }
    expect(codeOf(() => decodeHttpStats(scriptResult(table({ rows: [lowTail] }))))).toBe(
      'result_invalid_value'
    )
  })

  describe('selector echo', () => {
    const call = buildHttpStatsCall(
      {
        selector: { kind: 'replicaset', namespace: 'shop', replicaset: 'web-6d8f9' },
        windowSeconds: 60,
        excludedPaths: [],
        errorMinStatus: 400,
      },
      'q'
    )
    const expected = expectedSelectorEcho(call)!
    const echoed = (kind: string, value: string) =>
      table({
        rows: [
          statsRow({ requests: 4, errors: 1 }, { selector_kind: kind, selector_value: value }),
        ],
      })

    it('should expect the kind and the selector argument the call sends', () => {
      expect(expected).toEqual({ kind: 'replicaset', value: 'shop/web-6d8f9' })
    })

    it('should accept a row echoing exactly what was asked', () => {
      const stats = decodeHttpStats(
        scriptResult(echoed('replicaset', 'shop/web-6d8f9')),
        HTTP_STATS_TABLE,
        expected
      )
      expect(stats.requests).toBe(4)
    })

    it('should refuse a row measured for another selector', () => {
      for (const [kind, value] of [
        ['replicaset', 'shop/web-55c7f'],
        ['replicaset', 'other/web-6d8f9'],
        ['pod', 'shop/web-6d8f9'],
        ['replicaset', 'shop/web-6d8f9 '],
        ['replicaset', ''],
      ] as const) {
        expect(
          codeOf(() =>
            decodeHttpStats(scriptResult(echoed(kind, value)), HTTP_STATS_TABLE, expected)
          ),
          `${kind} ${value}`
        ).toBe('result_selector_mismatch')
      }
    })

    it('should refuse a mismatch even when the row reports no traffic', () => {
      const t = echoed('replicaset', 'shop/other')
      t.rows[0] = { ...t.rows[0]!, ...statsRow({ requests: 0 }) }
      expect(codeOf(() => decodeHttpStats(scriptResult(t), HTTP_STATS_TABLE, expected))).toBe(
        'result_selector_mismatch'
      )
    })

    it('should refuse a table without the echo columns, whether or not the request is known', () => {
      const bare = echoed('replicaset', 'shop/web-6d8f9')
      bare.columns = bare.columns.filter((c) => !c.name.startsWith('selector_'))
      for (const row of [...bare.rows]) {
        delete row.selector_kind
        delete row.selector_value
      }
      for (const want of [expected, undefined]) {
        expect(codeOf(() => decodeHttpStats(scriptResult(bare), HTTP_STATS_TABLE, want))).toBe(
          'result_missing_column'
        )
      }
      const empty = { ...bare, rows: [] }
      expect(codeOf(() => decodeHttpStats(scriptResult(empty), HTTP_STATS_TABLE, expected))).toBe(
        'result_missing_column'
      )
    })

    it('should refuse a row still holding an unfilled echo when the request is known', () => {
      expect(
        codeOf(() => decodeHttpStats(statsResult({ requests: 3 }), HTTP_STATS_TABLE, expected))
      ).toBe('result_selector_mismatch')
    })

    it('should refuse half an echo or a mistyped one', () => {
      const half = echoed('replicaset', 'shop/web-6d8f9')
      half.columns = half.columns.filter((c) => c.name !== 'selector_value')
      expect(codeOf(() => decodeHttpStats(scriptResult(half), HTTP_STATS_TABLE, expected))).toBe(
        'result_missing_column'
      )
      const typed = echoed('replicaset', 'shop/web-6d8f9')
      typed.columns = typed.columns.map((c) =>
        c.name === 'selector_kind' ? { ...c, type: 'INT64' as const } : c
      )
      expect(codeOf(() => decodeHttpStats(scriptResult(typed), HTTP_STATS_TABLE, expected))).toBe(
        'result_bad_type'
      )
    })
  })
})
