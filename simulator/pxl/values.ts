/**
 * Runtime values of the PxL interpreter: Python-level objects (scalars, lists, dicts, functions,
 * the px module) next to PxL's own (DataFrames, column expressions, groupby results). Scalars are
 * typed like columns (Python int -> INT64, float -> FLOAT64, str -> STRING, bool -> BOOLEAN) so
 * that scalar arithmetic follows the same UDF overloads as column arithmetic, as in Pixie where
 * `px.now() - px.minutes(5)` is itself a UDF call.
 */
import type { CellValue, ColumnType } from '../../shared/pixie/types'
import type { CallExpr, Expr, FunctionDefStmt, Pos } from './ast'
import type { ColumnExpr } from './expr'
import type { Frame } from './frame'

export interface Scope {
  vars: Map<string, Value>
  parent?: Scope
}

export interface NoneValue {
  kind: 'none'
}

export interface ScalarValue {
  kind: 'scalar'
  type: ColumnType
  value: CellValue
  semanticType: number
}

export interface ListValue {
  kind: 'list'
  items: Value[]
  tuple: boolean
}

export interface DictValue {
  kind: 'dict'
  keys: Value[]
  values: Value[]
}

export interface ColumnValue {
  kind: 'column'
  expr: ColumnExpr
}

export interface DataFrameValue {
  kind: 'dataframe'
  frame: Frame
}

export interface GroupByValue {
  kind: 'groupby'
  frame: Frame
  keys: string[]
}

export interface CtxValue {
  kind: 'ctx'
  frame: Frame
}

export interface ModuleValue {
  kind: 'module'
  name: string
}

/** A call's evaluated arguments, with their nodes for error positions. */
export interface CallArgs {
  node: CallExpr
  args: Value[]
  argNodes: Expr[]
  kwargs: Map<string, Value>
  kwargNodes: Map<string, Pos>
}

export interface BuiltinValue {
  kind: 'builtin'
  /** Display name for errors, e.g. 'px.DataFrame' or 'DataFrame.head'. */
  name: string
  call: (call: CallArgs) => Value
}

export interface UdaValue {
  kind: 'uda'
  name: string
}

/** px.DurationNanos, px.Service, ...: value-preserving casts that set a semantic type. */
export interface TypeValue {
  kind: 'type'
  name: string
  accepts: ColumnType[]
  resultType: ColumnType
  semanticType: number
}

export interface FunctionValue {
  kind: 'function'
  def: FunctionDefStmt
  closure: Scope
}

export type Value =
  | NoneValue
  | ScalarValue
  | ListValue
  | DictValue
  | ColumnValue
  | DataFrameValue
  | GroupByValue
  | CtxValue
  | ModuleValue
  | BuiltinValue
  | UdaValue
  | TypeValue
  | FunctionValue

export const NONE: NoneValue = { kind: 'none' }

export function scalar(type: ColumnType, value: CellValue, semanticType = 0): ScalarValue {
  return { kind: 'scalar', type, value, semanticType }
}

/** A short description of a value for error messages. */
export function describe(v: Value): string {
  switch (v.kind) {
    case 'scalar':
      return `${v.type} value`
    case 'list':
      return v.tuple ? 'tuple' : 'list'
    case 'column':
      return `${v.expr.type} column expression`
    case 'dataframe':
      return 'DataFrame'
    case 'groupby':
      return 'GroupBy'
    case 'ctx':
      return 'ctx accessor'
    case 'module':
      return `module '${v.name}'`
    case 'builtin':
      return `function '${v.name}'`
    case 'uda':
      return `aggregate function 'px.${v.name}'`
    case 'type':
      return `type 'px.${v.name}'`
    case 'function':
      return `function '${v.def.name}'`
    case 'dict':
      return 'dict'
    case 'none':
      return 'None'
  }
}
