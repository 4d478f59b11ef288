import { describe, expect, it } from 'vitest'
import { firstJsonPathValue, JsonPathError, parseJsonPath } from './jsonpath'

// Sources: kubernetes/client-go util/jsonpath/parser.go and jsonpath.go (the dialect), and
// argoproj/argo-rollouts metricproviders/webmetric/webmetric.go (getValue, error wrapping).
const body = {
  error_rate: 0.02,
  value: null,
  latency_ms: { p99: 12.5, 'p99.9': 40 },
  a: { b: 7 },
  items: [
    { name: 'a', v: 1 },
    { name: 'e2e', v: 2 },
    { name: 'z', v: 3 },
  ],
  empty: [] as unknown[],
}

describe('firstJsonPathValue: paths', () => {
  it('should return the whole document for {$} and for an empty path', () => {
    expect(firstJsonPathValue('{$}', body)).toEqual(body)
    expect(firstJsonPathValue('', body)).toEqual(body)
  })

  it('should return nested values, with or without $ and @', () => {
    expect(firstJsonPathValue('{$.error_rate}', body)).toBe(0.02)
    expect(firstJsonPathValue('{.latency_ms.p99}', body)).toBe(12.5)
    expect(firstJsonPathValue('{@.items[1].v}', body)).toBe(2)
    expect(firstJsonPathValue("{$['error_rate']}", body)).toBe(0.02)
  })

  it('should use only the first match of a multi-match path', () => {
    expect(firstJsonPathValue('{$.items[*].v}', body)).toBe(1)
    expect(firstJsonPathValue('{$.items[1:].v}', body)).toBe(2)
    expect(firstJsonPathValue('{$.items[::2].name}', body)).toBe('a')
    expect(firstJsonPathValue('{..p99}', body)).toBe(12.5)
  })

  it('should return null for a JSON null at the path', () => {
    expect(firstJsonPathValue('{$.value}', body)).toBeNull()
  })

  it('should index from the end with a negative index', () => {
    expect(firstJsonPathValue('{$.items[-1].name}', body)).toBe('z')
    expect(firstJsonPathValue('{$.items[-2:].v}', body)).toBe(2)
    expect(() => firstJsonPathValue('{$.empty[-1]}', body)).toThrow(
      'Could not find JSONPath in body: array index out of bounds: index -1, length 0'
    )
    expect(() => firstJsonPathValue('{$.items[3]}', body)).toThrow(
      'Could not find JSONPath in body: array index out of bounds: index 3, length 3'
    )
  })

  it('should take unions of quoted keys and indexes in order', () => {
    expect(firstJsonPathValue("{$['value','error_rate']}", body)).toBeNull()
    expect(firstJsonPathValue("{$['error_rate','value']}", body)).toBe(0.02)
    expect(firstJsonPathValue('{$.items[2,0].name}', body)).toBe('z')
  })

  it('should split a quoted key containing a dot on the dot', () => {
    expect(firstJsonPathValue("{$['a.b']}", body)).toBe(7)
    expect(() => firstJsonPathValue("{$.latency_ms['p99.9']}", body)).toThrow(
      'Could not find JSONPath in body: 9 is not found'
    )
    // Only a backslash-escaped dot in a plain field name stays part of the key.
    expect(firstJsonPathValue('{$.latency_ms.p99\\.9}', body)).toBe(40)
  })

  it('should filter with Go template comparisons (JSON numbers are float64)', () => {
    expect(firstJsonPathValue('{$.items[?(@.name=="e2e")].v}', body)).toBe(2)
    expect(firstJsonPathValue('{$.items[?(@.v>1.0)].name}', body)).toBe('e2e')
    expect(() => firstJsonPathValue('{$.items[?(@.v==2)].name}', body)).toThrow(
      'Could not find JSONPath in body: incompatible types for comparison'
    )
    expect(firstJsonPathValue('{$.items[?(@.name)].v}', body)).toBe(1)
  })
})

describe('firstJsonPathValue: text and template errors', () => {
  it('should treat a path without braces as literal text', () => {
    expect(firstJsonPathValue('error_rate', body)).toBe('error_rate')
    expect(firstJsonPathValue('$.error_rate', body)).toBe('$.error_rate')
  })

  it('should make text before an action the first result', () => {
    expect(firstJsonPathValue('rate: {$.error_rate}', body)).toBe('rate: ')
    expect(firstJsonPathValue('{$.error_rate} rate', body)).toBe(0.02)
  })

  it('should refuse unclosed actions and other syntax errors at parse time', () => {
    expect(() => parseJsonPath('{$.error_rate')).toThrow(new JsonPathError('unclosed action'))
    expect(() => parseJsonPath('{$.items[0}')).toThrow('unterminated array')
    expect(() => parseJsonPath('{$.items["a"]}')).toThrow('invalid array index "a"')
    expect(() => parseJsonPath('{#}')).toThrow("unrecognized character in action: U+0023 '#'")
    expect(() => parseJsonPath('{$.items[?(@.v==1}')).toThrow('unterminated filter')
  })

  it('should fail with "<field> is not found" for a missing field', () => {
    expect(() => firstJsonPathValue('{$.missing}', body)).toThrow(
      'Could not find JSONPath in body: missing is not found'
    )
    expect(() => firstJsonPathValue('{$.value.x}', body)).toThrow(
      'Could not find JSONPath in body: x is not found'
    )
  })

  it('should fail with "produced no value" for a selection of nothing', () => {
    expect(() => firstJsonPathValue('{$.empty[*]}', body)).toThrow(
      'result of web metric produced no value'
    )
    expect(() => firstJsonPathValue('{$.empty[*].v}', body)).toThrow(
      'result of web metric produced no value'
    )
  })

  it('should refuse indexing a non-array', () => {
    expect(() => firstJsonPathValue('{$.error_rate[0]}', body)).toThrow(
      'Could not find JSONPath in body: float64 is not array or slice'
    )
    expect(() => firstJsonPathValue('{$.a[?(@.b)]}', body)).toThrow(
      'Could not find JSONPath in body: map[b:7] is not array or slice and cannot be filtered'
    )
  })

  it('should report a body that is literally null as an Error', () => {
    expect(() => firstJsonPathValue('{$}', null)).toThrow(JsonPathError)
    expect(() => firstJsonPathValue('{$.error_rate}', null)).toThrow(
      'Could not find JSONPath in body: error_rate is not found'
    )
  })
})
