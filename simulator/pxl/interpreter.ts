/**
 * Evaluates a parsed PxL module: statements in order, Python scoping (function locals, closures,
 * module globals), DataFrame operations executed eagerly over in-memory frames. Operators and px
 * functions go through the UDF registry, so types are checked where the expression is written and
 * reported as PxlCompileError with that line and column, as Pixie's compiler would.
 */
import type { CellValue } from '../../shared/pixie/types'
import type { CallExpr, Expr, FunctionDefStmt, Module, Pos, Stmt } from './ast'
import { fail, type BoundArg } from './args'
import {
  assignColumn,
  ctxSubscript,
  dataframeAttribute,
  dataframeSubscript,
  groupByAttribute,
} from './dataframe-methods'
import type { ColumnExpr } from './expr'
import type { Frame } from './frame'
import { findOverload, INT64_MAX, scalarUdf } from './functions'
import type { Host } from './host'
import { pxAttribute } from './px-module'
import type { DataSource } from './types'
import {
  describe,
  NONE,
  scalar,
  type CallArgs,
  type ColumnValue,
  type FunctionValue,
  type ScalarValue,
  type Scope,
  type Value,
} from './values'

const BINARY_UDF: Record<string, string> = {
  '+': 'add',
  '-': 'subtract',
  '*': 'multiply',
  '/': 'divide',
  '%': 'modulo',
  '==': 'equal',
  '!=': 'notEqual',
  '<': 'lessThan',
  '<=': 'lessThanEqual',
  '>': 'greaterThan',
  '>=': 'greaterThanEqual',
}

/** Deepest PxL function call nesting before the script is rejected (PxL has no recursion use). */
export const MAX_CALL_DEPTH = 64

export interface DisplayedTable {
  name: string
  frame: Frame
}

export interface InterpreterOptions {
  source: DataSource
  nowNs: bigint
  /** False when exec_funcs drive the script: px.display is then a no-op, as in Pixie. */
  displayEnabled: boolean
}

class ReturnSignal {
  constructor(readonly value: Value) {}
}

function pos(p: Pos): Pos {
  return { line: p.line, column: p.column }
}

export class Interpreter implements Host {
  readonly source: DataSource
  readonly nowNs: bigint
  readonly globals: Scope = { vars: new Map() }
  /** px.display / px.debug outputs, in call order. */
  readonly displayed: DisplayedTable[] = []
  private readonly displayEnabled: boolean
  private readonly usedNames = new Set<string>()
  private depth = 0

  constructor(options: InterpreterOptions) {
    this.source = options.source
    this.nowNs = options.nowNs
    this.displayEnabled = options.displayEnabled
  }

  run(module: Module): void {
    this.execBlock(module.body, this.globals)
  }

  // ---- Host ----

  display(frame: Frame, name: string, debug: boolean): void {
    if (!debug && !this.displayEnabled) return
    let unique = debug ? `_${name}` : name
    for (let i = 1; this.usedNames.has(unique); i++) unique = `${debug ? '_' : ''}${name}_${i}`
    this.usedNames.add(unique)
    this.displayed.push({ name: unique, frame })
  }

  applyUdf(name: string, operands: BoundArg[], at: Pos): Value {
    const udf = scalarUdf(name)
    if (udf === undefined) return fail(`'px' object has no attribute '${name}'`, at)
    const ops = operands.map((o) => this.operand(o, name))
    const types = ops.map((o) => (o.kind === 'scalar' ? o.type : o.expr.type))
    const overload = findOverload(udf, types)
    if (overload === undefined) fail(`No UDF matching ${name}(${types.join(', ')}) found`, at)
    const semantic =
      overload.semantic?.(
        ops.map((o) => (o.kind === 'scalar' ? o.semanticType : o.expr.semanticType))
      ) ?? 0
    let impl = overload.impl
    let rest = ops
    const initCount = udf.initArgs ?? 0
    if (initCount > 0 && udf.prepare !== undefined) {
      const init = ops.slice(0, initCount)
      init.forEach((o, i) => {
        if (o.kind !== 'scalar')
          fail(
            `px.${name}: argument ${i + 1} must be a constant, not a column`,
            (operands[i] as BoundArg).pos
          )
      })
      impl = udf.prepare(init.map((o) => (o as ScalarValue).value))
      rest = ops.slice(initCount)
    }
    if (rest.every((o) => o.kind === 'scalar')) {
      return scalar(overload.ret, impl(...rest.map((o) => (o as ScalarValue).value)), semantic)
    }
    const args: ColumnExpr[] = rest.map((o) =>
      o.kind === 'column'
        ? o.expr
        : { kind: 'lit', value: o.value, type: o.type, semanticType: o.semanticType, pos: pos(at) }
    )
    return {
      kind: 'column',
      expr: {
        kind: 'call',
        name,
        impl,
        args,
        type: overload.ret,
        semanticType: semantic,
        pos: pos(at),
        memo: udf.memo ?? false,
      },
    }
  }

  private operand(o: BoundArg, fn: string): ScalarValue | ColumnValue {
    if (o.value.kind === 'scalar' || o.value.kind === 'column') return o.value
    return fail(`Cannot use ${describe(o.value)} as an argument of '${fn}'`, o.pos)
  }

  // ---- statements ----

  private execBlock(body: Stmt[], scope: Scope): ReturnSignal | undefined {
    for (const stmt of body) {
      const r = this.exec(stmt, scope)
      if (r !== undefined) return r
    }
    return undefined
  }

  private exec(stmt: Stmt, scope: Scope): ReturnSignal | undefined {
    switch (stmt.type) {
      case 'Import':
        scope.vars.set(stmt.alias, { kind: 'module', name: 'px' })
        return undefined
      case 'Expr':
        this.eval(stmt.expr, scope)
        return undefined
      case 'FunctionDef':
        scope.vars.set(stmt.name, { kind: 'function', def: stmt, closure: scope })
        return undefined
      case 'Return':
        return new ReturnSignal(stmt.value === undefined ? NONE : this.eval(stmt.value, scope))
      case 'Assign':
        this.assign(stmt.target, this.eval(stmt.value, scope), scope)
        return undefined
    }
  }

  private assign(target: Expr, value: Value, scope: Scope): void {
    if (target.type === 'Name') {
      scope.vars.set(target.id, value)
      return
    }
    if (target.type !== 'Attribute' && target.type !== 'Subscript') {
      fail(`Cannot assign to ${target.type}`, target)
    }
    // df.col = e / df['col'] = e: rebinds the DataFrame variable to a frame with the column.
    const object = target.object
    if (object.type !== 'Name')
      fail('Column assignment needs a DataFrame variable on the left, e.g. df.col = ...', target)
    const owner = this.lookupScope(object.id, scope) ?? scope
    const current = this.lookup(object.id, scope, object)
    if (current.kind !== 'dataframe') fail(`Cannot assign a column on ${describe(current)}`, object)
    let column: string
    if (target.type === 'Attribute') {
      column = target.attr
    } else {
      const key = this.eval(target.index, scope)
      if (key.kind !== 'scalar' || key.type !== 'STRING')
        fail('Column assignment needs a string column name', target.index)
      column = key.value as string
    }
    owner.vars.set(object.id, {
      kind: 'dataframe',
      frame: assignColumn(current.frame, column, value, target),
    })
  }

  private lookupScope(name: string, scope: Scope): Scope | undefined {
    for (let s: Scope | undefined = scope; s !== undefined; s = s.parent)
      if (s.vars.has(name)) return s
    return undefined
  }

  private lookup(name: string, scope: Scope, at: Pos): Value {
    const s = this.lookupScope(name, scope)
    if (s !== undefined) return s.vars.get(name) as Value
    switch (name) {
      case 'True':
        return scalar('BOOLEAN', true)
      case 'False':
        return scalar('BOOLEAN', false)
      case 'None':
        return NONE
    }
    return fail(`name '${name}' is not defined`, at)
  }

  // ---- expressions ----

  eval(e: Expr, scope: Scope): Value {
    switch (e.type) {
      case 'Name':
        return this.lookup(e.id, scope, e)
      case 'Number':
        if (typeof e.value === 'bigint') {
          if (e.value > INT64_MAX) fail('Integer literal does not fit in int64', e)
          return scalar('INT64', e.value)
        }
        return scalar('FLOAT64', e.value)
      case 'Str':
        return scalar('STRING', e.value)
      case 'List':
      case 'Tuple':
        return {
          kind: 'list',
          items: e.elements.map((x) => this.eval(x, scope)),
          tuple: e.type === 'Tuple',
        }
      case 'Dict':
        return {
          kind: 'dict',
          keys: e.keys.map((k) => this.eval(k, scope)),
          values: e.values.map((v) => this.eval(v, scope)),
        }
      case 'Attribute':
        return this.attribute(this.eval(e.object, scope), e.attr, e.attrPos)
      case 'Subscript':
        return this.subscript(
          this.eval(e.object, scope),
          { value: this.eval(e.index, scope), pos: pos(e.index) },
          e
        )
      case 'Call':
        return this.call(e, scope)
      case 'BinOp':
      case 'Compare':
        return this.applyUdf(
          BINARY_UDF[e.op] as string,
          [
            { value: this.eval(e.left, scope), pos: pos(e.left) },
            { value: this.eval(e.right, scope), pos: pos(e.right) },
          ],
          e
        )
      case 'BoolOp': {
        const udf = e.op === 'and' ? 'logicalAnd' : 'logicalOr'
        let acc: BoundArg = {
          value: this.eval(e.values[0] as Expr, scope),
          pos: pos(e.values[0] as Expr),
        }
        for (const next of e.values.slice(1)) {
          acc = {
            value: this.applyUdf(udf, [acc, { value: this.eval(next, scope), pos: pos(next) }], e),
            pos: pos(e),
          }
        }
        return acc.value
      }
      case 'UnaryOp':
        return this.applyUdf(
          e.op === 'not' ? 'logicalNot' : 'negate',
          [{ value: this.eval(e.operand, scope), pos: pos(e.operand) }],
          e
        )
    }
  }

  private attribute(object: Value, name: string, at: Pos): Value {
    switch (object.kind) {
      case 'module':
        return pxAttribute(this, name, at)
      case 'dataframe':
        return dataframeAttribute(object, name, at)
      case 'groupby':
        return groupByAttribute(object.frame, object.keys, name, at)
      default:
        return fail(`${describe(object)} has no attribute '${name}'`, at)
    }
  }

  private subscript(object: Value, index: BoundArg, at: Pos): Value {
    switch (object.kind) {
      case 'dataframe':
        return dataframeSubscript(object, index)
      case 'ctx':
        return ctxSubscript(this, object.frame, index)
      case 'list': {
        const i = index.value
        if (i.kind !== 'scalar' || i.type !== 'INT64')
          fail(`${describe(object)} indices must be integers`, index.pos)
        let k = Number(i.value as bigint)
        if (k < 0) k += object.items.length
        const item = object.items[k]
        if (item === undefined) fail(`${describe(object)} index out of range`, index.pos)
        return item
      }
      case 'dict': {
        const k = index.value
        const idx = object.keys.findIndex(
          (key) =>
            key.kind === 'scalar' &&
            k.kind === 'scalar' &&
            key.value === k.value &&
            key.type === k.type
        )
        if (idx < 0) fail('KeyError: key not found in dict', index.pos)
        return object.values[idx] as Value
      }
      default:
        return fail(`${describe(object)} is not subscriptable`, at)
    }
  }

  private call(e: CallExpr, scope: Scope): Value {
    const callee = this.eval(e.func, scope)
    const args = e.args.map((a) => this.eval(a, scope))
    const kwargs = new Map<string, Value>()
    const kwargNodes = new Map<string, Pos>()
    for (const k of e.keywords) {
      kwargs.set(k.name, this.eval(k.value, scope))
      kwargNodes.set(k.name, pos(k))
    }
    const call: CallArgs = { node: e, args, argNodes: e.args, kwargs, kwargNodes }
    switch (callee.kind) {
      case 'builtin':
        return callee.call(call)
      case 'function':
        return this.callFunction(callee, call)
      case 'type':
        return this.cast(callee, call)
      case 'uda':
        return fail(
          `px.${callee.name} is an aggregate; use it inside agg(), e.g. agg(x=('col', px.${callee.name}))`,
          e
        )
      default:
        return fail(`${describe(callee)} is not callable`, e)
    }
  }

  private cast(type: Extract<Value, { kind: 'type' }>, call: CallArgs): Value {
    if (call.args.length !== 1 || call.kwargs.size > 0)
      fail(`px.${type.name}() takes exactly one argument`, call.node)
    const v = call.args[0] as Value
    const at = call.argNodes[0] as Expr
    const actual = v.kind === 'scalar' ? v.type : v.kind === 'column' ? v.expr.type : undefined
    if (actual === undefined || !type.accepts.includes(actual)) {
      fail(
        `px.${type.name}() expects ${type.accepts.join(' or ')}, got ${actual ?? describe(v)}`,
        at
      )
    }
    if (v.kind === 'scalar') return scalar(type.resultType, v.value, type.semanticType)
    const expr = (v as ColumnValue).expr
    if (expr.type === type.resultType)
      return { kind: 'column', expr: { ...expr, semanticType: type.semanticType } }
    return {
      kind: 'column',
      expr: {
        kind: 'call',
        name: type.name,
        impl: (x: CellValue) => x,
        args: [expr],
        type: type.resultType,
        semanticType: type.semanticType,
        pos: pos(call.node),
        memo: false,
      },
    }
  }

  /** Calls a PxL function with evaluated arguments (positional and/or keyword). */
  callFunction(fn: FunctionValue, call: CallArgs): Value {
    const def: FunctionDefStmt = fn.def
    const local: Scope = { vars: new Map(), parent: fn.closure }
    const params = def.params
    if (call.args.length > params.length) {
      fail(
        `${def.name}() takes ${params.length} positional argument(s) but ${call.args.length} were given`,
        call.node
      )
    }
    call.args.forEach((v, i) => local.vars.set((params[i] as { name: string }).name, v))
    for (const [name, v] of call.kwargs) {
      const at = call.kwargNodes.get(name) ?? call.node
      if (!params.some((p) => p.name === name))
        fail(`${def.name}() got an unexpected keyword argument '${name}'`, at)
      if (local.vars.has(name)) fail(`${def.name}() got multiple values for argument '${name}'`, at)
      local.vars.set(name, v)
    }
    const missing = params.filter((p) => !local.vars.has(p.name)).map((p) => `'${p.name}'`)
    if (missing.length > 0)
      fail(`${def.name}() missing required argument(s): ${missing.join(', ')}`, call.node)
    if (this.depth >= MAX_CALL_DEPTH) {
      fail(
        `maximum PxL function call depth (${MAX_CALL_DEPTH}) exceeded calling '${def.name}'`,
        call.node
      )
    }
    this.depth++
    try {
      return this.execBlock(def.body, local)?.value ?? NONE
    } finally {
      this.depth--
    }
  }
}
