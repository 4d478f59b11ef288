import { describe, expect, it } from 'vitest'
import { compileErrorOf } from './fixtures'
import { tokenize, type Token } from './tokenizer'

const kinds = (src: string): string[] =>
  tokenize(src).map((t: Token) =>
    t.kind === 'op' || t.kind === 'name' || t.kind === 'number' ? t.value : t.kind
  )

describe('tokenize', () => {
  it('should emit NEWLINE, INDENT and DEDENT from indentation', () => {
    expect(kinds('def f():\n    return 1\nx = 2\n')).toEqual([
      'def',
      'f',
      '(',
      ')',
      ':',
      'newline',
      'indent',
      'return',
      '1',
      'newline',
      'dedent',
      'x',
      '=',
      '2',
      'newline',
      'eof',
    ])
  })

  it('should skip comments and blank lines without emitting tokens', () => {
    expect(kinds('# header\n\nx = 1  # trailing\n   \n   # indented comment\ny = 2')).toEqual([
      'x',
      '=',
      '1',
      'newline',
      'y',
      '=',
      '2',
      'newline',
      'eof',
    ])
  })

  it('should join lines inside brackets and after a backslash', () => {
    expect(kinds('f(a,\n      b)\nx = 1 + \\\n  2\n')).toEqual([
      'f',
      '(',
      'a',
      ',',
      'b',
      ')',
      'newline',
      'x',
      '=',
      '1',
      '+',
      '2',
      'newline',
      'eof',
    ])
  })

  it('should give 1-based line and column for every token', () => {
    const toks = tokenize("import px\n  \ndf = px.DataFrame('t')")
    const df = toks.find((t) => t.value === 'DataFrame')
    expect(df).toMatchObject({ line: 3, column: 9 })
    const str = toks.find((t) => t.kind === 'string')
    expect(str).toMatchObject({ value: 't', line: 3, column: 19 })
  })

  it('should decode single, double and triple quoted strings with escapes', () => {
    const values = tokenize(`'a\\'b' "c\\td" '''multi\nline''' """x"y""" '\\x41\\u00e9\\n' '\\?'`)
      .filter((t) => t.kind === 'string')
      .map((t) => t.value)
    expect(values).toEqual(["a'b", 'c\td', 'multi\nline', 'x"y', 'Aé\n', '\\?'])
  })

  it('should keep backslashes in raw strings', () => {
    const [s] = tokenize(String.raw`r'(/healthz|/readyz)(\?.*)?'`).filter(
      (t) => t.kind === 'string'
    )
    expect(s).toMatchObject({ value: String.raw`(/healthz|/readyz)(\?.*)?`, prefix: 'r' })
  })

  it('should tokenize numbers in every Python notation', () => {
    expect(
      tokenize('1 1_000 0x1F 1.5 .5 1e9 2.5e-3')
        .filter((t) => t.kind === 'number')
        .map((t) => t.value)
    ).toEqual(['1', '1_000', '0x1F', '1.5', '.5', '1e9', '2.5e-3'])
  })

  it('should reject an unterminated string at its start', () => {
    expect(compileErrorOf(() => tokenize("x = 1\ny = 'abc\n"))).toEqual({
      message: 'unterminated string literal',
      line: 2,
      column: 5,
    })
  })

  it('should reject an indented first line', () => {
    expect(compileErrorOf(() => tokenize('\n  x = 1\n'))).toEqual({
      message: 'unexpected indent',
      line: 2,
      column: 3,
    })
  })

  it('should reject an inconsistent dedent', () => {
    expect(compileErrorOf(() => tokenize('def f():\n    x = 1\n  y = 2\n'))).toMatchObject({
      message: 'unindent does not match any outer indentation level',
      line: 3,
      column: 3,
    })
  })

  it('should reject a bracket that is never closed, at the bracket', () => {
    expect(compileErrorOf(() => tokenize('x = f(1,\n  2\n'))).toEqual({
      message: "'(' was never closed",
      line: 1,
      column: 6,
    })
  })

  it('should reject characters Python does not know', () => {
    expect(compileErrorOf(() => tokenize('x = 1 $ 2'))).toEqual({
      message: "invalid character '$'",
      line: 1,
      column: 7,
    })
  })
})
