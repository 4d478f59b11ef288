/**
 * Offline checks of our PxL scripts' source text, shared by their tests: the def signatures, the
 * statement subset Pixie compiles, the px functions the HTTP script may call, and a Python AST
 * check (ast.parse plus a whitelist of the nodes Pixie's compiler accepts, pixie-io/pixie
 * src/carnot/planner/compiler/ast_visitor.cc, and no default or variadic arguments; stricter than
 * Pixie, run through the machine's python3).
 */
import { spawnSync } from 'node:child_process'
import { expect } from 'vitest'

/** One def's parameters: [name, annotation | undefined]. */
export type PxlParams = [string, string | undefined][]

/** name -> parameters for every top-level def in the script. */
export function signatures(source: string): Map<string, PxlParams> {
  const result = new Map<string, PxlParams>()
  for (const line of source.split('\n')) {
    const match = /^def (\w+)\((.*)\):$/.exec(line)
    if (match === null) continue
    result.set(
      match[1]!,
      match[2]!.split(',').map((p) => {
        const [name, annotation] = p.split(':').map((s) => s.trim())
        return [name!, annotation] as [string, string | undefined]
      })
    )
  }
  return result
}

/** Asserts every non-blank line is an import, a def, a df assignment or a return. */
export function expectPxlStatementsOnly(source: string): void {
  for (const line of source.split('\n')) {
    if (line.trim() === '') continue
    const allowed =
      line === 'import px' ||
      /^def \w+\([^=*]*\):$/.test(line) ||
      /^ {4}(df|df\.\w+) = \S/.test(line) ||
      /^ {4}return \S/.test(line)
    expect(allowed, `line not in the PxL subset: ${line}`).toBe(true)
  }
}

/** The px functions a script calls, each once. */
export function pxFunctionsUsed(source: string): Set<string | undefined> {
  return new Set([...source.matchAll(/px\.(\w+)/g)].map((m) => m[1]))
}

/** The px functions the HTTP stats script may call: each one Pixie and the simulator provide. */
export const HTTP_SCRIPT_PX_FUNCTIONS = [
  'DataFrame',
  'regex_match',
  'count',
  'sum',
  'quantiles',
  'pluck_float64',
  'find',
  'has_service_name',
  // The latency buckets (shared/stats/buckets.ts): registered in Carnot's math_ops.cc.
  'select',
  'floor',
  'log2',
  // What the rows cover (shared/pxl/coverage.ts): px.min/px.max registered for TIME64NS in
  // pixie-io/pixie src/carnot/funcs/builtins/math_ops.cc, px.now in
  // src/carnot/planner/objects/pixie_module.cc, px.upid_to_asid in
  // src/carnot/funcs/metadata/metadata_ops.cc.
  'min',
  'max',
  'now',
  'upid_to_asid',
]

/** Whether python3 runs here; the check is skipped where it does not. */
export const HAS_PYTHON = spawnSync('python3', ['--version']).status === 0

const CHECK = `
import ast, sys
tree = ast.parse(sys.stdin.read())
allowed = (ast.Module, ast.Import, ast.alias, ast.FunctionDef, ast.arguments, ast.arg, ast.Assign,
  ast.Return, ast.Expr, ast.Attribute, ast.BinOp, ast.BoolOp, ast.Call, ast.Compare, ast.Dict,
  ast.List, ast.Name, ast.Constant, ast.Subscript, ast.Tuple, ast.UnaryOp, ast.keyword, ast.Load,
  ast.Store, ast.cmpop, ast.operator, ast.unaryop, ast.boolop)
for node in ast.walk(tree):
    if not isinstance(node, allowed):
        sys.exit('not allowed: ' + type(node).__name__)
    if isinstance(node, ast.arguments) and (node.defaults or node.vararg or node.kwarg or node.kw_defaults):
        sys.exit('default or variadic arguments')
`

/** Runs the check over one script: stderr names the first node Pixie would refuse. */
export function checkPxlAst(source: string): { status: number | null; stderr: string } {
  const run = spawnSync('python3', ['-c', CHECK], { input: source, encoding: 'utf8' })
  return { status: run.status, stderr: run.stderr }
}
