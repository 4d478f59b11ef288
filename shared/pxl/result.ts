/**
 * Decodes the stats row defensively. A number that cannot be trusted must never read as healthy,
 * so anything unexpected (missing table or column, wrong type, NaN, negative counts, more errors
 * than requests, integers JSON cannot carry exactly, quantiles that are not there, that disagree
 * with the quantiles JSON or decrease, an empty table where the script yields one row, a row echoing
 * another selector than the one asked for) fails closed with a result_* error (502) instead of
 * producing a figure.
 */
import { PxCanaryError } from '../errors'
import type { CellValue, ColumnType, ResultTable, ScriptResult } from '../pixie/types'
import { decodeRowSpan } from './coverage'
import type { RowSpan } from './coverage'
import {
  HTTP_STATS_COLUMNS,
  HTTP_STATS_COVERAGE_COLUMNS,
  HTTP_STATS_ECHO_COLUMNS,
  HTTP_STATS_SELECTOR_ECHO,
  HTTP_STATS_TABLE,
} from './http-stats'
import type { HttpStatsFunction } from './http-stats'
import type { PxlCall } from './request'

/** Latency figures of the matched requests, in nanoseconds. */
export interface LatencyNs {
  p50: number
  p90: number
  p99: number
  mean: number
}

/** The decoded stats row. */
export interface HttpStats {
  /** Matched requests in the window; 0 when there was no traffic (or nothing matched). */
  requests: number
  /** Requests whose status counted as an error (0 <= errors <= requests). */
  errors: number
  /** Present only when requests > 0: without requests there is no latency to report. */
  latencyNs: LatencyNs | null
  /**
   * The times the rows cover (shared/pxl/coverage.ts); the decoder sets it whenever requests > 0.
   * Absent or null: nothing to locate in time.
   */
  span?: RowSpan | null
}

/** What the stats row says it selected (the script's echo columns). */
export interface SelectorEcho {
  /** 'replicaset', 'pod' or 'service'. */
  kind: string
  /** The selector argument as Pixie received it, e.g. 'default/canary-demo-7d9f8c6b5'. */
  value: string
}

type StatsColumn = keyof typeof HTTP_STATS_COLUMNS

/**
 * Columns the decoder reads. The quantiles JSON is read too: `px.pluck_float64` answers 0.0 for a
 * missing key, so a plucked 0 is only believed when the JSON really holds the quantile.
 */
const REQUIRED_COLUMNS: readonly StatsColumn[] = [
  'requests',
  'errors',
  'latency_sum_ns',
  'latency_quantiles',
  'latency_p50_ns',
  'latency_p90_ns',
  'latency_p99_ns',
]

/**
 * The echo a call's row must carry: the selector kind of its exec function and the value of that
 * function's selector argument. Undefined for a call that is not one of the stats functions.
 */
export function expectedSelectorEcho(call: PxlCall): SelectorEcho | undefined {
  const echo = HTTP_STATS_SELECTOR_ECHO[call.funcName as HttpStatsFunction] as
    (typeof HTTP_STATS_SELECTOR_ECHO)[HttpStatsFunction] | undefined
  const func = call.options.execFuncs?.find((f) => f.funcName === call.funcName)
  const value = func?.args[echo?.arg ?? '']
  return echo === undefined || value === undefined ? undefined : { kind: echo.kind, value }
}

function invalid(table: string, column: string, message: string): PxCanaryError {
  return new PxCanaryError('result_invalid_value', `Pixie returned ${message}`, {
    details: { table, column },
  })
}

/**
 * Every named column must be there with its type, or the table is not the script's answer.
 *
 * @throws PxCanaryError result_missing_column, result_bad_type
 */
export function checkColumns(
  table: ResultTable,
  types: Readonly<Record<string, ColumnType>>,
  names: readonly string[] = Object.keys(types)
): void {
  for (const name of names) {
    const column = table.columns.find((c) => c.name === name)
    if (column === undefined) {
      throw new PxCanaryError(
        'result_missing_column',
        `Pixie's '${table.name}' table has no '${name}' column`,
        { details: { table: table.name, column: name } }
      )
    }
    const expected = types[name]!
    if (column.type !== expected) {
      throw new PxCanaryError(
        'result_bad_type',
        `Pixie's '${table.name}' column '${name}' is ${column.type}, expected ${expected}`,
        { details: { table: table.name, column: name, type: column.type, expected } }
      )
    }
  }
}

function cell(table: ResultTable, row: Record<string, CellValue>, name: StatsColumn): CellValue {
  const value = row[name]
  if (value === undefined) {
    throw new PxCanaryError(
      'result_missing_column',
      `Pixie's '${table.name}' row has no '${name}' value`,
      { details: { table: table.name, column: name } }
    )
  }
  return value
}

/** Shows a value Pixie sent inside a message: JSON-quoted, truncated. */
function shown(value: CellValue | undefined): string {
  const text = typeof value === 'string' ? value : String(value)
  return JSON.stringify(text.length > 128 ? `${text.slice(0, 128)}...` : text)
}

/** Refuses a row measured for another selector than the request's. */
function checkEcho(table: ResultTable, row: Record<string, CellValue>, expected: SelectorEcho) {
  const kind = row.selector_kind
  const value = row.selector_value
  if (kind !== expected.kind || value !== expected.value) {
    throw new PxCanaryError(
      'result_selector_mismatch',
      `Pixie's '${table.name}' row is for ${shown(kind)} ${shown(value)}, not the requested ${expected.kind} ${JSON.stringify(expected.value)}`,
      { details: { table: table.name, expected } }
    )
  }
}

/** Quantile keys of px.quantiles' JSON, in increasing order (QuantilesUDA::Finalize). */
const QUANTILE_KEYS = ['p01', 'p10', 'p25', 'p50', 'p75', 'p90', 'p99'] as const

/** Relative tolerance between a plucked quantile and its JSON text (both the same double). */
const PLUCK_TOLERANCE = 1e-9

/**
 * The quantiles JSON must really hold the quantiles the plucked columns report, agree with them,
 * and be monotonic: a digest's quantiles never decrease with the rank. Returns p50, p90, p99.
 */
function checkQuantiles(
  table: ResultTable,
  row: Record<string, CellValue>
): { p50: number; p90: number; p99: number } {
  const text = cell(table, row, 'latency_quantiles')
  let parsed: unknown
  try {
    parsed = typeof text === 'string' ? JSON.parse(text) : undefined
  } catch {
    parsed = undefined
  }
  const json =
    typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : {}
  for (const key of ['p50', 'p90', 'p99']) {
    const value = json[key]
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
      throw invalid(
        table.name,
        'latency_quantiles',
        `latency quantiles without a usable ${key} (${shown(text)})`
      )
    }
  }
  let previous = -Infinity
  for (const key of QUANTILE_KEYS) {
    const value = json[key]
    if (typeof value !== 'number') continue
    if (value < previous) {
      throw invalid(
        table.name,
        'latency_quantiles',
        `latency quantiles that decrease at ${key} (${shown(text)})`
      )
    }
    previous = value
  }
  const plucked = {
    p50: measure(table, row, 'latency_p50_ns'),
    p90: measure(table, row, 'latency_p90_ns'),
    p99: measure(table, row, 'latency_p99_ns'),
  }
  for (const key of ['p50', 'p90', 'p99'] as const) {
    const fromJson = json[key] as number
    if (Math.abs(plucked[key] - fromJson) > PLUCK_TOLERANCE * Math.max(1, Math.abs(fromJson))) {
      throw invalid(
        table.name,
        `latency_${key}_ns`,
        `a plucked ${key} (${plucked[key]}) that disagrees with the quantiles JSON (${fromJson})`
      )
    }
  }
  return plucked
}

/** A non-negative INT64. */
function int64(table: ResultTable, row: Record<string, CellValue>, name: StatsColumn): bigint {
  const value = cell(table, row, name)
  if (typeof value !== 'bigint') {
    throw new PxCanaryError(
      'result_bad_type',
      `Pixie's '${table.name}' value '${name}' is not an INT64`,
      { details: { table: table.name, column: name } }
    )
  }
  if (value < 0n) throw invalid(table.name, name, `a negative ${name} (${value})`)
  return value
}

/** A count reported in the response: a non-negative INT64 JSON can carry exactly (< 2^53). */
function count(table: ResultTable, row: Record<string, CellValue>, name: StatsColumn): number {
  const value = int64(table, row, name)
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw invalid(
      table.name,
      name,
      `${name} beyond 2^53 (${value}), which JSON cannot carry exactly`
    )
  }
  return Number(value)
}

/** A finite, non-negative FLOAT64. */
function measure(table: ResultTable, row: Record<string, CellValue>, name: StatsColumn): number {
  const value = cell(table, row, name)
  if (typeof value !== 'number') {
    throw new PxCanaryError(
      'result_bad_type',
      `Pixie's '${table.name}' value '${name}' is not a FLOAT64`,
      {
        details: { table: table.name, column: name },
      }
    )
  }
  if (!Number.isFinite(value) || value < 0) {
    throw invalid(table.name, name, `a ${name} that is not a finite non-negative number (${value})`)
  }
  return value
}

/**
 * Reads the one-row stats table out of a script result.
 *
 * @param expected what the request selected (expectedSelectorEcho(call)): a row whose echo
 *   columns say otherwise is refused. The echo columns are required either way.
 * @throws PxCanaryError result_missing_table, result_missing_column, result_bad_type,
 *   result_unexpected_rows, result_selector_mismatch or result_invalid_value
 */
export function decodeHttpStats(
  result: ScriptResult,
  tableName = HTTP_STATS_TABLE,
  expected?: SelectorEcho
): HttpStats {
  const table = result.tables.get(tableName)
  if (table === undefined) {
    throw new PxCanaryError(
      'result_missing_table',
      `Pixie's answer has no '${tableName}' table (got: ${[...result.tables.keys()].join(', ') || 'none'})`,
      { details: { table: tableName } }
    )
  }
  checkColumns(table, HTTP_STATS_COLUMNS, REQUIRED_COLUMNS)
  // Every stats function echoes its selector: a table without the echo is not its answer.
  checkColumns(table, HTTP_STATS_ECHO_COLUMNS)
  checkColumns(table, HTTP_STATS_COVERAGE_COLUMNS)
  // The script's agg without groupby yields exactly one row, traffic or not: an empty table is a
  // broken answer (a stream cut before its row), never "no traffic".
  if (table.rows.length !== 1) {
    throw new PxCanaryError(
      'result_unexpected_rows',
      `Pixie's '${tableName}' table has ${table.rows.length} rows, expected exactly one`,
      { details: { table: tableName, rows: table.rows.length } }
    )
  }
  const row = table.rows[0]!
  if (expected !== undefined) checkEcho(table, row, expected)
  const requests = count(table, row, 'requests')
  const errors = count(table, row, 'errors')
  if (errors > requests) {
    throw invalid(tableName, 'errors', `more errors (${errors}) than requests (${requests})`)
  }
  // No requests: Pixie's quantiles JSON is then the cut-off `{"p01":` (simulator/pxl/tdigest.ts),
  // so it is not read.
  if (requests === 0) return { requests: 0, errors: 0, latencyNs: null }
  const quantiles = checkQuantiles(table, row)
  const span = decodeRowSpan(table, row)
  // Only the mean is reported, so a sum beyond 2^53 ns is fine as a float (relative error 1e-16).
  const latencySumNs = Number(int64(table, row, 'latency_sum_ns'))
  return { requests, errors, latencyNs: { ...quantiles, mean: latencySumNs / requests }, span }
}
