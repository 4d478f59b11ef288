import { describe, expect, it } from 'vitest'
import { ConditionError, evalCondition } from './expr'

describe('evalCondition', () => {
  it('should compare numbers from the result', () => {
    expect(evalCondition('result <= 0.1', 0.05)).toBe(true)
    expect(evalCondition('result <= 0.1', 0.5)).toBe(false)
  })

  it('should read fields and combine with && / and, || / or, ! / not', () => {
    const result = { requests: 120, error_rate: 0.02 }
    expect(evalCondition('result.requests >= 100 && result.error_rate < 0.05', result)).toBe(true)
    expect(evalCondition('result.requests >= 100 and result.error_rate < 0.01', result)).toBe(false)
    expect(evalCondition('result.requests < 100 or result.error_rate < 0.05', result)).toBe(true)
    expect(evalCondition('not (result.requests < 100)', result)).toBe(true)
    expect(evalCondition('!(result.requests >= 100)', result)).toBe(false)
  })

  it('should short-circuit so a guarded null figure is never compared', () => {
    const noTraffic = { requests: 0, error_rate: null }
    expect(evalCondition('result.requests >= 50 && result.error_rate <= 0.05', noTraffic)).toBe(
      false
    )
    expect(() => evalCondition('result.error_rate <= 0.05', noTraffic)).toThrow(ConditionError)
  })

  it('should reject comparing a string with a number, as Go does', () => {
    expect(() => evalCondition('result < 0.05', '0.01')).toThrow(
      /mismatched types string and float64/
    )
    expect(evalCondition('asFloat(result) < 0.05', '0.01')).toBe(true)
  })

  it('should reject ordering comparisons against nil', () => {
    expect(() => evalCondition('result <= 0.1', null)).toThrow(/mismatched types <nil> and float64/)
  })

  it('should treat == between different types as false', () => {
    expect(evalCondition('result == "ok"', 1)).toBe(false)
    expect(evalCondition('result == 1', 1)).toBe(true)
    expect(evalCondition('result == nil', null)).toBe(true)
    expect(evalCondition('result != nil', 0)).toBe(true)
  })

  it('should support in over arrays and map keys', () => {
    expect(evalCondition('result in [1, 2]', 2)).toBe(true)
    expect(evalCondition('result in [1, 2]', 3)).toBe(false)
    expect(evalCondition('"p99" in result', { p99: 1 })).toBe(true)
    expect(evalCondition('"p50" in result', { p99: 1 })).toBe(false)
  })

  it('should index arrays, including from the end, and fail out of range', () => {
    expect(evalCondition('result[0] < 5 && result[-1] == 9', [1, 9])).toBe(true)
    expect(() => evalCondition('result[2] < 5', [1, 9])).toThrow(/index out of range/)
  })

  it('should return nil for a missing map key and fail fetching from nil', () => {
    expect(evalCondition('result.missing == nil', { a: 1 })).toBe(true)
    expect(() => evalCondition('result.a.b == 1', { a: null })).toThrow(/cannot fetch b from <nil>/)
  })

  it('should provide len, isNaN, isInf, asInt and asFloat', () => {
    expect(evalCondition('len(result) == 3', [1, 2, 3])).toBe(true)
    expect(evalCondition('len(result) == 2', 'ab')).toBe(true)
    expect(evalCondition('isNaN(asFloat(result))', 'NaN')).toBe(true)
    expect(evalCondition('isInf(asFloat(result))', '+Inf')).toBe(true)
    expect(evalCondition('asInt(result) == 42', '42')).toBe(true)
    expect(() => evalCondition('asInt(result) == 42', '4.2')).toThrow(/invalid syntax/)
    expect(() => evalCondition('isNaN(result)', 'x')).toThrow(ConditionError)
  })

  it('should make isNil and default look at the whole result, ignoring their argument (as Argo)', () => {
    expect(evalCondition('isNil(result)', null)).toBe(true)
    expect(evalCondition('isNil(result)', { a: 1 })).toBe(false)
    expect(evalCondition('default(result, 0) <= 0.1', null)).toBe(true)
    expect(evalCondition('default(result, 1) <= 0.1', null)).toBe(false)
    expect(evalCondition('isNil(result.a)', { a: null })).toBe(false)
  })

  it('should insist on a boolean outcome', () => {
    expect(() => evalCondition('result', 1)).toThrow(/expected bool, but got float64/)
    expect(() => evalCondition('result.requests', { requests: 1 })).toThrow(/expected bool/)
  })

  it('should reject non-boolean operands of logical operators', () => {
    expect(() => evalCondition('result && true', 1)).toThrow(/non-bool/)
    expect(() => evalCondition('not result', 'x')).toThrow(/non-bool/)
  })

  it('should reject unknown names, functions and syntax errors', () => {
    expect(() => evalCondition('foo > 1', 1)).toThrow(/unknown name foo/)
    expect(() => evalCondition('sqrt(result) > 1', 1)).toThrow(/unknown func sqrt/)
    expect(() => evalCondition('result >', 1)).toThrow(/syntax error/)
    expect(() => evalCondition('result.constructor == nil', {})).not.toThrow()
    expect(evalCondition('result.constructor == nil', {})).toBe(true)
  })

  it('should do arithmetic on numbers only', () => {
    expect(
      evalCondition('result.errors / result.requests < 0.1', { errors: 1, requests: 20 })
    ).toBe(true)
    expect(() => evalCondition('result + 1 > 0', 'a')).toThrow(
      /mismatched types string and float64/
    )
    expect(evalCondition('(result ?? 5) == 5', null)).toBe(true)
    expect(evalCondition('(result ?? 5) == 5', 4)).toBe(false)
  })
})
