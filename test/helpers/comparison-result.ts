/**
 * Test helpers: a fake-Vizier responder answering a comparison call (canary and baseline in one
 * request) the way Pixie does, from plain numbers per side. Table names and the echoed selector
 * come from the request's own exec_funcs, so a test states only its figures.
 */
import type { ExecuteScriptOptions, ResultTable, ScriptResult } from '../../shared/pixie/types'
import { LATENCY_BUCKET_COLUMNS } from '../../shared/pxl/http-stats'
import { bucketIndex } from '../../shared/stats'
import type { Responder } from './fake-vizier'
import { echoFor, scriptResult, statsColumns, statsRow } from './stats-result'
import type { StatsRowInput } from './stats-result'

/** One side's figures; `latenciesMs` (when given) sets requests, buckets and the quantiles. */
export interface SideInput extends Partial<StatsRowInput> {
  latenciesMs?: number[]
}

/**
 * px.quantiles' value for up to 1,273 sorted values, where Pixie's t-digest keeps every value
 * (pixie-io/pixie src/carnot/funcs/builtins/math_sketches.h): linear interpolation at 0-based
 * position q*n - 1/2, clamped to the smallest and largest value.
 */
function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return 0
  if (sorted.length > 1273) throw new Error('the test double restates px.quantiles for n <= 1273')
  const p = Math.min(sorted.length - 1, Math.max(0, q * sorted.length - 0.5))
  const lo = Math.floor(p)
  const hi = Math.min(sorted.length - 1, lo + 1)
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (p - lo)
}

function statsInput(side: SideInput): StatsRowInput {
  const latencies = side.latenciesMs?.map((ms) => Math.round(ms * 1e6))
  if (latencies === undefined) return { requests: side.requests ?? 0, ...side }
  const sorted = [...latencies].sort((a, b) => a - b)
  return {
    requests: latencies.length,
    errors: side.errors ?? 0,
    latencySumNs: latencies.reduce((a, b) => a + b, 0),
    p50Ns: quantile(sorted, 0.5),
    p90Ns: quantile(sorted, 0.9),
    p99Ns: quantile(sorted, 0.99),
  }
}

function bucketRows(side: SideInput): ResultTable['rows'] {
  const counts = new Map<number, number>()
  for (const ms of side.latenciesMs ?? []) {
    const k = bucketIndex(Math.round(ms * 1e6))
    counts.set(k, (counts.get(k) ?? 0) + 1)
  }
  return [...counts].map(([bucket, count]) => ({ bucket: BigInt(bucket), count: BigInt(count) }))
}

/**
 * The tables Pixie returns for a comparison request: per exec function, its summary row (with
 * the echo of its selector argument) and, for the latency functions (list output), its buckets.
 */
export function comparisonResult(
  options: ExecuteScriptOptions,
  sides: { canary: SideInput; baseline: SideInput }
): ScriptResult {
  const tables: ResultTable[] = []
  for (const func of options.execFuncs ?? []) {
    const side = func.outputTablePrefix === 'baseline' ? sides.baseline : sides.canary
    const list = func.funcName.startsWith('latency_by_')
    const statsName = list ? `${func.outputTablePrefix}[0]` : func.outputTablePrefix
    tables.push({
      id: statsName,
      name: statsName,
      columns: statsColumns(),
      rows: [statsRow(statsInput(side), echoFor(func.funcName, func.args))],
    })
    if (list) {
      const name = `${func.outputTablePrefix}[1]`
      tables.push({
        id: name,
        name,
        columns: Object.entries(LATENCY_BUCKET_COLUMNS).map(([n, type]) => ({
          name: n,
          type,
          semanticType: 0,
        })),
        rows: bucketRows(side),
      })
    }
  }
  return scriptResult(...tables)
}

/** A responder answering every comparison call with these figures. */
export function comparisonResponder(sides: { canary: SideInput; baseline: SideInput }): Responder {
  return (options) => comparisonResult(options, sides)
}
