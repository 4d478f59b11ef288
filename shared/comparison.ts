/**
 * Canary versus baseline, the metric-independent half: the plan of the one Pixie query measuring
 * both, its decoding, and the decoded sides each metric's comparison reads. One query: the same constant script (the protocol's, STATS_SCRIPTS), with
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
import { PxCanaryError } from './errors'
import type { ScriptResult } from './pixie/types'
import type { Selector } from './selector'
import { LATENCY_BUCKET_COUNT, toBucketCounts } from './stats'
import type { BucketCounts } from './stats'
import { HTTP_LATENCY_FUNCTIONS, LATENCY_BUCKET_COLUMNS, SELECTOR_ARGS } from './pxl/http-stats'
import { buildHttpStatsCall, httpStatsArgs, STATS_SCRIPTS } from './pxl/request'
import type { HttpStatsQuery, PxlCall } from './pxl/request'
import { bigintCell } from './pxl/cells'
import { checkColumns, decodeHttpStats } from './pxl/result'
import type { HttpStats, SelectorEcho } from './pxl/result'

/** One side of the comparison as decoded from Pixie's answer. */
export interface ComparisonSide {
  stats: HttpStats
  /** Requests per latency bucket (shared/stats/buckets.ts); only fetched for latency. */
  buckets: BucketCounts | null
}

/** Both sides, decoded. */
export interface ComparedSides {
  canary: ComparisonSide
  baseline: ComparisonSide
}

/** exec_funcs output_table_prefix of each side. */
const COMPARISON_PREFIXES = { canary: 'canary', baseline: 'baseline' } as const

type ComparisonSideName = keyof typeof COMPARISON_PREFIXES

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

/** A comparison call: the ExecuteScript call plus where each side's tables are. */
export type ComparisonCall = PxlCall & { comparison: ComparisonPlan }

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
      // A function returning a list of frames writes `<prefix>[i]` (pixie-io/pixie src/carnot/planner/compiler/ exec funcs).
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
): ComparisonCall {
  const canary = side(query, 'canary', options.latencyBuckets)
  const baseline = side({ ...query, selector: query.baseline }, 'baseline', options.latencyBuckets)
  // Every protocol's script has the same entry points (shared/pxl/entry-points.ts).
  const script = STATS_SCRIPTS[query.protocol ?? 'http']
  return {
    options: {
      script: script.source,
      execFuncs: [canary.entry, baseline.entry],
      queryName,
    },
    script,
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
  checkColumns(table, LATENCY_BUCKET_COLUMNS)
  if (table.rows.length > LATENCY_BUCKET_COUNT) {
    throw new PxCanaryError(
      'result_unexpected_rows',
      `Pixie's '${tableName}' table has ${table.rows.length} rows, at most ${LATENCY_BUCKET_COUNT} expected`,
      { details: { table: tableName, rows: table.rows.length } }
    )
  }
  const seen = new Set<bigint>()
  const rows = table.rows.map((row) => {
    const bucket = bigintCell(table, row, 'bucket', 'INT64')
    const count = bigintCell(table, row, 'count', 'INT64')
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
 * Decodes everything a comparison call returned: each side's summary row (checked against the
 * selector it must echo) and, when the plan asked for them, its latency buckets.
 *
 * @throws PxCanaryError result_* (see decodeHttpStats and decodeLatencyBuckets), and
 *   result_inconsistent_counts when a side's buckets do not add up to its request count (both
 *   come from one filtered frame)
 */
export function decodeComparison(result: ScriptResult, plan: ComparisonPlan): ComparedSides {
  const canary = decodeHttpStats(result, plan.canary.stats, plan.canary.echo)
  const baseline = decodeHttpStats(result, plan.baseline.stats, plan.baseline.echo)
  return {
    canary: bucketsOf(result, plan.canary, canary),
    baseline: bucketsOf(result, plan.baseline, baseline),
  }
}

/** A metric's stats query, with or without a baseline (null: the canary alone). */
export interface MetricStatsQuery extends HttpStatsQuery {
  baseline: Selector | null
}

/**
 * The call a metric sends: the plain one-row stats call without a baseline (exactly as before
 * comparisons existed), the comparison call and its plan with one.
 */
export function buildMetricCall(
  query: MetricStatsQuery,
  queryName: string,
  options: ComparisonCallOptions
): { call: PxlCall; plan: ComparisonPlan | null } {
  const { baseline, ...stats } = query
  if (baseline === null) return { call: buildHttpStatsCall(stats, queryName), plan: null }
  const { comparison, ...call } = buildComparisonCall({ ...stats, baseline }, queryName, options)
  return { call, plan: comparison }
}
