/**
 * Column-major, immutable in-memory tables: the data a PxL DataFrame holds at one point of a
 * script. Operations return new frames and share unchanged column arrays (never mutated). A filter
 * does not copy columns: it composes a selection vector (row indices into the column's base array),
 * and a column is gathered into a dense array only when an expression, an aggregate or the output
 * reads it (then cached), so filtering millions of rows costs one index array per filter.
 */
import type { CellValue, ColumnType } from '../../shared/pixie/types'

export interface Column {
  name: string
  type: ColumnType
  /** px.api.vizierpb.SemanticType number; 0 when unspecified. */
  semanticType: number
  /** The values this column's rows come from; never mutated. */
  base: CellValue[]
  /** Row i is base[sel[i]]; absent when row i is base[i]. */
  sel?: Int32Array
  /** Cached dense values (see columnValues). */
  dense?: CellValue[]
}

/** A column whose rows are exactly `values`. */
export function denseColumn(
  name: string,
  type: ColumnType,
  semanticType: number,
  values: CellValue[]
): Column {
  return { name, type, semanticType, base: values }
}

/** The column's values, one per row (gathered through the selection once, then cached). */
export function columnValues(col: Column): CellValue[] {
  if (col.sel === undefined) return col.base
  if (col.dense === undefined) col.dense = gather(col.base, col.sel)
  return col.dense
}

export interface Frame {
  columns: Column[]
  length: number
}

export function findColumn(frame: Frame, name: string): Column | undefined {
  return frame.columns.find((c) => c.name === name)
}

/** Copies values at the given row indices (indices ascending or not, length = output rows). */
export function gather(values: CellValue[], indices: Int32Array): CellValue[] {
  const n = indices.length
  const out = new Array<CellValue>(n)
  for (let i = 0; i < n; i++) out[i] = values[indices[i] as number] as CellValue
  return out
}

/** Keeps only the rows at `indices` (in that order), composing each column's selection. */
export function takeRows(frame: Frame, indices: Int32Array): Frame {
  if (indices.length === frame.length && isIdentity(indices)) return frame
  const composed = new Map<Int32Array | undefined, Int32Array>()
  const columns = frame.columns.map((c): Column => {
    let sel = composed.get(c.sel)
    if (sel === undefined) {
      sel = c.sel === undefined ? indices : composeSelection(c.sel, indices)
      composed.set(c.sel, sel)
    }
    return { name: c.name, type: c.type, semanticType: c.semanticType, base: c.base, sel }
  })
  return { length: indices.length, columns }
}

function composeSelection(sel: Int32Array, indices: Int32Array): Int32Array {
  const out = new Int32Array(indices.length)
  for (let i = 0; i < indices.length; i++) out[i] = sel[indices[i] as number] as number
  return out
}

function isIdentity(indices: Int32Array): boolean {
  for (let i = 0; i < indices.length; i++) if (indices[i] !== i) return false
  return true
}

/** Row indices where `mask` is true. */
export function maskToIndices(mask: readonly CellValue[]): Int32Array {
  let count = 0
  for (let i = 0; i < mask.length; i++) if (mask[i] === true) count++
  const out = new Int32Array(count)
  let j = 0
  for (let i = 0; i < mask.length; i++) if (mask[i] === true) out[j++] = i
  return out
}

/** The first `n` rows. */
export function headRows(frame: Frame, n: number): Frame {
  if (n >= frame.length) return frame
  const indices = new Int32Array(n)
  for (let i = 0; i < n; i++) indices[i] = i
  return takeRows(frame, indices)
}

/** Adds a column, or replaces the one with the same name in place (keeping its position). */
export function withColumn(frame: Frame, column: Column): Frame {
  const idx = frame.columns.findIndex((c) => c.name === column.name)
  const columns = frame.columns.slice()
  if (idx >= 0) columns[idx] = column
  else columns.push(column)
  return { length: frame.length, columns }
}

/** A column of `length` copies of one value (a scalar assigned to a column). */
export function constantValues(value: CellValue, length: number): CellValue[] {
  return new Array<CellValue>(length).fill(value)
}

/** The zero value Pixie uses for a type (empty string, 0, false, the nil UUID). */
export function zeroValue(type: ColumnType): CellValue {
  switch (type) {
    case 'BOOLEAN':
      return false
    case 'INT64':
    case 'TIME64NS':
      return 0n
    case 'FLOAT64':
      return 0
    case 'STRING':
      return ''
    case 'UINT128':
      return '00000000-0000-0000-0000-000000000000'
  }
}
