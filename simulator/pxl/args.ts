/**
 * Binding and checking of builtin call arguments (positional or keyword, like Python), with errors
 * that point at the offending argument.
 */
import type { Pos } from './ast'
import { PxlCompileError } from './types'
import { describe, type CallArgs, type ScalarValue, type Value } from './values'

export interface BoundArg {
  value: Value
  pos: Pos
}

/**
 * Binds a call's arguments to `params` (in order); names ending in '?' are optional. Returns one
 * entry per parameter (undefined when an optional one was not given).
 */
export function bindArgs(fn: string, params: string[], call: CallArgs): (BoundArg | undefined)[] {
  const names = params.map((p) => p.replace(/\?$/, ''))
  const out: (BoundArg | undefined)[] = new Array(params.length).fill(undefined)
  if (call.args.length > params.length) {
    const extra = call.argNodes[params.length] ?? call.node
    throw new PxlCompileError(
      `${fn}() takes ${params.length} positional argument(s) but ${call.args.length} were given`,
      extra.line,
      extra.column
    )
  }
  call.args.forEach((v, i) => {
    const node = call.argNodes[i] ?? call.node
    out[i] = { value: v, pos: { line: node.line, column: node.column } }
  })
  for (const [name, value] of call.kwargs) {
    const pos = call.kwargNodes.get(name) ?? call.node
    const idx = names.indexOf(name)
    if (idx < 0)
      throw new PxlCompileError(
        `${fn}() got an unexpected keyword argument '${name}'`,
        pos.line,
        pos.column
      )
    if (out[idx] !== undefined) {
      throw new PxlCompileError(
        `${fn}() got multiple values for argument '${name}'`,
        pos.line,
        pos.column
      )
    }
    out[idx] = { value, pos }
  }
  params.forEach((p, i) => {
    if (!p.endsWith('?') && out[i] === undefined) {
      throw new PxlCompileError(
        `${fn}() missing required argument '${p}'`,
        call.node.line,
        call.node.column
      )
    }
  })
  return out
}

export function fail(message: string, at: Pos): never {
  throw new PxlCompileError(message, at.line, at.column)
}

/** The argument as a string constant. */
export function expectString(fn: string, arg: BoundArg, what: string): string {
  if (arg.value.kind === 'scalar' && arg.value.type === 'STRING') return arg.value.value as string
  return fail(`${fn}: ${what} must be a string, got ${describe(arg.value)}`, arg.pos)
}

/** The argument as an int64 constant. */
export function expectInt(fn: string, arg: BoundArg, what: string): bigint {
  if (arg.value.kind === 'scalar' && arg.value.type === 'INT64') return arg.value.value as bigint
  return fail(`${fn}: ${what} must be an integer, got ${describe(arg.value)}`, arg.pos)
}

/** The argument as a list of string constants (a single string counts as a list of one). */
export function expectStringList(fn: string, arg: BoundArg, what: string): string[] {
  const v = arg.value
  if (v.kind === 'scalar' && v.type === 'STRING') return [v.value as string]
  if (v.kind === 'list') {
    return v.items.map((item) => {
      if (item.kind === 'scalar' && item.type === 'STRING')
        return (item as ScalarValue).value as string
      return fail(`${fn}: ${what} must be strings, got ${describe(item)}`, arg.pos)
    })
  }
  return fail(`${fn}: ${what} must be a string or a list of strings, got ${describe(v)}`, arg.pos)
}
