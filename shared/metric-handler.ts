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
import { coverageOf, RETENTION_REASON } from './pxl/coverage'
import type { Coverage } from './pxl/coverage'
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
  /** Seconds of the window the rows cover (shared/pxl/coverage.ts); null without requests. */
  covered_seconds: number | null
  /** Only when retention cut the window short: covered / window seconds. */
  coverage_ratio?: number
  /** Only when the answer has no value although there were requests: why. */
  reason?: typeof RETENTION_REASON
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

const NO_REQUESTS: HttpStats = { requests: 0, errors: 0, latencyNs: null }

function coverageOfSide<P>(stats: HttpStats, query: MetricQuery<P>): Coverage | null {
  return stats.span == null ? null : coverageOf(stats.span, query.windowSeconds)
}

/** What a side cut short by retention says about it (nothing for a side that is not). */
function retentionFields(coverage: Coverage | null): {
  covered_seconds?: number
  coverage_ratio?: number
  reason?: typeof RETENTION_REASON
} {
  if (coverage?.inconclusive !== true) return {}
  return {
    covered_seconds: coverage.coveredSeconds,
    coverage_ratio: coverage.ratio,
    reason: RETENTION_REASON,
  }
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
  /**
   * The metric's figures for one side; no requests must mean no value. A side whose window
   * retention cut short gets the figures of no measurement: never a diluted number.
   */
  function figuresOf(stats: HttpStats, query: MetricQuery<P>): MetricFigures {
    const unmeasured = coverageOfSide(stats, query)?.inconclusive === true
    const figures = definition.figures(unmeasured ? NO_REQUESTS : stats, query)
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
    // A side cut short by retention has no figures to compare: no comparison block at all.
    const comparable = [canary, baseline].every(
      (stats) => coverageOfSide(stats, query)?.inconclusive !== true
    )
    compared = {
      baseline: {
        ...figuresOf(baseline, query),
        requests: baseline.requests,
        ...retentionFields(coverageOfSide(baseline, query)),
        selector: describeSelector(query.baseline),
      },
      ...(comparable ? { comparison: definition.compare?.(sides, query) ?? {} } : {}),
    }
  }
  const { value, ...named } = figuresOf(canary, query)
  const coverage = coverageOfSide(canary, query)
  const filters = describeFilters(query.filters)
  const body: MetricBody = {
    metric: definition.name,
    value,
    ...named,
    requests: canary.requests,
    window_seconds: query.windowSeconds,
    covered_seconds: coverage?.coveredSeconds ?? null,
    ...retentionFields(coverage),
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
