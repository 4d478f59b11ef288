import { describe, expect, it } from 'vitest'
import { bearerChecker } from './caller-auth'

describe('bearerChecker', () => {
  const check = bearerChecker('0123456789abcdef-token')

  it('should accept exactly the configured bearer token', () => {
    expect(check('Bearer 0123456789abcdef-token')).toBe(true)
    expect(check('bearer 0123456789abcdef-token')).toBe(true)
  })

  it('should refuse a missing, malformed or different token', () => {
    for (const header of [
      undefined,
      '',
      'Bearer',
      'Bearer ',
      '0123456789abcdef-token',
      'Basic 0123456789abcdef-token',
      'Bearer 0123456789abcdef-tokeN',
      'Bearer 0123456789abcdef-token extra',
    ]) {
      expect(check(header), String(header)).toBe(false)
    }
  })
})
