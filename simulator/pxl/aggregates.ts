/**
 * UDAs (px.count, px.sum, px.mean, px.min, px.max, px.any, px.quantiles) and the grouping behind
 * `df.groupby(...).agg(...)` and `df.agg(...)`. Each UDA runs column-wise over all groups at once
 * (a group id per row), so aggregating a million rows is a few flat loops.
 *
 * Semantics follow Carnot's UDAs (code-read, pixie src/carnot/funcs/builtins/math_ops.h,
 * math_sketches.h, collections.h): sum of BOOLEAN is an INT64 count of true, mean is a FLOAT64
 * (NaN on no rows), min/max start from numeric_limits max()/min(), any keeps the first value.
 * px.quantiles is Pixie's t-digest (tdigest.ts), fed each group's values in row order.
 */
import type { CellValue, ColumnType } from '../../shared/pixie/types'
import { SemanticType } from '../../shared/pixie/gen/vizierapi_pb'
import { zeroValue } from './frame'
import { INT64_MAX, INT64_MIN } from './functions'
import { DBL_MIN_POSITIVE, quantilesJsonOf, TDigest } from './tdigest'

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

const DBL_MAX = Number.MAX_VALUE

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
  const digests = Array.from({ length: g }, () => new TDigest())
  for (let i = 0; i < groups.length; i++) {
    ;(digests[groups[i] as number] as TDigest).add(Number(values[i]))
  }
  return digests.map(quantilesJsonOf)
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
