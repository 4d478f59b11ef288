/**
 * expr-lang's compile-time type check (expr-lang/expr checker/checker.go, v1.17), applied before a
 * condition runs. Argo passes its environment as a Go map (argoproj/argo-rollouts
 * utils/evaluate/evaluate.go EvalCondition), so `result` is typed by the value it holds
 * (expr-lang/expr conf/env.go): a JSON number is float64, a string string, an object
 * map[string]interface {}, an array []interface {}, null nil. Fields of a map and items of an
 * array are untyped (interface {}), so nothing is checked about them. Types that can never match
 * (`==` between float64 and string, a non-bool `&&` operand, a method call on a value) are errors
 * even in a branch that would never run.
 */
import type jsep from 'jsep'

/** A condition that cannot be evaluated: Argo records the measurement as Error. */
export class ConditionError extends Error {
  override readonly name = 'ConditionError'
}

type Node = jsep.Expression

type Kind = 'unknown' | 'nil' | 'int' | 'float' | 'string' | 'bool' | 'array' | 'map' | 'func'

export interface Nature {
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
export const PREDICATE_BUILTINS = new Set([
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

/** The type checker: returns the node's static type or throws expr's compile error. */
export class Checker {
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
