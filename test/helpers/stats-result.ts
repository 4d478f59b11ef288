/**
 * Test helpers: ScriptResults shaped like Pixie's answer to the HTTP stats script, built from
 * plain numbers so each test states its own inputs. Like the real script, every stats table
 * carries the selector echo columns. The helpers cannot know the call, so unless a test states an
 * echo its cells hold the CALL_ECHO placeholder, which the fakes (fake-vizier.ts, the Vizier
 * double's respondWithTables) replace with what the call's exec function selected: tests state
 * only figures, and a row decoded without a fake never matches a request by accident.
 */
import type { CellValue, ColumnInfo, ResultTable, ScriptResult } from '../../shared/pixie/types'
import type { RowSpan } from '../../shared/pxl/coverage'
import {
  HTTP_STATS_COLUMNS,
  HTTP_STATS_COVERAGE_COLUMNS,
  HTTP_STATS_ECHO_COLUMNS,
  HTTP_STATS_SELECTOR_ECHO,
  HTTP_STATS_TABLE,
} from '../../shared/pxl/http-stats'
import type { HttpStatsFunction } from '../../shared/pxl/http-stats'

/** Inputs for one stats row; latencies in nanoseconds. */
export interface StatsRowInput {
  requests: number
  errors?: number
  latencySumNs?: number
  p50Ns?: number
  p90Ns?: number
  p99Ns?: number
  /** The row times (shared/pxl/coverage.ts); default: rows covering any window whole. */
  span?: RowSpan
}

/** px.now() of the helpers' rows by default. */
export const STATS_NOW_NS = 1_800_000_000_000_000_000n

/**
 * Row times that cover a whole window of any length: the newest row at px.now(), and no node's
 * retained rows starting after the window's start.
 */
export const FULL_SPAN: RowSpan = {
  firstNs: 0n,
  lastNs: STATS_NOW_NS,
  retainedFromNs: 0n,
  nowNs: STATS_NOW_NS,
}

/**
 * Row times of a node whose oldest retained row is 900 s old (pixie-io/pixie
 * src/table_store/table/table.cc expires the oldest rows first): a longer window is cut short.
 */
export const RETENTION_CUT_SPAN: RowSpan = {
  firstNs: STATS_NOW_NS - 900n * 1_000_000_000n,
  lastNs: STATS_NOW_NS,
  retainedFromNs: STATS_NOW_NS - 900n * 1_000_000_000n,
  nowNs: STATS_NOW_NS,
}

/** The echo cells of a stats row. */
export interface EchoCells {
  selector_kind: string
  selector_value: string
}

/** Placeholder echo cell value: the fakes replace it with the echo of the call they answer. */
export const CALL_ECHO = '<echo of the call>'

/** One exec function as the fakes see it (client options or a decoded gRPC request). */
export interface EchoedFunc {
  funcName: string
  outputTablePrefix: string
  args: Record<string, string>
}

/** What a stats exec function echoes for its arguments (as the real script does). */
export function echoFor(funcName: string, args: Record<string, string>): EchoCells {
  const echo = HTTP_STATS_SELECTOR_ECHO[funcName as HttpStatsFunction] as
    (typeof HTTP_STATS_SELECTOR_ECHO)[HttpStatsFunction] | undefined
  if (echo === undefined) throw new Error(`not a stats function: ${funcName}`)
  return { selector_kind: echo.kind, selector_value: args[echo.arg] ?? '' }
}

/** The stats table's columns (echo columns included), as Pixie types them. */
export function statsColumns(): ColumnInfo[] {
  return Object.entries({
    ...HTTP_STATS_COLUMNS,
    ...HTTP_STATS_COVERAGE_COLUMNS,
    ...HTTP_STATS_ECHO_COLUMNS,
  }).map(([name, type]) => ({ name, type, semanticType: 0 }))
}

/**
 * One stats row as the client decodes it (INT64 as bigint, FLOAT64 as number), echoing `echo`
 * (default: the CALL_ECHO placeholder, filled in by the fakes).
 */
export function statsRow(
  input: StatsRowInput,
  echo: EchoCells = { selector_kind: CALL_ECHO, selector_value: CALL_ECHO }
): Record<string, CellValue> {
  const p50 = input.p50Ns ?? 0
  const p90 = input.p90Ns ?? 0
  const p99 = input.p99Ns ?? 0
  const span = input.span ?? FULL_SPAN
  return {
    requests: BigInt(input.requests),
    errors: BigInt(input.errors ?? 0),
    latency_sum_ns: BigInt(input.latencySumNs ?? 0),
    latency_quantiles: JSON.stringify({ p50, p90, p99 }),
    latency_p50_ns: p50,
    latency_p90_ns: p90,
    latency_p99_ns: p99,
    first_ns: span.firstNs,
    last_ns: span.lastNs,
    retained_from_ns: span.retainedFromNs,
    now_ns: span.nowNs,
    ...echo,
  }
}

/**
 * The exec function whose output a table is: the one whose output_table_prefix names it (a list
 * output's first table `<prefix>[0]` included), else the call's only stats function.
 */
function funcOf(tableName: string, funcs: readonly EchoedFunc[]): EchoedFunc | undefined {
  const named = funcs.find(
    (f) => tableName === f.outputTablePrefix || tableName === `${f.outputTablePrefix}[0]`
  )
  if (named !== undefined) return named
  const stats = funcs.filter((f) => f.funcName in HTTP_STATS_SELECTOR_ECHO)
  return stats.length === 1 ? stats[0] : undefined
}

/**
 * The rows of table `tableName` with every CALL_ECHO cell replaced by the echo of the call's exec
 * function (unchanged rows when nothing is a placeholder or no stats function answers it).
 */
export function fillCallEcho<Row extends Record<string, unknown>>(
  tableName: string,
  rows: readonly Row[],
  funcs: readonly EchoedFunc[]
): Row[] {
  const func = funcOf(tableName, funcs)
  if (func === undefined || !(func.funcName in HTTP_STATS_SELECTOR_ECHO)) return [...rows]
  const echo = echoFor(func.funcName, func.args)
  return rows.map((row) => {
    const filled: Record<string, unknown> = { ...row }
    for (const [name, value] of Object.entries(echo)) {
      if (filled[name] === CALL_ECHO) filled[name] = value
    }
    return filled as Row
  })
}

/** A copy of `result` whose CALL_ECHO cells echo the call's exec functions (see fillCallEcho). */
export function withCallEcho(result: ScriptResult, funcs: readonly EchoedFunc[]): ScriptResult {
  const tables = new Map<string, ResultTable>()
  for (const [key, table] of result.tables) {
    tables.set(key, { ...table, rows: fillCallEcho(table.name, table.rows, funcs) })
  }
  return { ...result, tables }
}

/** A ScriptResult holding the given tables. */
export function scriptResult(...tables: ResultTable[]): ScriptResult {
  return { queryId: 'test-query', tables: new Map(tables.map((t) => [t.name, t])) }
}

/**
 * A ScriptResult with the stats table and the given rows (none: the no-traffic case of a
 * groupby), echoing the call that the fake client answers with it.
 */
export function statsResult(...rows: StatsRowInput[]): ScriptResult {
  return scriptResult({
    id: HTTP_STATS_TABLE,
    name: HTTP_STATS_TABLE,
    columns: statsColumns(),
    rows: rows.map((r) => statsRow(r)),
  })
}
