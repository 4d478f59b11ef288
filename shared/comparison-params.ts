/**
 * The comparison's own query parameters (`alpha`, `margin`, `min_requests`), which only mean
 * something next to a baseline selector. They are validated like every other parameter: a bad
 * value answers 400 with a code naming it, and giving one without a baseline is refused
 * (`missing_baseline`) rather than ignored, because it means the caller believes a comparison is
 * being made when it is not.
 */
import * as z from 'zod/mini'
import { PxCanaryError } from './errors'
import { converting, parseParameter } from './parameter'
import type { ExtraParams, ParamContext } from './params'
import { DEFAULT_ALPHA } from './stats'
import type { Verdict, VerdictResult } from './stats'

/** How a canary is judged against its baseline, validated. */
export interface ComparisonSettings {
  /** Significance level of the one-sided test. */
  readonly alpha: number
  /** Error rate: the absolute difference that matters; latency: the quantile ratio that does. */
  readonly margin: number
  /** Fewest requests each side needs for a verdict other than insufficient_data. */
  readonly minRequests: number
}

/** What `margin` means for one metric, and its bounds. */
export interface MarginSpec {
  readonly default: number
  readonly min: number
  readonly max: number
  /** Stated in every error about it. */
  readonly meaning: string
}

/** Default fewest requests per side for a verdict (the templates' min-requests default). */
export const DEFAULT_MIN_REQUESTS = 50
const MIN_ALPHA = 0.001
const MAX_ALPHA = 0.2
const MAX_MIN_REQUESTS = 1_000_000

/** The comparison parameters' names, as they appear in the query string. */
const COMPARISON_PARAMS = ['alpha', 'margin', 'min_requests'] as const

/** A plain decimal: digits, optionally a fraction (no sign, exponent or leading dot). */
const DECIMAL = /^(?:0|[1-9][0-9]{0,6})(?:\.[0-9]{1,9})?$/
const INTEGER = /^[1-9][0-9]{0,6}$/

/** A plain decimal within [min, max]. */
function decimal(min: number, max: number) {
  return converting(
    z.string().check(z.maxLength(20, { abort: true }), z.regex(DECIMAL)),
    (value, refuse) => {
      const number = Number(value)
      return number >= min && number <= max ? number : refuse()
    }
  )
}

const minRequestsSchema = converting(z.string().check(z.regex(INTEGER)), (value, refuse) => {
  const number = Number(value)
  return number <= MAX_MIN_REQUESTS ? number : refuse()
})

const alphaSchema = decimal(MIN_ALPHA, MAX_ALPHA)

const ALPHA_ALLOWED = `the significance level of the one-sided test, a decimal from ${MIN_ALPHA} to ${MAX_ALPHA}; default ${DEFAULT_ALPHA}`
const MIN_REQUESTS_ALLOWED = `the fewest requests each side (canary and baseline) needs for a verdict, an integer from 1 to ${MAX_MIN_REQUESTS}; default ${DEFAULT_MIN_REQUESTS}`

/**
 * Validates the comparison parameters. Without a baseline there is no comparison: null, and any
 * comparison parameter given is refused.
 *
 * @throws PxCanaryError invalid_alpha, invalid_margin, invalid_min_requests, missing_baseline
 */
export function parseComparisonSettings(
  values: Readonly<Record<string, string | undefined>>,
  margin: MarginSpec,
  hasBaseline: boolean
): ComparisonSettings | null {
  if (!hasBaseline) {
    const given = COMPARISON_PARAMS.filter((name) => values[name] !== undefined)
    if (given.length > 0) {
      throw new PxCanaryError(
        'missing_baseline',
        `${given.join(', ')} ${given.length === 1 ? 'applies' : 'apply'} only to a comparison: add a baseline selector (baseline_hash with rollout, baseline_replicaset, baseline_pod or baseline_service)`,
        { details: { parameter: 'baseline', given } }
      )
    }
    return null
  }
  const alpha =
    values.alpha === undefined
      ? DEFAULT_ALPHA
      : parseParameter('alpha', values.alpha, alphaSchema, ALPHA_ALLOWED)
  const marginValue =
    values.margin === undefined
      ? margin.default
      : parseParameter('margin', values.margin, decimal(margin.min, margin.max), margin.meaning)
  const minRequests =
    values.min_requests === undefined
      ? DEFAULT_MIN_REQUESTS
      : parseParameter('min_requests', values.min_requests, minRequestsSchema, MIN_REQUESTS_ALLOWED)
  return { alpha, margin: marginValue, minRequests }
}

/**
 * A metric's parameters plus the comparison parameters (`alpha`, `margin` as `margin` says,
 * `min_requests`). The comparison settings are null when the request has no baseline.
 */
export function withComparisonParams<P>(
  base: ExtraParams<P>,
  margin: MarginSpec
): ExtraParams<P & { comparison: ComparisonSettings | null }> {
  return {
    names: [...base.names, ...COMPARISON_PARAMS],
    parse: (values, context: ParamContext) => {
      const own: Record<string, string | undefined> = {}
      for (const name of base.names) own[name] = values[name]
      const comparison = parseComparisonSettings(values, margin, context.baseline !== null)
      return { ...base.parse(own, context), comparison }
    },
  }
}

/** The settings a verdict was reached with, echoed so a reader knows what `not_worse` means. */
export interface JudgedBy {
  verdict: Verdict
  /** One sentence with the deciding figures. */
  reason: string
  alpha: number
  margin: number
  min_requests: number
}

/** The verdict fields of a comparison block, in the order every answer has them. */
export function judged(result: VerdictResult, settings: ComparisonSettings): JudgedBy {
  return {
    verdict: result.verdict,
    reason: result.reason,
    alpha: settings.alpha,
    margin: settings.margin,
    min_requests: settings.minRequests,
  }
}
