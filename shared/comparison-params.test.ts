import { describe, expect, it } from 'vitest'
import { codeOf } from '../test/helpers/code-of'
import {
  DEFAULT_MIN_REQUESTS,
  parseComparisonSettings,
  withComparisonParams,
} from './comparison-params'
import type { MarginSpec } from './comparison-params'
import { PxCanaryError } from './errors'
import * as z from 'zod/mini'
import { ownParameter } from './params'
import type { ExtraParams } from './params'

// Margins shaped like the metrics' own (functions/error-rate/params.ts, functions/latency/params.ts).
const ERROR_RATE_MARGIN: MarginSpec = { default: 0.01, min: 0, max: 0.5, meaning: 'a difference' }
const LATENCY_MARGIN: MarginSpec = {
  default: 1.1,
  min: 1,
  max: 10,
  meaning: 'the ratio of canary to baseline latency quantile',
}

/** A metric's own parameter, as a function declares one. */
const errorRateParams: ExtraParams<{ errorStatuses: '4xx5xx' | '5xx' }> = ownParameter(
  'errors',
  'errorStatuses',
  { schema: z.enum(['4xx5xx', '5xx']), allowed: '4xx5xx or 5xx', fallback: '4xx5xx' }
)

describe('parseComparisonSettings', () => {
  it('should default to alpha 0.05, the metric margin and 50 requests per side', () => {
    expect(parseComparisonSettings({}, ERROR_RATE_MARGIN, true)).toEqual({
      alpha: 0.05,
      margin: 0.01,
      minRequests: DEFAULT_MIN_REQUESTS,
      looks: 1,
      extraMargin: null,
    })
    expect(parseComparisonSettings({}, LATENCY_MARGIN, true)?.margin).toBe(1.1)
  })

  it('should accept values within bounds', () => {
    expect(
      parseComparisonSettings(
        { alpha: '0.01', margin: '0.005', min_requests: '200' },
        ERROR_RATE_MARGIN,
        true
      )
    ).toEqual({ alpha: 0.01, margin: 0.005, minRequests: 200, looks: 1, extraMargin: null })
    expect(parseComparisonSettings({ looks: '12' }, ERROR_RATE_MARGIN, true)?.looks).toBe(12)
    expect(parseComparisonSettings({ looks: '1000' }, ERROR_RATE_MARGIN, true)?.looks).toBe(1000)
    const tail = { name: 'tail_margin', spec: { default: 2, min: 1, max: 100, meaning: 'a ratio' } }
    expect(parseComparisonSettings({}, LATENCY_MARGIN, true, tail)?.extraMargin).toBe(2)
    expect(
      parseComparisonSettings({ tail_margin: '3.5' }, LATENCY_MARGIN, true, tail)?.extraMargin
    ).toBe(3.5)
    for (const bad of ['0.5', '101', 'x']) {
      expect(
        codeOf(() => parseComparisonSettings({ tail_margin: bad }, LATENCY_MARGIN, true, tail))
      ).toBe('invalid_tail_margin')
    }
    expect(parseComparisonSettings({ margin: '1.5' }, LATENCY_MARGIN, true)?.margin).toBe(1.5)
    expect(parseComparisonSettings({ margin: '0' }, ERROR_RATE_MARGIN, true)?.margin).toBe(0)
  })

  it('should refuse out-of-range or malformed values with a code naming the parameter', () => {
    const cases: Array<[Record<string, string>, string]> = [
      [{ alpha: '0' }, 'invalid_alpha'],
      [{ alpha: '0.5' }, 'invalid_alpha'],
      [{ alpha: '5%' }, 'invalid_alpha'],
      [{ alpha: '.05' }, 'invalid_alpha'],
      [{ alpha: '5e-2' }, 'invalid_alpha'],
      [{ alpha: 'NaN' }, 'invalid_alpha'],
      [{ alpha: '-0.05' }, 'invalid_alpha'],
      [{ margin: '0.6' }, 'invalid_margin'],
      [{ margin: '1' }, 'invalid_margin'],
      [{ margin: 'Infinity' }, 'invalid_margin'],
      [{ min_requests: '0' }, 'invalid_min_requests'],
      [{ min_requests: '1.5' }, 'invalid_min_requests'],
      [{ min_requests: '2000000' }, 'invalid_min_requests'],
      [{ min_requests: '050' }, 'invalid_min_requests'],
      [{ min_requests: '' }, 'invalid_min_requests'],
      [{ looks: '0' }, 'invalid_looks'],
      [{ looks: '1001' }, 'invalid_looks'],
      [{ looks: '2.5' }, 'invalid_looks'],
      [{ looks: '-3' }, 'invalid_looks'],
    ]
    for (const [values, code] of cases) {
      expect(
        codeOf(() => parseComparisonSettings(values, ERROR_RATE_MARGIN, true)),
        JSON.stringify(values)
      ).toBe(code)
    }
    expect(codeOf(() => parseComparisonSettings({ margin: '0.9' }, LATENCY_MARGIN, true))).toBe(
      'invalid_margin'
    )
  })

  it('should say what margin means for the metric in its error', () => {
    try {
      parseComparisonSettings({ margin: '20' }, LATENCY_MARGIN, true)
      expect.unreachable()
    } catch (err) {
      expect((err as PxCanaryError).message).toMatch(
        /^margin must be the ratio of canary to baseline/
      )
      expect((err as PxCanaryError).details).toEqual({ parameter: 'margin' })
    }
  })

  it('should be null without a baseline, and refuse comparison parameters given without one', () => {
    expect(parseComparisonSettings({}, ERROR_RATE_MARGIN, false)).toBeNull()
    for (const name of ['alpha', 'margin', 'min_requests']) {
      expect(
        codeOf(() => parseComparisonSettings({ [name]: '0.05' }, ERROR_RATE_MARGIN, false))
      ).toBe('missing_baseline')
    }
  })
})

describe('withComparisonParams', () => {
  const params = withComparisonParams(errorRateParams, ERROR_RATE_MARGIN)

  it("should add the comparison parameters to the metric's own", () => {
    expect(params.names).toEqual(['errors', 'alpha', 'margin', 'min_requests', 'looks'])
    const baseline = { kind: 'pod', namespace: 'shop', pod: 'web-55c7f-' } as const
    expect(params.parse({ errors: '5xx', alpha: '0.1' }, { baseline })).toEqual({
      errorStatuses: '5xx',
      comparison: { alpha: 0.1, margin: 0.01, minRequests: 50, looks: 1, extraMargin: null },
    })
    expect(params.parse({}, { baseline: null })).toEqual({
      errorStatuses: '4xx5xx',
      comparison: null,
    })
  })
})
