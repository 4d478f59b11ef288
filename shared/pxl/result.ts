/**
 * Decodes the stats row defensively. A number that cannot be trusted must never read as healthy,
 * so anything unexpected (missing table or column, wrong type, NaN, negative counts, more errors
 * than requests, integers JSON cannot carry exactly) fails closed with a result_* error (502)
 * instead of producing a figure.
 */
import { PxCanaryError } from '../errors'
import type { CellValue, ColumnType, ResultTable, ScriptResult } from '../pixie/types'
import { HTTP_STATS_COLUMNS, HTTP_STATS_TABLE } from './http-stats'

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
}

type StatsColumn = keyof typeof HTTP_STATS_COLUMNS

/** Columns the decoder reads (the raw quantiles JSON is not needed once plucked in PxL). */
const REQUIRED_COLUMNS: readonly StatsColumn[] = [
  'requests',
  'errors',
  'latency_sum_ns',
  'latency_p50_ns',
  'latency_p90_ns',
  'latency_p99_ns',
]

function invalid(table: string, column: string, message: string): PxCanaryError {
  return new PxCanaryError('result_invalid_value', `Pixie returned ${message}`, {
    details: { table, column },
  })
}

function checkSchema(table: ResultTable): void {
  for (const name of REQUIRED_COLUMNS) {
    const column = table.columns.find((c) => c.name === name)
    if (column === undefined) {
      throw new PxCanaryError(
        'result_missing_column',
        `Pixie's '${table.name}' table has no '${name}' column`,
        { details: { table: table.name, column: name } }
      )
    }
    const expected: ColumnType = HTTP_STATS_COLUMNS[name]
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
 * @throws PxCanaryError result_missing_table, result_missing_column, result_bad_type,
 *   result_unexpected_rows or result_invalid_value
 */
export function decodeHttpStats(result: ScriptResult, tableName = HTTP_STATS_TABLE): HttpStats {
  const table = result.tables.get(tableName)
  if (table === undefined) {
    throw new PxCanaryError(
      'result_missing_table',
      `Pixie's answer has no '${tableName}' table (got: ${[...result.tables.keys()].join(', ') || 'none'})`,
      { details: { table: tableName } }
    )
  }
  checkSchema(table)
  if (table.rows.length === 0) return { requests: 0, errors: 0, latencyNs: null }
  if (table.rows.length > 1) {
    throw new PxCanaryError(
      'result_unexpected_rows',
      `Pixie's '${tableName}' table has ${table.rows.length} rows, expected exactly one`,
      { details: { table: tableName, rows: table.rows.length } }
    )
  }
  const row = table.rows[0]!
  const requests = count(table, row, 'requests')
  const errors = count(table, row, 'errors')
  if (errors > requests) {
    throw invalid(tableName, 'errors', `more errors (${errors}) than requests (${requests})`)
  }
  if (requests === 0) return { requests: 0, errors: 0, latencyNs: null }
  // Only the mean is reported, so a sum beyond 2^53 ns is fine as a float (relative error 1e-16).
  const latencySumNs = Number(int64(table, row, 'latency_sum_ns'))
  return {
    requests,
    errors,
    latencyNs: {
      p50: measure(table, row, 'latency_p50_ns'),
      p90: measure(table, row, 'latency_p90_ns'),
      p99: measure(table, row, 'latency_p99_ns'),
      mean: latencySumNs / requests,
    },
  }
}
