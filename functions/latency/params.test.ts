import { describe, expect, it } from 'vitest'
import { codeOf } from '../../test/helpers/code-of'
import { queryParser } from '../../test/helpers/metric-query'
import { LATENCY_MARGIN, latencyParams } from './params'

const query = queryParser(latencyParams)

describe('the latency parameters', () => {
  it('should parse quantile, p99 by default', () => {
    expect(query('').params).toEqual({ quantile: 'p99', comparison: null })
    expect(query('&quantile=p50').params.quantile).toBe('p50')
    expect(codeOf(() => query('&quantile=p95'))).toBe('invalid_quantile')
  })

  it('should judge a comparison with a ratio margin of 1.1 by default, from 1 to 10', () => {
    expect(query('&baseline_pod=c').params.comparison?.margin).toBe(LATENCY_MARGIN.default)
    expect(LATENCY_MARGIN.default).toBe(1.1)
    expect(query('&baseline_pod=c&margin=10').params.comparison?.margin).toBe(10)
    expect(codeOf(() => query('&baseline_pod=c&margin=0.9'))).toBe('invalid_margin')
  })

  it('should take tail_margin (default 2, from 1 to 100) and looks, only with a baseline', () => {
    expect(query('&baseline_pod=c').params.comparison).toMatchObject({ extraMargin: 2, looks: 1 })
    expect(query('&baseline_pod=c&tail_margin=4&looks=12').params.comparison).toMatchObject({
      extraMargin: 4,
      looks: 12,
    })
    expect(codeOf(() => query('&baseline_pod=c&tail_margin=0.5'))).toBe('invalid_tail_margin')
    expect(codeOf(() => query('&baseline_pod=c&looks=0'))).toBe('invalid_looks')
    expect(codeOf(() => query('&tail_margin=2'))).toBe('missing_baseline')
    expect(codeOf(() => query('&looks=10'))).toBe('missing_baseline')
  })
})
