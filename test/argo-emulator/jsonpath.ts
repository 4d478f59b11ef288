/**
 * Kubernetes-dialect JSONPath templates as Argo's web provider applies them
 * (argoproj/argo-rollouts metricproviders/webmetric/webmetric.go with kubernetes/client-go
 * util/jsonpath parser.go and jsonpath.go): a template parsed into text and `{...}` actions,
 * evaluated over the decoded body, and the first value of the first non-empty result set used.
 *
 * No npm JSONPath library follows this dialect (RFC 9535 and jsonpath-plus differ on negative
 * indexes, quoted keys, text outside braces and filter typing), so the grammar is implemented here:
 * - text outside braces is literal text, and it is a result of its own (`error_rate` without
 *   braces yields the string "error_rate"); an action left open is "unclosed action";
 * - `$` and `@` are skipped, `.name` and `['name']` select a field, and a quoted key is parsed as
 *   a path, so `['a.b']` is `.a.b`; `["a"]` is an invalid array index;
 * - `[i]`, `[-1]`, `[start:end:step]`, `[*]`, unions `[0,'a']`, `.*`, `..` and filters
 *   `[?(@.x == 1.0)]` whose comparisons use Go template rules (a JSON number is a float64, so
 *   `== 1` is "incompatible types for comparison" and `== 1.0` works);
 * - a missing field is "<name> is not found", a selection with no element gives no value.
 * A body that is JSON `null` is not a value client-go can walk (reflect.ValueOf(nil) is invalid);
 * what Argo then does for `{$}` or an index is unverified, and is reported as an Error here.
 */

/** The path could not be parsed, or matched nothing: Argo records an Error measurement. */
export class JsonPathError extends Error {
  override readonly name = 'JsonPathError'
}

interface Param {
  known: boolean
  value: number
  derived: boolean
}

type PathNode =
  | { kind: 'text'; text: string }
  | { kind: 'list'; nodes: PathNode[] }
  | { kind: 'field'; name: string }
  | { kind: 'wildcard' }
  | { kind: 'recursive' }
  | { kind: 'array'; params: [Param, Param, Param] }
  | { kind: 'union'; lists: ListNode[] }
  | { kind: 'filter'; left: ListNode; right: ListNode; operator: string }
  | { kind: 'int'; value: number }
  | { kind: 'float'; value: number }
  | { kind: 'bool'; value: boolean }
  | { kind: 'identifier'; name: string }

type ListNode = Extract<PathNode, { kind: 'list' }>

/** A parsed template: top-level text and action lists. */
export interface JsonPathTemplate {
  source: string
  nodes: PathNode[]
}

const isAlphaNumeric = (ch: string): boolean => /^[\p{L}\p{Nd}_]$/u.test(ch)
const isDigit = (ch: string): boolean => /^\p{Nd}$/u.test(ch)
const TERMINATORS = new Set([' ', '\t', '\r', '\n', '.', ',', '[', ']', '$', '@', '{', '}'])
const isTerminator = (ch: string | undefined): boolean => ch === undefined || TERMINATORS.has(ch)
const SLICE = /^(-?\d*)(:-?\d*)?(:-?\d*)?$/
const DICT_KEY = /^'([^']*)'$/
const FILTER = /^([^!<>=]+)([!<>=]+)(.+?)$/s

/** Go's %#U of a character: U+0023 '#'. */
function goRune(ch: string): string {
  const code = ch.codePointAt(0) ?? 0
  return `U+${code.toString(16).toUpperCase().padStart(4, '0')} '${ch}'`
}

/** Unquotes a Go-style single- or double-quoted string (escapes as strconv.UnquoteChar). */
function unquote(quoted: string): string {
  const body = quoted.slice(1, -1)
  const escapes: Record<string, string> = {
    n: '\n',
    t: '\t',
    r: '\r',
    '\\': '\\',
    "'": "'",
    '"': '"',
    a: '\x07',
    b: '\b',
    f: '\f',
    v: '\v',
  }
  return body.replace(/\\(u[0-9a-fA-F]{4}|x[0-9a-fA-F]{2}|.)/g, (whole, esc: string) => {
    if (esc.length > 1) return String.fromCodePoint(parseInt(esc.slice(1), 16))
    const out = escapes[esc]
    if (out === undefined) throw new JsonPathError(`unquote string ${quoted} error invalid syntax`)
    return out
  })
}

class Parser {
  private pos = 0

  constructor(private readonly input: string) {}

  parse(): PathNode[] {
    const root: PathNode[] = []
    while (this.pos < this.input.length) {
      const open = this.input.indexOf('{', this.pos)
      if (open < 0) {
        root.push({ kind: 'text', text: this.input.slice(this.pos) })
        break
      }
      if (open > this.pos) root.push({ kind: 'text', text: this.input.slice(this.pos, open) })
      this.pos = open + 1
      const action: ListNode = { kind: 'list', nodes: [] }
      root.push(action)
      this.parseAction(action.nodes)
    }
    return root
  }

  /** Parses an action's nodes up to and including its closing brace. */
  private parseAction(nodes: PathNode[]): void {
    for (;;) {
      const rest = this.input.slice(this.pos)
      if (rest.startsWith('}')) {
        this.pos++
        return
      }
      if (rest.startsWith('[?(')) {
        this.parseFilter(nodes)
        continue
      }
      if (rest.startsWith('..')) {
        if (nodes.at(-1)?.kind === 'recursive') {
          throw new JsonPathError('invalid multiple recursive descent')
        }
        this.pos += 2
        nodes.push({ kind: 'recursive' })
        const next = this.input[this.pos]
        if (next !== undefined && isAlphaNumeric(next)) nodes.push(this.parseField())
        continue
      }
      const ch = [...rest][0]
      if (ch === undefined || ch === '\r' || ch === '\n') throw new JsonPathError('unclosed action')
      if (ch === ' ' || ch === '@' || ch === '$') {
        this.pos++
      } else if (ch === '[') {
        this.parseArray(nodes)
      } else if (ch === '"' || ch === "'") {
        nodes.push({ kind: 'text', text: this.parseQuote(ch) })
      } else if (ch === '.') {
        this.pos++
        nodes.push(this.parseField())
      } else if (ch === '+' || ch === '-' || isDigit(ch)) {
        nodes.push(this.parseNumber())
      } else if (isAlphaNumeric(ch)) {
        const start = this.pos
        while (!isTerminator(this.input[this.pos])) this.pos++
        const word = this.input.slice(start, this.pos)
        nodes.push(
          word === 'true' || word === 'false'
            ? { kind: 'bool', value: word === 'true' }
            : { kind: 'identifier', name: word }
        )
      } else {
        throw new JsonPathError(`unrecognized character in action: ${goRune(ch)}`)
      }
    }
  }

  /** A field name up to the next unescaped terminator; `*` is the wildcard. */
  private parseField(): PathNode {
    const start = this.pos
    for (;;) {
      const ch = this.input[this.pos]
      if (ch === '\\') this.pos += 2
      else if (isTerminator(ch)) break
      else this.pos++
    }
    const name = this.input.slice(start, Math.min(this.pos, this.input.length))
    return name === '*' ? { kind: 'wildcard' } : { kind: 'field', name: name.replace(/\\/g, '') }
  }

  private parseNumber(): PathNode {
    const start = this.pos
    if (this.input[this.pos] === '+' || this.input[this.pos] === '-') this.pos++
    while (this.pos < this.input.length) {
      const ch = this.input[this.pos] as string
      if (ch !== '.' && !isDigit(ch)) break
      this.pos++
    }
    const text = this.input.slice(start, this.pos)
    if (/^[+-]?\d+$/.test(text)) return { kind: 'int', value: Number(text) }
    if (/^[+-]?(\d+\.?\d*|\.\d+)$/.test(text)) return { kind: 'float', value: Number(text) }
    throw new JsonPathError(`cannot parse number ${text}`)
  }

  private parseQuote(quote: string): string {
    const start = this.pos
    this.pos++
    for (;;) {
      const ch = this.input[this.pos]
      if (ch === undefined || ch === '\n') throw new JsonPathError('unterminated quoted string')
      this.pos++
      if (ch === quote && this.input[this.pos - 2] !== '\\') break
    }
    return unquote(this.input.slice(start, this.pos))
  }

  private parseArray(nodes: PathNode[]): void {
    const close = this.input.indexOf(']', this.pos)
    const newline = this.input.indexOf('\n', this.pos)
    if (close < 0 || (newline >= 0 && newline < close)) {
      throw new JsonPathError('unterminated array')
    }
    let text = this.input.slice(this.pos + 1, close)
    this.pos = close + 1
    if (text === '*') text = ':'
    const parts = text.split(',')
    if (parts.length > 1) {
      const lists = parts.map((part) => subAction(`[${part.replace(/^ +| +$/g, '')}]`))
      nodes.push({ kind: 'union', lists })
      return
    }
    const key = DICT_KEY.exec(text)
    if (key) {
      // A quoted key is parsed as a path: ['a.b'] selects a, then b.
      nodes.push(...subAction(`.${key[1] ?? ''}`).nodes)
      return
    }
    const slice = SLICE.exec(text)
    if (!slice) throw new JsonPathError(`invalid array index ${text}`)
    const params: [Param, Param, Param] = [
      { known: false, value: 0, derived: false },
      { known: false, value: 0, derived: false },
      { known: false, value: 0, derived: false },
    ]
    for (let i = 0; i < 3; i++) {
      let part = slice[i + 1] ?? ''
      const param = params[i] as Param
      if (part !== '') {
        if (i > 0) part = part.slice(1)
        if (i > 0 && part === '') continue
        if (!/^-?\d+$/.test(part)) throw new JsonPathError(`array index ${part} is not a number`)
        param.known = true
        param.value = Number(part)
      } else if (i === 1) {
        // [n] is the slice [n:n+1].
        param.known = true
        param.value = params[0].value + 1
        param.derived = true
      }
    }
    nodes.push({ kind: 'array', params })
  }

  private parseFilter(nodes: PathNode[]): void {
    this.pos += 3
    const start = this.pos
    let begin = false
    let end = false
    let pair = ''
    for (;;) {
      const ch = this.input[this.pos]
      if (ch === undefined || ch === '\n') throw new JsonPathError('unterminated filter')
      this.pos++
      if (ch === '"' || ch === "'") {
        if (!begin) {
          begin = true
          pair = ch
        } else if (this.input[this.pos - 2] !== '\\' && ch === pair) {
          end = true
        }
      } else if (ch === ')' && begin === end) {
        break
      }
    }
    if (this.input[this.pos] !== ']') throw new JsonPathError('unclosed array expect ]')
    this.pos++
    const text = this.input.slice(start, this.pos - 2)
    const match = FILTER.exec(text)
    if (!match) {
      nodes.push({
        kind: 'filter',
        left: subAction(text),
        right: { kind: 'list', nodes: [] },
        operator: 'exists',
      })
      return
    }
    nodes.push({
      kind: 'filter',
      left: subAction(match[1] ?? ''),
      right: subAction(match[3] ?? ''),
      operator: match[2] ?? '',
    })
  }
}

/** Parses `text` as the inside of one action. */
function subAction(text: string): ListNode {
  const nodes = new Parser(`{${text}}`).parse()
  return nodes[0] as ListNode
}

/** Parses a web metric's jsonPath (`{$}` when empty). Throws JsonPathError on a syntax error. */
export function parseJsonPath(template: string): JsonPathTemplate {
  const source = template === '' ? '{$}' : template
  return { source, nodes: new Parser(source).parse() }
}

// ---------------------------------------------------------------------------------------------
// Evaluation

/** The value of a JSON `null` body: not a value client-go can walk. */
const INVALID = Symbol('invalid reflect.Value')
/** An integer literal of the path (Go int), kept apart from JSON numbers (float64). */
class GoInt {
  constructor(readonly value: number) {}
}

function goType(value: unknown): string {
  if (value === null) return '<nil>'
  if (value instanceof GoInt) return 'int'
  if (typeof value === 'number') return 'float64'
  if (typeof value === 'string') return 'string'
  if (typeof value === 'boolean') return 'bool'
  if (Array.isArray(value)) return '[]interface {}'
  return 'map[string]interface {}'
}

function isMap(value: unknown): value is Record<string, unknown> {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    !(value instanceof GoInt)
  )
}

function unverified(what: string): JsonPathError {
  return new JsonPathError(
    `Could not find JSONPath in body: ${what} of a null body (unverified in Argo)`
  )
}

/** Items of a map, an array or a string (the bytes of a Go string). */
function children(value: unknown): unknown[] {
  if (Array.isArray(value)) return value
  if (isMap(value)) return Object.values(value)
  if (typeof value === 'string') return [...Buffer.from(value, 'utf8')]
  return []
}

type Kind = 'bool' | 'int' | 'float' | 'string'

/** Go template comparison kinds (client-go third_party/forked/golang/template funcs.go). */
function basicKind(value: unknown): Kind {
  if (typeof value === 'boolean') return 'bool'
  if (value instanceof GoInt) return 'int'
  if (typeof value === 'number') return 'float'
  if (typeof value === 'string') return 'string'
  throw new JsonPathError('invalid type for comparison')
}

function raw(value: unknown): number | string | boolean {
  return value instanceof GoInt ? value.value : (value as number | string | boolean)
}

function less(a: unknown, b: unknown): boolean {
  const ka = basicKind(a)
  const kb = basicKind(b)
  if (ka !== kb) throw new JsonPathError('incompatible types for comparison')
  if (ka === 'bool') throw new JsonPathError('invalid type for comparison')
  return raw(a) < raw(b)
}

function equal(a: unknown, b: unknown): boolean {
  const ka = basicKind(a)
  const kb = basicKind(b)
  if (ka !== kb) throw new JsonPathError('incompatible types for comparison')
  return raw(a) === raw(b)
}

function compare(operator: string, a: unknown, b: unknown): boolean {
  switch (operator) {
    case '<':
      return less(a, b)
    case '>':
      return !(less(a, b) || equal(a, b))
    case '==':
      return equal(a, b)
    case '!=':
      return !equal(a, b)
    case '<=':
      return less(a, b) || equal(a, b)
    case '>=':
      return !less(a, b)
    default:
      throw new JsonPathError(`unrecognized filter operator ${operator}`)
  }
}

function walk(input: unknown[], node: PathNode): unknown[] {
  switch (node.kind) {
    case 'list':
      return node.nodes.reduce<unknown[]>((values, child) => walk(values, child), input)
    case 'text':
      return [node.text]
    case 'int':
      return input.map(() => new GoInt(node.value))
    case 'float':
    case 'bool':
      return input.map(() => node.value)
    case 'identifier':
      if (node.name === 'range' || node.name === 'end') {
        throw new JsonPathError(`range/end blocks are not emulated`)
      }
      throw new JsonPathError(`unrecognized identifier ${node.name}`)
    case 'field': {
      if (input.length === 0) return []
      const results: unknown[] = []
      for (const value of input) {
        if (isMap(value) && Object.hasOwn(value, node.name)) results.push(value[node.name])
      }
      if (results.length === 0) throw new JsonPathError(`${node.name} is not found`)
      return results
    }
    case 'wildcard':
      return input.flatMap((value) => (value === INVALID ? [] : children(value)))
    case 'recursive': {
      const results: unknown[] = []
      const descend = (values: unknown[]): void => {
        for (const value of values) {
          const items = value === INVALID ? [] : children(value)
          if (items.length > 0) {
            results.push(value)
            descend(items)
          }
        }
      }
      descend(input)
      return results
    }
    case 'union':
      return node.lists.flatMap((list) => walk(input, list))
    case 'array':
      return input.flatMap((value) => selectArray(value, node.params))
    case 'filter':
      return input.flatMap((value) => filter(value, node))
  }
}

function selectArray(value: unknown, [from, to, step]: [Param, Param, Param]): unknown[] {
  if (value === null) return []
  if (value === INVALID) throw unverified('an index')
  if (!Array.isArray(value)) throw new JsonPathError(`${goType(value)} is not array or slice`)
  const length = value.length
  let start = from.known ? from.value : 0
  if (start < 0) start += length
  let end = to.known ? to.value : length
  if (end < 0 || (end === 0 && to.derived)) end += length
  if (end === start) return []
  if (start >= length || start < 0) {
    throw new JsonPathError(`array index out of bounds: index ${start}, length ${length}`)
  }
  if (end > length || end < 0) {
    throw new JsonPathError(`array index out of bounds: index ${end - 1}, length ${length}`)
  }
  if (start > end) {
    throw new JsonPathError(`starting index ${start} is greater than ending index ${end}`)
  }
  let stride = 1
  if (step.known) {
    if (step.value <= 0) throw new JsonPathError('step must be > 0')
    stride = step.value
  }
  const out: unknown[] = []
  for (let i = start; i < end; i += stride) out.push(value[i])
  return out
}

/** Go's %v of a decoded JSON value. */
function goFormat(value: unknown): string {
  if (value === null) return '<nil>'
  if (typeof value === 'number') {
    return Math.abs(value) >= 1e21 || (value !== 0 && Math.abs(value) < 1e-4)
      ? value.toExponential().replace(/e([+-])(\d)$/, 'e$10$2')
      : String(value)
  }
  if (Array.isArray(value)) return `[${value.map(goFormat).join(' ')}]`
  if (isMap(value)) {
    const keys = Object.keys(value).sort()
    return `map[${keys.map((k) => `${k}:${goFormat(value[k])}`).join(' ')}]`
  }
  return String(value)
}

function filter(value: unknown, node: Extract<PathNode, { kind: 'filter' }>): unknown[] {
  if (!Array.isArray(value)) {
    const shown = value === INVALID ? '<invalid reflect.Value>' : goFormat(value)
    throw new JsonPathError(`${shown} is not array or slice and cannot be filtered`)
  }
  const results: unknown[] = []
  for (const item of value) {
    if (node.operator === 'exists') {
      let lefts: unknown[] = []
      try {
        lefts = walk([item], node.left)
      } catch {
        lefts = []
      }
      if (lefts.length > 0) results.push(item)
      continue
    }
    const lefts = walk([item], node.left)
    if (lefts.length === 0) continue
    if (lefts.length > 1) throw new JsonPathError('can only compare one element at a time')
    const rights = walk([item], node.right)
    if (rights.length === 0) continue
    if (rights.length > 1) throw new JsonPathError('can only compare one element at a time')
    if (compare(node.operator, lefts[0], rights[0])) results.push(item)
  }
  return results
}

/**
 * Evaluates a jsonPath template over a decoded body and returns the first value of the first
 * non-empty result set (webmetric.go getValue), which may be null. Throws JsonPathError with
 * Argo's messages: the parse error itself, "Could not find JSONPath in body: ..." when a step
 * fails, "result of web metric produced no value" when nothing was selected.
 */
export function firstJsonPathValue(template: string | JsonPathTemplate, data: unknown): unknown {
  const parsed = typeof template === 'string' ? parseJsonPath(template) : template
  const root: unknown = data === null ? INVALID : data
  const resultSets: unknown[][] = []
  try {
    for (const node of parsed.nodes) resultSets.push(walk([root], node))
  } catch (err) {
    if (err instanceof JsonPathError && err.message.startsWith('Could not find')) throw err
    throw new JsonPathError(`Could not find JSONPath in body: ${(err as Error).message}`)
  }
  for (const results of resultSets) {
    if (results.length === 0) continue
    const first = results[0]
    if (first === INVALID) throw unverified('the whole value')
    return first instanceof GoInt ? first.value : first
  }
  throw new JsonPathError('result of web metric produced no value')
}
