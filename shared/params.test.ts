import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { withComparisonParams } from './comparison-params'
import { PxCanaryError } from './errors'
import * as z from 'zod/mini'
import { noExtraParams, ownParameter, parseMetricQuery } from './params'
import type { RawParams } from './params'
import { DEFAULT_EXCLUDED_PATHS } from './pxl/exclusion'
import { errorOf } from '../test/helpers/code-of'

/** Builds raw params the way Hono's c.req.queries() does from a query string. */
function raw(query: string): RawParams {
  const out: RawParams = {}
  for (const [name, value] of new URLSearchParams(query)) (out[name] ??= []).push(value)
  return out
}

const parse = (query: string) => parseMetricQuery(raw(query), noExtraParams)
const codeFor = (query: string) => errorOf(() => parse(query)).code

describe('parseMetricQuery', () => {
  it('should apply the defaults: 60 s window, probe paths excluded', () => {
    const q = parse('namespace=shop&replicaset=web-7d9f')
    expect(q).toEqual({
      selector: { kind: 'replicaset', namespace: 'shop', replicaset: 'web-7d9f' },
      baseline: null,
      windowSeconds: 60,
      excludedPaths: DEFAULT_EXCLUDED_PATHS,
      filters: { path: null, method: null },
      protocol: 'http',
      params: {},
    })
  })

  it('should accept each selector kind', () => {
    expect(parse('namespace=shop&rollout=web&hash=6d8f9c7b4').selector).toEqual({
      kind: 'replicaset',
      namespace: 'shop',
      replicaset: 'web-6d8f9c7b4',
      rollout: 'web',
      hash: '6d8f9c7b4',
    })
    expect(parse('namespace=shop&pod=web-6d8f9-').selector).toEqual({
      kind: 'pod',
      namespace: 'shop',
      pod: 'web-6d8f9-',
    })
    expect(parse('namespace=shop&service=web-canary').selector).toEqual({
      kind: 'service',
      namespace: 'shop',
      service: 'web-canary',
    })
  })

  it('should require a namespace', () => {
    expect(codeFor('replicaset=web-1')).toBe('missing_namespace')
  })

  it('should refuse namespaces that are not DNS-1123 labels', () => {
    for (const ns of ['Shop', 'shop_1', '-shop', 'shop-', 'a'.repeat(64), '', 'a.b', "x'y"]) {
      expect(codeFor(`namespace=${encodeURIComponent(ns)}&pod=a`), ns).toBe('invalid_namespace')
    }
  })

  it('should require exactly one selector', () => {
    expect(codeFor('namespace=shop')).toBe('missing_selector')
    expect(codeFor('namespace=shop&pod=a&service=b')).toBe('conflicting_selectors')
    expect(codeFor('namespace=shop&replicaset=a-1&rollout=a&hash=1')).toBe('conflicting_selectors')
  })

  it('should require rollout and hash together', () => {
    expect(codeFor('namespace=shop&rollout=web')).toBe('missing_hash')
    expect(codeFor('namespace=shop&hash=abc123')).toBe('missing_rollout')
  })

  it('should refuse selector values Kubernetes would not allow', () => {
    expect(codeFor('namespace=shop&replicaset=Web')).toBe('invalid_replicaset')
    expect(codeFor(`namespace=shop&replicaset=${'a'.repeat(254)}`)).toBe('invalid_replicaset')
    expect(codeFor('namespace=shop&pod=-web')).toBe('invalid_pod')
    expect(codeFor('namespace=shop&pod=web%2F1')).toBe('invalid_pod')
    expect(codeFor('namespace=shop&service=1web')).toBe('invalid_service')
    expect(codeFor('namespace=shop&rollout=web_x&hash=1')).toBe('invalid_rollout')
    expect(codeFor('namespace=shop&rollout=web&hash=ab-c')).toBe('invalid_hash')
    expect(codeFor(`namespace=shop&rollout=${'a'.repeat(250)}&hash=abcdef`)).toBe('invalid_rollout')
  })

  it('should parse windows with units and plain seconds within 10 s .. 1 h', () => {
    expect(parse('namespace=a&pod=b&window=30s').windowSeconds).toBe(30)
    expect(parse('namespace=a&pod=b&window=5m').windowSeconds).toBe(300)
    expect(parse('namespace=a&pod=b&window=1h').windowSeconds).toBe(3600)
    expect(parse('namespace=a&pod=b&window=45').windowSeconds).toBe(45)
    for (const w of [
      '9s',
      '2h',
      '61m',
      '0',
      '-30s',
      '1.5m',
      '30 s',
      '30ms',
      '',
      'abc',
      '9'.repeat(40),
    ]) {
      expect(codeFor(`namespace=a&pod=b&window=${encodeURIComponent(w)}`), w).toBe('invalid_window')
    }
  })

  it('should parse excluded paths, or none to disable exclusion', () => {
    expect(parse('namespace=a&pod=b&exclude_paths=/status,/metrics').excludedPaths).toEqual([
      '/status',
      '/metrics',
    ])
    expect(parse('namespace=a&pod=b&exclude_paths=none').excludedPaths).toEqual([])
    // One path grammar with the path filter: a % must start a two-digit escape here too.
    for (const p of ['', 'status', '/a,', '/a b', '/a?b=1', '/%zz', `/${'a'.repeat(300)}`]) {
      expect(codeFor(`namespace=a&pod=b&exclude_paths=${encodeURIComponent(p)}`), p).toBe(
        'invalid_exclude_paths'
      )
    }
    expect(
      parse(`namespace=a&pod=b&exclude_paths=${encodeURIComponent('/a%2Fb,/a,/a')}`).excludedPaths
    ).toEqual(['/a%2Fb', '/a'])
    const many = Array.from({ length: 33 }, (_, i) => `/p${i}`).join(',')
    const err = errorOf(() => parse(`namespace=a&pod=b&exclude_paths=${many}`))
    expect(err.code).toBe('invalid_exclude_paths')
    expect(err.message).toMatch(/ \(too many\); got /)
  })

  it('should parse the window once into seconds, within 10 s to 1 h', () => {
    expect(parse('namespace=a&pod=b&window=1h').windowSeconds).toBe(3600)
    expect(parse('namespace=a&pod=b&window=90').windowSeconds).toBe(90)
    for (const w of ['9s', '61m', '0', '5d', '1e3', '123456789']) {
      expect(codeFor(`namespace=a&pod=b&window=${w}`), w).toBe('invalid_window')
    }
  })

  it('should refuse unknown parameters, naming them and the allowed ones', () => {
    const err = errorOf(() => parse('namespace=a&pod=b&windw=5m'))
    expect(err.code).toBe('unknown_parameter')
    expect(err.message).toContain('"windw"')
    expect(err.message).toContain('window')
    // A metric's own parameter is unknown to the other metrics.
    expect(codeFor('namespace=a&pod=b&quantile=p50')).toBe('unknown_parameter')
  })

  it('should refuse a repeated parameter with the code naming it', () => {
    expect(codeFor('namespace=a&namespace=b&pod=c')).toBe('invalid_namespace')
    expect(codeFor('namespace=a&pod=c&window=30s&window=60s')).toBe('invalid_window')
  })

  it('should say what is allowed and echo a bad value only truncated', () => {
    const err = errorOf(() => parse(`namespace=a&pod=b&window=${'x'.repeat(500)}`))
    expect(err.message).toMatch(/window must be a duration from 10s to 1h/)
    expect(err.message.length).toBeLessThan(400)
    expect(err.details).toEqual({ parameter: 'window' })
  })

  it("should refuse a metric's own parameter given twice, naming it", () => {
    const own = ownParameter('quantile', 'quantile', {
      schema: z.enum(['p50', 'p99']),
      allowed: 'p50 or p99',
      fallback: 'p99',
    })
    const q = (s: string) => parseMetricQuery(raw(`namespace=a&pod=b${s}`), own)
    expect(q('&quantile=p50').params).toEqual({ quantile: 'p50' })
    expect(errorOf(() => q('&quantile=p95')).code).toBe('invalid_quantile')
    expect(errorOf(() => q('&quantile=p50&quantile=p90')).code).toBe('invalid_quantile')
  })
})

describe('baseline selectors', () => {
  it('should accept each baseline kind in the namespace of the canary', () => {
    expect(parse('namespace=shop&rollout=web&hash=6d8f9&baseline_hash=55c7f').baseline).toEqual({
      kind: 'replicaset',
      namespace: 'shop',
      replicaset: 'web-55c7f',
      rollout: 'web',
      hash: '55c7f',
    })
    expect(parse('namespace=shop&pod=web-6d8f9-&baseline_replicaset=web-55c7f').baseline).toEqual({
      kind: 'replicaset',
      namespace: 'shop',
      replicaset: 'web-55c7f',
    })
    expect(parse('namespace=shop&replicaset=web-6d8f9&baseline_pod=web-55c7f-').baseline).toEqual({
      kind: 'pod',
      namespace: 'shop',
      pod: 'web-55c7f-',
    })
    expect(parse('namespace=shop&service=web-canary&baseline_service=web').baseline).toEqual({
      kind: 'service',
      namespace: 'shop',
      service: 'web',
    })
  })

  it('should refuse more than one baseline selector', () => {
    const err = errorOf(() => parse('namespace=a&pod=b&baseline_pod=c&baseline_service=d'))
    expect(err.code).toBe('conflicting_selectors')
    expect(err.message).toMatch(/baseline_pod and baseline_service/)
  })

  it('should require rollout (and hash) for baseline_hash', () => {
    expect(codeFor('namespace=a&pod=b&baseline_hash=55c7f')).toBe('missing_rollout')
    expect(codeFor('namespace=a&replicaset=b&baseline_hash=55c7f')).toBe('missing_rollout')
    expect(codeFor('namespace=a&rollout=web&baseline_hash=55c7f')).toBe('missing_hash')
  })

  it('should validate baseline values like the canary selectors, naming the parameter', () => {
    const cases: Array<[string, string]> = [
      ['namespace=a&pod=b&baseline_replicaset=Web', 'invalid_baseline_replicaset'],
      ['namespace=a&rollout=w&hash=1&baseline_hash=5b-9', 'invalid_baseline_hash'],
      ['namespace=a&pod=b&baseline_pod=-x', 'invalid_baseline_pod'],
      ['namespace=a&pod=b&baseline_service=1web', 'invalid_baseline_service'],
      [`namespace=a&pod=b&baseline_service=${'s'.repeat(64)}`, 'invalid_baseline_service'],
      ['namespace=a&pod=b&baseline_pod=', 'invalid_baseline_pod'],
      ['namespace=a&pod=b&baseline_pod=x&baseline_pod=x', 'invalid_baseline_pod'],
    ]
    for (const [query, code] of cases) expect(codeFor(query), query).toBe(code)
    const err = errorOf(() => parse('namespace=a&pod=b&baseline_service=1web'))
    expect(err.message).toMatch(/^baseline_service must be a Service name \(DNS-1035 label/)
    expect(err.details).toEqual({ parameter: 'baseline_service' })
  })

  it('should refuse a baseline that selects the canary itself', () => {
    expect(codeFor('namespace=a&rollout=web&hash=6d8f9&baseline_hash=6d8f9')).toBe(
      'invalid_baseline_hash'
    )
    expect(codeFor('namespace=a&replicaset=web-1&baseline_replicaset=web-1')).toBe(
      'invalid_baseline_replicaset'
    )
    expect(codeFor('namespace=a&pod=web-1&baseline_pod=web-1')).toBe('invalid_baseline_pod')
  })

  it('should hand the baseline to the metric parameters', () => {
    const seen: unknown[] = []
    const extra = {
      names: ['x'],
      parse: (_values: Record<string, string | undefined>, context: { baseline: unknown }) => {
        seen.push(context.baseline)
        return {}
      },
    }
    parseMetricQuery(raw('namespace=a&pod=b'), extra)
    parseMetricQuery(raw('namespace=a&pod=b&baseline_pod=c'), extra)
    expect(seen).toEqual([null, { kind: 'pod', namespace: 'a', pod: 'c' }])
  })
})

describe('request filters', () => {
  it('should accept a path pattern and a method', () => {
    expect(parse('namespace=a&pod=b&path=/orders/*/items&method=POST').filters).toEqual({
      path: '/orders/*/items',
      method: 'POST',
    })
    expect(parse('namespace=a&pod=b&path=%2Forders').filters.path).toBe('/orders')
  })

  it('should refuse bad filters with a code naming the parameter', () => {
    expect(codeFor('namespace=a&pod=b&path=orders')).toBe('invalid_path')
    expect(codeFor('namespace=a&pod=b&path=/a*')).toBe('invalid_path')
    expect(codeFor('namespace=a&pod=b&method=get')).toBe('invalid_method')
    expect(codeFor('namespace=a&pod=b&method=GET&method=POST')).toBe('invalid_method')
  })
})

describe('the comparison and filter parameters, with any value', () => {
  const NAMES = [
    'path',
    'method',
    'baseline_replicaset',
    'baseline_hash',
    'baseline_pod',
    'baseline_service',
    'alpha',
    'margin',
    'min_requests',
  ] as const
  const params = withComparisonParams(noExtraParams, {
    default: 0.01,
    min: 0,
    max: 0.5,
    meaning: 'a difference',
  })

  it('should either accept a value or refuse it with a 400 code naming a parameter', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...NAMES),
        fc.oneof(
          fc.string({ maxLength: 300, unit: 'binary' }),
          fc.constantFrom("'); px.display(df)", '(?s).*', '/a/*', '0.05', '1e3', '/%zz', '..')
        ),
        (name, value) => {
          const query = `namespace=shop&rollout=web&hash=6d8f9&baseline_hash=55c7f`
          const search = new URLSearchParams(query)
          if (name.startsWith('baseline_')) search.delete('baseline_hash')
          search.append(name, value)
          try {
            const q = parseMetricQuery(raw(search.toString()), params)
            // Accepted values are exactly what the grammar allows.
            if (name === 'path')
              expect(q.filters.path).toMatch(/^\/[A-Za-z0-9._~!$&'()+,;=:@%/*-]*$/)
            if (name === 'method') expect(q.filters.method).toBe(value)
            if (name.startsWith('baseline_')) expect(q.baseline).not.toBeNull()
          } catch (err) {
            expect(err).toBeInstanceOf(PxCanaryError)
            const code = (err as PxCanaryError).code
            expect([`invalid_${name}`, 'missing_rollout']).toContain(code)
          }
        }
      ),
      { numRuns: 300 }
    )
  })
})
