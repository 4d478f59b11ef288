/**
 * Canary versus baseline in ONE Pixie query: the same constant script (HTTP_STATS_SCRIPT), with
 * one exec_funcs entry per side in the same ExecuteScript request. Both sides therefore share the
 * window, the Pixie sampling and the clock; only their selector arguments differ.
 *
 * - error rate, throughput: `stats_by_<kind>` per side, output tables `canary` and `baseline`
 *   (one row each, as without a baseline).
 * - latency: `latency_by_<kind>` per side, which returns [summary row, latency buckets] computed
 *   from the same filtered frame, output tables `<side>[0]` and `<side>[1]`. The buckets are a
 *   groupby on the bucket index (shared/stats/buckets.ts), so at most 110 rows per side whatever
 *   the traffic.
 *
 * The decoder fails closed: a missing table, a bucket table that is malformed, holds a bucket
 * twice, has more rows than the scheme has buckets, or does not add up to the side's request count
 * answers a result_* error (502), never a comparison.
 */
import { PxCanaryError } from '../errors'
import type { CellValue, ResultTable, ScriptResult } from '../pixie/types'
import type { Selector } from '../selector'
import type { ComparedSides, ComparisonSide } from '../comparison'
import { LATENCY_BUCKET_COUNT, toBucketCounts } from '../stats'
import type { BucketCounts } from '../stats'
import {
  HTTP_LATENCY_FUNCTIONS,
  HTTP_STATS_SCRIPT,
  LATENCY_BUCKET_COLUMNS,
  SELECTOR_ARGS,
} from './http-stats'
import { buildHttpStatsCall, httpStatsArgs } from './request'
import type { HttpStatsQuery, PxlCall } from './request'
import { decodeHttpStats } from './result'
import type { HttpStats, SelectorEcho } from './result'

/** exec_funcs output_table_prefix of each side. */
export const COMPARISON_PREFIXES = { canary: 'canary', baseline: 'baseline' } as const

export type ComparisonSideName = keyof typeof COMPARISON_PREFIXES

/** Where one side's figures are in the result, and what its summary row must echo. */
export interface ComparisonSideTables {
  funcName: string
  /** The one-row summary table (HTTP_STATS_COLUMNS). */
  stats: string
  /** The latency bucket table (LATENCY_BUCKET_COLUMNS), or null when not asked for. */
  buckets: string | null
  echo: SelectorEcho
}

/** The tables of both sides. */
export interface ComparisonPlan {
  canary: ComparisonSideTables
  baseline: ComparisonSideTables
}

/** A stats query with a baseline selector (same namespace, window, filters and statuses). */
export interface ComparisonQuery extends HttpStatsQuery {
  baseline: Selector
}

export interface ComparisonCallOptions {
  /** Fetch the latency bucket tables too (the latency metric's Mann-Whitney test). */
  latencyBuckets: boolean
}

function side(
  query: HttpStatsQuery,
  name: ComparisonSideName,
  latencyBuckets: boolean
): {
  entry: { funcName: string; args: Record<string, string>; outputTablePrefix: string }
  tables: ComparisonSideTables
} {
  const { funcName: statsFunc, args } = httpStatsArgs(query)
  const kind = query.selector.kind
  const funcName = latencyBuckets ? HTTP_LATENCY_FUNCTIONS[kind] : statsFunc
  const prefix = COMPARISON_PREFIXES[name]
  const value = args[SELECTOR_ARGS[kind]]
  if (value === undefined) throw new Error(`no ${SELECTOR_ARGS[kind]} argument for ${kind}`)
  return {
    entry: { funcName, args, outputTablePrefix: prefix },
    tables: {
      funcName,
      // A function returning a list of frames writes `<prefix>[i]` (pxl.md, exec_funcs).
      stats: latencyBuckets ? `${prefix}[0]` : prefix,
      buckets: latencyBuckets ? `${prefix}[1]` : null,
      echo: { kind, value },
    },
  }
}

/**
 * Builds the one ExecuteScript call measuring canary and baseline. The request's canary figures
 * are decoded from `comparison.canary`; `funcName`/`outputTable` name the canary's.
 *
 * @param queryName label for Vizier's own metrics, e.g. 'px-canary/error-rate'
 */
export function buildComparisonCall(
  query: ComparisonQuery,
  queryName: string,
  options: ComparisonCallOptions
): PxlCall & { comparison: ComparisonPlan } {
  const canary = side(query, 'canary', options.latencyBuckets)
  const baseline = side({ ...query, selector: query.baseline }, 'baseline', options.latencyBuckets)
  return {
    options: {
      script: HTTP_STATS_SCRIPT.source,
      execFuncs: [canary.entry, baseline.entry],
      queryName,
    },
    script: HTTP_STATS_SCRIPT,
    funcName: canary.tables.funcName,
    outputTable: canary.tables.stats,
    comparison: { canary: canary.tables, baseline: baseline.tables },
  }
}

function missingTable(result: ScriptResult, name: string): PxCanaryError {
  return new PxCanaryError(
    'result_missing_table',
    `Pixie's answer has no '${name}' table (got: ${[...result.tables.keys()].join(', ') || 'none'})`,
    { details: { table: name } }
  )
}

function checkBucketSchema(table: ResultTable): void {
  for (const [name, expected] of Object.entries(LATENCY_BUCKET_COLUMNS)) {
    const column = table.columns.find((c) => c.name === name)
    if (column === undefined) {
      throw new PxCanaryError(
        'result_missing_column',
        `Pixie's '${table.name}' table has no '${name}' column`,
        { details: { table: table.name, column: name } }
      )
    }
    if (column.type !== expected) {
      throw new PxCanaryError(
        'result_bad_type',
        `Pixie's '${table.name}' column '${name}' is ${column.type}, expected ${expected}`,
        { details: { table: table.name, column: name, type: column.type, expected } }
      )
    }
  }
}

function int64Cell(table: ResultTable, row: Record<string, CellValue>, name: string): bigint {
  const value = row[name]
  if (typeof value !== 'bigint') {
    throw new PxCanaryError(
      value === undefined ? 'result_missing_column' : 'result_bad_type',
      `Pixie's '${table.name}' value '${name}' is ${value === undefined ? 'missing' : 'not an INT64'}`,
      { details: { table: table.name, column: name } }
    )
  }
  return value
}

/**
 * Reads a latency bucket table (rows of bucket index and request count) into dense counts.
 *
 * @throws PxCanaryError result_missing_table, result_missing_column, result_bad_type,
 *   result_unexpected_rows (more rows than buckets), result_invalid_bucket (an index outside the
 *   scheme, or one bucket twice), result_invalid_count (a count that is not a non-negative integer)
 */
export function decodeLatencyBuckets(result: ScriptResult, tableName: string): BucketCounts {
  const table = result.tables.get(tableName)
  if (table === undefined) throw missingTable(result, tableName)
  checkBucketSchema(table)
  if (table.rows.length > LATENCY_BUCKET_COUNT) {
    throw new PxCanaryError(
      'result_unexpected_rows',
      `Pixie's '${tableName}' table has ${table.rows.length} rows, at most ${LATENCY_BUCKET_COUNT} expected`,
      { details: { table: tableName, rows: table.rows.length } }
    )
  }
  const seen = new Set<bigint>()
  const rows = table.rows.map((row) => {
    const bucket = int64Cell(table, row, 'bucket')
    const count = int64Cell(table, row, 'count')
    if (seen.has(bucket)) {
      throw new PxCanaryError(
        'result_invalid_bucket',
        `Pixie's '${tableName}' table has latency bucket ${bucket} twice`,
        { details: { table: tableName, bucket: String(bucket) } }
      )
    }
    seen.add(bucket)
    // Out-of-range values become non-safe numbers, which toBucketCounts refuses.
    return { bucket, count }
  })
  return toBucketCounts(rows)
}

/** Both sides' summary rows. */
export interface ComparedStats {
  canary: HttpStats
  baseline: HttpStats
}

/** What a metric's comparison reads: both summaries, and the result for any further tables. */
export interface ComparisonInput extends ComparedStats {
  result: ScriptResult
  plan: ComparisonPlan
}

/**
 * Decodes both sides' summary rows (each checked against the selector it must echo).
 *
 * @throws PxCanaryError result_* (see decodeHttpStats)
 */
export function decodeComparisonStats(result: ScriptResult, plan: ComparisonPlan): ComparedStats {
  return {
    canary: decodeHttpStats(result, plan.canary.stats, plan.canary.echo),
    baseline: decodeHttpStats(result, plan.baseline.stats, plan.baseline.echo),
  }
}

function bucketsOf(
  result: ScriptResult,
  tables: ComparisonSideTables,
  stats: HttpStats
): ComparisonSide {
  if (tables.buckets === null) return { stats, buckets: null }
  const buckets = decodeLatencyBuckets(result, tables.buckets)
  const total = buckets.reduce((sum, n) => sum + n, 0)
  if (total !== stats.requests) {
    throw new PxCanaryError(
      'result_inconsistent_counts',
      `Pixie's '${tables.buckets}' buckets hold ${total} requests but '${tables.stats}' counts ${stats.requests}`,
      { details: { table: tables.buckets, buckets_total: total, requests: stats.requests } }
    )
  }
  return { stats, buckets }
}

/**
 * Adds each side's latency buckets (when the plan has them) to its decoded summary. Kept apart
 * from decodeComparisonStats so that only the latency function's bundle carries bucket decoding.
 *
 * @throws PxCanaryError result_* (see decodeLatencyBuckets), and result_inconsistent_counts when
 *   a side's buckets do not add up to its request count (both come from one filtered frame)
 */
export function decodeComparisonBuckets(input: ComparisonInput): ComparedSides {
  return {
    canary: bucketsOf(input.result, input.plan.canary, input.canary),
    baseline: bucketsOf(input.result, input.plan.baseline, input.baseline),
  }
}

/** Decodes everything a comparison call returned: summaries and, when asked for, buckets. */
export function decodeComparison(result: ScriptResult, plan: ComparisonPlan): ComparedSides {
  return decodeComparisonBuckets({ ...decodeComparisonStats(result, plan), result, plan })
}

/** A metric's stats query, with or without a baseline (null: the canary alone). */
export interface MetricStatsQuery extends HttpStatsQuery {
  baseline: Selector | null
}

/**
 * The call a metric sends: the plain one-row stats call without a baseline (exactly as before
 * comparisons existed), the comparison call with one.
 */
export function buildMetricCall(
  query: MetricStatsQuery,
  queryName: string,
  options: ComparisonCallOptions
): PxlCall {
  const { baseline, ...stats } = query
  return baseline === null
    ? buildHttpStatsCall(stats, queryName)
    : buildComparisonCall({ ...stats, baseline }, queryName, options)
}
