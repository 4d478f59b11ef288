import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { codeOf } from '../test/helpers/code-of'
import { PxCanaryError } from './errors'
import {
  describeFilters,
  HTTP_METHODS,
  MATCH_EVERYTHING_PATTERN,
  methodFilterPattern,
  parseMethodFilter,
  parsePathFilter,
  parseRequestFilters,
  pathFilterPattern,
} from './filters'
// The simulator's RE2 translation (test-only): the patterns must mean in RE2 what we intend.
import { fullMatch, translateRe2 } from '../simulator/pxl/re2'

/** px.regex_match(pattern, text): an RE2 full match. */
function re2Matches(pattern: string, text: string): boolean {
  const translated = translateRe2(pattern)
  if (translated.kind !== 'ok') throw new Error(`not valid RE2: ${pattern}`)
  return fullMatch(translated.regexp, text)
}

describe('path filter', () => {
  it('should match an exact path, also followed by a query string, and nothing else', () => {
    const pattern = pathFilterPattern(parsePathFilter('/api/cart'))
    expect(re2Matches(pattern, '/api/cart')).toBe(true)
    expect(re2Matches(pattern, '/api/cart?id=3')).toBe(true)
    for (const other of ['/api/cart/', '/api/carts', '/api', '/x/api/cart', '/API/cart', '']) {
      expect(re2Matches(pattern, other), other).toBe(false)
    }
  })

  it('should let each * segment match exactly one non-empty segment', () => {
    const pattern = pathFilterPattern(parsePathFilter('/orders/*/item/*'))
    for (const path of ['/orders/12/item/3', '/orders/a-b/item/x.y', '/orders/1/item/2?full=1']) {
      expect(re2Matches(pattern, path), path).toBe(true)
    }
    for (const path of [
      '/orders//item/3',
      '/orders/1/2/item/3',
      '/orders/1/item/',
      '/orders/1/item',
      '/orders/1/item/2/3',
      '/orders/1?x=/item/2',
    ]) {
      expect(re2Matches(pattern, path), path).toBe(false)
    }
  })

  it('should treat regex metacharacters in a path literally', () => {
    const pattern = pathFilterPattern(parsePathFilter("/v1.0/price/$(x)+(y)/a'b"))
    expect(re2Matches(pattern, "/v1.0/price/$(x)+(y)/a'b")).toBe(true)
    expect(re2Matches(pattern, "/v1x0/price/$(x)+(y)/a'b")).toBe(false)
    expect(re2Matches(pattern, "/v1.0/price/$(x)(y)/a'b")).toBe(false)
  })

  it('should match only itself for any valid literal path (property)', () => {
    const segment = fc.stringMatching(/^[A-Za-z0-9._~!$&'()+,;=:@-]{1,8}$/)
    fc.assert(
      fc.property(
        fc.array(segment, { minLength: 1, maxLength: 5 }),
        fc.string(),
        (parts, other) => {
          const path = `/${parts.join('/')}`
          const pattern = pathFilterPattern(parsePathFilter(path))
          expect(re2Matches(pattern, path)).toBe(true)
          expect(re2Matches(pattern, `${path}?q=${other}`)).toBe(true)
          if (other !== path && !other.startsWith(`${path}?`)) {
            expect(re2Matches(pattern, other)).toBe(false)
          }
        }
      ),
      { numRuns: 200 }
    )
  })

  it('should match everything when no path filter is set', () => {
    expect(parsePathFilter(undefined)).toBeNull()
    expect(pathFilterPattern(null)).toBe(MATCH_EVERYTHING_PATTERN)
    for (const path of ['', '/', '/healthz', '/a\nb', 'anything at all']) {
      expect(re2Matches(MATCH_EVERYTHING_PATTERN, path)).toBe(true)
    }
  })

  it('should refuse paths that are not absolute, too long, or use other characters', () => {
    for (const bad of [
      '',
      'orders',
      '*',
      '/orders?id=1',
      '/orders#frag',
      '/a b',
      '/a\nb',
      '/ä',
      '/a"b',
      '/a\\b',
      '/a[1]',
      '/{x}',
      '/a|b',
      '/a^b',
      `/${'a'.repeat(256)}`,
    ]) {
      expect(
        codeOf(() => parsePathFilter(bad)),
        JSON.stringify(bad)
      ).toBe('invalid_path')
    }
  })

  it('should refuse a * that is not a whole segment and a broken percent escape', () => {
    for (const bad of ['/orders*', '/orders/a*', '/orders/**', '/*x/y', '/a%2', '/a%zz', '/%']) {
      expect(
        codeOf(() => parsePathFilter(bad)),
        bad
      ).toBe('invalid_path')
    }
    expect(parsePathFilter('/a%2Fb/*')).toBe('/a%2Fb/*')
  })

  it('should name the parameter and what it allows in the error', () => {
    try {
      parsePathFilter('/a b')
      expect.unreachable()
    } catch (err) {
      expect(err).toBeInstanceOf(PxCanaryError)
      const e = err as PxCanaryError
      expect(e.details).toEqual({ parameter: 'path' })
      expect(e.message).toMatch(/^path must be an absolute request path .* got "\/a b"$/)
    }
  })
})

describe('method filter', () => {
  it('should accept the listed methods and match only that method', () => {
    for (const method of HTTP_METHODS) {
      const pattern = methodFilterPattern(parseMethodFilter(method))
      for (const other of HTTP_METHODS) expect(re2Matches(pattern, other)).toBe(other === method)
      expect(re2Matches(pattern, method.toLowerCase())).toBe(false)
    }
  })

  it('should refuse other methods, lower case and anything else with invalid_method', () => {
    for (const bad of ['get', 'Get', 'TRACE', 'CONNECT', 'GET,POST', '', ' GET', '.*', 'G.T']) {
      expect(
        codeOf(() => parseMethodFilter(bad)),
        bad
      ).toBe('invalid_method')
    }
  })

  it('should match every method when no method filter is set', () => {
    expect(parseMethodFilter(undefined)).toBeNull()
    expect(methodFilterPattern(null)).toBe(MATCH_EVERYTHING_PATTERN)
  })
})

describe('describeFilters', () => {
  it('should report only the filters that are set', () => {
    expect(describeFilters(parseRequestFilters({}))).toBeUndefined()
    expect(describeFilters(parseRequestFilters({ method: 'POST' }))).toEqual({ method: 'POST' })
    expect(describeFilters(parseRequestFilters({ path: '/a/*', method: 'GET' }))).toEqual({
      path: '/a/*',
      method: 'GET',
    })
  })
})
