// Hostile input, property-based, at app level (the three real metric apps, a recording fake
// client): every hostile value of every parameter, in the query form and the path form, is a 400
// with the stable code naming what was wrong (never a 500, never a 200 with a number), and Pixie
// is not called. Whatever a request holds, the PxL source sent is the constant script, byte for
// byte, and arguments carry only values that passed validation.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { parameterNames } from '../../shared/params'
import type { ExecuteScriptOptions } from '../../shared/pixie/types'
import { HTTP_STATS_SCRIPT } from '../../shared/pxl/http-stats'
import { createFakeVizierClient } from '../helpers/fake-vizier'
import { echoedResult, METRICS, metricApp } from '../reliability/helpers'
import type { MetricName } from '../reliability/helpers'
import { argumentProblems, encode, hostileValue, PARAMETERS, SELECTORS, VALID } from './arbitraries'
import type { Parameter } from './arbitraries'

const RUNS = 200
const METRIC_NAMES = Object.keys(METRICS) as MetricName[]
const metricArb = fc.constantFrom(...METRIC_NAMES)

/** One app per metric over one recording client; calls are checked after every request. */
function setup() {
  const calls: ExecuteScriptOptions[] = []
  const client = createFakeVizierClient((options) => {
    calls.push(options)
    return echoedResult(options, {
      requests: 20,
      errors: 1,
      latencySumNs: 2e8,
      p50Ns: 1e7,
      p90Ns: 2e7,
      p99Ns: 3e7,
    })
  })
  const apps = Object.fromEntries(METRIC_NAMES.map((m) => [m, metricApp(m, { client })])) as Record<
    MetricName,
    ReturnType<typeof metricApp>
  >
  return { apps, calls }
}

/** What every call must look like, whatever the request: constant script, validated values. */
function expectOnlyValidatedValues(calls: readonly ExecuteScriptOptions[]): void {
  for (const call of calls) {
    expect(
      Buffer.from(call.script, 'utf8').equals(Buffer.from(HTTP_STATS_SCRIPT.source, 'utf8'))
    ).toBe(true)
    expect(call.execFuncs).toHaveLength(1)
    expect(argumentProblems(call.execFuncs![0]!.args)).toEqual([])
    expect(call.queryName).toMatch(/^px-canary\/(error-rate|latency|throughput)$/)
  }
}

async function answer(app: ReturnType<typeof metricApp>, target: string) {
  const res = await app.request(target)
  expect(res.headers.get('content-type'), target).toMatch(/^application\/json/)
  return { status: res.status, body: (await res.json()) as Record<string, any> }
}

/** Parameters a metric accepts, and a valid base query that names one selector. */
function baseQuery(metric: MetricName, selector: string): Record<string, string> {
  const base: Record<string, string> = { namespace: 'shop' }
  if (selector === 'rollout') Object.assign(base, { rollout: 'web', hash: '6d8f9' })
  else base[selector] = 'web'
  if (metric === 'error-rate') base.errors = '5xx'
  if (metric === 'latency') base.quantile = 'p90'
  return base
}

/** The metric's parameters (shared/params.ts parameterNames) that have a hostile generator. */
function parametersOf(metric: MetricName): Parameter[] {
  return parameterNames(METRICS[metric].params).filter((p): p is Parameter =>
    (PARAMETERS as readonly string[]).includes(p)
  )
}

/** A valid query of the metric, except for `parameter`, which holds `value`. */
function queryWith(
  metric: MetricName,
  parameter: Parameter,
  value: string,
  selector: (typeof SELECTORS)[number]
): Record<string, string> {
  switch (parameter) {
    case 'replicaset':
    case 'pod':
    case 'service':
      return { ...baseQuery(metric, parameter), [parameter]: value }
    case 'rollout':
      return { ...baseQuery(metric, 'rollout'), rollout: value }
    case 'hash':
      return { ...baseQuery(metric, 'rollout'), hash: value }
    default:
      return { ...baseQuery(metric, selector), [parameter]: value }
  }
}

const toTarget = (params: [string, string][]): string =>
  `/?${params.map(([k, v]) => `${encode(k)}=${encode(v)}`).join('&')}`

describe('hostile values, query form', () => {
  it('should answer 400 invalid_<parameter> for a hostile value of any parameter, without calling Pixie', async () => {
    const { apps, calls } = setup()
    const cases = metricArb.chain((metric) =>
      fc.constantFrom(...parametersOf(metric)).chain((parameter) =>
        fc.record({
          metric: fc.constant(metric),
          parameter: fc.constant(parameter),
          value: hostileValue(parameter),
          // The selector kind the rest of the query uses (the hostile one replaces its value).
          selector: fc.constantFrom(...SELECTORS),
        })
      )
    )
    await fc.assert(
      fc.asyncProperty(cases, async ({ metric, parameter, value, selector }) => {
        const params = queryWith(metric, parameter, value, selector)
        const before = calls.length
        const { status, body } = await answer(apps[metric], toTarget(Object.entries(params)))
        expect(status, JSON.stringify({ params, body })).toBe(400)
        expect(body.error.code).toBe(`invalid_${parameter}`)
        expect(body.error.message).toContain(parameter)
        expect(body).not.toHaveProperty('value')
        expect(calls.length).toBe(before)
      }),
      { numRuns: RUNS }
    )
  })

  it('should answer 400 for repeated parameters, conflicting selectors and unknown parameters', async () => {
    const { apps, calls } = setup()
    const repeated = metricArb.chain((metric) =>
      fc.record({
        metric: fc.constant(metric),
        kind: fc.constant('repeated' as const),
        parameter: fc.constantFrom(...parametersOf(metric)),
      })
    )
    const conflicting = fc.record({
      metric: metricArb,
      kind: fc.constant('conflicting' as const),
      selectors: fc.uniqueArray(fc.constantFrom(...SELECTORS), { minLength: 2, maxLength: 4 }),
    })
    const known = new Set<string>(METRIC_NAMES.flatMap((m) => parameterNames(METRICS[m].params)))
    const unknown = fc.record({
      metric: metricArb,
      kind: fc.constant('unknown' as const),
      name: fc
        .oneof(
          fc.string({ minLength: 1, maxLength: 30, unit: 'binary' }),
          fc.constantFrom(
            '__proto__',
            'constructor',
            'toString',
            'namespace[]',
            'Namespace',
            'pod ',
            'script',
            'query',
            'pxl',
            'windw',
            'api_key'
          )
        )
        .filter((n) => !known.has(n)),
      value: fc.oneof(
        fc.string({ maxLength: 20 }),
        fc.constantFrom(...['x', "'); px.display(", ''])
      ),
    })
    await fc.assert(
      fc.asyncProperty(fc.oneof(repeated, conflicting, unknown), async (c) => {
        const params = Object.entries(baseQuery(c.metric, 'pod'))
        let expected: string
        if (c.kind === 'repeated') {
          const existing = params.find(([k]) => k === c.parameter)?.[1]
          const fallback: Partial<Record<Parameter, string>> = {
            window: '30s',
            exclude_paths: '/x',
            errors: '5xx',
            quantile: 'p50',
            hash: '6d8f9',
          }
          const v = existing ?? fallback[c.parameter] ?? 'web'
          // A repeated selector parameter is the only selector; rollout and hash come together.
          if (
            c.parameter === 'replicaset' ||
            c.parameter === 'service' ||
            c.parameter === 'rollout' ||
            c.parameter === 'hash'
          ) {
            const i = params.findIndex(([k]) => k === 'pod')
            params.splice(i, 1)
            if (c.parameter === 'rollout') params.push(['hash', '6d8f9'])
            if (c.parameter === 'hash') params.push(['rollout', 'web'])
          }
          params.push([c.parameter, v], [c.parameter, v])
          expected = `invalid_${c.parameter}`
        } else if (c.kind === 'conflicting') {
          const kept = params.filter(([k]) => k !== 'pod')
          for (const s of c.selectors) {
            if (s === 'rollout') kept.push(['rollout', 'web'], ['hash', '6d8f9'])
            else kept.push([s, 'web'])
          }
          params.splice(0, params.length, ...kept)
          expected = 'conflicting_selectors'
        } else {
          params.push([c.name, c.value])
          expected = 'unknown_parameter'
        }
        const before = calls.length
        const { status, body } = await answer(apps[c.metric], toTarget(params))
        expect(status, JSON.stringify({ c, body })).toBe(400)
        expect(body.error.code).toBe(expected)
        expect(body.error.message.length).toBeGreaterThan(0)
        expect(calls.length).toBe(before)
      }),
      { numRuns: RUNS }
    )
  })

  it('should never answer 500, and call Pixie only with validated values, whatever the query', async () => {
    const { apps, calls } = setup()
    const names = fc.oneof(
      {
        weight: 6,
        arbitrary: fc.constantFrom(...PARAMETERS),
      },
      { weight: 1, arbitrary: fc.string({ maxLength: 12 }) }
    )
    const values = fc.oneof(
      {
        weight: 3,
        arbitrary: fc.constantFrom(
          'shop',
          'web',
          'web-6d8f9',
          '6d8f9',
          '30s',
          '5m',
          '5xx',
          'p50',
          'none',
          '/healthz'
        ),
      },
      {
        weight: 2,
        arbitrary: fc
          .constantFrom(...(['namespace', 'pod', 'window', 'exclude_paths'] as const))
          .chain(hostileValue),
      },
      { weight: 1, arbitrary: fc.string({ maxLength: 40, unit: 'binary' }) }
    )
    // A valid query, then maybe some of it dropped and random pairs added, in any order.
    const queries = fc
      .record({
        metric: metricArb,
        selector: fc.constantFrom(...SELECTORS),
        drop: fc.array(fc.nat(), { maxLength: 2 }),
        extra: fc.oneof(
          { weight: 1, arbitrary: fc.constant([] as [string, string][]) },
          { weight: 2, arbitrary: fc.array(fc.tuple(names, values), { maxLength: 5 }) }
        ),
        order: fc.nat(),
      })
      .map(({ metric, selector, drop, extra, order }) => {
        const params: [string, string][] = Object.entries(baseQuery(metric, selector))
        for (const d of drop) params.splice(d % (params.length + 1), 1)
        for (const pair of extra) params.splice(order % (params.length + 1), 0, pair)
        return { metric, params }
      })
    let measured = 0
    await fc.assert(
      fc.asyncProperty(queries, async ({ metric, params }) => {
        const before = calls.length
        const { status, body } = await answer(apps[metric], toTarget(params))
        expect([200, 400], JSON.stringify({ params, body })).toContain(status)
        if (status === 200) {
          measured++
          expect(calls.length).toBe(before + 1)
          expect(typeof body.value).toBe('number')
          expect(body.requests).toBe(20)
        } else {
          expect(calls.length).toBe(before)
          expect(body.error.code).toMatch(
            /^(invalid_[a-z_]+|missing_[a-z_]+|unknown_parameter|conflicting_selectors)$/
          )
          expect(body.error.message.length).toBeGreaterThan(0)
        }
        expectOnlyValidatedValues(calls.slice(before))
      }),
      { numRuns: RUNS }
    )
    // The generator does reach Pixie sometimes, so the argument checks above did run.
    expect(measured).toBeGreaterThan(0)
    expectOnlyValidatedValues(calls)
  })
})

describe('hostile values, path form', () => {
  // Invalid for the segment it goes into ('both': invalid as a pod prefix is invalid as a
  // namespace too), plus dot-segment and percent-encoding tricks.
  const tricks = fc.constantFrom(
    '..',
    '.',
    '%2e%2e',
    '%2E%2E',
    '%2f',
    '%252F',
    '%00',
    '%',
    '%%',
    '%u002e',
    '..%2f..%2f',
    '',
    ' '
  )
  const segmentFor = (hostile: 'namespace' | 'pod' | 'both') =>
    fc.oneof(hostileValue(hostile === 'namespace' ? 'namespace' : 'pod'), tricks)

  it('should answer 400 (or 404 for a path that is not the route) and call Pixie only for valid segments', async () => {
    const { apps, calls } = setup()
    const cases = fc
      .constantFrom('namespace' as const, 'pod' as const, 'both' as const)
      .chain((hostile) =>
        fc.record({
          metric: metricArb,
          hostile: fc.constant(hostile),
          value: segmentFor(hostile),
          other: fc.constantFrom('shop', 'web-6d8f9'),
          // Raw: the segment as is (tricks like %2e%2e and ..); else percent-encoded.
          raw: fc.boolean(),
        })
      )
    await fc.assert(
      fc.asyncProperty(cases, async ({ metric, hostile, value, other, raw }) => {
        const seg = raw ? value : encode(value)
        // Characters a URL cannot carry raw are always encoded.
        const safe =
          /^[\x21-\x7e]*$/.test(seg) && !seg.includes('?') && !seg.includes('#')
            ? seg
            : encode(value)
        const ns = hostile === 'pod' ? other : safe
        const pod = hostile === 'namespace' ? other : safe
        const target = `/${metric}/${ns}/${pod}`
        const before = calls.length
        const { status, body } = await answer(apps[metric], target)
        expect([400, 404], JSON.stringify({ target, body })).toContain(status)
        if (status === 400) {
          // Dot segments are resolved first: '/<metric>/../..' is the query form without a query.
          expect(body.error.code).toMatch(/^(invalid_(namespace|pod)|missing_namespace)$/)
        } else {
          expect(body.error.code).toBe('not_found')
        }
        expect(body).not.toHaveProperty('value')
        expect(calls.length).toBe(before)
      }),
      { numRuns: RUNS }
    )
  })

  it('should pass valid segments through only as arguments', async () => {
    const { apps, calls } = setup()
    await fc.assert(
      fc.asyncProperty(metricArb, VALID.namespace, VALID.pod, async (metric, ns, pod) => {
        const { status, body } = await answer(apps[metric], `/${metric}/${ns}/${pod}`)
        expect(status).toBe(200)
        expect(body.selector).toEqual({ namespace: ns, kind: 'pod', pod })
        const args = calls.at(-1)!.execFuncs![0]!.args
        expect(args.pod_prefix).toBe(`${ns}/${pod}`)
        expect(args.namespace).toBe(ns)
      }),
      { numRuns: 50 }
    )
    expectOnlyValidatedValues(calls)
  })
})
