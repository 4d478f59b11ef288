import { describe, expect, it } from 'vitest'
import { codeOf } from '../../test/helpers/code-of'
import { queryParser } from '../../test/helpers/metric-query'
import { ERROR_MIN_STATUS, ERROR_RATE_MARGIN, errorRateParams } from './params'

const query = queryParser(errorRateParams)

describe('the error-rate parameters', () => {
  it('should parse errors, 4xx5xx by default, and map it to the lowest error status', () => {
    expect(query('').params).toEqual({ errorStatuses: '4xx5xx', comparison: null })
    expect(query('&errors=5xx').params.errorStatuses).toBe('5xx')
    expect(codeOf(() => query('&errors=4xx'))).toBe('invalid_errors')
    expect(ERROR_MIN_STATUS).toEqual({ '4xx5xx': 400, '5xx': 500 })
  })

  it('should judge a comparison with a margin of one percentage point by default, from 0 to 0.5', () => {
    const q = query('&baseline_pod=c&margin=0.5')
    expect(q.params.comparison?.margin).toBe(0.5)
    expect(query('&baseline_pod=c').params.comparison?.margin).toBe(ERROR_RATE_MARGIN.default)
    expect(ERROR_RATE_MARGIN.default).toBe(0.01)
    expect(codeOf(() => query('&baseline_pod=c&margin=0.6'))).toBe('invalid_margin')
  })
})
