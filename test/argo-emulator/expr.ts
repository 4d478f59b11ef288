/**
 * successCondition / failureCondition evaluation with expr-lang's semantics (expr v1.17, the
 * version Argo Rollouts uses in utils/evaluate/evaluate.go). jsep parses, extended with expr's
 * operators and predicates; expr-check.ts type-checks as expr's compiler does; this module then
 * evaluates with Go-like semantics: ordering and arithmetic on mismatched runtime types, fetching
 * from nil and an index out of range are errors; a missing map key is nil; `==` between different
 * runtime types is false; the whole expression must produce a bool.
 *
 * The environment is Argo's (`result`, `asInt`, `asFloat`, `isNaN`, `isInf`, `isNil`,
 * `default`) plus the expr builtins listed in expr-check.ts, with predicates
 * (`all(result, {# < 5})`, braces optional, `#`, `.field` for `#.field`, `#index`). Argo's
 * `isNil(x)` and `default(x, d)` ignore their first argument and test the whole result
 * (evaluate.go isNilFunc/defaultFunc); so does this module.
 *
 * Known gaps: runtime numbers are JavaScript numbers (expr's int/float split is kept by the type
 * check only); `let`, `if/else`, ranges, slices, pipes, map literals and the builtins not listed
 * (dates, groupBy, reduce, sortBy, ...) are errors here.
 */
import jsep from 'jsep'
import { Checker, ConditionError, PREDICATE_BUILTINS } from './expr-check'
import type { Nature } from './expr-check'

export { ConditionError }

type Node = jsep.Expression

// ---------------------------------------------------------------------------------------------
// Parsing

let configured = false

/** Registers expr's operators and predicate syntax with jsep (idempotent; jsep is global). */
function configure(): void {
  if (configured) return
  configured = true
  jsep.addBinaryOp('or', 1)
  // expr binds ?? tighter than any other binary operator (parser/operator/operator.go).
  jsep.addBinaryOp('??', 12)
  jsep.addBinaryOp('and', 2)
  // Comparisons and membership share one precedence level in expr (parser/operator/operator.go).
  for (const op of [
    '==',
    '!=',
    '<',
    '>',
    '<=',
    '>=',
    'in',
    'contains',
    'startsWith',
    'endsWith',
    'matches',
  ]) {
    jsep.addBinaryOp(op, 7)
  }
  jsep.addBinaryOp('**', 11, true)
  jsep.addBinaryOp('^', 11, true)
  jsep.addUnaryOp('not')
  jsep.removeLiteral('null')
  jsep.addLiteral('nil', null)
  // `#`, `#index` are names inside predicates.
  jsep.addIdentifierChar('#')
  jsep.hooks.add('gobble-token', function (this: jsep.HookScope, env: { node?: Node }) {
    const OPEN_BRACE = 123
    const CLOSE_BRACE = 125
    const PERIOD = 46
    if (this.code === OPEN_BRACE) {
      // A predicate `{ expression }`.
      this.index++
      const body = this.gobbleExpression()
      this.gobbleSpaces()
      if ((this.code as number) !== CLOSE_BRACE)
        this.throwError('expected } to close the predicate')
      this.index++
      env.node = { type: 'Closure', body }
    } else if (this.code === PERIOD && /[A-Za-z_]/.test(this.expr.charAt(this.index + 1))) {
      // `.field` inside a predicate is `#.field`.
      this.index++
      const property = this.gobbleIdentifier() as Node
      const node: Node = {
        type: 'MemberExpression',
        computed: false,
        object: { type: 'Identifier', name: '#' },
        property,
      }
      env.node = this.gobbleTokenProperty(node)
    }
  })
}

// ---------------------------------------------------------------------------------------------
// Evaluation

/** Go type name of a runtime value, for runtime error messages. */
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

function runtimeMismatch(op: string, a: unknown, b: unknown): ConditionError {
  return new ConditionError(
    `invalid operation: ${op} (mismatched types ${goTypeName(a)} and ${goTypeName(b)})`
  )
}

/** A value the VM uses as a bool (expr-lang/expr vm/vm.go asserts `.(bool)`). */
function requireBool(_op: string, value: unknown): boolean {
  if (typeof value !== 'boolean') {
    const type = value === null || value === undefined ? 'nil' : goTypeName(value)
    throw new ConditionError(`interface conversion: interface {} is ${type}, not bool`)
  }
  return value
}

function requireArray(name: string, value: unknown): unknown[] {
  if (!Array.isArray(value)) {
    throw new ConditionError(`builtin ${name} takes only array (got ${goTypeName(value)})`)
  }
  return value
}

function requireNumber(name: string, value: unknown): number {
  if (typeof value !== 'number') {
    throw new ConditionError(`invalid argument for ${name} (type ${goTypeName(value)})`)
  }
  return value
}

function requireString(name: string, value: unknown): string {
  if (typeof value !== 'string') {
    throw new ConditionError(`invalid argument for ${name} (type ${goTypeName(value)})`)
  }
  return value
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

function parseGoInt(text: string, fn: string): number {
  if (!/^[+-]?\d+$/.test(text)) {
    throw new ConditionError(`${fn}: parsing ${JSON.stringify(text)}: invalid syntax`)
  }
  return Number(text)
}

function median(values: number[]): number {
  if (values.length === 0) return 0
  const sorted = [...values].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2
}

/** Numbers from max/min/mean/median arguments: numbers or arrays of numbers. */
function numbersOf(name: string, args: unknown[]): number[] {
  return args.flatMap((arg) =>
    Array.isArray(arg) ? arg.map((x) => requireNumber(name, x)) : [requireNumber(name, arg)]
  )
}

class Evaluator {
  /** Items (and indexes) of the enclosing predicates, innermost last. */
  private readonly scopes: Array<{ item: unknown; index: number }> = []

  constructor(
    private readonly result: unknown,
    private readonly natures: WeakMap<Node, Nature>
  ) {}

  eval(node: Node): unknown {
    switch (node.type) {
      case 'Literal':
        return node.value
      case 'Identifier':
        return this.identifier(node.name as string)
      case 'ArrayExpression':
        return ((node.elements as Array<Node | null>) ?? []).map((item) =>
          item ? this.eval(item) : null
        )
      case 'UnaryExpression':
        return this.unary(node)
      case 'BinaryExpression':
      case 'LogicalExpression':
        return this.binary(node)
      case 'ConditionalExpression':
        return requireBool('?:', this.eval(node.test as Node))
          ? this.eval(node.consequent as Node)
          : this.eval(node.alternate as Node)
      case 'MemberExpression':
        return this.fetch(
          this.eval(node.object as Node),
          node.computed === true
            ? this.eval(node.property as Node)
            : ((node.property as Node).name as string),
          node.optional === true
        )
      case 'CallExpression':
        return this.call(node)
      default:
        throw new ConditionError(`unsupported syntax: ${node.type}`)
    }
  }

  private identifier(name: string): unknown {
    if (name === 'result') return this.result
    const scope = this.scopes.at(-1)
    if (scope !== undefined && name === '#') return scope.item
    if (scope !== undefined && name === '#index') return scope.index
    throw new ConditionError(`unknown name ${name}`)
  }

  private unary(node: Node): unknown {
    const op = node.operator as string
    const value = this.eval(node.argument as Node)
    if (op === '!' || op === 'not') return !requireBool(op, value)
    if (typeof value !== 'number') {
      throw new ConditionError(`invalid operation: ${op} (mismatched type ${goTypeName(value)})`)
    }
    return op === '-' ? -value : value
  }

  private binary(node: Node): unknown {
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
        const ok =
          (typeof a === 'number' && typeof b === 'number') ||
          (typeof a === 'string' && typeof b === 'string')
        if (!ok) throw runtimeMismatch(op, a, b)
        const x = a as number | string
        const y = b as number | string
        return op === '<' ? x < y : op === '>' ? x > y : op === '<=' ? x <= y : x >= y
      }
      case '+':
        if (typeof a === 'number' && typeof b === 'number') return a + b
        if (typeof a === 'string' && typeof b === 'string') return a + b
        throw runtimeMismatch(op, a, b)
      case '-':
      case '*':
      case '/':
      case '**':
      case '^':
      case '%': {
        if (typeof a !== 'number' || typeof b !== 'number') throw runtimeMismatch(op, a, b)
        if (op === '-') return a - b
        if (op === '*') return a * b
        if (op === '/') return a / b
        if (op !== '%') return a ** b
        // expr's % takes ints only; values read from JSON are float64 (untyped statically).
        const typed = (n: Node): boolean => this.natures.get(n)?.kind === 'int'
        if (!typed(left) || !typed(right)) {
          throw new ConditionError(
            `invalid operation: ${typed(left) ? 'int' : 'float64'} % ${typed(right) ? 'int' : 'float64'}`
          )
        }
        if (b === 0) throw new ConditionError('integer divide by zero')
        return Math.trunc(a % b)
      }
      case 'in':
        if (Array.isArray(b)) return b.some((item) => equal(a, item))
        if (isMap(b)) {
          if (typeof a !== 'string') throw runtimeMismatch(op, a, b)
          return Object.hasOwn(b, a)
        }
        if (isNilValue(b)) return false
        throw new ConditionError(`operator "in" not defined on ${goTypeName(b)}`)
      case 'contains':
      case 'startsWith':
      case 'endsWith':
      case 'matches': {
        if (typeof a !== 'string' || typeof b !== 'string') throw runtimeMismatch(op, a, b)
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
        throw new ConditionError(`unknown operator (${op})`)
    }
  }

  private fetch(object: unknown, key: unknown, optional: boolean): unknown {
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

  private call(node: Node): unknown {
    const callee = node.callee as Node
    const args = node.arguments as Node[]
    if (callee.type !== 'Identifier') {
      // Only a value fetched from a map or an array gets here (the checker refused the rest):
      // expr's VM then calls that value (expr-lang/expr vm/vm.go OpCall).
      const fn = this.eval(callee)
      if (isNilValue(fn)) throw new ConditionError('invalid operation: cannot call nil')
      throw new ConditionError(
        `invalid operation: cannot call non-function of type ${goTypeName(fn)}`
      )
    }
    const name = callee.name as string
    if (PREDICATE_BUILTINS.has(name)) return this.predicate(name, args)
    const values = args.map((arg) => this.eval(arg))
    return this.builtin(name, values)
  }

  private predicate(name: string, args: Node[]): unknown {
    const items = requireArray(name, this.eval(args[0] as Node))
    if (args.length === 1) {
      // count(array): the number of true elements; sum(array): their total.
      if (name === 'sum') return items.reduce<number>((t, x) => t + requireNumber(name, x), 0)
      return items.filter((item) => requireBool(name, item)).length
    }
    const body = args[1] as Node
    const predicate = body.type === 'Closure' ? (body.body as Node) : body
    const apply = (item: unknown, index: number): unknown => {
      this.scopes.push({ item, index })
      try {
        return this.eval(predicate)
      } finally {
        this.scopes.pop()
      }
    }
    const test = (item: unknown, index: number): boolean => requireBool(name, apply(item, index))
    switch (name) {
      case 'all':
        return items.every(test)
      case 'any':
        return items.some(test)
      case 'none':
        return !items.some(test)
      case 'one':
        return items.filter(test).length === 1
      case 'filter':
        return items.filter(test)
      case 'map':
        return items.map(apply)
      case 'count':
        return items.filter(test).length
      case 'find':
        return items.find(test) ?? null
      case 'findIndex':
        return items.findIndex(test)
      case 'findLast':
        return items.findLast(test) ?? null
      case 'sum':
        return items.reduce<number>((t, x, i) => t + requireNumber(name, apply(x, i)), 0)
      default:
        return items.findLastIndex(test)
    }
  }

  private builtin(name: string, args: unknown[]): unknown {
    const [first, second] = args
    switch (name) {
      case 'isNil':
        return isNilValue(this.result)
      case 'default':
        return isNilValue(this.result) ? second : this.result
      case 'asFloat':
        if (typeof first === 'number') return first
        if (typeof first === 'string') return parseGoFloat(first)
        throw new ConditionError(`asFloat() not supported on ${goTypeName(first)} ${String(first)}`)
      case 'asInt':
        if (typeof first === 'number') return Math.trunc(first)
        if (typeof first === 'string') return parseGoInt(first, 'strconv.ParseInt')
        throw new ConditionError(`asInt() not supported on ${goTypeName(first)} ${String(first)}`)
      case 'isNaN':
        return Number.isNaN(this.floatArg(name, first))
      case 'isInf': {
        const value = this.floatArg(name, first)
        return value === Infinity || value === -Infinity
      }
      case 'len':
        if (typeof first === 'string' || Array.isArray(first)) return first.length
        if (isMap(first)) return Object.keys(first).length
        throw new ConditionError(`invalid argument for len (type ${goTypeName(first)})`)
      case 'abs':
        return Math.abs(requireNumber(name, first))
      case 'ceil':
        return Math.ceil(requireNumber(name, first))
      case 'floor':
        return Math.floor(requireNumber(name, first))
      case 'round':
        return Math.round(requireNumber(name, first))
      case 'int':
        if (typeof first === 'number') return Math.trunc(first)
        if (typeof first === 'string') return parseGoInt(first, 'strconv.Atoi')
        throw new ConditionError(`invalid operation: int(${goTypeName(first)})`)
      case 'float':
        if (typeof first === 'number') return first
        if (typeof first === 'string') return parseGoFloat(first)
        throw new ConditionError(`invalid operation: float(${goTypeName(first)})`)
      case 'string':
        return typeof first === 'string' ? first : JSON.stringify(first ?? null)
      case 'max':
      case 'min': {
        const numbers = numbersOf(name, args)
        if (numbers.length === 0) return null
        return name === 'max' ? Math.max(...numbers) : Math.min(...numbers)
      }
      case 'mean': {
        const numbers = numbersOf(name, args)
        return numbers.length === 0 ? 0 : numbers.reduce((s, x) => s + x, 0) / numbers.length
      }
      case 'median':
        return median(numbersOf(name, args))
      case 'first':
        return requireArray(name, first)[0] ?? null
      case 'last':
        return requireArray(name, first).at(-1) ?? null
      case 'keys':
      case 'values':
        if (!isMap(first)) {
          throw new ConditionError(`cannot get ${name} from ${goTypeName(first)}`)
        }
        return name === 'keys' ? Object.keys(first) : Object.values(first)
      case 'upper':
        return requireString(name, first).toUpperCase()
      case 'lower':
        return requireString(name, first).toLowerCase()
      case 'trim':
        return requireString(name, first).trim()
      case 'hasPrefix':
        return requireString(name, first).startsWith(requireString(name, second))
      case 'hasSuffix':
        return requireString(name, first).endsWith(requireString(name, second))
      case 'indexOf':
        return requireString(name, first).indexOf(requireString(name, second))
      case 'split':
        return requireString(name, first).split(requireString(name, second))
      case 'join':
        return requireArray(name, first)
          .map((x) => requireString(name, x))
          .join(second === undefined ? '' : requireString(name, second))
      default:
        throw new ConditionError(`unknown name ${name}`)
    }
  }

  private floatArg(fn: string, value: unknown): number {
    if (typeof value !== 'number') {
      throw new ConditionError(
        `cannot use ${goTypeName(value)} as argument (type float64) to call ${fn}`
      )
    }
    return value
  }
}

/**
 * Evaluates one condition against `result`. Returns its boolean value; throws ConditionError for a
 * syntax error, a compile-time type error, an error at run time, or a non-bool outcome ("expected
 * bool, but got T").
 */
export function evalCondition(condition: string, result: unknown): boolean {
  configure()
  let ast: Node
  try {
    ast = jsep(condition)
  } catch (err) {
    throw new ConditionError(`syntax error: ${(err as Error).message}`)
  }
  const checker = new Checker(result)
  checker.check(ast)
  let output: unknown
  try {
    output = new Evaluator(result, checker.natures).eval(ast)
  } catch (err) {
    if (err instanceof ConditionError) throw err
    throw new ConditionError((err as Error).message)
  }
  if (typeof output !== 'boolean') {
    throw new ConditionError(`expected bool, but got ${goTypeName(output)}`)
  }
  return output
}
