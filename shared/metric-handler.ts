/**
 * The metric pipeline every function runs, owned here and not by the metrics: validate the
 * parameters, build the one Pixie call, run it, decode the result (both sides with a baseline),
 * let the metric turn figures into its fields, and assemble the answer. Failures throw
 * PxCanaryError; the app's one onError answers them.
 */
import { buildMetricCall, decodeComparison } from './comparison'
import { PxCanaryError } from './errors'
import { describeFilters } from './filters'
import type { HttpMethod } from './filters'
import type { MetricDefinition, MetricFigures } from './metric'
import { parseMetricQuery } from './params'
import type { MetricQuery, RawParams } from './params'
import { checkProtocolRow } from './pxl/protocol-result'
import { decodeHttpStats, expectedSelectorEcho } from './pxl/result'
import { notForProtocol } from './protocol'
import type { Protocol } from './protocol'
import type { HttpStats } from './pxl/result'
import type { QueryRunner } from './query-runner'
import type { Selector } from './selector'

type SelectorBody = { namespace: string; kind: Selector['kind']; [field: string]: string }

/** The baseline's figures in a comparison answer: the same fields as the canary's. */
export interface BaselineBody extends MetricFigures {
  requests: number
  selector: SelectorBody
}

/** The 200 body every metric shares; the metric's figures sit between `value` and `requests`. */
export interface MetricBody extends MetricFigures {
  metric: string
  requests: number
  window_seconds: number
  /** Only when not http (http answers stay as they were before protocols existed). */
  protocol?: Exclude<Protocol, 'http'>
  selector: SelectorBody
  /** Only when a path or method filter was given. */
  filters?: { path?: string; method?: HttpMethod }
  /** Only with a baseline selector. */
  baseline?: BaselineBody
  /** Only with a baseline selector: the metric's comparison block. */
  comparison?: Record<string, unknown>
  excluded_paths: readonly string[]
  script: { name: string; sha256: string; function: string; baseline_function?: string }
}

function describeSelector(selector: Selector): SelectorBody {
  const { namespace, kind, ...rest } = selector
  const fields: Record<string, string> = {}
  for (const [name, value] of Object.entries(rest)) if (value !== undefined) fields[name] = value
  return { namespace, kind, ...fields }
}

/**
 * Answers one metric request: the 200 body, or a thrown PxCanaryError.
 *
 * @throws PxCanaryError 400 family for bad parameters, 502/503/504 from Pixie and the decoder
 */
export async function measure<P>(
  definition: MetricDefinition<P>,
  runner: QueryRunner,
  raw: RawParams
): Promise<MetricBody> {
  /** The metric's figures for one side; no requests must mean no value. */
  function figuresOf(stats: HttpStats, query: MetricQuery<P>): MetricFigures {
    const figures = definition.figures(stats, query)
    if (stats.requests === 0 && figures.value !== null) {
      throw new PxCanaryError(
        'internal_error',
        `${definition.name} reported a value without requests`
      )
    }
    return figures
  }

  const query = parseMetricQuery(raw, definition.params)
  if (query.baseline !== null && definition.compare === undefined) {
    throw new PxCanaryError(
      'unknown_parameter',
      `${definition.name} does not compare with a baseline; remove the baseline_* parameter`,
      { details: { parameter: 'baseline' } }
    )
  }
  const errorMinStatus = definition.errorMinStatus(query.params)
  if (query.protocol === 'mysql' && errorMinStatus !== 400) {
    // Pixie marks a MySQL response only OK or error; there is no server/caller split to choose.
    throw notForProtocol('errors', query.protocol, '5xx', 'a MySQL error has no class')
  }
  const { call, plan } = buildMetricCall(
    { ...query, errorMinStatus },
    `px-canary/${definition.name}`,
    { latencyBuckets: definition.latencyBuckets }
  )
  const result = await runner.run(call)
  let canary: HttpStats
  let compared: Pick<MetricBody, 'baseline' | 'comparison'> = {}
  if (plan === null || query.baseline === null) {
    canary = decodeHttpStats(result, call.outputTable, expectedSelectorEcho(call))
    checkProtocolRow(result, call.outputTable, query.protocol)
  } else {
    const sides = decodeComparison(result, plan)
    checkProtocolRow(result, plan.canary.stats, query.protocol)
    checkProtocolRow(result, plan.baseline.stats, query.protocol)
    canary = sides.canary.stats
    const baseline = sides.baseline.stats
    compared = {
      baseline: {
        ...figuresOf(baseline, query),
        requests: baseline.requests,
        selector: describeSelector(query.baseline),
      },
      comparison: definition.compare?.(sides, query) ?? {},
    }
  }
  const { value, ...named } = figuresOf(canary, query)
  const filters = describeFilters(query.filters)
  const body: MetricBody = {
    metric: definition.name,
    value,
    ...named,
    requests: canary.requests,
    window_seconds: query.windowSeconds,
    ...(query.protocol === 'http' ? {} : { protocol: query.protocol }),
    selector: describeSelector(query.selector),
    ...(filters === undefined ? {} : { filters }),
    ...compared,
    excluded_paths: query.excludedPaths,
    script: {
      name: call.script.name,
      sha256: call.script.sha256,
      function: call.funcName,
      ...(plan === null ? {} : { baseline_function: plan.baseline.funcName }),
    },
  }
  return body
}
