/**
 * Test helpers: ScriptResults shaped like Pixie's answer to the HTTP stats script, built from
 * plain numbers so each test states its own inputs.
 */
import type { CellValue, ColumnInfo, ResultTable, ScriptResult } from '../pixie/types'
import { HTTP_STATS_COLUMNS, HTTP_STATS_TABLE } from '../pxl/http-stats'

/** Inputs for one stats row; latencies in nanoseconds. */
export interface StatsRowInput {
  requests: number
  errors?: number
  latencySumNs?: number
  p50Ns?: number
  p90Ns?: number
  p99Ns?: number
}

/** The stats table's columns, as Pixie types them. */
export function statsColumns(): ColumnInfo[] {
  return Object.entries(HTTP_STATS_COLUMNS).map(([name, type]) => ({
    name,
    type,
    semanticType: 0,
  }))
}

/** One stats row as the client decodes it (INT64 as bigint, FLOAT64 as number). */
export function statsRow(input: StatsRowInput): Record<string, CellValue> {
  const p50 = input.p50Ns ?? 0
  const p90 = input.p90Ns ?? 0
  const p99 = input.p99Ns ?? 0
  return {
    requests: BigInt(input.requests),
    errors: BigInt(input.errors ?? 0),
    latency_sum_ns: BigInt(input.latencySumNs ?? 0),
    latency_quantiles: JSON.stringify({ p50, p90, p99 }),
    latency_p50_ns: p50,
    latency_p90_ns: p90,
    latency_p99_ns: p99,
  }
}

/** A ScriptResult holding the given tables. */
export function scriptResult(...tables: ResultTable[]): ScriptResult {
  return { queryId: 'test-query', tables: new Map(tables.map((t) => [t.name, t])) }
}

/** A ScriptResult with the stats table and the given rows (none: the no-traffic case of a groupby). */
export function statsResult(...rows: StatsRowInput[]): ScriptResult {
  return scriptResult({
    id: HTTP_STATS_TABLE,
    name: HTTP_STATS_TABLE,
    columns: statsColumns(),
    rows: rows.map(statsRow),
  })
}
