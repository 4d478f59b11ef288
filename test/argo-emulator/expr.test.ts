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
    // A nil Nature prints as "unknown" (expr-lang/expr checker/nature/nature.go String).
    expect(() => evalCondition('result <= 0.1', null)).toThrow(
      'invalid operation: <= (mismatched types unknown and float64)'
    )
    expect(() => evalCondition('result.a <= 0.1', { a: null })).toThrow(
      /mismatched types <nil> and float64/
    )
  })

  it('should compare with nil and between numbers of any kind', () => {
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
    // expr-lang/expr checker/checker.go binaryNode / unaryNode.
    expect(() => evalCondition('result && true', 1)).toThrow(
      'invalid operation: && (mismatched types float64 and bool)'
    )
    expect(() => evalCondition('not result', 'x')).toThrow(
      'invalid operation: not (mismatched type string)'
    )
    expect(() => evalCondition('result.a && true', { a: 1 })).toThrow(
      'interface conversion: interface {} is float64, not bool'
    )
  })

  it('should reject unknown names, functions and syntax errors', () => {
    expect(() => evalCondition('foo > 1', 1)).toThrow(/unknown name foo/)
    expect(() => evalCondition('sqrt(result) > 1', 1)).toThrow(/unknown name sqrt/)
    expect(() => evalCondition('result >', 1)).toThrow(/syntax error/)
    expect(() => evalCondition('result.constructor == nil', {})).not.toThrow()
    expect(evalCondition('result.constructor == nil', {})).toBe(true)
  })

  it('should do arithmetic on numbers only', () => {
    expect(
      evalCondition('result.errors / result.requests < 0.1', { errors: 1, requests: 20 })
    ).toBe(true)
    expect(() => evalCondition('result + 1 > 0', 'a')).toThrow(
      'invalid operation: + (mismatched types string and int)'
    )
    expect(evalCondition('(result ?? 5) == 5', null)).toBe(true)
    // ?? binds tighter than comparisons (expr-lang/expr parser/operator/operator.go).
    expect(evalCondition('result.x ?? 0 < 1', {})).toBe(true)
    expect(evalCondition('result.x ?? 0 < 1', { x: 5 })).toBe(false)
    // == and < share a precedence level and associate to the left.
    expect(() => evalCondition('true == result < 1', 0)).toThrow(
      'invalid operation: == (mismatched types bool and float64)'
    )
    expect(evalCondition('(result ?? 5) == 5', 4)).toBe(false)
  })
})

describe('evalCondition compile-time typing (expr-lang/expr checker/checker.go)', () => {
  // Argo passes its environment as a map (argoproj/argo-rollouts utils/evaluate/evaluate.go
  // EvalCondition), so `result` is typed by the value it holds (expr-lang/expr conf/env.go), and
  // == / != need comparable types (checker/nature/nature.go ComparableTo).
  it('should make == and != between types that cannot match an error', () => {
    expect(() => evalCondition('result == "ok"', 1)).toThrow(
      'invalid operation: == (mismatched types float64 and string)'
    )
    expect(() => evalCondition('result != true', 'x')).toThrow(
      'invalid operation: != (mismatched types string and bool)'
    )
    expect(() => evalCondition('asFloat(result) == "0.05"', '0.05')).toThrow(
      'invalid operation: == (mismatched types float64 and string)'
    )
    expect(() => evalCondition('isNaN(result) == 1', 0.5)).toThrow(
      'invalid operation: == (mismatched types bool and int)'
    )
    expect(() => evalCondition('result == 1', [1])).toThrow(
      'invalid operation: == (mismatched types []interface {} and int)'
    )
  })

  it('should type-check a branch that never runs', () => {
    expect(() => evalCondition('result > 0 || result == "x"', 1)).toThrow(
      /mismatched types float64 and string/
    )
  })

  it('should leave fields of a map and items of an array untyped', () => {
    expect(evalCondition('result.status == "ok"', { status: 1 })).toBe(false)
    expect(evalCondition('result.status != true', { status: 'x' })).toBe(true)
    expect(evalCondition('result[0] == "x"', [1])).toBe(false)
    expect(evalCondition('default(result, 0) == "x"', 1)).toBe(false)
  })

  it('should allow nil on either side and numbers of different kinds', () => {
    expect(evalCondition('result == nil', 1)).toBe(false)
    expect(evalCondition('asInt(result) == 2.0', '2')).toBe(true)
    expect(evalCondition('result == [1, 2]', [1, 2])).toBe(true)
    expect(evalCondition('result == result', { a: 1 })).toBe(true)
  })

  it('should check function arguments against their parameter types', () => {
    expect(() => evalCondition('isNaN(result)', 'x')).toThrow(
      'cannot use string as argument (type float64) to call isNaN'
    )
    expect(() => evalCondition('isInf()', 1)).toThrow('not enough arguments to call isInf')
    expect(() => evalCondition('len(result) > 0', 1)).toThrow(
      'invalid argument for len (type float64)'
    )
  })

  it('should take % on integers only', () => {
    expect(evalCondition('asInt(result) % 2 == 0', '4')).toBe(true)
    expect(() => evalCondition('result % 2 == 0', 4)).toThrow(
      'invalid operation: % (mismatched types float64 and int)'
    )
    // JSON numbers are float64 at run time (expr-lang/expr vm/runtime Modulo takes ints).
    expect(() => evalCondition('result.n % 2 == 0', { n: 4 })).toThrow(/float64 % int/)
  })
})

describe('evalCondition predicates and builtins (expr-lang/expr builtin/builtin.go)', () => {
  // expr-lang/expr docs/language-definition.md "Predicate" and "Array Functions".
  it('should run all, any, none and one with {...} predicates and #', () => {
    expect(evalCondition('all(result, {# < 5})', [1, 2, 3])).toBe(true)
    expect(evalCondition('all(result, {# < 3})', [1, 2, 3])).toBe(false)
    expect(evalCondition('any(result, {# > 2})', [1, 2, 3])).toBe(true)
    expect(evalCondition('none(result, {# > 2})', [1, 2, 3])).toBe(false)
    expect(evalCondition('one(result, {# > 2})', [1, 2, 3])).toBe(true)
    expect(evalCondition('one(result, {# > 1})', [1, 2, 3])).toBe(false)
  })

  it('should give the documented answers on an empty array', () => {
    expect(evalCondition('all(result, {# < 5})', [])).toBe(true)
    expect(evalCondition('any(result, {# < 5})', [])).toBe(false)
    expect(evalCondition('none(result, {# < 5})', [])).toBe(true)
    expect(evalCondition('one(result, {# < 5})', [])).toBe(false)
    expect(evalCondition('len(filter(result, {# < 5})) == 0', [])).toBe(true)
    expect(evalCondition('len(map(result, {# * 2})) == 0', [])).toBe(true)
    expect(evalCondition('count(result, {# < 5}) == 0', [])).toBe(true)
  })

  it('should run filter, map and count, with fields through #.x or .x', () => {
    const pods = [
      { name: 'a', rate: 0.01 },
      { name: 'b', rate: 0.2 },
      { name: 'c', rate: 0.03 },
    ]
    expect(evalCondition('count(result, {#.rate > 0.05}) == 1', pods)).toBe(true)
    expect(evalCondition('count(result, .rate > 0.05) == 1', pods)).toBe(true)
    expect(evalCondition('len(filter(result, {.rate < 0.05})) == 2', pods)).toBe(true)
    expect(evalCondition('filter(result, {.rate < 0.05})[1].name == "c"', pods)).toBe(true)
    expect(evalCondition('map(result, {.name}) == ["a", "b", "c"]', pods)).toBe(true)
    expect(evalCondition('map(result, {#index}) == [0, 1, 2]', pods)).toBe(true)
    expect(evalCondition('count([true, false, true]) == 2', null)).toBe(true)
    expect(evalCondition('find(result, .rate > 0.1).name == "b"', pods)).toBe(true)
    expect(evalCondition('findIndex(result, .rate > 0.5) == -1', pods)).toBe(true)
  })

  it('should nest predicates, # being the innermost item', () => {
    expect(
      evalCondition('all(result, {any(#, {# == 0})})', [
        [0, 1],
        [2, 0],
      ])
    ).toBe(true)
    expect(
      evalCondition('all(result, {any(#, {# == 0})})', [
        [0, 1],
        [2, 3],
      ])
    ).toBe(false)
  })

  it('should refuse predicates on non-arrays and predicates that are not boolean', () => {
    expect(() => evalCondition('all(result, {# > 1})', { a: 1 })).toThrow(
      'builtin all takes only array (got map[string]interface {})'
    )
    expect(() => evalCondition('any(result, {1})', [1])).toThrow(
      'predicate should return boolean (got int)'
    )
    expect(() => evalCondition('# > 1', 1)).toThrow('cannot use pointer accessor outside predicate')
    expect(() => evalCondition('all(result.xs, {# > 1})', { xs: 3 })).toThrow(/takes only array/)
  })

  it('should provide number, string and array builtins', () => {
    expect(evalCondition('max(result) == 3 && min(result) == 1', [1, 3, 2])).toBe(true)
    expect(evalCondition('sum(result) == 6 && mean(result) == 2', [1, 3, 2])).toBe(true)
    expect(evalCondition('sum(result, {# * 2}) == 12', [1, 3, 2])).toBe(true)
    expect(evalCondition('median(result) == 2.5', [1, 4, 2, 3])).toBe(true)
    expect(evalCondition('first(result) == 1 && last(result) == 2', [1, 3, 2])).toBe(true)
    expect(evalCondition('ceil(result) == 2 && floor(result) == 1', 1.5)).toBe(true)
    expect(evalCondition('upper(result) == "OK" && hasPrefix(result, "o")', 'ok')).toBe(true)
    expect(evalCondition('"p99" in keys(result)', { p99: 1 })).toBe(true)
  })
})

describe('evalCondition method calls on values', () => {
  // expr-lang/expr checker/checker.go memberNode ("has no method", "array elements can only be
  // selected using an integer") and vm/vm.go OpCall ("cannot call nil").
  it("should fail with expr's reason for each kind of value", () => {
    expect(() => evalCondition('result.Name() == "x"', 1)).toThrow(
      'type float64 has no method Name'
    )
    expect(() => evalCondition('result.Name() == "x"', 'abc')).toThrow(
      'type string has no method Name'
    )
    expect(() => evalCondition('result.Name() == "x"', null)).toThrow('type nil has no field Name')
    expect(() => evalCondition('result.Name() == "x"', [1])).toThrow(
      'array elements can only be selected using an integer (got string)'
    )
    expect(() => evalCondition('result.Name() == "x"', {})).toThrow(
      'invalid operation: cannot call nil'
    )
    expect(() => evalCondition('result.Name() == "x"', { Name: 1 })).toThrow(
      'invalid operation: cannot call non-function of type float64'
    )
  })
})
