/**
 * The PxL DataFrame object model: attribute access (columns and methods), subscripts (column,
 * filter, keep), column assignment, df.ctx, groupby/agg, merge, append, head and drop.
 */
import type { Pos } from './ast'
import { uda as findUda } from './aggregates'
import { bindArgs, expectInt, expectString, expectStringList, fail, type BoundArg } from './args'
import {
  aggregate,
  append,
  dropColumns,
  keepColumns,
  merge,
  type AggSpec,
  type JoinHow,
} from './dataframe'
import { evaluate, materialize, type ColumnExpr } from './expr'
import {
  constantValues,
  denseColumn,
  findColumn,
  headRows,
  maskToIndices,
  takeRows,
  withColumn,
  type Frame,
} from './frame'
import type { Host } from './host'
import { ctxExpr } from './metadata'
import {
  describe,
  type BuiltinValue,
  type CallArgs,
  type DataFrameValue,
  type Value,
} from './values'

function df(frame: Frame): DataFrameValue {
  return { kind: 'dataframe', frame }
}

function method(name: string, call: (c: CallArgs) => Value): BuiltinValue {
  return { kind: 'builtin', name: `DataFrame.${name}`, call }
}

/** A column reference to `name` in `frame`, or a compile error when there is no such column. */
export function columnRef(frame: Frame, name: string, pos: Pos): Value {
  const col = findColumn(frame, name)
  if (col === undefined) fail(`Column '${name}' not found in parent dataframe`, pos)
  const expr: ColumnExpr = {
    kind: 'col',
    name,
    type: col.type,
    semanticType: col.semanticType,
    pos,
  }
  return { kind: 'column', expr }
}

/** `df.<name>`: a method when PxL defines one, otherwise a column. */
export function dataframeAttribute(value: DataFrameValue, name: string, pos: Pos): Value {
  const frame = value.frame
  switch (name) {
    case 'ctx':
      return { kind: 'ctx', frame }
    case 'filter':
      return method(name, (c) => {
        const [pred] = bindArgs('DataFrame.filter', ['predicate'], c)
        return df(filterFrame(frame, pred as BoundArg))
      })
    case 'drop':
      return method(name, (c) => {
        const [cols] = bindArgs('DataFrame.drop', ['columns'], c)
        const names = expectStringList('DataFrame.drop', cols as BoundArg, 'columns')
        return df(dropColumns(frame, names, (cols as BoundArg).pos))
      })
    case 'head':
      return method(name, (c) => {
        const [n] = bindArgs('DataFrame.head', ['n?'], c)
        const count = n === undefined ? 5n : expectInt('DataFrame.head', n, 'n')
        if (count < 0n) fail('DataFrame.head: n must not be negative', (n as BoundArg).pos)
        return df(headRows(frame, Number(count)))
      })
    case 'groupby':
      return method(name, (c) => {
        const [by] = bindArgs('DataFrame.groupby', ['by'], c)
        const keys = expectStringList('DataFrame.groupby', by as BoundArg, 'by')
        if (keys.length === 0)
          fail('DataFrame.groupby: give at least one column', (by as BoundArg).pos)
        for (const k of keys) {
          if (findColumn(frame, k) === undefined)
            fail(`Column '${k}' not found in parent dataframe`, (by as BoundArg).pos)
        }
        return { kind: 'groupby', frame, keys }
      })
    case 'agg':
      return method(name, (c) => {
        const specs = aggSpecs(frame, c)
        if (specs.length === 0)
          fail("agg needs at least one aggregate, e.g. agg(n=('latency', px.count))", c.node)
        return df(aggregate(frame, undefined, specs, c.node))
      })
    case 'merge':
      return method(name, (c) => df(mergeCall(frame, c)))
    case 'append':
      return method(name, (c) => {
        const [objs] = bindArgs('DataFrame.append', ['objs'], c)
        const v = (objs as BoundArg).value
        const others = v.kind === 'list' ? v.items : [v]
        const frames = others.map((o) =>
          o.kind === 'dataframe'
            ? o.frame
            : fail(
                `DataFrame.append: expected DataFrames, got ${describe(o)}`,
                (objs as BoundArg).pos
              )
        )
        return df(append([frame, ...frames], c.node))
      })
    case 'stream':
      return method(name, (c) =>
        fail('df.stream() is not supported by the simulator (batch queries only)', c.node)
      )
    default:
      return columnRef(frame, name, pos)
  }
}

/** `groupby(...).agg`; a GroupBy has no other attribute. */
export function groupByAttribute(frame: Frame, keys: string[], name: string, pos: Pos): Value {
  if (name !== 'agg')
    fail(`'GroupBy' object has no attribute '${name}' (call .agg(...) after groupby)`, pos)
  return {
    kind: 'builtin',
    name: 'GroupBy.agg',
    call: (c) => df(aggregate(frame, keys, aggSpecs(frame, c), c.node)),
  }
}

function aggSpecs(frame: Frame, c: CallArgs): AggSpec[] {
  if (c.args.length > 0) {
    const at = c.argNodes[0] ?? c.node
    fail("agg takes keyword arguments only, e.g. agg(n=('latency', px.count))", at)
  }
  const specs: AggSpec[] = []
  for (const [output, value] of c.kwargs) {
    const pos = c.kwargNodes.get(output) ?? c.node
    if (value.kind !== 'list' || !value.tuple || value.items.length !== 2) {
      fail(`agg argument '${output}' must be a tuple ('column', px.<aggregate>)`, pos)
    }
    const [colV, fnV] = value.items as [Value, Value]
    if (colV.kind !== 'scalar' || colV.type !== 'STRING')
      fail(`agg argument '${output}': the column must be a string`, pos)
    if (fnV.kind !== 'uda')
      fail(
        `agg argument '${output}': expected an aggregate function like px.count, got ${describe(fnV)}`,
        pos
      )
    const input = colV.value as string
    const col = findColumn(frame, input)
    if (col === undefined) fail(`Column '${input}' not found in parent dataframe`, pos)
    const overload = findUda(fnV.name)?.resolve(col.type, col.semanticType)
    if (overload === undefined) fail(`No UDA matching ${fnV.name}(${col.type}) found`, pos)
    specs.push({ output, input, overload, pos })
  }
  return specs
}

function mergeCall(frame: Frame, c: CallArgs): Frame {
  const fn = 'DataFrame.merge'
  const [right, how, leftOn, rightOn, suffixes] = bindArgs(
    fn,
    ['right', 'how?', 'left_on', 'right_on', 'suffixes?'],
    c
  )
  const r = (right as BoundArg).value
  if (r.kind !== 'dataframe')
    fail(`${fn}: right must be a DataFrame, got ${describe(r)}`, (right as BoundArg).pos)
  const howName = how === undefined ? 'inner' : expectString(fn, how, 'how')
  if (!['inner', 'left', 'right', 'outer'].includes(howName)) {
    fail(`${fn}: how must be 'inner', 'left', 'right' or 'outer'`, (how as BoundArg).pos)
  }
  let sfx: [string, string] = ['_x', '_y']
  if (suffixes !== undefined) {
    const list = expectStringList(fn, suffixes, 'suffixes')
    if (list.length !== 2) fail(`${fn}: suffixes must have two strings`, suffixes.pos)
    sfx = [list[0] as string, list[1] as string]
  }
  return merge(frame, r.frame, {
    how: howName as JoinHow,
    leftOn: expectStringList(fn, leftOn as BoundArg, 'left_on'),
    rightOn: expectStringList(fn, rightOn as BoundArg, 'right_on'),
    suffixes: sfx,
    pos: c.node,
  })
}

function filterFrame(frame: Frame, pred: BoundArg): Frame {
  const v = pred.value
  if (v.kind === 'scalar' && v.type === 'BOOLEAN')
    return v.value === true ? frame : takeRows(frame, new Int32Array(0))
  if (v.kind !== 'column') fail(`A filter needs a BOOLEAN expression, got ${describe(v)}`, pred.pos)
  if (v.expr.type !== 'BOOLEAN')
    fail(`A filter needs a BOOLEAN expression, got ${v.expr.type}`, pred.pos)
  const vec = evaluate(v.expr, frame)
  if (vec.constant) return vec.value === true ? frame : takeRows(frame, new Int32Array(0))
  return takeRows(frame, maskToIndices(vec.values))
}

/** `df[index]`: a column (string), a filter (boolean expression) or a keep (list of strings). */
export function dataframeSubscript(value: DataFrameValue, index: BoundArg): Value {
  const v = index.value
  if (v.kind === 'scalar' && v.type === 'STRING')
    return columnRef(value.frame, v.value as string, index.pos)
  if (v.kind === 'list') {
    const names = expectStringList('DataFrame[]', index, 'column names')
    return df(keepColumns(value.frame, names, index.pos))
  }
  return df(filterFrame(value.frame, index))
}

/** `df.ctx[key]`. */
export function ctxSubscript(host: Host, frame: Frame, index: BoundArg): Value {
  const key = expectString('df.ctx', index, 'the metadata key')
  return { kind: 'column', expr: ctxExpr(host.source.metadata, frame, key, index.pos) }
}

/** `df.name = value` / `df['name'] = value`: the frame with the column added or replaced. */
export function assignColumn(frame: Frame, name: string, value: Value, pos: Pos): Frame {
  if (value.kind === 'scalar') {
    return withColumn(
      frame,
      denseColumn(name, value.type, value.semanticType, constantValues(value.value, frame.length))
    )
  }
  if (value.kind !== 'column') fail(`Cannot assign ${describe(value)} to column '${name}'`, pos)
  const vec = evaluate(value.expr, frame)
  return withColumn(
    frame,
    denseColumn(name, value.expr.type, value.expr.semanticType, materialize(vec, frame.length))
  )
}
