/**
 * successCondition / failureCondition evaluation with expr-lang's semantics (expr v1.17, the
 * version Argo Rollouts uses in utils/evaluate/evaluate.go). jsep parses; this module then does
 * what expr does in two steps:
 *
 * 1. A compile-time type check (expr-lang/expr checker/checker.go). Argo passes its environment
 *    as a Go map, so `result` is typed by the value it holds: a JSON number is float64, a string
 *    string, an object map[string]interface {}, an array []interface {}, null nil. Fields of a
 *    map and items of an array are untyped (interface {}), so nothing is checked about them.
 *    `==`/`!=` between types that can never be equal (float64 and string, bool and int, ...), a
 *    non-bool operand of `&&`, a method call on a value (`result.Name()`) and the like are
 *    compile errors even in a branch that would never run: the measurement is Error.
 * 2. Evaluation with Go-like semantics: ordering and arithmetic on mismatched runtime types,
 *    fetching from nil and an index out of range are errors; a missing map key is nil; `==`
 *    between different runtime types is false; the whole expression must produce a bool.
 *
 * The environment is Argo's (`result`, `asInt`, `asFloat`, `isNaN`, `isInf`, `isNil`,
 * `default`) plus expr's builtins listed in BUILTINS, with predicates (`all(result, {# < 5})`,
 * `{...}` optional, `#`, `.field` for `#.field`, `#index` in `map`). Argo's `isNil(x)` and
 * `default(x, d)` ignore their first argument and test the whole result (evaluate.go
 * isNilFunc/defaultFunc); so does this module.
 *
 * Known gaps: all runtime numbers are JavaScript numbers (expr's int/float split is kept for
 * type checking only); `let`, `if/else`, ranges, slices, pipes, map literals and the builtins
 * missing from BUILTINS (dates, groupBy, reduce, sortBy, ...) are errors here.
 */
import jsep from 'jsep'

/** A condition that cannot be evaluated: Argo records the measurement as Error. */
export class ConditionError extends Error {
  override readonly name = 'ConditionError'
}

type Node = jsep.Expression

// ---------------------------------------------------------------------------------------------
// Parsing

let configured = false

/** Registers expr's operators and predicate syntax with jsep (idempotent; jsep is global). */
function configure(): void {
  if (configured) return
  configured = true
  jsep.addBinaryOp('or', 1)
  jsep.addBinaryOp('??', 1)
  jsep.addBinaryOp('and', 2)
  for (const op of ['in', 'contains', 'startsWith', 'endsWith', 'matches']) jsep.addBinaryOp(op, 7)
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
// Static types ("natures" in expr's checker)

type Kind = 'unknown' | 'nil' | 'int' | 'float' | 'string' | 'bool' | 'array' | 'map' | 'func'

interface Nature {
  kind: Kind
  /** Element type of an array. */
  elem?: Nature
  /** Go type name when it is not the default for the kind (e.g. int64). */
  goName?: string
}

const UNKNOWN: Nature = { kind: 'unknown' }
const NIL: Nature = { kind: 'nil' }
const INT: Nature = { kind: 'int' }
const FLOAT: Nature = { kind: 'float' }
const STRING: Nature = { kind: 'string' }
const BOOL: Nature = { kind: 'bool' }
const ANY_ARRAY: Nature = { kind: 'array', elem: UNKNOWN }
const ANY_MAP: Nature = { kind: 'map' }

function natureName(n: Nature): string {
  if (n.goName !== undefined) return n.goName
  switch (n.kind) {
    case 'unknown':
      return 'interface {}'
    case 'nil':
      // expr prints a nil Nature as "unknown" (checker/nature/nature.go String).
      return 'unknown'
    case 'int':
      return 'int'
    case 'float':
      return 'float64'
    case 'array':
      return `[]${natureName(n.elem ?? UNKNOWN)}`
    case 'map':
      return 'map[string]interface {}'
    default:
      return n.kind
  }
}

const isUnknown = (n: Nature): boolean => n.kind === 'unknown'
const isNumber = (n: Nature): boolean => n.kind === 'int' || n.kind === 'float'
const arrayOf = (elem: Nature): Nature => ({ kind: 'array', elem })

/** The static type of `result` as Go's encoding/json decoded it into `any`. */
function natureOfValue(value: unknown): Nature {
  if (value === null || value === undefined) return NIL
  if (typeof value === 'number') return FLOAT
  if (typeof value === 'string') return STRING
  if (typeof value === 'boolean') return BOOL
  if (Array.isArray(value)) return ANY_ARRAY
  return ANY_MAP
}

/** expr's Nature.ComparableTo: the operands of == and != may be compared. */
function comparable(l: Nature, r: Nature): boolean {
  if (isUnknown(l) || isUnknown(r) || l.kind === 'nil' || r.kind === 'nil') return true
  if (isNumber(l) && isNumber(r)) return true
  return l.kind === r.kind
}

/** expr's MaybeCompatible: both unknown, or one unknown and the other of an allowed kind. */
function maybe(l: Nature, r: Nature, ...kinds: Kind[]): boolean {
  return (
    (isUnknown(l) && isUnknown(r)) ||
    (isUnknown(l) && kinds.includes(r.kind)) ||
    (isUnknown(r) && kinds.includes(l.kind))
  )
}

function mismatched(op: string, l: Nature, r: Nature): ConditionError {
  return new ConditionError(
    `invalid operation: ${op} (mismatched types ${natureName(l)} and ${natureName(r)})`
  )
}

/** Argo's environment functions (utils/evaluate/evaluate.go EvalCondition). */
const ENV_FUNCTIONS: Record<string, { params: Nature[]; out: Nature }> = {
  asInt: { params: [UNKNOWN], out: { kind: 'int', goName: 'int64' } },
  asFloat: { params: [UNKNOWN], out: FLOAT },
  isNaN: { params: [FLOAT], out: BOOL },
  isInf: { params: [FLOAT], out: BOOL },
  isNil: { params: [UNKNOWN], out: BOOL },
  default: { params: [UNKNOWN, UNKNOWN], out: UNKNOWN },
}

/** expr builtins taking an array and a predicate (expr-lang/expr builtin/builtin.go). */
const PREDICATE_BUILTINS = new Set([
  'all',
  'any',
  'none',
  'one',
  'filter',
  'map',
  'count',
  'find',
  'findIndex',
  'findLast',
  'findLastIndex',
  'sum',
])

/** Other expr builtins emulated, with their arity range. */
const BUILTINS: Record<string, [min: number, max: number]> = {
  len: [1, 1],
  abs: [1, 1],
  int: [1, 1],
  float: [1, 1],
  string: [1, 1],
  ceil: [1, 1],
  floor: [1, 1],
  round: [1, 1],
  max: [1, Infinity],
  min: [1, Infinity],
  mean: [1, Infinity],
  median: [1, Infinity],
  first: [1, 1],
  last: [1, 1],
  keys: [1, 1],
  values: [1, 1],
  upper: [1, 1],
  lower: [1, 1],
  trim: [1, 1],
  hasPrefix: [2, 2],
  hasSuffix: [2, 2],
  indexOf: [2, 2],
  join: [1, 2],
  split: [2, 2],
}

function arity(name: string, count: number, min: number, max: number): void {
  if (count < min) throw new ConditionError(`not enough arguments to call ${name}`)
  if (count > max) throw new ConditionError(`too many arguments to call ${name}`)
}

function nodeName(node: Node): string | undefined {
  if (node.type === 'Identifier') return node.name as string
  if (node.type === 'MemberExpression' && node.computed !== true) {
    return ((node.property as Node).name as string | undefined) ?? undefined
  }
  return undefined
}

/** The type checker: returns the node's static type or throws expr's compile error. */
class Checker {
  /** Element types of the enclosing predicates, innermost last. */
  private readonly scopes: Nature[] = []

  /** Every node's static type (the evaluator needs it for `%`). */
  readonly natures = new WeakMap<Node, Nature>()

  constructor(private readonly result: unknown) {}

  check(node: Node): Nature {
    const nature = this.visit(node)
    this.natures.set(node, nature)
    return nature
  }

  private visit(node: Node): Nature {
    switch (node.type) {
      case 'Literal':
        return this.literal(node)
      case 'Identifier':
        return this.identifier(node.name as string)
      case 'ArrayExpression': {
        for (const item of (node.elements as Array<Node | null>) ?? []) if (item) this.check(item)
        return ANY_ARRAY
      }
      case 'UnaryExpression':
        return this.unary(node)
      case 'BinaryExpression':
      case 'LogicalExpression':
        return this.binary(node)
      case 'ConditionalExpression':
        return this.conditional(node)
      case 'MemberExpression':
        return this.member(node, false)
      case 'CallExpression':
        return this.call(node)
      case 'Closure':
        throw new ConditionError('unexpected predicate outside a builtin')
      default:
        throw new ConditionError(`unsupported syntax: ${node.type}`)
    }
  }

  private literal(node: Node): Nature {
    const value = node.value
    if (value === null) return NIL
    if (typeof value === 'boolean') return BOOL
    if (typeof value === 'string') return STRING
    if (typeof value === 'number') return /[.eE]/.test(String(node.raw)) ? FLOAT : INT
    return UNKNOWN
  }

  private identifier(name: string): Nature {
    if (name === 'result') return natureOfValue(this.result)
    if (name === '#' || name === '#index') {
      const scope = this.scopes.at(-1)
      if (scope === undefined)
        throw new ConditionError('cannot use pointer accessor outside predicate')
      return name === '#index' ? INT : scope
    }
    if (name in ENV_FUNCTIONS || name in BUILTINS || PREDICATE_BUILTINS.has(name)) {
      return { kind: 'func' }
    }
    throw new ConditionError(`unknown name ${name}`)
  }

  private unary(node: Node): Nature {
    const op = node.operator as string
    const n = this.check(node.argument as Node)
    if (op === '!' || op === 'not') {
      if (n.kind === 'bool' || isUnknown(n)) return BOOL
    } else if (op === '-' || op === '+') {
      if (isNumber(n)) return n
      if (isUnknown(n)) return UNKNOWN
    }
    throw new ConditionError(`invalid operation: ${op} (mismatched type ${natureName(n)})`)
  }

  private binary(node: Node): Nature {
    const op = node.operator as string
    const l = this.check(node.left as Node)
    const r = this.check(node.right as Node)
    switch (op) {
      case '==':
      case '!=':
        if (comparable(l, r)) return BOOL
        break
      case '&&':
      case '||':
      case 'and':
      case 'or':
        if ((l.kind === 'bool' && r.kind === 'bool') || maybe(l, r, 'bool')) return BOOL
        break
      case '<':
      case '>':
      case '<=':
      case '>=':
        if ((isNumber(l) && isNumber(r)) || (l.kind === 'string' && r.kind === 'string')) {
          return BOOL
        }
        if (maybe(l, r, 'int', 'float', 'string')) return BOOL
        break
      case '-':
      case '*':
        if (isNumber(l) && isNumber(r))
          return l.kind === 'float' || r.kind === 'float' ? FLOAT : INT
        if (maybe(l, r, 'int', 'float')) return UNKNOWN
        break
      case '/':
      case '**':
      case '^':
        if ((isNumber(l) && isNumber(r)) || maybe(l, r, 'int', 'float')) return FLOAT
        break
      case '%':
        if ((l.kind === 'int' && r.kind === 'int') || maybe(l, r, 'int')) return INT
        break
      case '+':
        if (isNumber(l) && isNumber(r))
          return l.kind === 'float' || r.kind === 'float' ? FLOAT : INT
        if (l.kind === 'string' && r.kind === 'string') return STRING
        if (maybe(l, r, 'int', 'float', 'string')) return UNKNOWN
        break
      case 'in':
        if (r.kind === 'map') {
          if (!isUnknown(l) && l.kind !== 'string') {
            throw new ConditionError(`cannot use ${natureName(l)} as type string in map key`)
          }
          return BOOL
        }
        if (r.kind === 'array') {
          const elem = r.elem ?? UNKNOWN
          if (!comparable(l, elem)) {
            throw new ConditionError(
              `cannot use ${natureName(l)} as type ${natureName(elem)} in array`
            )
          }
          return BOOL
        }
        if (isUnknown(r) || (isUnknown(l) && ['string', 'array', 'map'].includes(r.kind))) {
          return BOOL
        }
        break
      case 'contains':
      case 'startsWith':
      case 'endsWith':
      case 'matches':
        if ((l.kind === 'string' && r.kind === 'string') || maybe(l, r, 'string')) return BOOL
        break
      case '??':
        if (l.kind === 'nil') return r
        if (r.kind === 'nil' || r.kind === l.kind) return l
        return UNKNOWN
      default:
        throw new ConditionError(`unknown operator (${op})`)
    }
    throw mismatched(op, l, r)
  }

  private conditional(node: Node): Nature {
    const test = this.check(node.test as Node)
    if (test.kind !== 'bool' && !isUnknown(test)) {
      throw new ConditionError(`non-bool expression (type ${natureName(test)}) used as condition`)
    }
    const a = this.check(node.consequent as Node)
    const b = this.check(node.alternate as Node)
    if (a.kind === 'nil') return b
    if (b.kind === 'nil' || a.kind === b.kind) return a
    return UNKNOWN
  }

  private member(node: Node, method: boolean): Nature {
    const base = this.check(node.object as Node)
    const computed = node.computed === true
    const property = node.property as Node
    const prop = computed ? this.check(property) : STRING
    const name = computed ? undefined : (property.name as string)
    if (isUnknown(base)) return UNKNOWN
    if (name !== undefined && base.kind === 'nil') {
      throw new ConditionError(`type nil has no field ${name}`)
    }
    if (base.kind === 'map') {
      if (prop.kind !== 'string' && !isUnknown(prop)) {
        throw new ConditionError(
          `cannot use ${natureName(prop)} to get an element from ${natureName(base)}`
        )
      }
      return UNKNOWN
    }
    if (base.kind === 'array' || (base.kind === 'string' && computed)) {
      if (prop.kind !== 'int' && !isUnknown(prop)) {
        throw new ConditionError(
          `array elements can only be selected using an integer (got ${natureName(prop)})`
        )
      }
      return base.kind === 'string' ? STRING : (base.elem ?? UNKNOWN)
    }
    if (name !== undefined) {
      throw new ConditionError(
        `type ${natureName(base)} has no ${method ? 'method' : 'field'} ${name}`
      )
    }
    throw new ConditionError(`type ${natureName(base)}[${natureName(prop)}] is undefined`)
  }

  private call(node: Node): Nature {
    const callee = node.callee as Node
    const args = node.arguments as Node[]
    if (callee.type === 'MemberExpression') {
      // A method call on a value: expr resolves methods of Go types only.
      const fn = this.member(callee, true)
      for (const arg of args) this.check(arg)
      if (isUnknown(fn)) return UNKNOWN
      throw new ConditionError(`${natureName(fn)} is not callable`)
    }
    if (callee.type !== 'Identifier') {
      this.check(callee)
      return UNKNOWN
    }
    const name = callee.name as string
    const env = ENV_FUNCTIONS[name]
    if (env !== undefined) {
      arity(name, args.length, env.params.length, env.params.length)
      args.forEach((arg, i) => {
        const n = this.check(arg)
        const param = env.params[i] ?? UNKNOWN
        if (isUnknown(param) || isUnknown(n)) return
        if (param.kind === 'float' && isNumber(n)) return
        if (n.kind === 'nil') {
          throw new ConditionError(`cannot use nil as argument (type float64) to call ${name}`)
        }
        if (n.kind !== param.kind) {
          throw new ConditionError(
            `cannot use ${natureName(n)} as argument (type ${natureName(param)}) to call ${name} `
          )
        }
      })
      return env.out
    }
    if (PREDICATE_BUILTINS.has(name)) return this.predicate(name, args)
    const range = BUILTINS[name]
    if (range === undefined) throw new ConditionError(`unknown name ${name}`)
    arity(name, args.length, range[0], range[1])
    const natures = args.map((arg) => this.check(arg))
    const first = natures[0] ?? UNKNOWN
    const invalid = (): ConditionError =>
      new ConditionError(`invalid argument for ${name} (type ${natureName(first)})`)
    switch (name) {
      case 'len':
        if (!['array', 'map', 'string', 'unknown'].includes(first.kind)) throw invalid()
        return INT
      case 'abs':
        if (!isNumber(first) && !isUnknown(first)) throw invalid()
        return first
      case 'ceil':
      case 'floor':
      case 'round':
        if (!isNumber(first) && !isUnknown(first)) throw invalid()
        return FLOAT
      case 'int':
        return INT
      case 'float':
      case 'mean':
      case 'median':
        return FLOAT
      case 'string':
      case 'upper':
      case 'lower':
      case 'trim':
      case 'join':
        return STRING
      case 'hasPrefix':
      case 'hasSuffix':
        return BOOL
      case 'indexOf':
        return INT
      case 'split':
        return arrayOf(STRING)
      case 'first':
      case 'last':
        return first.kind === 'array' ? (first.elem ?? UNKNOWN) : UNKNOWN
      case 'keys':
        return arrayOf(STRING)
      case 'values':
        return ANY_ARRAY
      default:
        return UNKNOWN
    }
  }

  private predicate(name: string, args: Node[]): Nature {
    if ((name === 'count' || name === 'sum') && args.length === 1) {
      const collection = this.check(args[0] as Node)
      if (collection.kind !== 'array' && !isUnknown(collection)) {
        throw new ConditionError(`builtin ${name} takes only array (got ${natureName(collection)})`)
      }
      return name === 'count' ? INT : UNKNOWN
    }
    arity(name, args.length, 2, 2)
    const collection = this.check(args[0] as Node)
    if (collection.kind !== 'array' && !isUnknown(collection)) {
      throw new ConditionError(`builtin ${name} takes only array (got ${natureName(collection)})`)
    }
    const elem = collection.kind === 'array' ? (collection.elem ?? UNKNOWN) : UNKNOWN
    const body = args[1] as Node
    this.scopes.push(elem)
    let out: Nature
    try {
      out = this.check(body.type === 'Closure' ? (body.body as Node) : body)
    } finally {
      this.scopes.pop()
    }
    if (name !== 'map' && name !== 'sum' && out.kind !== 'bool' && !isUnknown(out)) {
      throw new ConditionError(`predicate should return boolean (got ${natureName(out)})`)
    }
    switch (name) {
      case 'filter':
        return arrayOf(elem)
      case 'map':
        return arrayOf(out)
      case 'count':
      case 'findIndex':
      case 'findLastIndex':
        return INT
      case 'sum':
        return UNKNOWN
      case 'find':
      case 'findLast':
        return elem
      default:
        return BOOL
    }
  }
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
