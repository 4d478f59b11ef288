/**
 * Recursive-descent parser for the Python subset Pixie's PxL compiler accepts (pixie-io/pixie src/carnot/planner/compiler/ast_visitor.cc):
 * statements Import, expression statements (docstrings included), Assign, FunctionDef and Return;
 * expressions Attribute, BinOp, BoolOp, Call, Compare, Dict, List, Name, Number, Str, Subscript,
 * Tuple and UnaryOp. Anything else Python would parse is rejected with a PxlCompileError at the
 * construct's position, worded like Pixie's "Can't parse expression of type If", so scripts that
 * pass here do not fail on a real Vizier for syntax reasons.
 */
import type {
  AssignStmt,
  CompareOperator,
  Expr,
  FunctionDefStmt,
  Keyword,
  Module,
  Param,
  Pos,
  Stmt,
} from './ast'
import { tokenize, type Token } from './tokenizer'
import { PxlCompileError } from './types'

/** Python keywords; none of them may be used as a name or attribute. */
const KEYWORDS = new Set([
  'False',
  'None',
  'True',
  'and',
  'as',
  'assert',
  'async',
  'await',
  'break',
  'class',
  'continue',
  'def',
  'del',
  'elif',
  'else',
  'except',
  'finally',
  'for',
  'from',
  'global',
  'if',
  'import',
  'in',
  'is',
  'lambda',
  'nonlocal',
  'not',
  'or',
  'pass',
  'raise',
  'return',
  'try',
  'while',
  'with',
  'yield',
])

/** Statement keywords Pixie rejects, with the Python AST node name its error message uses. */
const REJECTED_STATEMENTS: Record<string, string> = {
  if: 'If',
  elif: 'If',
  else: 'If',
  for: 'For',
  while: 'While',
  class: 'ClassDef',
  try: 'Try',
  except: 'Try',
  finally: 'Try',
  with: 'With',
  pass: 'Pass',
  break: 'Break',
  continue: 'Continue',
  del: 'Delete',
  global: 'Global',
  nonlocal: 'Nonlocal',
  assert: 'Assert',
  raise: 'Raise',
  async: 'AsyncFunctionDef',
  yield: 'Yield',
  await: 'Await',
}

const UNSUPPORTED_BINARY: Record<string, string> = {
  '**': 'Pow',
  '//': 'FloorDiv',
  '@': 'MatMult',
  '&': 'BitAnd',
  '|': 'BitOr',
  '^': 'BitXor',
  '<<': 'LShift',
  '>>': 'RShift',
}

const COMPARE_OPS = new Set(['==', '!=', '<', '<=', '>', '>='])
const AUG_ASSIGN = new Set([
  '+=',
  '-=',
  '*=',
  '/=',
  '%=',
  '**=',
  '//=',
  '>>=',
  '<<=',
  '&=',
  '|=',
  '^=',
  '@=',
])

/** Parses PxL source into a Module; throws PxlCompileError with 1-based line/column. */
export function parse(source: string): Module {
  return new Parser(tokenize(source)).parseModule()
}

function cantParse(kind: string, at: Pos): PxlCompileError {
  return new PxlCompileError(`Can't parse expression of type ${kind}`, at.line, at.column)
}

function pos(t: Pos): Pos {
  return { line: t.line, column: t.column }
}

class Parser {
  private i = 0
  private functionDepth = 0

  constructor(private readonly tokens: Token[]) {}

  parseModule(): Module {
    const body: Stmt[] = []
    while (!this.at('eof')) {
      if (this.at('newline')) {
        this.i++
        continue
      }
      body.push(...this.statement())
    }
    return { body }
  }

  // ---- token helpers ----

  private peek(offset = 0): Token {
    return (this.tokens[this.i + offset] ?? this.tokens[this.tokens.length - 1]) as Token
  }

  private at(kind: Token['kind'], value?: string): boolean {
    const t = this.peek()
    return t.kind === kind && (value === undefined || t.value === value)
  }

  private atOp(value: string): boolean {
    return this.at('op', value)
  }

  private atKeyword(value: string): boolean {
    return this.at('name', value)
  }

  private next(): Token {
    const t = this.peek()
    this.i++
    return t
  }

  private expectOp(value: string): Token {
    if (!this.atOp(value)) throw this.syntaxError(this.peek(), `expected '${value}'`)
    return this.next()
  }

  private syntaxError(t: Token, detail?: string): PxlCompileError {
    let what = 'invalid syntax'
    if (t.kind === 'indent') what = 'unexpected indent'
    else if (t.kind === 'eof') what = 'unexpected EOF while parsing'
    return new PxlCompileError(detail !== undefined ? `${what}: ${detail}` : what, t.line, t.column)
  }

  // ---- statements ----

  private statement(): Stmt[] {
    const t = this.peek()
    if (t.kind === 'indent') throw this.syntaxError(t)
    if (t.kind === 'op' && t.value === '@') {
      throw new PxlCompileError('Decorators are not supported in PxL', t.line, t.column)
    }
    if (t.kind === 'name') {
      if (t.value === 'def') return [this.functionDef()]
      const rejected = REJECTED_STATEMENTS[t.value]
      if (rejected !== undefined) throw cantParse(rejected, t)
    }
    return this.simpleStatements()
  }

  private simpleStatements(): Stmt[] {
    const out: Stmt[] = [this.smallStatement()]
    while (this.atOp(';')) {
      this.next()
      if (this.at('newline') || this.at('eof')) break
      out.push(this.smallStatement())
    }
    if (this.at('newline')) this.next()
    else if (!this.at('eof') && !this.at('dedent')) throw this.syntaxError(this.peek())
    return out
  }

  private smallStatement(): Stmt {
    const t = this.peek()
    if (t.kind === 'name') {
      if (t.value === 'import') return this.importStatement()
      if (t.value === 'from') {
        throw new PxlCompileError(
          "'from ... import' is not supported by the simulator; use 'import px'",
          t.line,
          t.column
        )
      }
      if (t.value === 'return') return this.returnStatement()
      const rejected = REJECTED_STATEMENTS[t.value]
      if (rejected !== undefined) throw cantParse(rejected, t)
    }
    return this.expressionStatement()
  }

  private importStatement(): Stmt {
    const kw = this.next()
    const nameTok = this.next()
    if (nameTok.kind !== 'name' || KEYWORDS.has(nameTok.value)) throw this.syntaxError(nameTok)
    let module = nameTok.value
    while (this.atOp('.')) {
      this.next()
      const part = this.next()
      if (part.kind !== 'name') throw this.syntaxError(part)
      module += '.' + part.value
    }
    let alias = module
    if (this.atKeyword('as')) {
      this.next()
      const a = this.next()
      if (a.kind !== 'name' || KEYWORDS.has(a.value)) throw this.syntaxError(a)
      alias = a.value
    }
    if (this.atOp(',')) {
      const c = this.peek()
      throw new PxlCompileError('Import one module per statement', c.line, c.column)
    }
    if (module !== 'px') {
      const why =
        module === 'pxviews' || module === 'pxtrace' || module === 'pxconfig'
          ? `'import ${module}' is not supported by the simulator`
          : `No module named '${module}'`
      throw new PxlCompileError(why, nameTok.line, nameTok.column)
    }
    return { type: 'Import', module, alias, ...pos(kw) }
  }

  private returnStatement(): Stmt {
    const kw = this.next()
    if (this.functionDepth === 0) {
      throw new PxlCompileError("'return' outside function", kw.line, kw.column)
    }
    if (this.at('newline') || this.at('eof') || this.atOp(';') || this.at('dedent')) {
      return { type: 'Return', ...pos(kw) }
    }
    return { type: 'Return', value: this.testList(), ...pos(kw) }
  }

  private expressionStatement(): Stmt {
    const start = this.peek()
    const expr = this.testList()
    const t = this.peek()
    if (t.kind === 'op' && AUG_ASSIGN.has(t.value)) throw cantParse('AugAssign', start)
    if (t.kind === 'op' && t.value === ':') throw cantParse('AnnAssign', start)
    if (t.kind === 'op' && t.value === '=') {
      this.next()
      const value = this.testList()
      if (this.atOp('=')) {
        throw new PxlCompileError(
          'Chained assignment is not supported in PxL',
          start.line,
          start.column
        )
      }
      return this.assignment(expr, value)
    }
    return { type: 'Expr', expr, ...pos(start) }
  }

  private assignment(target: Expr, value: Expr): AssignStmt {
    if (target.type === 'Name' && KEYWORDS.has(target.id)) {
      throw new PxlCompileError(`cannot assign to ${target.id}`, target.line, target.column)
    }
    if (target.type === 'Name' || target.type === 'Attribute' || target.type === 'Subscript') {
      return { type: 'Assign', target, value, line: target.line, column: target.column }
    }
    throw new PxlCompileError(
      `Assignment target must be a name, an attribute or a subscript, not ${target.type}`,
      target.line,
      target.column
    )
  }

  private functionDef(): FunctionDefStmt {
    const kw = this.next()
    const nameTok = this.next()
    if (nameTok.kind !== 'name' || KEYWORDS.has(nameTok.value)) throw this.syntaxError(nameTok)
    this.expectOp('(')
    const params: Param[] = []
    const seen = new Set<string>()
    while (!this.atOp(')')) {
      const p = this.peek()
      if (p.kind === 'op' && (p.value === '*' || p.value === '**')) {
        throw new PxlCompileError(
          '*args and **kwargs are not supported in PxL function definitions',
          p.line,
          p.column
        )
      }
      if (p.kind === 'op' && p.value === '/') {
        throw new PxlCompileError(
          'Positional-only parameters are not supported in PxL',
          p.line,
          p.column
        )
      }
      if (p.kind !== 'name' || KEYWORDS.has(p.value)) throw this.syntaxError(p)
      this.next()
      if (seen.has(p.value)) {
        throw new PxlCompileError(
          `Duplicate argument '${p.value}' in function definition`,
          p.line,
          p.column
        )
      }
      seen.add(p.value)
      const param: Param = { name: p.value, ...pos(p) }
      if (this.atOp(':')) {
        this.next()
        param.annotation = this.test()
      }
      if (this.atOp('=')) {
        this.next()
        const d = this.peek()
        throw new PxlCompileError(
          'Default values for arguments are not supported in PxL',
          d.line,
          d.column
        )
      }
      params.push(param)
      if (!this.atOp(',')) break
      this.next()
    }
    this.expectOp(')')
    if (this.atOp('->')) {
      this.next()
      this.test()
    }
    this.expectOp(':')
    this.functionDepth++
    const body = this.suite()
    this.functionDepth--
    return { type: 'FunctionDef', name: nameTok.value, params, body, ...pos(kw) }
  }

  private suite(): Stmt[] {
    if (!this.at('newline')) return this.simpleStatements()
    this.next()
    while (this.at('newline')) this.next()
    if (!this.at('indent')) throw this.syntaxError(this.peek(), 'expected an indented block')
    this.next()
    const body: Stmt[] = []
    while (!this.at('dedent') && !this.at('eof')) {
      if (this.at('newline')) {
        this.next()
        continue
      }
      body.push(...this.statement())
    }
    if (this.at('dedent')) this.next()
    return body
  }

  // ---- expressions ----

  /** testlist: one expression, or an unparenthesized tuple `a, b`. */
  private testList(): Expr {
    const first = this.test()
    if (!this.atOp(',')) return first
    const elements = [first]
    while (this.atOp(',')) {
      this.next()
      if (this.endsTestList()) break
      elements.push(this.test())
    }
    return { type: 'Tuple', elements, line: first.line, column: first.column }
  }

  private endsTestList(): boolean {
    const t = this.peek()
    return (
      t.kind === 'newline' ||
      t.kind === 'eof' ||
      t.kind === 'dedent' ||
      (t.kind === 'op' &&
        (t.value === '=' || t.value === ';' || t.value === ')' || t.value === ']'))
    )
  }

  private test(): Expr {
    const t = this.peek()
    if (t.kind === 'name' && t.value === 'lambda') throw cantParse('Lambda', t)
    if (t.kind === 'name' && t.value === 'yield') throw cantParse('Yield', t)
    const e = this.orTest()
    if (this.atKeyword('if')) throw cantParse('IfExp', e)
    if (this.atOp(':=')) throw cantParse('NamedExpr', e)
    return e
  }

  private orTest(): Expr {
    const first = this.andTest()
    if (!this.atKeyword('or')) return first
    const values = [first]
    while (this.atKeyword('or')) {
      this.next()
      values.push(this.andTest())
    }
    return { type: 'BoolOp', op: 'or', values, line: first.line, column: first.column }
  }

  private andTest(): Expr {
    const first = this.notTest()
    if (!this.atKeyword('and')) return first
    const values = [first]
    while (this.atKeyword('and')) {
      this.next()
      values.push(this.notTest())
    }
    return { type: 'BoolOp', op: 'and', values, line: first.line, column: first.column }
  }

  private notTest(): Expr {
    if (this.atKeyword('not')) {
      const t = this.next()
      return { type: 'UnaryOp', op: 'not', operand: this.notTest(), ...pos(t) }
    }
    return this.comparison()
  }

  private comparison(): Expr {
    const left = this.arith()
    const op = this.compareOperator()
    if (op === undefined) return left
    const right = this.arith()
    const second = this.peek()
    if (this.compareOperator() !== undefined) {
      throw new PxlCompileError(
        'Chained comparisons are not supported in PxL; use one comparison per expression',
        second.line,
        second.column
      )
    }
    return { type: 'Compare', op, left, right, line: left.line, column: left.column }
  }

  /** Consumes a comparison operator; rejects `in`, `not in`, `is`, `is not`. */
  private compareOperator(): CompareOperator | undefined {
    const t = this.peek()
    if (t.kind === 'op' && COMPARE_OPS.has(t.value)) {
      this.next()
      return t.value as CompareOperator
    }
    if (t.kind === 'name' && (t.value === 'in' || t.value === 'is')) {
      const kind = t.value === 'in' ? 'In' : 'Is'
      throw new PxlCompileError(
        `Comparison operator '${t.value}' (${kind}) is not supported in PxL`,
        t.line,
        t.column
      )
    }
    if (t.kind === 'name' && t.value === 'not' && this.peek(1).value === 'in') {
      throw new PxlCompileError(
        "Comparison operator 'not in' (NotIn) is not supported in PxL",
        t.line,
        t.column
      )
    }
    return undefined
  }

  private rejectBinary(): void {
    const t = this.peek()
    if (t.kind === 'op' && UNSUPPORTED_BINARY[t.value] !== undefined) {
      throw new PxlCompileError(
        `Operator '${t.value}' (${UNSUPPORTED_BINARY[t.value]}) is not supported in PxL`,
        t.line,
        t.column
      )
    }
  }

  private arith(): Expr {
    let left = this.term()
    for (;;) {
      this.rejectBinary()
      if (!this.atOp('+') && !this.atOp('-')) return left
      const op = this.next().value as '+' | '-'
      const right = this.term()
      left = { type: 'BinOp', op, left, right, line: left.line, column: left.column }
    }
  }

  private term(): Expr {
    let left = this.factor()
    for (;;) {
      this.rejectBinary()
      if (!this.atOp('*') && !this.atOp('/') && !this.atOp('%')) return left
      const op = this.next().value as '*' | '/' | '%'
      const right = this.factor()
      left = { type: 'BinOp', op, left, right, line: left.line, column: left.column }
    }
  }

  private factor(): Expr {
    const t = this.peek()
    if (t.kind === 'op' && t.value === '-') {
      this.next()
      const operand = this.factor()
      // Fold negative numeric literals so that -9223372036854775808 is representable.
      if (operand.type === 'Number' && operand.line === t.line) {
        return { type: 'Number', value: -operand.value as bigint | number, ...pos(t) }
      }
      return { type: 'UnaryOp', op: '-', operand, ...pos(t) }
    }
    if (t.kind === 'op' && t.value === '+') {
      throw new PxlCompileError(
        "Unary '+' (UAdd) is not supported by the simulator",
        t.line,
        t.column
      )
    }
    if (t.kind === 'op' && t.value === '~') {
      throw new PxlCompileError(
        "Operator '~' (Invert) is not supported by the simulator",
        t.line,
        t.column
      )
    }
    return this.power()
  }

  private power(): Expr {
    const t = this.peek()
    if (t.kind === 'name' && t.value === 'await') throw cantParse('Await', t)
    let e = this.atom()
    for (;;) {
      if (this.atOp('(')) {
        e = this.call(e)
      } else if (this.atOp('[')) {
        e = this.subscript(e)
      } else if (this.atOp('.')) {
        this.next()
        const name = this.next()
        if (name.kind !== 'name' || KEYWORDS.has(name.value)) throw this.syntaxError(name)
        e = {
          type: 'Attribute',
          object: e,
          attr: name.value,
          attrPos: pos(name),
          line: e.line,
          column: e.column,
        }
      } else {
        break
      }
    }
    if (this.atOp('**')) this.rejectBinary()
    return e
  }

  private call(func: Expr): Expr {
    this.next()
    const args: Expr[] = []
    const keywords: Keyword[] = []
    while (!this.atOp(')')) {
      const t = this.peek()
      if (t.kind === 'op' && t.value === '*') throw cantParse('Starred', t)
      if (t.kind === 'op' && t.value === '**') {
        throw new PxlCompileError(
          'Keyword argument unpacking (**) is not supported in PxL',
          t.line,
          t.column
        )
      }
      if (
        t.kind === 'name' &&
        !KEYWORDS.has(t.value) &&
        this.peek(1).kind === 'op' &&
        this.peek(1).value === '='
      ) {
        this.next()
        this.next()
        if (keywords.some((k) => k.name === t.value)) {
          throw new PxlCompileError(`keyword argument repeated: ${t.value}`, t.line, t.column)
        }
        keywords.push({ name: t.value, value: this.test(), ...pos(t) })
      } else {
        const arg = this.test()
        if (this.atKeyword('for')) throw cantParse('GeneratorExp', arg)
        if (keywords.length > 0) {
          throw new PxlCompileError(
            'positional argument follows keyword argument',
            arg.line,
            arg.column
          )
        }
        args.push(arg)
      }
      if (!this.atOp(',')) break
      this.next()
    }
    this.expectOp(')')
    return { type: 'Call', func, args, keywords, line: func.line, column: func.column }
  }

  private subscript(object: Expr): Expr {
    this.next()
    const start = this.peek()
    if (start.kind === 'op' && start.value === ':') throw cantParse('Slice', start)
    const first = this.test()
    if (this.atOp(':')) throw cantParse('Slice', first)
    let index = first
    if (this.atOp(',')) {
      const elements = [first]
      while (this.atOp(',')) {
        this.next()
        if (this.atOp(']')) break
        elements.push(this.test())
      }
      index = { type: 'Tuple', elements, line: first.line, column: first.column }
    }
    this.expectOp(']')
    return { type: 'Subscript', object, index, line: object.line, column: object.column }
  }

  private atom(): Expr {
    const t = this.peek()
    if (t.kind === 'number') {
      this.next()
      return { type: 'Number', value: parseNumber(t), ...pos(t) }
    }
    if (t.kind === 'string') return this.strings()
    if (t.kind === 'name') {
      if (
        KEYWORDS.has(t.value) &&
        t.value !== 'None' &&
        t.value !== 'True' &&
        t.value !== 'False'
      ) {
        const rejected = REJECTED_STATEMENTS[t.value]
        if (rejected !== undefined && t.value !== 'if' && t.value !== 'else')
          throw cantParse(rejected, t)
        throw this.syntaxError(t)
      }
      this.next()
      return { type: 'Name', id: t.value, ...pos(t) }
    }
    if (t.kind === 'op') {
      if (t.value === '(') return this.parenthesized()
      if (t.value === '[') return this.list()
      if (t.value === '{') return this.dict()
      if (t.value === '...') throw cantParse('Ellipsis', t)
    }
    throw this.syntaxError(t)
  }

  private strings(): Expr {
    const first = this.peek()
    let value = ''
    while (this.at('string')) {
      const s = this.next()
      const prefix = s.prefix ?? ''
      if (prefix.includes('f')) throw cantParse('JoinedStr', s)
      if (prefix.includes('b')) throw cantParse('Bytes', s)
      value += s.value
    }
    return { type: 'Str', value, ...pos(first) }
  }

  private parenthesized(): Expr {
    const open = this.next()
    if (this.atOp(')')) {
      this.next()
      return { type: 'Tuple', elements: [], ...pos(open) }
    }
    const first = this.test()
    if (this.atKeyword('for')) throw cantParse('GeneratorExp', open)
    if (this.atOp(')')) {
      this.next()
      return first
    }
    const elements = [first]
    while (this.atOp(',')) {
      this.next()
      if (this.atOp(')')) break
      elements.push(this.test())
    }
    this.expectOp(')')
    return { type: 'Tuple', elements, ...pos(open) }
  }

  private list(): Expr {
    const open = this.next()
    const elements: Expr[] = []
    while (!this.atOp(']')) {
      const t = this.peek()
      if (t.kind === 'op' && t.value === '*') throw cantParse('Starred', t)
      elements.push(this.test())
      if (this.atKeyword('for')) throw cantParse('ListComp', open)
      if (!this.atOp(',')) break
      this.next()
    }
    this.expectOp(']')
    return { type: 'List', elements, ...pos(open) }
  }

  private dict(): Expr {
    const open = this.next()
    const keys: Expr[] = []
    const values: Expr[] = []
    if (this.atOp('}')) {
      this.next()
      return { type: 'Dict', keys, values, ...pos(open) }
    }
    for (;;) {
      const t = this.peek()
      if (t.kind === 'op' && t.value === '**') {
        throw new PxlCompileError('Dict unpacking (**) is not supported in PxL', t.line, t.column)
      }
      const key = this.test()
      if (!this.atOp(':')) {
        if (this.atKeyword('for')) throw cantParse('SetComp', open)
        throw cantParse('Set', open)
      }
      this.next()
      const value = this.test()
      if (this.atKeyword('for')) throw cantParse('DictComp', open)
      keys.push(key)
      values.push(value)
      if (!this.atOp(',')) break
      this.next()
      if (this.atOp('}')) break
    }
    this.expectOp('}')
    return { type: 'Dict', keys, values, ...pos(open) }
  }
}

const INT64_MAX = (1n << 63n) - 1n

function parseNumber(t: Token): bigint | number {
  const text = t.value.replace(/_/g, '')
  if (/[jJ]$/.test(text)) throw cantParse('Complex', t)
  if (/^0[xXoObB]/.test(text)) return checkInt(BigInt(text), t)
  if (/[.eE]/.test(text)) return Number(text)
  if (/^0\d/.test(text) && !/^0+$/.test(text)) {
    throw new PxlCompileError(
      'leading zeros in decimal integer literals are not permitted',
      t.line,
      t.column
    )
  }
  return checkInt(BigInt(text), t)
}

function checkInt(v: bigint, t: Token): bigint {
  // INT64_MAX + 1 is allowed here because the parser folds a preceding '-' into the literal.
  if (v > INT64_MAX + 1n) {
    throw new PxlCompileError('Integer literal does not fit in int64', t.line, t.column)
  }
  return v
}
