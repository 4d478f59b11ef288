import { describe, expect, it } from 'vitest'
import { PxCanaryError } from './errors'
import { DEFAULT_EXCLUDED_PATHS } from './pxl/exclusion'
import { noExtraParams, parameterNames, parseMetricQuery } from './params'

const parse = (qs: string) => {
  const raw: Record<string, string[]> = {}
  for (const [k, v] of new URLSearchParams(qs)) (raw[k] ??= []).push(v)
  return parseMetricQuery(raw, noExtraParams)
}

function codeOf(fn: () => unknown): { code: string; message: string } {
  try {
    fn()
  } catch (err) {
    if (err instanceof PxCanaryError) return { code: err.code, message: err.message }
    throw err
  }
  throw new Error('no error')
}

describe('the protocol parameter', () => {
  it('should be in the exported parameter list', () => {
    expect(parameterNames(noExtraParams)).toContain('protocol')
  })

  it('should default to http with the HTTP probe paths excluded', () => {
    const q = parse('namespace=shop&replicaset=web-1')
    expect(q.protocol).toBe('http')
    expect(q.excludedPaths).toEqual(DEFAULT_EXCLUDED_PATHS)
  })

  it('should exclude the gRPC health service by default for grpc, nothing for mysql', () => {
    expect(parse('namespace=shop&replicaset=web-1&protocol=grpc').excludedPaths).toEqual([
      '/grpc.health.v1.Health/Check',
      '/grpc.health.v1.Health/Watch',
    ])
    expect(parse('namespace=shop&replicaset=web-1&protocol=mysql').excludedPaths).toEqual([])
  })

  it('should accept a gRPC method as the path filter', () => {
    const q = parse('namespace=shop&replicaset=web-1&protocol=grpc&path=/shop.v1.Orders/*')
    expect(q.filters.path).toBe('/shop.v1.Orders/*')
  })

  it('should refuse an unknown protocol, saying which exist', () => {
    const e = codeOf(() => parse('namespace=shop&replicaset=web-1&protocol=pgsql'))
    expect(e.code).toBe('invalid_protocol')
    expect(e.message).toMatch(/http .*grpc .*mysql/)
  })

  it('should refuse filters the protocol has no notion of, naming the protocol', () => {
    for (const [qs, code, protocol] of [
      ['protocol=grpc&method=POST', 'invalid_method', 'grpc'],
      ['protocol=mysql&method=GET', 'invalid_method', 'mysql'],
      ['protocol=mysql&path=/x', 'invalid_path', 'mysql'],
      ['protocol=mysql&exclude_paths=none', 'invalid_exclude_paths', 'mysql'],
    ] as const) {
      const e = codeOf(() => parse(`namespace=shop&replicaset=web-1&${qs}`))
      expect(e.code, qs).toBe(code)
      expect(e.message).toContain(`protocol=${protocol}`)
    }
  })
})
