import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  DEFAULT_EXCLUDED_PATHS,
  MATCH_NOTHING_PATTERN,
  escapeRegex,
  excludedPathsPattern,
} from './exclusion'

/** RE2's px.regex_match must match the whole string; a JS anchored RegExp does the same here. */
function fullMatch(pattern: string, text: string): boolean {
  return new RegExp(`^(?:${pattern})$`).test(text)
}

describe('excludedPathsPattern', () => {
  const pattern = excludedPathsPattern(DEFAULT_EXCLUDED_PATHS)

  it('should match each default probe path exactly and with a query string', () => {
    for (const path of DEFAULT_EXCLUDED_PATHS) {
      expect(fullMatch(pattern, path)).toBe(true)
      expect(fullMatch(pattern, `${path}?verbose=1`)).toBe(true)
    }
  })

  it('should not match application paths that merely contain a probe path', () => {
    for (const path of ['/', '/api/healthz', '/healthz/deep', '/healthzz', '/readiness', '/pin']) {
      expect(fullMatch(pattern, path)).toBe(false)
    }
  })

  it('should match nothing when exclusion is disabled', () => {
    expect(excludedPathsPattern([])).toBe(MATCH_NOTHING_PATTERN)
    for (const path of ['', '/', '/healthz', 'x']) {
      expect(fullMatch(MATCH_NOTHING_PATTERN, path)).toBe(false)
    }
  })

  it('should treat regex metacharacters in a path literally', () => {
    const dotted = excludedPathsPattern(['/v1.0/status'])
    expect(fullMatch(dotted, '/v1.0/status')).toBe(true)
    expect(fullMatch(dotted, '/v1x0/status')).toBe(false)
    const starred = excludedPathsPattern(['/a*'])
    expect(fullMatch(starred, '/a*')).toBe(true)
    expect(fullMatch(starred, '/aaa')).toBe(false)
  })

  it('should match any escaped path itself and nothing longer but its query string', () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 1, maxLength: 40 }),
        fc.string({ minLength: 1 }),
        (tail, extra) => {
          const path = `/${tail}`
          const p = excludedPathsPattern([path])
          expect(fullMatch(p, path)).toBe(true)
          expect(fullMatch(p, `${path}?${extra}`)).toBe(!extra.includes('\n'))
          if (!extra.startsWith('?')) expect(fullMatch(p, `${path}${extra}`)).toBe(false)
        }
      )
    )
  })

  it('should leave text without metacharacters unchanged when escaping', () => {
    expect(escapeRegex('/healthz')).toBe('/healthz')
    expect(escapeRegex('a.b|c')).toBe('a\\.b\\|c')
  })
})
