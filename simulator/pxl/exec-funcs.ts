/**
 * exec_funcs: calling a PxL function by name with string arguments, converted by each parameter's
 * annotation as Pixie's compiler does (ast_visitor.cc ProcessExecFuncArgs/ParseStringAsType, in
 * pxl.md §2): str and the string-like px types become string literals (never parsed as code),
 * int/float/bool are parsed like absl SimpleAtoi/SimpleAtod/SimpleAtob, and any other annotation
 * makes the value be parsed as a PxL expression.
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

function err(message: string, at: { line: number; column: number }): PxlCompileError {
  return new PxlCompileError(message, at.line, at.column)
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
    err(`Failed to parse argument '${param.name}' of '${funcName}' as ${what}: '${text}'`, param)
  switch (name) {
    case 'str':
      return scalar('STRING', text)
    case 'int': {
      if (!INT_RE.test(text)) throw bad('int')
      const v = BigInt(text.trim())
      if (v > INT64_MAX || v < INT64_MIN) throw bad('int')
      return scalar('INT64', v)
    }
    case 'float':
      if (!FLOAT_RE.test(text)) throw bad('float')
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
      `Failed to parse argument '${param.name}' of '${funcName}' as an expression: ${(e as Error).message}`,
      param
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
 * Calls `ef.funcName` with its converted arguments and names its output tables. Errors: unknown
 * function (reported at 1:1, there is no source position), missing annotation, missing or unknown
 * argument, unparsable value, or a result that is not a DataFrame or a list of DataFrames.
 */
export function runExecFunc(interp: Interpreter, ef: ExecFunc): FuncOutput[] {
  const fn = interp.globals.vars.get(ef.funcName)
  if (fn === undefined) throw new PxlCompileError(`Function '${ef.funcName}' not found`, 1, 1)
  if (fn.kind !== 'function')
    throw new PxlCompileError(`'${ef.funcName}' is ${describe(fn)}, not a function`, 1, 1)
  const def = fn.def
  for (const argName of Object.keys(ef.args)) {
    if (!def.params.some((p) => p.name === argName)) {
      throw err(`Function '${def.name}' has no argument named '${argName}'`, def)
    }
  }
  const args: Value[] = def.params.map((p) => {
    if (p.annotation === undefined) {
      throw err(`Arg type annotation required. Function: '${def.name}', arg: '${p.name}'`, p)
    }
    const text = ef.args[p.name]
    if (text === undefined) throw err(`Missing argument '${p.name}' for function '${def.name}'`, p)
    return parseArg(interp, def.name, p, text)
  })
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
  throw err(
    `Function '${def.name}' must return a DataFrame or a list of DataFrames, got ${describe(result)}`,
    def
  )
}
