import { describe, expect, it } from 'vitest'
import { EvaluationError, evaluateResult } from './evaluate'

const success = 'result.ok'
const failure = 'result.bad'

describe('evaluateResult', () => {
  it('should be Successful with no conditions at all', () => {
    expect(evaluateResult({ ok: false }, {})).toBe('Successful')
  })

  it('should never be Inconclusive with only a success condition', () => {
    expect(evaluateResult({ ok: true }, { successCondition: success })).toBe('Successful')
    expect(evaluateResult({ ok: false }, { successCondition: success })).toBe('Failed')
  })

  it('should be Successful unless the failure condition holds when only it is set', () => {
    expect(evaluateResult({ bad: true }, { failureCondition: failure })).toBe('Failed')
    expect(evaluateResult({ bad: false }, { failureCondition: failure })).toBe('Successful')
  })

  it('should follow the truth table when both conditions are set', () => {
    const metric = { successCondition: success, failureCondition: failure }
    expect(evaluateResult({ ok: true, bad: false }, metric)).toBe('Successful')
    expect(evaluateResult({ ok: false, bad: true }, metric)).toBe('Failed')
    expect(evaluateResult({ ok: true, bad: true }, metric)).toBe('Failed')
    expect(evaluateResult({ ok: false, bad: false }, metric)).toBe('Inconclusive')
  })

  it('should give Inconclusive for too few requests with the px-canary guard', () => {
    const metric = {
      successCondition: 'result.requests >= 50 && result.error_rate <= 0.05',
      failureCondition: 'result.requests >= 50 && result.error_rate > 0.05',
    }
    expect(evaluateResult({ requests: 3, error_rate: null }, metric)).toBe('Inconclusive')
    expect(evaluateResult({ requests: 80, error_rate: 0.5 }, metric)).toBe('Failed')
    expect(evaluateResult({ requests: 80, error_rate: 0.01 }, metric)).toBe('Successful')
  })

  it('should throw with the no-data message when a nil result cannot be evaluated', () => {
    expect(() => evaluateResult(null, { successCondition: 'result <= 0.1' })).toThrow(
      /could not evaluate successCondition "result <= 0.1": metric result is nil or empty/
    )
  })

  it('should throw for a failing failureCondition even when success evaluated', () => {
    expect(() =>
      evaluateResult('x', { successCondition: 'result == "x"', failureCondition: 'result > 1' })
    ).toThrow(EvaluationError)
  })

  it('should report no data when a condition fails on an empty result', () => {
    // argoproj/argo-rollouts utils/evaluate/evaluate.go formatEvalError and isNilOrEmpty: any
    // evaluation error on a nil or empty-array result gets the no-data message.
    expect(() => evaluateResult([], { successCondition: 'result[0] < 1' })).toThrow(
      'could not evaluate successCondition "result[0] < 1": metric result is nil or empty: no data returned from the metric provider'
    )
    expect(evaluateResult([], { successCondition: 'len(result) == 0' })).toBe('Successful')
  })

  it('should judge predicates over an empty array without error', () => {
    // expr-lang/expr docs/language-definition.md: all/none of an empty array are true, any/one
    // false.
    expect(evaluateResult([], { successCondition: 'all(result, {# < 0.05})' })).toBe('Successful')
    expect(evaluateResult([], { successCondition: 'any(result, {# < 0.05})' })).toBe('Failed')
  })

  it('should make a compile-time type error an Error even in an unreached branch', () => {
    // expr-lang/expr checker/checker.go type-checks the whole expression before running it.
    expect(() =>
      evaluateResult(0.01, { successCondition: 'result < 0.05 || result == "n/a"' })
    ).toThrow(
      'could not evaluate successCondition "result < 0.05 || result == \"n/a\"": invalid operation: == (mismatched types float64 and string)'
    )
  })
})
