/**
 * successCondition / failureCondition evaluation in the style of expr-lang, the language Argo
 * Rollouts uses (utils/evaluate; argo-knative-peers.md A3). Parsing is jsep's, evaluation runs
 * through jse-eval with every node type replaced by Go-like semantics:
 *
 * - `&&`/`and`, `||`/`or`, `!`/`not` take booleans only (short-circuit), `in` tests array
 *   membership or map keys, `??` picks the right side when the left is nil;
 * - comparing different types (`"0.05" < 0.1`, `nil <= 0.1`) is an error, as in Go, where it
 *   makes the measurement Error; `==` between different types is false;
 * - reading a field of nil or an index out of range is an error; a missing map key is nil;
 * - only the environment Argo provides exists: `result`, `asInt`, `asFloat`, `isNaN`, `isInf`,
 *   `isNil`, `default`, plus expr's `len`, `abs`, `int`, `float`, `string` builtins and `nil`;
 * - the whole expression must produce a bool.
 *
 * Argo's `isNil(x)` and `default(x, d)` ignore their first argument and test the whole result
 * (evaluate.go isNilFunc/defaultFunc); the emulator does the same.
 *
 * Known differences from expr-lang: numbers are all float64 here (expr keeps int literals apart,
 * which matters only for `%` and type names in messages), and closures (`all(result, {# < 5})`),
 * ranges and the string/date builtins beyond those listed are not implemented: they are errors.
 */
import jsep from 'jsep'
import JseEval from 'jse-eval'

/** A condition that cannot be evaluated: Argo records the measurement as Error. */
export class ConditionError extends Error {
  override readonly name = 'ConditionError'
}

type Node = jsep.Expression
type Env = { result: unknown }

let configured = false

/** Registers the expr-lang operators with jsep (idempotent; jsep's operator table is global). */
function configure(): void {
  if (configured) return
  configured = true
  jsep.addBinaryOp('or', 1)
  jsep.addBinaryOp('??', 1)
  jsep.addBinaryOp('and', 2)
  for (const op of ['in', 'contains', 'startsWith', 'endsWith', 'matches']) jsep.addBinaryOp(op, 7)
  jsep.addBinaryOp('**', 11, true)
  jsep.addUnaryOp('not')
  jsep.removeLiteral('null')
  jsep.addLiteral('nil', null)

  JseEval.addEvaluator('BinaryExpression', evalBinary)
  JseEval.addEvaluator('LogicalExpression', evalBinary)
  JseEval.addEvaluator('UnaryExpression', evalUnary)
  JseEval.addEvaluator('MemberExpression', evalMember)
  JseEval.addEvaluator('CallExpression', evalCall)
  JseEval.addEvaluator('Identifier', evalIdentifier)
  JseEval.addEvaluator('ConditionalExpression', evalConditional)
  JseEval.addEvaluator('default', (node: Node) => {
    throw new ConditionError(`unsupported syntax: ${node.type}`)
  })
  for (const type of ['Compound', 'ThisExpression', 'OptionalMemberExpression']) {
    JseEval.addEvaluator(type, (node: Node) => {
      throw new ConditionError(`unsupported syntax: ${node.type}`)
    })
  }
}

/** Go-style type name used in error messages. */
export function goTypeName(value: unknown): string {
  if (value === null || value === undefined) return '<nil>'
  if (typeof value === 'number') return 'float64'
  if (typeof value === 'string') return 'string'
  if (typeof value === 'boolean') return 'bool'
  if (Array.isArray(value)) return '[]interface {}'
  if (typeof value === 'function') return 'func'
  return 'map[string]interface {}'
}

function isNilValue(value: unknown): boolean {
  return value === null || value === undefined
}

function isMap(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** expr-lang's runtime equality: numbers by value, containers deeply, different types unequal. */
function equal(a: unknown, b: unknown): boolean {
  if (isNilValue(a) || isNilValue(b)) return isNilValue(a) && isNilValue(b)
  if (typeof a !== typeof b || Array.isArray(a) !== Array.isArray(b)) return false
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((item, i) => equal(item, b[i]))
  }
  if (isMap(a) && isMap(b)) {
    const keys = Object.keys(a)
    return (
      keys.length === Object.keys(b).length &&
      keys.every((k) => Object.hasOwn(b, k) && equal(a[k], b[k]))
    )
  }
  return a === b
}

function mismatch(op: string, a: unknown, b: unknown): ConditionError {
  return new ConditionError(
    `invalid operation: ${op} (mismatched types ${goTypeName(a)} and ${goTypeName(b)})`
  )
}

function requireBool(op: string, value: unknown): boolean {
  if (typeof value !== 'boolean') {
    throw new ConditionError(
      `invalid operation: ${op} (non-bool operand of type ${goTypeName(value)})`
    )
  }
  return value
}

function evalBinary(this: JseEval, node: Node): unknown {
  const op = node.operator as string
  const left = node.left as Node
  const right = node.right as Node
  if (op === '&&' || op === 'and') {
    return requireBool(op, this.eval(left)) ? requireBool(op, this.eval(right)) : false
  }
  if (op === '||' || op === 'or') {
    return requireBool(op, this.eval(left)) ? true : requireBool(op, this.eval(right))
  }
  if (op === '??') {
    const value = this.eval(left)
    return isNilValue(value) ? this.eval(right) : value
  }
  const a = this.eval(left)
  const b = this.eval(right)
  switch (op) {
    case '==':
      return equal(a, b)
    case '!=':
      return !equal(a, b)
    case '<':
    case '>':
    case '<=':
    case '>=': {
      const comparable =
        (typeof a === 'number' && typeof b === 'number') ||
        (typeof a === 'string' && typeof b === 'string')
      if (!comparable) throw mismatch(op, a, b)
      const x = a as number | string
      const y = b as number | string
      return op === '<' ? x < y : op === '>' ? x > y : op === '<=' ? x <= y : x >= y
    }
    case '+':
      if (typeof a === 'number' && typeof b === 'number') return a + b
      if (typeof a === 'string' && typeof b === 'string') return a + b
      throw mismatch(op, a, b)
    case '-':
    case '*':
    case '/':
    case '%':
    case '**': {
      if (typeof a !== 'number' || typeof b !== 'number') throw mismatch(op, a, b)
      if (op === '-') return a - b
      if (op === '*') return a * b
      if (op === '/') return a / b
      if (op === '**') return a ** b
      if (!Number.isInteger(a) || !Number.isInteger(b)) throw mismatch(op, a, b)
      if (b === 0) throw new ConditionError('integer divide by zero')
      return a % b
    }
    case 'in':
      if (Array.isArray(b)) return b.some((item) => equal(a, item))
      if (isMap(b)) {
        if (typeof a !== 'string') throw mismatch(op, a, b)
        return Object.hasOwn(b, a)
      }
      if (isNilValue(b)) return false
      throw new ConditionError(`operator "in" not defined on ${goTypeName(b)}`)
    case 'contains':
    case 'startsWith':
    case 'endsWith':
    case 'matches': {
      if (typeof a !== 'string' || typeof b !== 'string') throw mismatch(op, a, b)
      if (op === 'contains') return a.includes(b)
      if (op === 'startsWith') return a.startsWith(b)
      if (op === 'endsWith') return a.endsWith(b)
      try {
        return new RegExp(b).test(a)
      } catch (err) {
        throw new ConditionError(`error parsing regexp: ${(err as Error).message}`)
      }
    }
    default:
      throw new ConditionError(`unsupported operator ${op}`)
  }
}

function evalUnary(this: JseEval, node: Node): unknown {
  const op = node.operator as string
  const value = this.eval(node.argument as Node)
  if (op === '!' || op === 'not') return !requireBool(op, value)
  if (op === '-' || op === '+') {
    if (typeof value !== 'number') {
      throw new ConditionError(`invalid operation: ${op} (mismatched type ${goTypeName(value)})`)
    }
    return op === '-' ? -value : value
  }
  throw new ConditionError(`unsupported operator ${op}`)
}

function fetch(object: unknown, key: unknown, optional: boolean): unknown {
  if (isNilValue(object)) {
    if (optional) return null
    throw new ConditionError(`cannot fetch ${String(key)} from <nil>`)
  }
  if (Array.isArray(object) || typeof object === 'string') {
    if (typeof key !== 'number' || !Number.isInteger(key)) {
      throw new ConditionError(`cannot fetch ${String(key)} from ${goTypeName(object)}`)
    }
    const index = key < 0 ? object.length + key : key
    if (index < 0 || index >= object.length) {
      throw new ConditionError(`index out of range: ${key} (array length is ${object.length})`)
    }
    return object[index]
  }
  if (isMap(object)) {
    if (typeof key !== 'string') throw new ConditionError(`cannot fetch ${String(key)} from map`)
    return Object.hasOwn(object, key) ? object[key] : null
  }
  throw new ConditionError(`cannot fetch ${String(key)} from ${goTypeName(object)}`)
}

function evalMember(this: JseEval, node: Node): unknown {
  const object = this.eval(node.object as Node)
  const property = node.property as Node
  const key = node.computed ? this.eval(property) : (property.name as string)
  return fetch(object, key, node.optional === true)
}

function evalConditional(this: JseEval, node: Node): unknown {
  const test = requireBool('?:', this.eval(node.test as Node))
  return this.eval((test ? node.consequent : node.alternate) as Node)
}

function evalIdentifier(this: JseEval, node: Node): unknown {
  const name = node.name as string
  const context = this.context as Env
  if (name === 'result') return context.result
  throw new ConditionError(`unknown name ${name}`)
}

/** Go strconv.ParseFloat's accepted syntax (decimal, exponent, inf, nan). */
function parseGoFloat(text: string): number {
  if (/^[+-]?(inf|infinity)$/i.test(text)) return text.startsWith('-') ? -Infinity : Infinity
  if (/^[+-]?nan$/i.test(text)) return Number.NaN
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text)) {
    throw new ConditionError(`strconv.ParseFloat: parsing ${JSON.stringify(text)}: invalid syntax`)
  }
  return Number(text)
}

function requireFloat(fn: string, value: unknown): number {
  if (typeof value !== 'number') {
    throw new ConditionError(
      `cannot use ${goTypeName(value)} as argument (type float64) to call ${fn}`
    )
  }
  return value
}

function callHelper(name: string, args: unknown[], result: unknown): unknown {
  const arity = (n: number): void => {
    if (args.length !== n) {
      throw new ConditionError(
        `invalid number of arguments for ${name} (expected ${n}, got ${args.length})`
      )
    }
  }
  switch (name) {
    case 'isNil':
      arity(1)
      return isNilValue(result)
    case 'default':
      arity(2)
      return isNilValue(result) ? args[1] : result
    case 'asFloat': {
      arity(1)
      const [value] = args
      if (typeof value === 'number') return value
      if (typeof value === 'string') return parseGoFloat(value)
      throw new ConditionError(`asFloat() not supported on ${goTypeName(value)} ${String(value)}`)
    }
    case 'asInt': {
      arity(1)
      const [value] = args
      if (typeof value === 'number') return Math.trunc(value)
      if (typeof value === 'string') {
        if (!/^[+-]?\d+$/.test(value)) {
          throw new ConditionError(
            `strconv.ParseInt: parsing ${JSON.stringify(value)}: invalid syntax`
          )
        }
        return Number(value)
      }
      throw new ConditionError(`asInt() not supported on ${goTypeName(value)} ${String(value)}`)
    }
    case 'isNaN':
      arity(1)
      return Number.isNaN(requireFloat(name, args[0]))
    case 'isInf': {
      arity(1)
      const value = requireFloat(name, args[0])
      return value === Infinity || value === -Infinity
    }
    case 'len': {
      arity(1)
      const [value] = args
      if (typeof value === 'string' || Array.isArray(value)) return value.length
      if (isMap(value)) return Object.keys(value).length
      throw new ConditionError(`invalid argument for len (type ${goTypeName(value)})`)
    }
    case 'abs':
      arity(1)
      return Math.abs(requireFloat(name, args[0]))
    case 'float':
      arity(1)
      return callHelper('asFloat', args, result)
    case 'int':
      arity(1)
      return callHelper('asInt', args, result)
    case 'string':
      arity(1)
      return typeof args[0] === 'string' ? args[0] : JSON.stringify(args[0] ?? null)
    default:
      throw new ConditionError(`unknown func ${name}`)
  }
}

function evalCall(this: JseEval, node: Node): unknown {
  const callee = node.callee as Node
  if (callee.type !== 'Identifier') throw new ConditionError('only named functions can be called')
  const args = (node.arguments as Node[]).map((arg) => this.eval(arg))
  return callHelper(callee.name as string, args, (this.context as Env).result)
}

/**
 * Evaluates one condition against `result`. Returns its boolean value; throws ConditionError for a
 * syntax error, a type error at run time, or a non-bool outcome ("expected bool, but got T").
 */
export function evalCondition(condition: string, result: unknown): boolean {
  configure()
  let ast: Node
  try {
    ast = jsep(condition)
  } catch (err) {
    throw new ConditionError(`syntax error: ${(err as Error).message}`)
  }
  let output: unknown
  try {
    output = JseEval.eval(ast, { result } satisfies Env)
  } catch (err) {
    if (err instanceof ConditionError) throw err
    throw new ConditionError((err as Error).message)
  }
  if (typeof output !== 'boolean') {
    throw new ConditionError(`expected bool, but got ${goTypeName(output)}`)
  }
  return output
}
