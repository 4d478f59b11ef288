import { describe, expect, it } from 'vitest'
import { fullMatch, Re2UnsupportedError, translateRe2 } from './re2'

function matches(pattern: string, input: string): boolean {
  const t = translateRe2(pattern)
  if (t.kind !== 'ok') throw new Error(`pattern ${pattern} is invalid: ${t.reason}`)
  return fullMatch(t.regexp, input)
}

describe('translateRe2 + fullMatch', () => {
  it('should match only the whole string, like RE2::FullMatch', () => {
    expect(matches('abc', 'abc')).toBe(true)
    expect(matches('abc', 'abcd')).toBe(false)
    expect(matches('abc', 'xabc')).toBe(false)
    expect(matches('abc.*', 'abcd')).toBe(true)
  })

  it('should find a full match through alternation order', () => {
    expect(matches('a|ab', 'ab')).toBe(true)
  })

  it('should exclude health-check paths with and without a query string', () => {
    const p = String.raw`(/healthz|/readyz)(\?.*)?`
    expect(['/healthz', '/readyz', '/healthz?full=1'].map((s) => matches(p, s))).toEqual([
      true,
      true,
      true,
    ])
    expect(['/healthz/x', '/api/healthz', '/ready'].map((s) => matches(p, s))).toEqual([
      false,
      false,
      false,
    ])
  })

  it('should not let a multi-line input match at an inner line', () => {
    expect(matches('b', 'a\nb')).toBe(false)
    expect(matches('(?m)^b$', 'a\nb')).toBe(false)
  })

  it('should translate RE2-only syntax', () => {
    expect(matches('(?P<rs>[a-z]+)-[0-9a-f]{4}', 'canary-7d9f')).toBe(true)
    expect(matches('(?i)GET', 'get')).toBe(true)
    expect(matches(String.raw`\Qa.b\E`, 'a.b')).toBe(true)
    expect(matches(String.raw`\Qa.b\E`, 'axb')).toBe(false)
    expect(matches('[[:digit:]]+', '123')).toBe(true)
    expect(matches(String.raw`\x{41}`, 'A')).toBe(true)
    expect(matches(String.raw`\pL+`, 'héllo')).toBe(true)
  })

  it('should use RE2s ASCII-only \\s', () => {
    expect(matches(String.raw`a\sb`, 'a b')).toBe(true)
    expect(matches(String.raw`a\sb`, 'a\u00a0b')).toBe(false)
  })

  it('should treat a brace that starts no repetition as a literal', () => {
    expect(matches('a{', 'a{')).toBe(true)
    expect(matches('a{2}', 'aa')).toBe(true)
    expect(matches('x}', 'x}')).toBe(true)
  })

  it('should report patterns RE2 rejects as invalid', () => {
    for (const p of [
      String.raw`(a)\1`,
      '(?=a)a',
      '(?<!a)b',
      'a)',
      '(a',
      '[a',
      String.raw`\Z`,
      String.raw`\y`,
    ]) {
      expect(translateRe2(p).kind).toBe('invalid')
    }
  })

  it('should refuse valid RE2 the simulator cannot express', () => {
    expect(() => translateRe2('a(?i)b')).toThrow(Re2UnsupportedError)
    expect(() => translateRe2('(?U)a+')).toThrow(Re2UnsupportedError)
    expect(() => translateRe2(String.raw`\C`)).toThrow(Re2UnsupportedError)
  })
})
