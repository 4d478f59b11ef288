/**
 * A Python-style tokenizer for PxL: names, numbers, strings (single, double and triple quoted,
 * with r/u prefixes), operators, NEWLINE/INDENT/DEDENT from indentation, comments, blank lines,
 * implicit line joining inside brackets and backslash continuation.
 *
 * It tokenizes more than PxL accepts (f-strings, bytes, every Python operator) so that the parser
 * can reject those constructs with a precise "Can't parse expression of type ..." error instead of
 * a bare syntax error. Columns are 1-based and count UTF-16 code units (Pixie counts bytes; they
 * agree for ASCII source).
 */
import { PxlCompileError } from './types'

export type TokenKind =
  'name' | 'number' | 'string' | 'op' | 'newline' | 'indent' | 'dedent' | 'eof'

export interface Token {
  kind: TokenKind
  /** Source text for names, numbers and operators; the decoded value for strings. */
  value: string
  line: number
  column: number
  /** String tokens: the lower-cased prefix letters ('', 'r', 'f', 'b', 'rb', ...). */
  prefix?: string
}

const OPERATORS = [
  '**=',
  '//=',
  '>>=',
  '<<=',
  '...',
  '->',
  '**',
  '//',
  '<<',
  '>>',
  '<=',
  '>=',
  '==',
  '!=',
  '+=',
  '-=',
  '*=',
  '/=',
  '%=',
  '&=',
  '|=',
  '^=',
  '@=',
  ':=',
  '+',
  '-',
  '*',
  '/',
  '%',
  '@',
  '&',
  '|',
  '^',
  '~',
  '<',
  '>',
  '(',
  ')',
  '[',
  ']',
  '{',
  '}',
  ',',
  ':',
  '.',
  ';',
  '=',
]

const OPENERS: Record<string, string> = { '(': ')', '[': ']', '{': '}' }
const CLOSERS = new Set([')', ']', '}'])

const NAME_START = /[A-Za-z_\u00C0-\uFFFF]/
const NAME_PART = /[A-Za-z0-9_\u00C0-\uFFFF]/
const NUMBER_RE =
  /^(?:0[xX](?:_?[0-9a-fA-F])+|0[oO](?:_?[0-7])+|0[bB](?:_?[01])+|(?:\d(?:_?\d)*(?:\.(?:\d(?:_?\d)*)?)?|\.\d(?:_?\d)*)(?:[eE][+-]?\d(?:_?\d)*)?)[jJ]?/
const STRING_PREFIX_RE = /^(?:[rRuUbBfF]|[rR][bBfF]|[bBfF][rR])(?=['"])/

/** Tokenizes PxL source; throws PxlCompileError for characters or literals Python cannot lex. */
export function tokenize(source: string): Token[] {
  return new Tokenizer(source.replace(/\r\n?/g, '\n')).run()
}

class Tokenizer {
  private pos = 0
  private line = 1
  private lineStart = 0
  private readonly tokens: Token[] = []
  private readonly indents: number[] = [0]
  private readonly brackets: { char: string; line: number; column: number }[] = []

  constructor(private readonly src: string) {}

  run(): Token[] {
    let atLineStart = true
    while (this.pos < this.src.length) {
      if (atLineStart && this.brackets.length === 0) {
        if (this.handleIndentation()) continue
        atLineStart = false
      }
      const ch = this.src[this.pos] as string
      if (ch === '\n') {
        if (this.brackets.length === 0) {
          this.push('newline', '\n', this.line, this.col())
          atLineStart = true
        }
        this.newline()
        continue
      }
      if (ch === ' ' || ch === '\t' || ch === '\f') {
        this.pos++
        continue
      }
      if (ch === '#') {
        this.skipComment()
        continue
      }
      if (ch === '\\') {
        if (this.src[this.pos + 1] === '\n') {
          this.pos++
          this.newline()
          continue
        }
        throw this.error(
          'unexpected character after line continuation character',
          this.line,
          this.col()
        )
      }
      this.readToken()
    }
    if (this.brackets.length > 0) {
      const open = this.brackets[this.brackets.length - 1] as {
        char: string
        line: number
        column: number
      }
      throw new PxlCompileError(`'${open.char}' was never closed`, open.line, open.column)
    }
    const last = this.tokens[this.tokens.length - 1]
    if (last !== undefined && last.kind !== 'newline' && last.kind !== 'dedent') {
      this.push('newline', '', this.line, this.col())
    }
    while (this.indents.length > 1) {
      this.indents.pop()
      this.push('dedent', '', this.line, this.col())
    }
    this.push('eof', '', this.line, this.col())
    return this.tokens
  }

  /** Measures indentation at a line start; returns true when the line was blank or a comment. */
  private handleIndentation(): boolean {
    let width = 0
    let p = this.pos
    while (p < this.src.length) {
      const c = this.src[p]
      if (c === ' ') width++
      else if (c === '\t') width = (Math.floor(width / 8) + 1) * 8
      else if (c === '\f') width = 0
      else break
      p++
    }
    const next = this.src[p]
    if (
      next === undefined ||
      next === '\n' ||
      next === '#' ||
      (next === '\\' && this.src[p + 1] === '\n')
    ) {
      // Blank or comment-only line: no NEWLINE, no indentation change.
      this.pos = p
      if (next === '#') this.skipComment()
      if (this.src[this.pos] === '\\') this.pos++
      if (this.src[this.pos] === '\n') this.newline()
      return true
    }
    this.pos = p
    const current = this.indents[this.indents.length - 1] as number
    if (width > current) {
      if (this.tokens.length === 0 || this.tokens[this.tokens.length - 1]?.kind !== 'newline') {
        throw this.error('unexpected indent', this.line, this.col())
      }
      this.indents.push(width)
      this.push('indent', '', this.line, this.col())
    } else if (width < current) {
      while (width < (this.indents[this.indents.length - 1] as number)) {
        this.indents.pop()
        this.push('dedent', '', this.line, this.col())
      }
      if (width !== this.indents[this.indents.length - 1]) {
        throw this.error(
          'unindent does not match any outer indentation level',
          this.line,
          this.col()
        )
      }
    }
    return false
  }

  private readToken(): void {
    const line = this.line
    const column = this.col()
    const rest = this.src.slice(this.pos, this.pos + 4)
    const ch = rest[0] as string

    const prefixMatch = STRING_PREFIX_RE.exec(this.src.slice(this.pos, this.pos + 3))
    if (ch === '"' || ch === "'" || prefixMatch !== null) {
      const prefix = prefixMatch?.[0] ?? ''
      this.pos += prefix.length
      this.readString(prefix.toLowerCase(), line, column)
      return
    }
    if (/[0-9]/.test(ch) || (ch === '.' && /[0-9]/.test(rest[1] ?? ''))) {
      const m = NUMBER_RE.exec(this.src.slice(this.pos, this.pos + 400))
      const text = m?.[0] ?? ''
      const after = this.src[this.pos + text.length]
      if (text === '' || (after !== undefined && NAME_PART.test(after))) {
        throw this.error('invalid syntax', line, column)
      }
      this.pos += text.length
      this.push('number', text, line, column)
      return
    }
    if (NAME_START.test(ch)) {
      let end = this.pos + 1
      while (end < this.src.length && NAME_PART.test(this.src[end] as string)) end++
      const text = this.src.slice(this.pos, end)
      this.pos = end
      this.push('name', text, line, column)
      return
    }
    for (const op of OPERATORS) {
      if (this.src.startsWith(op, this.pos)) {
        this.trackBracket(op, line, column)
        this.pos += op.length
        this.push('op', op, line, column)
        return
      }
    }
    throw this.error(`invalid character '${ch}'`, line, column)
  }

  private trackBracket(op: string, line: number, column: number): void {
    if (OPENERS[op] !== undefined) {
      this.brackets.push({ char: op, line, column })
    } else if (CLOSERS.has(op)) {
      const open = this.brackets.pop()
      if (open === undefined) throw this.error(`unmatched '${op}'`, line, column)
      if (OPENERS[open.char] !== op) {
        throw this.error(
          `closing parenthesis '${op}' does not match opening parenthesis '${open.char}'`,
          line,
          column
        )
      }
    }
  }

  private readString(prefix: string, line: number, column: number): void {
    const quote = this.src[this.pos] as string
    const triple = this.src.startsWith(quote.repeat(3), this.pos)
    const delim = triple ? quote.repeat(3) : quote
    this.pos += delim.length
    const raw = prefix.includes('r')
    let out = ''
    for (;;) {
      if (this.pos >= this.src.length) {
        throw this.error(
          triple ? 'unterminated triple-quoted string literal' : 'unterminated string literal',
          line,
          column
        )
      }
      if (this.src.startsWith(delim, this.pos)) {
        this.pos += delim.length
        break
      }
      const c = this.src[this.pos] as string
      if (c === '\n') {
        if (!triple) throw this.error('unterminated string literal', line, column)
        out += c
        this.newline()
        continue
      }
      if (c === '\\') {
        const next = this.src[this.pos + 1]
        if (next === undefined) {
          this.pos++
          continue
        }
        if (raw) {
          out += c + next
          this.pos += 2
          if (next === '\n') {
            this.pos--
            this.newline()
          }
          continue
        }
        out += this.readEscape(line, column)
        continue
      }
      out += c
      this.pos++
    }
    this.push('string', out, line, column, prefix)
  }

  /** Decodes one backslash escape at this.pos, as Python does for non-raw str literals. */
  private readEscape(line: number, column: number): string {
    const next = this.src[this.pos + 1] as string
    const simple: Record<string, string> = {
      '\\': '\\',
      "'": "'",
      '"': '"',
      a: '\x07',
      b: '\b',
      f: '\f',
      n: '\n',
      r: '\r',
      t: '\t',
      v: '\v',
    }
    if (next === '\n') {
      this.pos++
      this.newline()
      return ''
    }
    const mapped = simple[next]
    if (mapped !== undefined) {
      this.pos += 2
      return mapped
    }
    if (/[0-7]/.test(next)) {
      const m = /^[0-7]{1,3}/.exec(this.src.slice(this.pos + 1, this.pos + 4)) as RegExpExecArray
      this.pos += 1 + m[0].length
      return String.fromCodePoint(parseInt(m[0], 8))
    }
    const hexLen = next === 'x' ? 2 : next === 'u' ? 4 : next === 'U' ? 8 : 0
    if (hexLen > 0) {
      const hex = this.src.slice(this.pos + 2, this.pos + 2 + hexLen)
      if (hex.length !== hexLen || !/^[0-9a-fA-F]+$/.test(hex)) {
        throw this.error(`invalid \\${next} escape in string literal`, line, column)
      }
      const code = parseInt(hex, 16)
      if (code > 0x10ffff)
        throw this.error('illegal Unicode character in string literal', line, column)
      this.pos += 2 + hexLen
      return String.fromCodePoint(code)
    }
    // Unknown escapes keep the backslash, as in Python.
    this.pos += 2
    return '\\' + next
  }

  private skipComment(): void {
    while (this.pos < this.src.length && this.src[this.pos] !== '\n') this.pos++
  }

  private newline(): void {
    this.pos++
    this.line++
    this.lineStart = this.pos
  }

  private col(): number {
    return this.pos - this.lineStart + 1
  }

  private push(
    kind: TokenKind,
    value: string,
    line: number,
    column: number,
    prefix?: string
  ): void {
    const token: Token = { kind, value, line, column }
    if (prefix !== undefined) token.prefix = prefix
    this.tokens.push(token)
  }

  private error(message: string, line: number, column: number): PxlCompileError {
    return new PxlCompileError(message, line, column)
  }
}
