/**
 * An offline check that a PxL script parses as Python and uses only AST nodes Pixie's compiler
 * accepts (pixie-io/pixie src/carnot/planner/compiler/ast_visitor.cc), with no default or
 * variadic arguments. Stricter than Pixie: a whitelist, run through the machine's python3.
 */
import { spawnSync } from 'node:child_process'

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
