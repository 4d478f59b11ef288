/**
 * UDAs (px.count, px.sum, px.mean, px.min, px.max, px.any, px.quantiles) and the grouping behind
 * `df.groupby(...).agg(...)` and `df.agg(...)`. Each UDA runs column-wise over all groups at once
 * (a group id per row), so aggregating a million rows is a few flat loops.
 *
 * Semantics follow Carnot's UDAs (code-read, pixie src/carnot/funcs/builtins/math_ops.h,
 * math_sketches.h, collections.h): sum of BOOLEAN is an INT64 count of true, mean is a FLOAT64
 * (NaN on no rows), min/max start from numeric_limits max()/min(), any keeps the first value.
 * px.quantiles is exact here (linear interpolation between order statistics) where Pixie uses a
 * t-digest (compression 1000), so Pixie's figures are approximations of these.
 */
import type { CellValue, ColumnType } from '../../shared/pixie/types'
import { SemanticType } from '../../shared/pixie/gen/vizierapi_pb'
import { zeroValue } from './frame'
import { INT64_MAX, INT64_MIN } from './functions'

export interface UdaOverload {
  ret: ColumnType
  semanticType: number
  /** One output value per group, from the input values and each row's group id. */
  run(values: CellValue[], groups: Int32Array, numGroups: number): CellValue[]
}

export interface Uda {
  name: string
  /** The overload for an input column type, or undefined when Pixie registers none. */
  resolve(type: ColumnType, semanticType: number): UdaOverload | undefined
}

/** The quantiles px.quantiles reports, with their JSON keys. */
export const QUANTILES: readonly [string, number][] = [
  ['p01', 0.01],
  ['p10', 0.1],
  ['p25', 0.25],
  ['p50', 0.5],
  ['p75', 0.75],
  ['p90', 0.9],
  ['p99', 0.99],
]

/**
 * The value at quantile q of ascending `sorted` values, interpolating linearly between the two
 * nearest order statistics (rank h = (n-1)q; "type 7", numpy's default). NaN when empty.
 */
export function quantileOfSorted(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length
  if (n === 0) return NaN
  const h = (n - 1) * q
  const lo = Math.floor(h)
  const hi = Math.min(lo + 1, n - 1)
  const a = sorted[lo] as number
  const b = sorted[hi] as number
  return a + (h - lo) * (b - a)
}

/** A double as rapidjson's Writer prints it: integral values keep a trailing '.0'. */
export function formatJsonDouble(v: number): string {
  if (Number.isInteger(v) && Math.abs(v) < 1e21) return `${v}.0`
  return String(v)
}

/** px.quantiles' JSON for sorted values; '{}' when there are none (a simulator choice). */
export function quantilesJson(sorted: ArrayLike<number>): string {
  if (sorted.length === 0) return '{}'
  return `{${QUANTILES.map(([k, q]) => `"${k}":${formatJsonDouble(quantileOfSorted(sorted, q))}`).join(',')}}`
}

const DBL_MAX = Number.MAX_VALUE
/** std::numeric_limits<double>::min(): the smallest positive normal double, MaxUDA's start. */
const DBL_MIN_POSITIVE = 2.2250738585072014e-308

function inheritFrom(set: number[], st: number): number {
  return set.includes(st) ? st : 0
}

const MINMAX_MEAN_INHERIT = [
  SemanticType.ST_BYTES,
  SemanticType.ST_THROUGHPUT_PER_NS,
  SemanticType.ST_THROUGHPUT_BYTES_PER_NS,
  SemanticType.ST_DURATION_NS,
  SemanticType.ST_PERCENT,
]
const SUM_INHERIT = [
  SemanticType.ST_BYTES,
  SemanticType.ST_THROUGHPUT_PER_NS,
  SemanticType.ST_THROUGHPUT_BYTES_PER_NS,
  SemanticType.ST_PERCENT,
]

function countRun(_values: CellValue[], groups: Int32Array, g: number): CellValue[] {
  const counts = new Float64Array(g)
  for (let i = 0; i < groups.length; i++) {
    const k = groups[i] as number
    counts[k] = (counts[k] as number) + 1
  }
  return Array.from(counts, (c) => BigInt(c))
}

const TWO_53 = 9007199254740992

/** Exact int64 sums (wrapping like C++), accumulating in doubles while they stay exact. */
function sumIntRun(values: CellValue[], groups: Int32Array, g: number): CellValue[] {
  const lo = new Float64Array(g)
  const hi = new Array<bigint>(g).fill(0n)
  for (let i = 0; i < groups.length; i++) {
    const k = groups[i] as number
    const v = values[i] as bigint
    const x = Number(v)
    const next = (lo[k] as number) + x
    if (next < TWO_53 && next > -TWO_53 && x < TWO_53 && x > -TWO_53) {
      lo[k] = next
    } else {
      hi[k] = (hi[k] as bigint) + BigInt(lo[k] as number) + v
      lo[k] = 0
    }
  }
  return hi.map((h, k) => BigInt.asIntN(64, h + BigInt(lo[k] as number)))
}

function sumFloatRun(values: CellValue[], groups: Int32Array, g: number): CellValue[] {
  const acc = new Float64Array(g)
  for (let i = 0; i < groups.length; i++) {
    const k = groups[i] as number
    acc[k] = (acc[k] as number) + (values[i] as number)
  }
  return Array.from(acc)
}

function sumBoolRun(values: CellValue[], groups: Int32Array, g: number): CellValue[] {
  const acc = new Float64Array(g)
  for (let i = 0; i < groups.length; i++) {
    if (values[i] !== true) continue
    const k = groups[i] as number
    acc[k] = (acc[k] as number) + 1
  }
  return Array.from(acc, (c) => BigInt(c))
}

function meanRun(values: CellValue[], groups: Int32Array, g: number): CellValue[] {
  const sum = new Float64Array(g)
  const size = new Float64Array(g)
  for (let i = 0; i < groups.length; i++) {
    const k = groups[i] as number
    const v = values[i] as CellValue
    sum[k] = (sum[k] as number) + (typeof v === 'boolean' ? (v ? 1 : 0) : Number(v))
    size[k] = (size[k] as number) + 1
  }
  return Array.from(sum, (s, k) => s / (size[k] as number))
}

function extremeRun(
  values: CellValue[],
  groups: Int32Array,
  g: number,
  init: CellValue,
  isMax: boolean
): CellValue[] {
  const acc = new Array<CellValue>(g).fill(init)
  for (let i = 0; i < groups.length; i++) {
    const k = groups[i] as number
    const v = values[i] as CellValue
    const cur = acc[k] as CellValue
    if (isMax ? cur < v : cur > v) acc[k] = v
  }
  return acc
}

function anyRun(values: CellValue[], groups: Int32Array, g: number, type: ColumnType): CellValue[] {
  const acc = new Array<CellValue>(g).fill(zeroValue(type))
  const picked = new Uint8Array(g)
  for (let i = 0; i < groups.length; i++) {
    const k = groups[i] as number
    if (picked[k] === 0) {
      picked[k] = 1
      acc[k] = values[i] as CellValue
    }
  }
  return acc
}

function quantilesRun(values: CellValue[], groups: Int32Array, g: number): CellValue[] {
  const counts = new Int32Array(g + 1)
  for (let i = 0; i < groups.length; i++) {
    const k = (groups[i] as number) + 1
    counts[k] = (counts[k] as number) + 1
  }
  for (let k = 0; k < g; k++) counts[k + 1] = (counts[k + 1] as number) + (counts[k] as number)
  const offsets = counts.slice()
  const flat = new Float64Array(groups.length)
  for (let i = 0; i < groups.length; i++) {
    const k = groups[i] as number
    flat[offsets[k] as number] = Number(values[i])
    offsets[k] = (offsets[k] as number) + 1
  }
  const out = new Array<CellValue>(g)
  for (let k = 0; k < g; k++) {
    const part = flat.subarray(counts[k] as number, counts[k + 1] as number)
    part.sort()
    out[k] = quantilesJson(part)
  }
  return out
}

const UDAS: Uda[] = [
  {
    name: 'count',
    resolve: () => ({ ret: 'INT64', semanticType: 0, run: countRun }),
  },
  {
    name: 'sum',
    resolve: (type, st) => {
      if (type === 'INT64')
        return { ret: 'INT64', semanticType: inheritFrom(SUM_INHERIT, st), run: sumIntRun }
      if (type === 'FLOAT64')
        return { ret: 'FLOAT64', semanticType: inheritFrom(SUM_INHERIT, st), run: sumFloatRun }
      if (type === 'BOOLEAN') return { ret: 'INT64', semanticType: 0, run: sumBoolRun }
      return undefined
    },
  },
  {
    name: 'mean',
    resolve: (type, st) =>
      type === 'INT64' || type === 'FLOAT64' || type === 'BOOLEAN'
        ? { ret: 'FLOAT64', semanticType: inheritFrom(MINMAX_MEAN_INHERIT, st), run: meanRun }
        : undefined,
  },
  {
    name: 'min',
    resolve: (type, st) => {
      if (type !== 'INT64' && type !== 'TIME64NS' && type !== 'FLOAT64') return undefined
      const init = type === 'FLOAT64' ? DBL_MAX : INT64_MAX
      return {
        ret: type,
        semanticType: inheritFrom(MINMAX_MEAN_INHERIT, st),
        run: (v, g, n) => extremeRun(v, g, n, init, false),
      }
    },
  },
  {
    name: 'max',
    resolve: (type, st) => {
      if (type !== 'INT64' && type !== 'TIME64NS' && type !== 'FLOAT64') return undefined
      const init = type === 'FLOAT64' ? DBL_MIN_POSITIVE : INT64_MIN
      return {
        ret: type,
        semanticType: inheritFrom(MINMAX_MEAN_INHERIT, st),
        run: (v, g, n) => extremeRun(v, g, n, init, true),
      }
    },
  },
  {
    name: 'any',
    resolve: (type, st) => ({
      ret: type,
      semanticType: st,
      run: (v, g, n) => anyRun(v, g, n, type),
    }),
  },
  {
    name: 'quantiles',
    resolve: (type, st) =>
      type === 'INT64' || type === 'FLOAT64'
        ? {
            ret: 'STRING',
            semanticType:
              st === SemanticType.ST_DURATION_NS
                ? SemanticType.ST_DURATION_NS_QUANTILES
                : SemanticType.ST_QUANTILES,
            run: quantilesRun,
          }
        : undefined,
  },
]

const BY_NAME = new Map(UDAS.map((u) => [u.name, u]))

export function uda(name: string): Uda | undefined {
  return BY_NAME.get(name)
}

export function udaNames(): string[] {
  return [...BY_NAME.keys()]
}

export interface Grouping {
  /** Group id of each row. */
  ids: Int32Array
  count: number
  /** The first row of each group (for its key values). */
  firstRows: number[]
}

/** Assigns group ids by the key columns' values, in order of first appearance. */
export function groupRows(keys: CellValue[][], length: number): Grouping {
  const ids = new Int32Array(length)
  const firstRows: number[] = []
  if (keys.length === 0) {
    if (length > 0) firstRows.push(0)
    return { ids, count: firstRows.length, firstRows }
  }
  if (keys.length === 1) {
    const col = keys[0] as CellValue[]
    const map = new Map<CellValue, number>()
    for (let i = 0; i < length; i++) {
      const v = col[i] as CellValue
      let id = map.get(v)
      if (id === undefined) {
        id = firstRows.length
        map.set(v, id)
        firstRows.push(i)
      }
      ids[i] = id
    }
    return { ids, count: firstRows.length, firstRows }
  }
  const root = new Map<CellValue, unknown>()
  const last = keys.length - 1
  for (let i = 0; i < length; i++) {
    let m = root
    for (let k = 0; k < last; k++) {
      const v = (keys[k] as CellValue[])[i] as CellValue
      let next = m.get(v) as Map<CellValue, unknown> | undefined
      if (next === undefined) {
        next = new Map()
        m.set(v, next)
      }
      m = next
    }
    const v = (keys[last] as CellValue[])[i] as CellValue
    let id = m.get(v) as number | undefined
    if (id === undefined) {
      id = firstRows.length
      m.set(v, id)
      firstRows.push(i)
    }
    ids[i] = id
  }
  return { ids, count: firstRows.length, firstRows }
}
