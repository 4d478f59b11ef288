import { describe, expect, it } from 'vitest'
import { MATCH_EVERYTHING_PATTERN } from '../filters'
import { excludedPathsPattern } from './exclusion'
import { HTTP_STATS_SCRIPT, HTTP_STATS_TABLE } from './http-stats'
import { buildHttpStatsCall } from './request'
import type { HttpStatsQuery } from './request'

const base: Omit<HttpStatsQuery, 'selector'> = {
  windowSeconds: 90,
  excludedPaths: ['/healthz', '/ping'],
  errorMinStatus: 500,
}

describe('buildHttpStatsCall', () => {
  it('should select a replicaset by its namespaced name', () => {
    const call = buildHttpStatsCall(
      { ...base, selector: { kind: 'replicaset', namespace: 'shop', replicaset: 'web-7d9f' } },
      'px-canary/latency'
    )
    expect(call.options.execFuncs).toEqual([
      {
        funcName: 'stats_by_replicaset',
        args: {
          start_time: '-90s',
          namespace: 'shop',
          replicaset: 'shop/web-7d9f',
          excluded_paths: excludedPathsPattern(['/healthz', '/ping']),
          path_pattern: MATCH_EVERYTHING_PATTERN,
          method_pattern: MATCH_EVERYTHING_PATTERN,
          error_min_status: '500',
        },
        outputTablePrefix: HTTP_STATS_TABLE,
      },
    ])
    expect(call.options.queryName).toBe('px-canary/latency')
    expect(call.funcName).toBe('stats_by_replicaset')
    expect(call.outputTable).toBe(HTTP_STATS_TABLE)
  })

  it('should select pods by a namespaced name prefix', () => {
    const call = buildHttpStatsCall(
      { ...base, selector: { kind: 'pod', namespace: 'shop', pod: 'web-7d9f-' } },
      'q'
    )
    expect(call.funcName).toBe('stats_by_pod_prefix')
    expect(call.options.execFuncs?.[0]?.args.pod_prefix).toBe('shop/web-7d9f-')
  })

  it('should select a service by its namespaced name', () => {
    const call = buildHttpStatsCall(
      { ...base, selector: { kind: 'service', namespace: 'shop', service: 'web' } },
      'q'
    )
    expect(call.funcName).toBe('stats_by_service')
    expect(call.options.execFuncs?.[0]?.args.service).toBe('shop/web')
  })

  it('should send the constant script source whatever the request values', () => {
    const call = buildHttpStatsCall(
      {
        ...base,
        selector: { kind: 'replicaset', namespace: 'zz-unique-ns', replicaset: 'zz-unique-rs' },
        excludedPaths: ['/zz-unique-path'],
      },
      'q'
    )
    expect(call.options.script).toBe(HTTP_STATS_SCRIPT.source)
    expect(call.options.script).not.toContain('zz-unique')
    expect(call.script).toBe(HTTP_STATS_SCRIPT)
  })

  it('should pass the request filters as pattern arguments, never in the source', () => {
    const call = buildHttpStatsCall(
      {
        ...base,
        selector: { kind: 'service', namespace: 'a', service: 'b' },
        filters: { path: '/zz-unique/*/x.y', method: 'DELETE' },
      },
      'q'
    )
    expect(call.options.execFuncs?.[0]?.args).toMatchObject({
      path_pattern: '/zz-unique/[^/?]+/x\\.y(?:\\?.*)?',
      method_pattern: 'DELETE',
    })
    expect(call.options.script).not.toContain('zz-unique')
  })

  it('should pass a match-nothing pattern when exclusion is disabled', () => {
    const call = buildHttpStatsCall(
      { ...base, excludedPaths: [], selector: { kind: 'service', namespace: 'a', service: 'b' } },
      'q'
    )
    expect(call.options.execFuncs?.[0]?.args.excluded_paths).toBe(excludedPathsPattern([]))
  })

  it('should refuse values the validation layer should never let through', () => {
    const selector = { kind: 'service', namespace: 'a', service: 'b' } as const
    expect(() => buildHttpStatsCall({ ...base, selector, windowSeconds: 1.5 }, 'q')).toThrow(
      RangeError
    )
    expect(() => buildHttpStatsCall({ ...base, selector, windowSeconds: 0 }, 'q')).toThrow(
      RangeError
    )
    expect(() => buildHttpStatsCall({ ...base, selector, errorMinStatus: 99 }, 'q')).toThrow(
      RangeError
    )
  })
})
