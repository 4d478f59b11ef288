import { describe, expect, it } from 'vitest'
import { firstJsonPathValue, JsonPathError, toJsonPathPlus } from './jsonpath'

const body = {
  error_rate: 0.02,
  value: null,
  latency_ms: { p99: 12.5 },
  items: [
    { name: 'a', v: 1 },
    { name: 'e2e', v: 2 },
  ],
  empty: [] as unknown[],
}

describe('toJsonPathPlus', () => {
  it('should strip the braces and anchor the path at $', () => {
    expect(toJsonPathPlus('{$.error_rate}')).toBe('$.error_rate')
    expect(toJsonPathPlus('{.error_rate}')).toBe('$.error_rate')
    expect(toJsonPathPlus('{$}')).toBe('$')
    expect(toJsonPathPlus('')).toBe('$')
  })

  it('should reject template text and range blocks', () => {
    expect(() => toJsonPathPlus('rate: {.error_rate}')).toThrow(JsonPathError)
    expect(() => toJsonPathPlus('{range .items[*]}{.v}{end}')).toThrow(JsonPathError)
  })
})

describe('firstJsonPathValue', () => {
  it('should return the whole document for {$}', () => {
    expect(firstJsonPathValue('{$}', body)).toEqual(body)
  })

  it('should return nested values', () => {
    expect(firstJsonPathValue('{$.error_rate}', body)).toBe(0.02)
    expect(firstJsonPathValue('{.latency_ms.p99}', body)).toBe(12.5)
    expect(firstJsonPathValue('{$.items[1].v}', body)).toBe(2)
  })

  it('should use only the first match of a multi-match path', () => {
    expect(firstJsonPathValue('{$.items[*].v}', body)).toBe(1)
    expect(firstJsonPathValue('{$.items[?(@.name=="e2e")].v}', body)).toBe(2)
  })

  it('should return null for a JSON null at the path', () => {
    expect(firstJsonPathValue('{$.value}', body)).toBeNull()
  })

  it('should fail with "is not found" for a missing field', () => {
    expect(() => firstJsonPathValue('{$.missing}', body)).toThrow(
      'Could not find JSONPath in body: {$.missing} is not found'
    )
  })

  it('should fail with "produced no value" for a wildcard over nothing', () => {
    expect(() => firstJsonPathValue('{$.empty[*]}', body)).toThrow(
      'result of web metric produced no value'
    )
  })

  it('should refuse a body that is literally null', () => {
    expect(() => firstJsonPathValue('{$}', null)).toThrow(JsonPathError)
  })
})
