import { describe, expect, it } from 'vitest'
import { parseGoDuration } from './duration'

describe('parseGoDuration', () => {
  it('should parse Go duration strings into milliseconds', () => {
    expect(parseGoDuration('30s')).toBe(30_000)
    expect(parseGoDuration('1m30s')).toBe(90_000)
    expect(parseGoDuration('500ms')).toBe(500)
    expect(parseGoDuration('1.5h')).toBe(5_400_000)
    expect(parseGoDuration('0')).toBe(0)
  })

  it('should reject what Go rejects', () => {
    for (const bad of ['30', '', 's', '1d', '10 s', 'abc']) {
      expect(() => parseGoDuration(bad), bad).toThrow(/invalid duration/)
    }
  })
})
