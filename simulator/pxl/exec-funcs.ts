/**
 * exec_funcs: calling a PxL function by name with string arguments, converted by each parameter's
 * annotation as Pixie's compiler does (ast_visitor.cc ProcessExecFuncArgs/ParseStringAsType, in
 * Pixie's PxL reference, docs.px.dev): str and the string-like px types become string literals (never parsed as code),
 * int/float/bool are parsed like absl SimpleAtoi/SimpleAtod/SimpleAtob, and any other annotation
 * makes the value be parsed as a PxL expression.
 *
 * Errors about the call itself (unknown function, unknown or unannotated argument, unparsable
 * value, missing argument, a result that is not a DataFrame) are reported at line 0, column 0
 * with Pixie's messages: ProcessExecFuncs reports them against a placeholder AST node at 0:0
 * (pixie-io/pixie src/carnot/planner/compiler/ast_visitor.cc, src/carnot/planner/objects/
 * funcobject.cc for missing arguments). Errors inside the function body keep their positions.
 */
import type { ExecFunc } from '../../shared/pixie/types'
import type { CallExpr, Expr, Param } from './ast'
import type { Frame } from './frame'
import { INT64_MAX, INT64_MIN } from './functions'
import type { Interpreter } from './interpreter'
import { parse } from './parser'
import { TYPE_OBJECTS } from './px-module'
import { PxlCompileError } from './types'
import { describe, scalar, type Value } from './values'

export interface FuncOutput {
  name: string
  frame: Frame
}

/** An error about the exec_func call, at Pixie's placeholder position 0:0. */
function err(message: string): PxlCompileError {
  return new PxlCompileError(message, 0, 0)
}

const INT_RE = /^\s*[+-]?\d+\s*$/
const FLOAT_RE = /^\s*[+-]?(?:(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|inf|infinity|nan)\s*$/i
const TRUE_WORDS = new Set(['true', 't', 'yes', 'y', '1'])
const FALSE_WORDS = new Set(['false', 'f', 'no', 'n', '0'])

/** The annotation's simple type name: 'str', 'int', 'float', 'bool', 'px.Service', ... */
function annotationName(a: Expr): string | undefined {
  if (a.type === 'Name') return a.id
  if (a.type === 'Attribute' && a.object.type === 'Name') return `${a.object.id}.${a.attr}`
  return undefined
}

function parseArg(interp: Interpreter, funcName: string, param: Param, text: string): Value {
  const annotation = param.annotation as Expr
  const name = annotationName(annotation)
  const bad = (what: string): PxlCompileError =>
    err(`Failed to parse arg with value '${text}' as ${what}.`)
  switch (name) {
    case 'str':
      return scalar('STRING', text)
    case 'int': {
      if (!INT_RE.test(text)) throw bad('int64')
      const v = BigInt(text.trim())
      if (v > INT64_MAX || v < INT64_MIN) throw bad('int64')
      return scalar('INT64', v)
    }
    case 'float':
      if (!FLOAT_RE.test(text)) throw bad('float64')
      return scalar('FLOAT64', parseFloatWord(text.trim()))
    case 'bool': {
      const w = text.trim().toLowerCase()
      if (TRUE_WORDS.has(w)) return scalar('BOOLEAN', true)
      if (FALSE_WORDS.has(w)) return scalar('BOOLEAN', false)
      throw bad('bool')
    }
  }
  if (name !== undefined && annotation.type === 'Attribute') {
    const type = TYPE_OBJECTS[annotation.attr]
    const module = interp.globals.vars.get((annotation.object as { id: string }).id)
    if (type !== undefined && module?.kind === 'module' && type.resultType === 'STRING') {
      return scalar('STRING', text, type.semanticType)
    }
  }
  // Any other annotation: Pixie parses the value as a PxL expression.
  let expr: Expr
  try {
    const module = parse(text)
    const stmt = module.body[0]
    if (module.body.length !== 1 || stmt?.type !== 'Expr')
      throw new Error('expected a single expression')
    expr = stmt.expr
  } catch (e) {
    throw err(
      `Failed to parse arg '${text}' of '${funcName}' as an expression: ${(e as Error).message}`
    )
  }
  return interp.eval(expr, interp.globals)
}

function parseFloatWord(w: string): number {
  const lower = w.toLowerCase().replace(/^[+]/, '')
  if (lower === 'inf' || lower === 'infinity') return Infinity
  if (lower === '-inf' || lower === '-infinity') return -Infinity
  if (lower.endsWith('nan')) return NaN
  return Number(w)
}

/**
 * Calls `ef.funcName` with its converted arguments and names its output tables, checking in
 * Pixie's order: the function, then each given argument (known, annotated, parsable), then the
 * missing ones, then the result's type.
 */
export function runExecFunc(interp: Interpreter, ef: ExecFunc): FuncOutput[] {
  const fn = interp.globals.vars.get(ef.funcName)
  if (fn === undefined) throw err(`Function to execute, '${ef.funcName}', not found.`)
  if (fn.kind !== 'function') throw err(`'${ef.funcName}' is a '${describe(fn)}' not a function.`)
  const def = fn.def
  const given = new Map<string, Value>()
  for (const [argName, text] of Object.entries(ef.args)) {
    const p = def.params.find((q) => q.name === argName)
    if (p === undefined) {
      throw err(`Function '${def.name}' does not have an argument called '${argName}'`)
    }
    if (p.annotation === undefined) {
      throw err(`Arg type annotation required. Function: '${def.name}', arg: '${p.name}'`)
    }
    given.set(argName, parseArg(interp, def.name, p, text))
  }
  const missing = def.params.filter((p) => !given.has(p.name)).map((p) => `'${p.name}'`)
  if (missing.length > 0) {
    throw err(
      `${def.name}() missing ${missing.length} required positional arguments ${missing.join(',')}`
    )
  }
  const args: Value[] = def.params.map((p) => given.get(p.name) as Value)
  const node: CallExpr = {
    type: 'Call',
    func: { type: 'Name', id: def.name, line: def.line, column: def.column },
    args: [],
    keywords: [],
    line: def.line,
    column: def.column,
  }
  const result = interp.callFunction(fn, {
    node,
    args,
    argNodes: [],
    kwargs: new Map(),
    kwargNodes: new Map(),
  })
  if (result.kind === 'dataframe') return [{ name: ef.outputTablePrefix, frame: result.frame }]
  if (result.kind === 'list' && result.items.every((i) => i.kind === 'dataframe')) {
    return result.items.map((item, i) => ({
      name: `${ef.outputTablePrefix}[${i}]`,
      frame: (item as { frame: Frame }).frame,
    }))
  }
  if (result.kind === 'list') {
    const i = result.items.findIndex((item) => item.kind !== 'dataframe')
    throw err(
      `Function '${def.name}' returns '${describe(result.items[i] as Value)}' at index ${i}. All returned objects must be dataframes.`
    )
  }
  throw err(`Function '${def.name}' returns '${describe(result)}' but should return a DataFrame.`)
}
