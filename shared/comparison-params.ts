/**
 * The comparison's own query parameters (`alpha`, `margin`, `min_requests`, `looks`, and per
 * metric `tail_margin` or `min_share`), which only mean something next to a baseline selector. They are validated like every other parameter: a bad
 * value answers 400 with a code naming it, and giving one without a baseline is refused
 * (`missing_baseline`) rather than ignored, because it means the caller believes a comparison is
 * being made when it is not.
 */
import * as z from 'zod/mini'
import { PxCanaryError } from './errors'
import { converting, parseParameter } from './parameter'
import type { ExtraParams, ParamContext } from './params'
import { DEFAULT_ALPHA, MAX_LOOKS } from './stats'
import type { Verdict, VerdictResult } from './stats'

/** How a canary is judged against its baseline, validated. */
export interface ComparisonSettings {
  /** Significance level of the one-sided test. */
  readonly alpha: number
  /** Error rate: the absolute difference that matters; latency: the quantile ratio that does. */
  readonly margin: number
  /** Fewest requests each side needs for a verdict other than insufficient_data. */
  readonly minRequests: number
  /**
   * Looks the analysis makes (the template's `count`): each look tests at alpha / looks, so the
   * false-alarm rate over the whole analysis stays at alpha (shared/stats/looks.ts).
   */
  readonly looks: number
  /** The metric's extra margin (latency: `tail_margin`); null for a metric without one. */
  readonly extraMargin: number | null
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
const COMPARISON_PARAMS = ['alpha', 'margin', 'min_requests', 'looks'] as const

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

const looksSchema = converting(z.string().check(z.regex(INTEGER)), (value, refuse) => {
  const number = Number(value)
  return number <= MAX_LOOKS ? number : refuse()
})

const ALPHA_ALLOWED = `the significance level of the one-sided test, a decimal from ${MIN_ALPHA} to ${MAX_ALPHA}; default ${DEFAULT_ALPHA}`
const LOOKS_ALLOWED = `how many measurements the analysis makes (set it to the template's count), an integer from 1 to ${MAX_LOOKS}; each look tests at alpha / looks, so alpha holds for the whole analysis; default 1`
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
  hasBaseline: boolean,
  extra: ExtraMargin | null = null
): ComparisonSettings | null {
  if (!hasBaseline) {
    const names = extra === null ? COMPARISON_PARAMS : [...COMPARISON_PARAMS, extra.name]
    refuseWithoutBaseline(values, names)
    return null
  }
  const alpha = parseAlpha(values.alpha)
  const marginValue =
    values.margin === undefined
      ? margin.default
      : parseParameter('margin', values.margin, decimal(margin.min, margin.max), margin.meaning)
  const minRequests =
    values.min_requests === undefined
      ? DEFAULT_MIN_REQUESTS
      : parseParameter('min_requests', values.min_requests, minRequestsSchema, MIN_REQUESTS_ALLOWED)
  const looks = parseLooks(values.looks)
  const extraMargin =
    extra === null
      ? null
      : values[extra.name] === undefined
        ? extra.spec.default
        : parseParameter(
            extra.name,
            values[extra.name] as string,
            decimal(extra.spec.min, extra.spec.max),
            extra.spec.meaning
          )
  return { alpha, margin: marginValue, minRequests, looks, extraMargin }
}

/** A second margin a metric judges by, with its query parameter's name. */
export interface ExtraMargin {
  readonly name: string
  readonly spec: MarginSpec
}

function parseAlpha(value: string | undefined): number {
  return value === undefined
    ? DEFAULT_ALPHA
    : parseParameter('alpha', value, alphaSchema, ALPHA_ALLOWED)
}

function parseLooks(value: string | undefined): number {
  return value === undefined ? 1 : parseParameter('looks', value, looksSchema, LOOKS_ALLOWED)
}

/** @throws PxCanaryError missing_baseline when any of names was given */
function refuseWithoutBaseline(
  values: Readonly<Record<string, string | undefined>>,
  names: readonly string[]
): void {
  const given = names.filter((name) => values[name] !== undefined)
  if (given.length > 0) {
    throw new PxCanaryError(
      'missing_baseline',
      `${given.join(', ')} ${given.length === 1 ? 'applies' : 'apply'} only to a comparison: add a baseline selector (baseline_hash with rollout, baseline_replicaset, baseline_pod or baseline_service)`,
      { details: { parameter: 'baseline', given } }
    )
  }
}

/**
 * A metric's parameters plus the comparison parameters (`alpha`, `margin` as `margin` says,
 * `min_requests`). The comparison settings are null when the request has no baseline.
 */
export function withComparisonParams<P>(
  base: ExtraParams<P>,
  margin: MarginSpec,
  extra: ExtraMargin | null = null
): ExtraParams<P & { comparison: ComparisonSettings | null }> {
  return {
    names: [...base.names, ...COMPARISON_PARAMS, ...(extra === null ? [] : [extra.name])],
    parse: (values, context: ParamContext) => {
      const own: Record<string, string | undefined> = {}
      for (const name of base.names) own[name] = values[name]
      const comparison = parseComparisonSettings(values, margin, context.baseline !== null, extra)
      return { ...base.parse(own, context), comparison }
    },
  }
}

/** The settings a verdict was reached with, echoed so a reader knows what `not_worse` means. */
export interface JudgedBy {
  verdict: Verdict
  /** One sentence with the deciding figures. */
  reason: string
  /** The false-alarm rate over the whole analysis (all `looks`). */
  alpha: number
  margin: number
  min_requests: number
  looks: number
  /** The level this look's test(s) ran at, so that `looks` looks stay at alpha together. */
  alpha_per_test: number
}

/** The verdict fields of a comparison block, in the order every answer has them. */
export function judged(
  result: VerdictResult,
  settings: ComparisonSettings,
  alphaPerTest: number
): JudgedBy {
  return {
    verdict: result.verdict,
    reason: result.reason,
    alpha: settings.alpha,
    margin: settings.margin,
    min_requests: settings.minRequests,
    looks: settings.looks,
    alpha_per_test: alphaPerTest,
  }
}

/** How a throughput comparison is judged: is the canary starved of its share of traffic? */
export interface ShareSettings {
  readonly alpha: number
  readonly looks: number
  /** The canary is starved when its share of both sides' requests is significantly below this. */
  readonly minShare: number
}

/** Default `min_share`: a canary with less than 5 % of the two sides' requests is starved. */
export const DEFAULT_MIN_SHARE = 0.05
const SHARE_PARAMS = ['alpha', 'looks', 'min_share'] as const
const minShareSchema = converting(
  z.string().check(z.maxLength(20, { abort: true }), z.regex(DECIMAL)),
  (value, refuse) => {
    const number = Number(value)
    return number > 0 && number < 1 ? number : refuse()
  }
)
const MIN_SHARE_ALLOWED = `the share of both sides' requests below which the canary is starved, a decimal above 0 and below 1 (a canary at 20 % weight with one stable pod per canary pod should get about 0.2; half of that is starved); default ${DEFAULT_MIN_SHARE}`

/**
 * A metric's parameters plus the traffic-share parameters (`alpha`, `looks`, `min_share`); null
 * settings without a baseline, where any of them is refused (missing_baseline).
 */
export function withShareParams<P>(
  base: ExtraParams<P>
): ExtraParams<P & { share: ShareSettings | null }> {
  return {
    names: [...base.names, ...SHARE_PARAMS],
    parse: (values, context: ParamContext) => {
      const own: Record<string, string | undefined> = {}
      for (const name of base.names) own[name] = values[name]
      let share: ShareSettings | null = null
      if (context.baseline === null) {
        refuseWithoutBaseline(values, SHARE_PARAMS)
      } else {
        share = {
          alpha: parseAlpha(values.alpha),
          looks: parseLooks(values.looks),
          minShare:
            values.min_share === undefined
              ? DEFAULT_MIN_SHARE
              : parseParameter('min_share', values.min_share, minShareSchema, MIN_SHARE_ALLOWED),
        }
      }
      return { ...base.parse(own, context), share }
    },
  }
}
