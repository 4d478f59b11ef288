/**
 * Column expressions: what `df.a * 2 > df.b` or `px.regex_match(p, df.req_path)` becomes. Types
 * are resolved when the expression is built (so a type error points at the PxL source), and the
 * expression is evaluated column-wise over a frame: one tight loop per operator, constants folded,
 * and a per-distinct-value cache for costly string functions (regex, JSON, metadata lookups),
 * whose inputs repeat heavily in traffic data.
 */
import type { CellValue, ColumnType } from '../../shared/pixie/types'
import type { Pos } from './ast'
import { columnValues, findColumn, type Frame } from './frame'
import { PxlCompileError } from './types'

/** A scalar function body; receives one value per argument. */
export type Impl = (...args: CellValue[]) => CellValue

interface ExprBase {
  type: ColumnType
  semanticType: number
  pos: Pos
}

export interface ColumnRef extends ExprBase {
  kind: 'col'
  name: string
}

export interface Literal extends ExprBase {
  kind: 'lit'
  value: CellValue
}

export interface FnCall extends ExprBase {
  kind: 'call'
  name: string
  impl: Impl
  args: ColumnExpr[]
  /** Cache results per distinct input when exactly one argument varies. */
  memo: boolean
}

export type ColumnExpr = ColumnRef | Literal | FnCall

/** An evaluated expression: one value for every row, or a per-row array. */
export type Vec = { constant: true; value: CellValue } | { constant: false; values: CellValue[] }

export function isConstant(e: ColumnExpr): boolean {
  return e.kind === 'lit' || (e.kind === 'call' && e.args.every(isConstant))
}

/** Names of the frame columns an expression reads. */
export function referencedColumns(e: ColumnExpr, out = new Set<string>()): Set<string> {
  if (e.kind === 'col') out.add(e.name)
  else if (e.kind === 'call') for (const a of e.args) referencedColumns(a, out)
  return out
}

/** Evaluates `expr` against every row of `frame`. */
export function evaluate(expr: ColumnExpr, frame: Frame): Vec {
  switch (expr.kind) {
    case 'lit':
      return { constant: true, value: expr.value }
    case 'col': {
      const col = findColumn(frame, expr.name)
      if (col === undefined) {
        throw new PxlCompileError(
          `Column '${expr.name}' not found in parent dataframe`,
          expr.pos.line,
          expr.pos.column
        )
      }
      if (col.type !== expr.type) {
        throw new PxlCompileError(
          `Column '${expr.name}' is ${col.type} here but was ${expr.type} where the expression was written`,
          expr.pos.line,
          expr.pos.column
        )
      }
      return { constant: false, values: columnValues(col) }
    }
    case 'call':
      return evaluateCall(expr, frame)
  }
}

/** The values of `vec` as an array of `length` rows. */
export function materialize(vec: Vec, length: number): CellValue[] {
  return vec.constant ? new Array<CellValue>(length).fill(vec.value) : vec.values
}

function evaluateCall(expr: FnCall, frame: Frame): Vec {
  const args = expr.args.map((a) => evaluate(a, frame))
  const f = expr.impl
  if (args.every((a) => a.constant)) {
    return { constant: true, value: f(...args.map((a) => (a as { value: CellValue }).value)) }
  }
  const n = frame.length
  const varying = args.filter((a) => !a.constant)
  if (expr.memo && varying.length === 1) return { constant: false, values: memoized(f, args, n) }
  const out = new Array<CellValue>(n)
  if (args.length === 1) {
    const a = (args[0] as { values: CellValue[] }).values
    for (let i = 0; i < n; i++) out[i] = f(a[i] as CellValue)
    return { constant: false, values: out }
  }
  if (args.length === 2) {
    const [x, y] = args as [Vec, Vec]
    if (!x.constant && !y.constant) {
      const a = x.values
      const b = y.values
      for (let i = 0; i < n; i++) out[i] = f(a[i] as CellValue, b[i] as CellValue)
    } else if (!x.constant && y.constant) {
      const a = x.values
      const b = y.value
      for (let i = 0; i < n; i++) out[i] = f(a[i] as CellValue, b)
    } else {
      const a = (x as { value: CellValue }).value
      const b = (y as { values: CellValue[] }).values
      for (let i = 0; i < n; i++) out[i] = f(a, b[i] as CellValue)
    }
    return { constant: false, values: out }
  }
  const cols = args.map((a) => materialize(a, n))
  const row = new Array<CellValue>(cols.length)
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < cols.length; j++) row[j] = (cols[j] as CellValue[])[i] as CellValue
    out[i] = f(...row)
  }
  return { constant: false, values: out }
}

function memoized(f: Impl, args: Vec[], n: number): CellValue[] {
  const index = args.findIndex((a) => !a.constant)
  const input = (args[index] as { values: CellValue[] }).values
  const fixed = args.map((a) => (a.constant ? a.value : undefined)) as CellValue[]
  const cache = new Map<CellValue, CellValue>()
  const out = new Array<CellValue>(n)
  for (let i = 0; i < n; i++) {
    const v = input[i] as CellValue
    let r = cache.get(v)
    if (r === undefined) {
      fixed[index] = v
      r = f(...fixed)
      cache.set(v, r)
    }
    out[i] = r
  }
  return out
}
