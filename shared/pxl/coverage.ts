/**
 * The span of time the stats row's data really covers, and whether Pixie's retention cut the
 * window short. Each node's agent keeps http_events up to a byte bound and expires the oldest rows
 * first (pixie-io/pixie src/table_store/table/table.cc), and a window reaching back past the oldest
 * row silently starts there; the newest part of a window is up to a push period behind
 * (src/stirling/stirling.cc pushes once per second).
 *
 * Thresholds (module constants, documented in the functions' READMEs):
 * - A node's table is cut short when its earliest row in the window, over the whole http_events
 *   table (every pod on it, every protocol role), comes later than HEAD_SECONDS (30 s, or a tenth
 *   of a shorter window) after the window's start: busy nodes, the ones retention cuts, have rows
 *   every second. The row's `retained_from_ns` is the latest such start among the nodes that
 *   served the selected requests. A node idle for that long at the start of the window reads as
 *   cut short too: that errs towards "not enough data", never towards a diluted number.
 * - The covered span ends at the latest selected row, but no earlier than px.now() minus
 *   PUSH_ALLOWANCE (1.2 s: one push period plus scheduling slack, so a service that stopped
 *   serving is not credited with a short span) and no later than px.now() plus the same allowance.
 * - When a node was cut short and the covered span is under MIN_COVERAGE_RATIO (95 %) of the
 *   window, the answer has no value (reason `pixie_retention`); above it the rate divides by the
 *   covered span.
 */
import { PxCanaryError } from '../errors'
import type { CellValue, ResultTable } from '../pixie/types'
import { bigintCell } from './cells'
import { HTTP_STATS_COVERAGE_COLUMNS } from './http-stats'

const NS_PER_S = 1_000_000_000n

/** How long into the window a node may show no rows before it counts as cut short. */
export const HEAD_SECONDS = 30
/** Slack around px.now() for the newest rows (the push period plus scheduling). */
export const PUSH_ALLOWANCE_NS = 1_200_000_000n
/** Below this share of the window, a window cut short by retention has no value. */
export const MIN_COVERAGE_RATIO = 0.95
/** The reason an answer carries when retention cut its window short. */
export const RETENTION_REASON = 'pixie_retention'

/** The coverage columns of the stats row, as decoded. */
export interface RowSpan {
  /** Earliest and latest selected row. */
  firstNs: bigint
  lastNs: bigint
  /** The latest per-node earliest row in the window among the nodes serving the selection. */
  retainedFromNs: bigint
  /** px.now() when the script compiled: the window is [nowNs - window, ...]. */
  nowNs: bigint
}

/** What the data covers for a window. */
export interface Coverage {
  /** Seconds between the covered start and end, rounded to milliseconds. */
  coveredSeconds: number
  /** coveredSeconds / window seconds, rounded to 3 decimals. */
  ratio: number
  /** Whether some serving node's retained rows start after the window's head. */
  truncated: boolean
  /** True when the window was cut short too much for a figure (see MIN_COVERAGE_RATIO). */
  inconclusive: boolean
}

/**
 * Reads the coverage columns of a stats row that has requests (without requests they hold the
 * aggregates' start values and mean nothing).
 *
 * @throws PxCanaryError result_missing_column, result_bad_type, result_invalid_value
 */
export function decodeRowSpan(table: ResultTable, row: Record<string, CellValue>): RowSpan {
  const [firstNs, lastNs, retainedFromNs, nowNs] = Object.keys(HTTP_STATS_COVERAGE_COLUMNS).map(
    (name) => bigintCell(table, row, name, 'TIME64NS')
  ) as [bigint, bigint, bigint, bigint]
  if (nowNs <= 0n || firstNs > lastNs || retainedFromNs > lastNs) {
    throw new PxCanaryError(
      'result_invalid_value',
      `Pixie returned inconsistent row times (first ${firstNs}, last ${lastNs}, retained from ${retainedFromNs}, now ${nowNs})`,
      { details: { table: table.name, column: 'retained_from_ns' } }
    )
  }
  return { firstNs, lastNs, retainedFromNs, nowNs }
}

/** How far into a window a node may show no rows: 30 s, or a tenth of a shorter window. */
export function headNs(windowSeconds: number): bigint {
  return (BigInt(Math.min(HEAD_SECONDS * 10, windowSeconds)) * NS_PER_S) / 10n
}

/** What the rows cover of a window of `windowSeconds` ending at the row's px.now(). */
export function coverageOf(span: RowSpan, windowSeconds: number): Coverage {
  const startNs = span.nowNs - BigInt(windowSeconds) * NS_PER_S
  const truncated = span.retainedFromNs - startNs > headNs(windowSeconds)
  const from = truncated ? span.retainedFromNs : startNs
  const low = span.nowNs - PUSH_ALLOWANCE_NS
  const high = span.nowNs + PUSH_ALLOWANCE_NS
  const to = span.lastNs < low ? low : span.lastNs > high ? high : span.lastNs
  const coveredMs = to > from ? Number((to - from) / 1_000_000n) : 0
  const coveredSeconds = coveredMs / 1000
  const ratio = Math.round((coveredSeconds / windowSeconds) * 1000) / 1000
  return {
    coveredSeconds,
    ratio,
    truncated,
    inconclusive:
      coveredMs === 0 || (truncated && coveredSeconds < MIN_COVERAGE_RATIO * windowSeconds),
  }
}
