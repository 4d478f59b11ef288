/**
 * Turns each phase's measurements into the table's figures: which rows exist, their units, sample
 * counts, method keys and goal checks. Pure functions of the measurements, so what a figure means
 * is decided in one place and the same rows appear (as n/a with the reason) when a phase fails.
 */
import type { BundleInfo } from './build'
import type { BurstResult, BurstVariant } from './coalescing'
import { cacheTargetNames, IMAGE_NODE_FLOOR, type CompileCacheOutcome } from './compile-cache'
import type { ColdStartSample } from './cold-start'
import { GOALS } from './goals'
import { throughputPerSecond, type LoadResult } from './load'
import type { OverheadSamples } from './overhead'
import { checkGoal, type Figure, type GoalCheck } from './report'
import type { ScalingLevel } from './scaling'
import { median, summarize } from './stats'
import type { ThroughputResults } from './throughput'

const KB = 1024
const MB = 1024 * 1024

type Row = Omit<Figure, 'section'>
type ExpectedRow = Pick<Figure, 'id' | 'label' | 'unit' | 'method'> & { goal?: GoalCheck }

/** The figures of one run, in table order. */
export class FigureTable {
  readonly figures: Figure[] = []

  /** A function adding rows to `section`. */
  section(section: string): (row: Row) => void {
    return (row) => {
      this.figures.push({ section, ...row })
    }
  }

  /** Rows of a phase that could not run: each expected row as n/a with the reason. */
  missing(section: string, rows: readonly ExpectedRow[], reason: string): void {
    for (const r of rows)
      this.figures.push({ ...r, section, value: null, samples: 0, note: reason })
  }
}

const p50 = (values: readonly number[]): number | null => (values.length ? median(values) : null)

/** Error and non-200 answers of a load job. */
export function failuresOf(result: LoadResult): number {
  const errors = Object.values(result.errors).reduce((a, b) => a + b, 0)
  return result.completed - result.ok + errors
}

// -- bundle size ----------------------------------------------------------------------------------

export function bundleFigures(
  table: FigureTable,
  functions: readonly BundleInfo[],
  references: readonly BundleInfo[]
): void {
  const add = table.section('bundle size')
  for (const b of functions) {
    const kb = b.bytes / KB
    const largest = (b.composition ?? [])
      .slice(0, 5)
      .map((p) => `${p.part} ${(p.bytes / KB).toFixed(1)}`)
    add({
      id: `bundle.${b.name}.minified_kb`,
      label: `${b.name} minified`,
      value: kb,
      unit: 'KB',
      samples: 1,
      method: 'size',
      goal: checkGoal(kb, '<=', GOALS.bundleKb, `<= ${GOALS.bundleKb} KB`),
      ...(kb > GOALS.bundleKb && largest.length
        ? { note: `${b.name} largest parts (KB of minified output): ${largest.join(', ')}` }
        : {}),
    })
    const gzipKb = b.gzipBytes / KB
    add({
      id: `bundle.${b.name}.gzip_kb`,
      label: `${b.name} gzip -9`,
      value: gzipKb,
      unit: 'KB',
      samples: 1,
      method: 'size',
    })
  }
  for (const b of references) {
    const id = b.name.startsWith('floor') ? 'floor' : 'bare_hono'
    add({
      id: `bundle.${id}.minified_kb`,
      label: `${b.name} minified (reference)`,
      value: b.bytes / KB,
      unit: 'KB',
      samples: 1,
      method: 'size',
    })
  }
}

// -- cold start and memory ------------------------------------------------------------------------

export interface ColdStartOutcome {
  samples: ReadonlyMap<string, readonly ColdStartSample[]>
  floor: string
  hono: string
  functions: readonly string[]
  /** Targets that could not be measured, with the reason. */
  unavailable: ReadonlyMap<string, string>
}

export function coldStartFigures(table: FigureTable, o: ColdStartOutcome): void {
  const add = table.section('cold start')
  const ms = (name: string): number[] => (o.samples.get(name) ?? []).map((s) => s.ms)
  const floor = median(ms(o.floor))
  add({
    id: 'cold_start.floor.ms',
    label: 'floor: bare node:http, median',
    value: floor,
    unit: 'ms',
    samples: ms(o.floor).length,
    method: 'cold',
  })
  const honoValues = ms(o.hono)
  const hono = p50(honoValues)
  add({
    id: 'cold_start.bare_hono.ms',
    label: 'bare Hono + node-server, median',
    value: hono,
    unit: 'ms',
    samples: honoValues.length,
    method: 'cold',
  })
  add({
    id: 'cold_start.bare_hono.x_floor',
    label: 'bare Hono / floor',
    value: hono === null ? null : hono / floor,
    unit: 'x floor',
    samples: honoValues.length,
    method: 'cold',
  })
  for (const name of o.functions) {
    const goalText = `<= ${GOALS.coldStartXFloor} x floor`
    const reason = o.unavailable.get(name)
    const rows: ExpectedRow[] = [
      {
        id: `cold_start.${name}.ms`,
        label: `${name} to first metric answer, median`,
        unit: 'ms',
        method: 'cold',
      },
      {
        id: `cold_start.${name}.x_floor`,
        label: `${name} / floor`,
        unit: 'x floor',
        method: 'cold',
      },
    ]
    if (reason !== undefined) {
      table.missing(
        'cold start',
        [
          rows[0] as ExpectedRow,
          {
            ...(rows[1] as ExpectedRow),
            goal: checkGoal(null, '<=', GOALS.coldStartXFloor, goalText),
          },
        ],
        reason
      )
      continue
    }
    const m = median(ms(name))
    const n = ms(name).length
    add({ ...(rows[0] as ExpectedRow), value: m, samples: n })
    add({
      ...(rows[1] as ExpectedRow),
      value: m / floor,
      samples: n,
      goal: checkGoal(m / floor, '<=', GOALS.coldStartXFloor, goalText),
    })
  }
}

export function memoryFigures(table: FigureTable, o: ColdStartOutcome): void {
  const add = table.section('memory')
  const rss = (name: string): number[] =>
    (o.samples.get(name) ?? []).flatMap((s) => (s.rssBytes === undefined ? [] : [s.rssBytes / MB]))
  for (const [name, id] of [
    [o.floor, 'floor'],
    [o.hono, 'bare_hono'],
  ] as const) {
    const values = rss(name)
    add({
      id: `rss.${id}.mb`,
      label: `${name} RSS after first answer (reference)`,
      value: p50(values),
      unit: 'MB',
      samples: values.length,
      method: 'rss',
    })
  }
  const floor = p50(rss(o.floor))
  for (const name of o.functions) {
    const values = rss(name)
    const value = p50(values)
    const reason =
      o.unavailable.get(name) ?? (values.length === 0 ? '/proc/<pid>/status unreadable' : undefined)
    add({
      id: `rss.${name}.mb`,
      label: `${name} RSS after first metric answer`,
      value,
      unit: 'MB',
      samples: values.length,
      method: 'rss',
      ...(reason === undefined ? {} : { note: reason }),
    })
    const over = value === null || floor === null ? null : value - floor
    add({
      id: `rss.${name}.over_floor_mb`,
      label: `${name} RSS over the node:http floor`,
      value: over,
      unit: 'MB',
      samples: values.length,
      method: 'rss',
      goal: checkGoal(over, '<=', GOALS.rssOverFloorMb, `<= floor + ${GOALS.rssOverFloorMb} MB`),
      ...(reason === undefined ? {} : { note: reason }),
    })
  }
}

// -- overhead -------------------------------------------------------------------------------------

export const OVERHEAD = 'overhead over the Pixie query'

/** The goal row of a function whose overhead could not be measured. */
export function overheadExpected(name: string): ExpectedRow[] {
  return [
    {
      id: `overhead.${name}.vs_direct.p50_ms`,
      label: `${name} p50 (vs direct query, paired)`,
      unit: 'ms',
      method: 'over-direct',
      goal: checkGoal(null, '<=', GOALS.overheadP50Ms, `<= ${GOALS.overheadP50Ms} ms`),
    },
  ]
}

export function overheadFigures(table: FigureTable, name: string, s: OverheadSamples): void {
  const add = table.section(OVERHEAD)
  const vsDirect = summarize(s.vsDirectMs)
  const fn = summarize(s.functionMs)
  const direct = summarize(s.directMs)
  add({
    id: `overhead.${name}.vs_direct.p50_ms`,
    label: `${name} p50 (vs direct query, paired)`,
    value: vsDirect.p50,
    unit: 'ms',
    samples: vsDirect.n,
    method: 'over-direct',
    goal: checkGoal(vsDirect.p50, '<=', GOALS.overheadP50Ms, `<= ${GOALS.overheadP50Ms} ms`),
  })
  add({
    id: `overhead.${name}.vs_direct.p99_ms`,
    label: `${name} p99 (vs direct query, paired)`,
    value: vsDirect.p99,
    unit: 'ms',
    samples: vsDirect.n,
    method: 'over-direct',
  })
  if (s.vsSimulatorMs.length > 0) {
    const vsSim = summarize(s.vsSimulatorMs)
    add({
      id: `overhead.${name}.vs_simulator.p50_ms`,
      label: `${name} p50 over simulator time (incl. gRPC transfer)`,
      value: vsSim.p50,
      unit: 'ms',
      samples: vsSim.n,
      method: 'over-sim',
    })
    add({
      id: `overhead.${name}.vs_simulator.p99_ms`,
      label: `${name} p99 over simulator time (incl. gRPC transfer)`,
      value: vsSim.p99,
      unit: 'ms',
      samples: vsSim.n,
      method: 'over-sim',
    })
  } else {
    table.missing(
      OVERHEAD,
      [
        {
          id: `overhead.${name}.vs_simulator.p50_ms`,
          label: `${name} p50 over simulator time`,
          unit: 'ms',
          method: 'over-sim',
        },
      ],
      'no request could be matched with a simulator record'
    )
  }
  const sim = p50(s.simulatorMs)
  const detail = [
    `${name}: function p99 ${fn.p99.toFixed(3)} ms`,
    `direct query p50 ${direct.p50.toFixed(3)} ms, p99 ${direct.p99.toFixed(3)} ms`,
    ...(sim === null ? [] : [`simulator's own time p50 ${sim.toFixed(3)} ms`]),
    ...(s.failures ? [`${s.failures} failed requests or pairs`] : []),
  ]
  add({
    id: `overhead.${name}.function.p50_ms`,
    label: `${name} latency through the function, p50`,
    value: fn.p50,
    unit: 'ms',
    samples: fn.n,
    method: 'over-direct',
    note: detail.join('; '),
  })
  add({
    id: `overhead.${name}.pixie_queries_per_request`,
    label: `${name} Pixie queries per request (distinct queries)`,
    value: s.requestsSent ? s.pixieCalls / s.requestsSent : null,
    unit: 'queries',
    samples: s.requestsSent,
    method: 'pixie',
  })
  if (s.functionCpuMs !== undefined && s.requestsSent > 0) {
    add({
      id: `overhead.${name}.cpu_per_request_ms`,
      label: `${name} CPU time of the function process per request, mean`,
      value: s.functionCpuMs / s.requestsSent,
      unit: 'ms',
      samples: s.requestsSent,
      method: 'cpu',
    })
  }
}

/** The note of a paired row: its p99 and any failed pairs. */
function pairedNote(p99: number, failures: number): string {
  return `p99 ${p99.toFixed(3)} ms${failures ? `; ${failures} failed requests or pairs` : ''}`
}

/**
 * The floor row: the bare proxy fixture (Hono + one raw HTTP/2 call) measured as a function is.
 * No goal: it is what any function on this stack pays on this machine, shown beside the goal.
 */
export function overheadFloorFigures(table: FigureTable, s: OverheadSamples): void {
  const vsDirect = summarize(s.vsDirectMs)
  table.section(OVERHEAD)({
    id: 'overhead.floor.vs_direct.p50_ms',
    label: 'floor: bare Hono + one raw HTTP/2 call, p50 (vs direct, paired)',
    value: vsDirect.p50,
    unit: 'ms',
    samples: vsDirect.n,
    method: 'over-floor',
    note: pairedNote(vsDirect.p99, s.failures),
  })
}

export function overheadFloorExpected(): ExpectedRow[] {
  return [
    {
      id: 'overhead.floor.vs_direct.p50_ms',
      label: 'floor: bare Hono + one raw HTTP/2 call, p50 (vs direct, paired)',
      unit: 'ms',
      method: 'over-floor',
    },
  ]
}

// -- overhead on the image's Node -----------------------------------------------------------------

export const OVERHEAD_IMAGE = "overhead on the image's node"

/** The goal row of one function on the image's Node (`version`: that Node's version or name). */
function imageOverheadGoalRow(name: string, version: string): ExpectedRow {
  return {
    id: `overhead_image.${name}.vs_direct.p50_ms`,
    label: `${name} on ${version} p50 (vs direct query, paired)`,
    unit: 'ms',
    method: 'over-direct',
    goal: checkGoal(null, '<=', GOALS.overheadP50Ms, `<= ${GOALS.overheadP50Ms} ms`),
  }
}

/**
 * The rows the phase leaves when it does not run (no BENCH_IMAGE_NODE, or it failed): each goal
 * row and the floor as n/a with the reason, never as met.
 */
export function imageOverheadExpected(names: readonly string[]): ExpectedRow[] {
  return [
    ...names.map((n) => imageOverheadGoalRow(n, "the image's node")),
    {
      id: 'overhead_image.floor.vs_direct.p50_ms',
      label: "floor on the image's node, p50 (vs direct, paired)",
      unit: 'ms',
      method: 'over-floor',
    },
  ]
}

/**
 * One function served by the image's Node, measured by the same paired job as on the machine's
 * Node: the goal on the p50, the p99 and the process's CPU per request beside it.
 */
export function imageOverheadFigures(
  table: FigureTable,
  version: string,
  name: string,
  s: OverheadSamples
): void {
  const add = table.section(OVERHEAD_IMAGE)
  const vsDirect = summarize(s.vsDirectMs)
  add({
    ...imageOverheadGoalRow(name, version),
    value: vsDirect.p50,
    samples: vsDirect.n,
    note: pairedNote(vsDirect.p99, s.failures),
    goal: checkGoal(vsDirect.p50, '<=', GOALS.overheadP50Ms, `<= ${GOALS.overheadP50Ms} ms`),
  })
  if (s.functionCpuMs !== undefined && s.requestsSent > 0) {
    add({
      id: `overhead_image.${name}.cpu_per_request_ms`,
      label: `${name} on ${version}: CPU time of the process per request, mean`,
      value: s.functionCpuMs / s.requestsSent,
      unit: 'ms',
      samples: s.requestsSent,
      method: 'cpu',
    })
  }
}

/** The own-cost floor fixture on the image's Node, beside its goal rows, without a goal. */
export function imageOverheadFloorFigures(
  table: FigureTable,
  version: string,
  s: OverheadSamples
): void {
  const vsDirect = summarize(s.vsDirectMs)
  table.section(OVERHEAD_IMAGE)({
    id: 'overhead_image.floor.vs_direct.p50_ms',
    label: `floor on ${version}: bare Hono + one raw HTTP/2 call, p50 (vs direct, paired)`,
    value: vsDirect.p50,
    unit: 'ms',
    samples: vsDirect.n,
    method: 'over-floor',
    note: pairedNote(vsDirect.p99, s.failures),
  })
}

// -- throughput -----------------------------------------------------------------------------------

export function throughputFigures(
  table: FigureTable,
  r: ThroughputResults,
  concurrency: number
): void {
  const add = table.section('throughput')
  const hono = throughputPerSecond(r.bareHono)
  add({
    id: 'throughput.bare_hono.rps',
    label: `bare Hono, concurrency ${concurrency}`,
    value: hono,
    unit: 'req/s',
    samples: r.bareHono.ok,
    method: 'tput',
  })
  const direct = r.direct ? throughputPerSecond(r.direct) : null
  add({
    id: 'throughput.direct_vizier.rps',
    label: `direct Vizier query (no function), concurrency ${concurrency}`,
    value: direct,
    unit: 'req/s',
    samples: r.direct?.ok ?? 0,
    method: 'tput',
    ...(r.direct ? {} : { note: 'no function call could be recorded for replay' }),
  })
  for (const f of r.functions) {
    const rps = throughputPerSecond(f.distinct)
    const failed = failuresOf(f.distinct)
    const answers = JSON.stringify({ ...f.distinct.statuses, ...f.distinct.errors })
    add({
      id: `throughput.${f.name}.distinct_rps`,
      label: `${f.name}, distinct queries`,
      value: rps,
      unit: 'req/s',
      samples: f.distinct.ok,
      method: 'tput',
      ...(failed
        ? { note: `${f.name} distinct: ${failed} requests not answered 200 (${answers})` }
        : {}),
    })
    add({
      id: `throughput.${f.name}.identical_rps`,
      label: `${f.name}, one identical query (coalesced)`,
      value: throughputPerSecond(f.identical),
      unit: 'req/s',
      samples: f.identical.ok,
      method: 'tput',
    })
    add({
      id: `throughput.${f.name}.x_bare_hono`,
      label: `${f.name} distinct / bare Hono`,
      value: hono ? rps / hono : null,
      unit: 'ratio',
      samples: f.distinct.ok,
      method: 'tput',
    })
    add({
      id: `throughput.${f.name}.x_direct`,
      label: `${f.name} distinct / direct Vizier`,
      value: direct ? rps / direct : null,
      unit: 'ratio',
      samples: f.distinct.ok,
      method: 'tput',
    })
  }
}

// -- coalescing -----------------------------------------------------------------------------------

/** The goal row of a function whose coalescing could not be measured. */
export function coalescingExpected(name: string, burst: number): ExpectedRow[] {
  return [
    {
      id: `coalescing.${name}.warm-slow.pixie_queries`,
      label: `${name}: ${burst} identical requests, open connections (goal)`,
      unit: 'queries',
      method: 'coal',
      goal: checkGoal(null, '==', GOALS.coalescedQueries, `== ${GOALS.coalescedQueries}`),
    },
  ]
}

const BURST_LABELS: Record<BurstVariant, [label: string, method: string]> = {
  'warm-slow': ['open connections (goal)', 'coal'],
  'fresh-slow': ['new connections', 'coal-fresh'],
  'warm-fast': ['open connections, no added Pixie time', 'coal-fast'],
}

export function coalescingFigures(
  table: FigureTable,
  name: string,
  results: Readonly<Record<BurstVariant, readonly BurstResult[]>>,
  burst: number
): void {
  const add = table.section('coalescing')
  for (const variant of Object.keys(BURST_LABELS) as BurstVariant[]) {
    const [what, method] = BURST_LABELS[variant]
    const rounds = results[variant]
    const worst = rounds.length ? Math.max(...rounds.map((r) => r.pixieCalls)) : null
    const failed = rounds.reduce((n, r) => n + (burst - r.ok), 0)
    const failures = JSON.stringify(rounds.map((r) => r.failures))
    add({
      id: `coalescing.${name}.${variant}.pixie_queries`,
      label: `${name}: ${burst} identical requests, ${what}`,
      value: worst,
      unit: 'queries',
      samples: rounds.length,
      method,
      ...(variant === 'warm-slow'
        ? { goal: checkGoal(worst, '==', GOALS.coalescedQueries, `== ${GOALS.coalescedQueries}`) }
        : {}),
      ...(failed
        ? {
            note: `${name} (${variant}): ${failed} of ${burst * rounds.length} requests not answered 200 (${failures})`,
          }
        : {}),
    })
  }
}

// -- scaling --------------------------------------------------------------------------------------

export const SCALING = 'scaling with traffic'

/** The goal rows when the scaling phase could not run. */
export function scalingExpected(): ExpectedRow[] {
  return [
    {
      id: 'scaling.rows_fetched_ratio',
      label: 'rows fetched x100 / x1',
      unit: 'ratio',
      method: 'scale',
      goal: checkGoal(null, '==', GOALS.rowsRatio, '== 1 (unchanged)'),
    },
    {
      id: 'scaling.function_time_growth_ms',
      label: 'function time x100 minus x1 (vs direct, p50)',
      unit: 'ms',
      method: 'scale',
      goal: checkGoal(null, '<=', GOALS.flatGrowthMs, `<= ${GOALS.flatGrowthMs} ms (flat)`),
    },
  ]
}

export function scalingFigures(table: FigureTable, levels: readonly ScalingLevel[]): void {
  const add = table.section(SCALING)
  for (const l of levels) {
    const x = `x${l.multiplier}`
    const lo = Math.min(...l.rowsReturned)
    const hi = Math.max(...l.rowsReturned)
    add({
      id: `scaling.${x}.rows_fetched`,
      label: `${x}: rows fetched from Pixie per query, median`,
      value: p50(l.rowsReturned),
      unit: 'rows',
      samples: l.rowsReturned.length,
      method: 'scale',
      ...(l.rowsReturned.length && lo !== hi
        ? { note: `${x} rows fetched ranged ${lo}..${hi}` }
        : {}),
    })
    add({
      id: `scaling.${x}.rows_scanned`,
      label: `${x}: rows scanned by Pixie per query, median`,
      value: p50(l.rowsScanned),
      unit: 'rows',
      samples: l.rowsScanned.length,
      method: 'scale',
    })
    add({
      id: `scaling.${x}.simulator_p50_ms`,
      label: `${x}: simulator's own time per query, p50`,
      value: p50(l.simulatorMs),
      unit: 'ms',
      samples: l.simulatorMs.length,
      method: 'scale',
    })
    add({
      id: `scaling.${x}.function_vs_direct_p50_ms`,
      label: `${x}: function time (vs direct query, paired), p50`,
      value: p50(l.vsDirectMs),
      unit: 'ms',
      samples: l.vsDirectMs.length,
      method: 'scale',
      ...(l.failures ? { note: `${x}: ${l.failures} requests not answered 200` } : {}),
    })
    add({
      id: `scaling.${x}.function_cpu_per_request_ms`,
      label: `${x}: function CPU per request, mean`,
      value: l.requests > 0 ? l.functionCpuMs / l.requests : null,
      unit: 'ms',
      samples: l.requests,
      method: 'cpu',
    })
    if (l.floorVsDirectMs.length > 0) {
      add({
        id: `scaling.${x}.floor_vs_direct_p50_ms`,
        label: `${x}: floor, bare Hono + one raw HTTP/2 call (vs direct), p50`,
        value: p50(l.floorVsDirectMs),
        unit: 'ms',
        samples: l.floorVsDirectMs.length,
        method: 'over-floor',
      })
    }
    add({
      id: `scaling.${x}.function_minus_simulator_p50_ms`,
      label: `${x}: latency minus simulator's own time, p50`,
      value: p50(l.pairedMs),
      unit: 'ms',
      samples: l.pairedMs.length,
      method: 'scale-sim',
    })
  }
  const base = levels.find((l) => l.multiplier === 1)
  const top = levels.find((l) => l.multiplier === 100) ?? levels[levels.length - 1]
  if (!base || !top || top === base) return
  const rowsBase = p50(base.rowsReturned)
  const rowsTop = p50(top.rowsReturned)
  const rowsRatio = rowsBase && rowsTop !== null ? rowsTop / rowsBase : null
  add({
    id: 'scaling.rows_fetched_ratio',
    label: `rows fetched x${top.multiplier} / x1`,
    value: rowsRatio,
    unit: 'ratio',
    samples: top.rowsReturned.length + base.rowsReturned.length,
    method: 'scale',
    goal: checkGoal(rowsRatio, '==', GOALS.rowsRatio, '== 1 (unchanged)'),
  })
  const fnBase = p50(base.vsDirectMs)
  const fnTop = p50(top.vsDirectMs)
  const growth = fnBase !== null && fnTop !== null ? fnTop - fnBase : null
  add({
    id: 'scaling.function_time_growth_ms',
    label: `function time x${top.multiplier} minus x1 (vs direct, p50)`,
    value: growth,
    unit: 'ms',
    samples: top.vsDirectMs.length + base.vsDirectMs.length,
    method: 'scale',
    goal: checkGoal(growth, '<=', GOALS.flatGrowthMs, `<= ${GOALS.flatGrowthMs} ms (flat)`),
  })
  const floorBase = p50(base.floorVsDirectMs)
  const floorTop = p50(top.floorVsDirectMs)
  if (floorBase !== null && floorTop !== null) {
    add({
      id: 'scaling.floor_time_growth_ms',
      label: `floor time x${top.multiplier} minus x1 (reference, same pacing)`,
      value: floorTop - floorBase,
      unit: 'ms',
      samples: top.floorVsDirectMs.length + base.floorVsDirectMs.length,
      method: 'over-floor',
    })
  }
  const cpuOf = (l: ScalingLevel): number | null =>
    l.requests > 0 ? l.functionCpuMs / l.requests : null
  const cpuBase = cpuOf(base)
  const cpuTop = cpuOf(top)
  add({
    id: 'scaling.function_cpu_growth_ms',
    label: `function CPU per request x${top.multiplier} minus x1 (reference)`,
    value: cpuBase !== null && cpuTop !== null ? cpuTop - cpuBase : null,
    unit: 'ms',
    samples: top.requests + base.requests,
    method: 'cpu',
  })
}

// -- the production image's Node, with its compile cache -------------------------------------------

export const COMPILE_CACHE = "cold start, the image's node + compile cache"

/** The goal rows of the image-Node phase for one function (cache on: what the image runs). */
function imageNodeGoalRows(fn: string): ExpectedRow[] {
  return [
    {
      id: `cold_start_image.${fn}.on.x_floor`,
      label: `${fn}, cache on / image node floor`,
      unit: 'x floor',
      method: 'cold22',
      goal: checkGoal(null, '<=', GOALS.coldStartXFloor, `<= ${GOALS.coldStartXFloor} x floor`),
    },
    {
      id: `rss_image.${fn}.over_floor_mb`,
      label: `${fn} RSS on the image node over its floor`,
      unit: 'MB',
      method: 'rss',
      goal: checkGoal(null, '<=', GOALS.rssOverFloorMb, `<= floor + ${GOALS.rssOverFloorMb} MB`),
    },
  ]
}

/**
 * The rows the phase leaves when it does not run (no BENCH_IMAGE_NODE, or it failed): the floor
 * and each function's goal rows as n/a with the reason, so a run without the image's Node never
 * reads as every goal met.
 */
export function compileCacheSkipped(
  table: FigureTable,
  functions: readonly string[],
  reason: string
): void {
  table.missing(
    COMPILE_CACHE,
    [
      {
        id: 'cold_start_image.floor.ms',
        label: "floor: bare node:http on the image's node, median",
        unit: 'ms',
        method: 'cold22',
      },
      ...functions.flatMap(imageNodeGoalRows),
    ],
    reason
  )
}

/**
 * Rows of the image-Node phase: the floor on that binary; per function the median with the cache
 * off and on, each / that floor (the goal is on cache on, as the image runs), the paired gain
 * (per round: on - off, median), and RSS over that Node's floor.
 */
export function compileCacheFigures(table: FigureTable, o: CompileCacheOutcome): void {
  const add = table.section(COMPILE_CACHE)
  const ms = (name: string): number[] => (o.samples.get(name) ?? []).map((s) => s.ms)
  const rssOf = (name: string): number[] =>
    (o.samples.get(name) ?? []).flatMap((s) => (s.rssBytes === undefined ? [] : [s.rssBytes / MB]))
  const floorMs = ms(IMAGE_NODE_FLOOR)
  const floor = median(floorMs)
  const floorRss = p50(rssOf(IMAGE_NODE_FLOOR))
  add({
    id: 'cold_start_image.floor.ms',
    label: `floor: bare node:http on ${o.nodeVersion}, median`,
    value: floor,
    unit: 'ms',
    samples: floorMs.length,
    method: 'cold22',
  })
  add({
    id: 'rss_image.floor.mb',
    label: `floor: bare node:http on ${o.nodeVersion}, RSS`,
    value: floorRss,
    unit: 'MB',
    samples: rssOf(IMAGE_NODE_FLOOR).length,
    method: 'rss',
  })
  for (const fn of o.functions) {
    const names = cacheTargetNames(fn)
    const off = ms(names.off)
    const on = ms(names.on)
    const [goalRow, rssRow] = imageNodeGoalRows(fn) as [ExpectedRow, ExpectedRow]
    const mOff = median(off)
    add({
      id: `cold_start_image.${fn}.off.x_floor`,
      label: `${fn}, cache off: ${mOff.toFixed(0)} ms / image node floor`,
      value: mOff / floor,
      unit: 'x floor',
      samples: off.length,
      method: 'cold22',
    })
    const mOn = median(on)
    add({
      ...goalRow,
      label: `${fn}, cache on: ${mOn.toFixed(0)} ms / image node floor`,
      value: mOn / floor,
      samples: on.length,
      goal: checkGoal(
        mOn / floor,
        '<=',
        GOALS.coldStartXFloor,
        `<= ${GOALS.coldStartXFloor} x floor`
      ),
    })
    const paired = on.slice(0, off.length).map((v, i) => v - (off[i] as number))
    add({
      id: `cold_start_image.${fn}.cache_gain.ms`,
      label: `${fn}, cache on - off, per round`,
      value: paired.length ? median(paired) : null,
      unit: 'ms',
      samples: paired.length,
      method: 'cold22',
    })
    const rss = rssOf(names.on)
    const value = p50(rss)
    const over = value === null || floorRss === null ? null : value - floorRss
    add({
      ...rssRow,
      label: `${fn} RSS on ${o.nodeVersion} over its floor (${value === null ? 'n/a' : value.toFixed(1)} MB)`,
      value: over,
      samples: rss.length,
      goal: checkGoal(over, '<=', GOALS.rssOverFloorMb, `<= floor + ${GOALS.rssOverFloorMb} MB`),
    })
  }
}
