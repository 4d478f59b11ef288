/**
 * DataFrame operators over frames: reading a source table with a time window, keeping and dropping
 * columns, aggregating, joining (merge), unioning (append) and turning a frame into an output
 * table with the row cap. Callers validate PxL-level arguments; these functions check what needs
 * the data (column names and types) and report errors at the position they are given.
 */
import type { CellValue } from '../../shared/pixie/types'
import { groupRows, type UdaOverload } from './aggregates'
import type { Pos } from './ast'
import {
  columnValues,
  denseColumn,
  findColumn,
  gather,
  takeRows,
  zeroValue,
  type Column,
  type Frame,
} from './frame'
import { PxlCompileError, PxlRuntimeError, type EngineTable } from './types'

function fail(message: string, at: Pos): never {
  throw new PxlCompileError(message, at.line, at.column)
}

export interface SourceRead {
  table: EngineTable
  select?: { names: string[]; pos: Pos[] }
  startNs?: bigint
  endNs?: bigint
  /** Where to report a missing time_ column. */
  timePos: Pos
}

/** A source table's rows within [startNs, endNs] (both inclusive), restricted to `select`. */
export function readSource(read: SourceRead): Frame {
  const { table } = read
  const length = table.data[0]?.length ?? 0
  if (table.data.length !== table.columns.length || table.data.some((d) => d.length !== length)) {
    throw new PxlRuntimeError(
      `Source table '${table.name}' is malformed: every column needs one value per row`
    )
  }
  const all: Column[] = table.columns.map((c, i) =>
    denseColumn(c.name, c.type, c.semanticType ?? 0, table.data[i] ?? [])
  )
  let columns = all
  if (read.select !== undefined) {
    columns = read.select.names.map((name, i) => {
      const col = all.find((c) => c.name === name)
      if (col === undefined)
        fail(`Column '${name}' not found in table '${table.name}'`, read.select?.pos[i] as Pos)
      return col
    })
  }
  if (read.startNs === undefined && read.endNs === undefined) return { columns, length }
  const time = all.find((c) => c.name === 'time_')
  if (time === undefined || time.type !== 'TIME64NS') {
    fail(`Table '${table.name}' has no time_ column to apply start_time/end_time to`, read.timePos)
  }
  const lo = read.startNs
  const hi = read.endNs
  const t = time.base as bigint[]
  const keep = new Int32Array(length)
  let n = 0
  for (let i = 0; i < length; i++) {
    const v = t[i] as bigint
    if ((lo === undefined || v >= lo) && (hi === undefined || v <= hi)) keep[n++] = i
  }
  if (n === length) return { columns, length }
  return takeRows({ columns, length }, keep.slice(0, n))
}

/** `df[['a', 'b']]`: only these columns, in this order. */
export function keepColumns(frame: Frame, names: string[], at: Pos): Frame {
  return {
    length: frame.length,
    columns: names.map(
      (name) =>
        findColumn(frame, name) ?? fail(`Column '${name}' not found in parent dataframe`, at)
    ),
  }
}

/** `df.drop(cols)`. */
export function dropColumns(frame: Frame, names: string[], at: Pos): Frame {
  for (const name of names) {
    if (findColumn(frame, name) === undefined)
      fail(`Column '${name}' not found in parent dataframe`, at)
  }
  return { length: frame.length, columns: frame.columns.filter((c) => !names.includes(c.name)) }
}

export interface AggSpec {
  output: string
  input: string
  overload: UdaOverload
  pos: Pos
}

/**
 * `df.groupby(keys).agg(...)` (groups in order of first appearance; groups without rows do not
 * exist) or, with `keys` undefined, `df.agg(...)`: exactly one row, even for no input rows.
 */
export function aggregate(
  frame: Frame,
  keys: string[] | undefined,
  specs: AggSpec[],
  at: Pos
): Frame {
  const keyCols = (keys ?? []).map(
    (k) => findColumn(frame, k) ?? fail(`Column '${k}' not found in parent dataframe`, at)
  )
  const seen = new Set(keys ?? [])
  for (const s of specs) {
    if (seen.has(s.output)) fail(`Duplicate output column '${s.output}' in agg`, s.pos)
    seen.add(s.output)
  }
  let ids: Int32Array
  let count: number
  let firstRows: number[] = []
  if (keys === undefined) {
    ids = new Int32Array(frame.length)
    count = 1
  } else {
    const g = groupRows(
      keyCols.map((c) => columnValues(c)),
      frame.length
    )
    ids = g.ids
    count = g.count
    firstRows = g.firstRows
  }
  const rowsIdx = Int32Array.from(firstRows)
  const columns: Column[] = keyCols.map((c) =>
    denseColumn(c.name, c.type, c.semanticType, gather(columnValues(c), rowsIdx))
  )
  for (const s of specs) {
    const input =
      findColumn(frame, s.input) ?? fail(`Column '${s.input}' not found in parent dataframe`, s.pos)
    columns.push(
      denseColumn(
        s.output,
        s.overload.ret,
        s.overload.semanticType,
        s.overload.run(columnValues(input), ids, count)
      )
    )
  }
  return { length: count, columns }
}

export type JoinHow = 'inner' | 'left' | 'right' | 'outer'

export interface MergeSpec {
  how: JoinHow
  leftOn: string[]
  rightOn: string[]
  suffixes: [string, string]
  pos: Pos
}

/** The most rows a merge may produce before the simulator refuses (guards runaway joins). */
export const MAX_MERGE_ROWS = 20_000_000

function keyOf(cols: CellValue[][], row: number): CellValue {
  if (cols.length === 1) return (cols[0] as CellValue[])[row] as CellValue
  return cols.map((c) => `${typeof c[row]}:${String(c[row])}`).join('\u0001')
}

/**
 * `left.merge(right, how, left_on, right_on, suffixes)`: an equi-join. Output columns are all left
 * columns then all right columns, a suffix added to names present on both sides. Rows without a
 * partner (left/right/outer joins) get the zero value of each type on the missing side: Carnot has
 * no nulls.
 */
export function merge(left: Frame, right: Frame, spec: MergeSpec): Frame {
  if (spec.leftOn.length !== spec.rightOn.length || spec.leftOn.length === 0) {
    fail(
      'merge: left_on and right_on must name the same number (at least one) of columns',
      spec.pos
    )
  }
  const lk = spec.leftOn.map(
    (n) => findColumn(left, n) ?? fail(`Column '${n}' not found in left dataframe`, spec.pos)
  )
  const rk = spec.rightOn.map(
    (n) => findColumn(right, n) ?? fail(`Column '${n}' not found in right dataframe`, spec.pos)
  )
  lk.forEach((c, i) => {
    const r = rk[i] as Column
    if (c.type !== r.type)
      fail(`merge: key '${c.name}' is ${c.type} but '${r.name}' is ${r.type}`, spec.pos)
  })
  const rightIndex = new Map<CellValue, number[]>()
  const rkv = rk.map((c) => columnValues(c))
  for (let j = 0; j < right.length; j++) {
    const k = keyOf(rkv, j)
    const list = rightIndex.get(k)
    if (list === undefined) rightIndex.set(k, [j])
    else list.push(j)
  }
  const li: number[] = []
  const ri: number[] = []
  const rightMatched = new Uint8Array(right.length)
  const lkv = lk.map((c) => columnValues(c))
  for (let i = 0; i < left.length; i++) {
    const matches = rightIndex.get(keyOf(lkv, i))
    if (matches === undefined) {
      if (spec.how === 'left' || spec.how === 'outer') {
        li.push(i)
        ri.push(-1)
      }
      continue
    }
    for (const j of matches) {
      li.push(i)
      ri.push(j)
      rightMatched[j] = 1
    }
    if (li.length > MAX_MERGE_ROWS)
      throw new PxlRuntimeError(`merge produces more than ${MAX_MERGE_ROWS} rows`)
  }
  if (spec.how === 'right' || spec.how === 'outer') {
    for (let j = 0; j < right.length; j++) {
      if (rightMatched[j] === 0) {
        li.push(-1)
        ri.push(j)
      }
    }
  }
  const leftNames = new Set(left.columns.map((c) => c.name))
  const rightNames = new Set(right.columns.map((c) => c.name))
  const pick = (c: Column, idx: number[], rename: string): Column => {
    const zero = zeroValue(c.type)
    const values = columnValues(c)
    return denseColumn(
      rename,
      c.type,
      c.semanticType,
      idx.map((r) => (r < 0 ? zero : (values[r] as CellValue)))
    )
  }
  const columns = [
    ...left.columns.map((c) =>
      pick(c, li, rightNames.has(c.name) ? c.name + spec.suffixes[0] : c.name)
    ),
    ...right.columns.map((c) =>
      pick(c, ri, leftNames.has(c.name) ? c.name + spec.suffixes[1] : c.name)
    ),
  ]
  const names = new Set<string>()
  for (const c of columns) {
    if (names.has(c.name))
      fail(`merge: duplicate output column '${c.name}'; choose other suffixes`, spec.pos)
    names.add(c.name)
  }
  return { length: li.length, columns }
}

/** `df.append(other)`: rows of both; the column names and types must be identical. */
export function append(frames: Frame[], at: Pos): Frame {
  const first = frames[0] as Frame
  for (const f of frames.slice(1)) {
    const same =
      f.columns.length === first.columns.length &&
      f.columns.every(
        (c, i) => c.name === first.columns[i]?.name && c.type === first.columns[i]?.type
      )
    if (!same)
      fail('append: the DataFrames must have the same columns (names and types, in order)', at)
  }
  return {
    length: frames.reduce((n, f) => n + f.length, 0),
    columns: first.columns.map((c, i) =>
      denseColumn(
        c.name,
        c.type,
        c.semanticType,
        frames.flatMap((f) => columnValues(f.columns[i] as Column))
      )
    ),
  }
}

/** An output table: the frame's first `maxRows` rows, copied. */
export function toEngineTable(name: string, frame: Frame, maxRows: number): EngineTable {
  const n = Math.min(frame.length, maxRows)
  return {
    name,
    columns: frame.columns.map((c) => ({
      name: c.name,
      type: c.type,
      semanticType: c.semanticType,
    })),
    data: frame.columns.map((c) => columnValues(c).slice(0, n)),
  }
}
