/**
 * A three-way verdict on a comparison, for templates and people who want one word: the canary is
 * "worse" only when the difference is both statistically significant and larger than a margin
 * that matters in practice; too few requests give "insufficient_data", never a pass.
 * @module
 */
import { assertOpenUnit } from './counts'
import type { ErrorRateComparison } from './error-rate'
import type { LatencyComparison } from './latency'

export type Verdict = 'worse' | 'not_worse' | 'insufficient_data'

export interface VerdictResult {
  readonly verdict: Verdict
  /** One sentence with the figures that decided it, for logs and the response body. */
  readonly reason: string
}

interface CommonVerdictOptions {
  /** Significance level of the one-sided test (default 0.05). */
  readonly alpha?: number
  /** Fewest requests each side needs for any verdict but insufficient_data (default 100). */
  readonly minSamples?: number
}

export interface ErrorRateVerdictOptions extends CommonVerdictOptions {
  /** The canary must be worse by more than this absolute difference of rates (default 0.01). */
  readonly margin?: number
}

export interface LatencyVerdictOptions extends CommonVerdictOptions {
  /** The canary's quantile must exceed the baseline's times this ratio (default 1.1). */
  readonly ratioMargin?: number
}

export const DEFAULT_ALPHA = 0.05
export const DEFAULT_MIN_SAMPLES = 100
export const DEFAULT_ERROR_RATE_MARGIN = 0.01
export const DEFAULT_LATENCY_RATIO_MARGIN = 1.1

/**
 * worse: one-sided p (canary errs more) < alpha AND difference > margin; not_worse: otherwise,
 * with at least minSamples requests on each side; insufficient_data: fewer requests. not_worse
 * means no significant and material increase was seen at this sample size; the interval in the
 * comparison shows how large an increase the data still allow.
 */
export function errorRateVerdict(
  comparison: ErrorRateComparison,
  options: ErrorRateVerdictOptions = {}
): VerdictResult {
  const { alpha, minSamples } = common(options)
  const margin = options.margin ?? DEFAULT_ERROR_RATE_MARGIN
  if (!Number.isFinite(margin)) throw new RangeError(`margin must be finite, got ${margin}`)
  const few = tooFew(comparison.canary.requests, comparison.baseline.requests, minSamples)
  if (few !== null) return few
  const p = comparison.pValueCanaryGreater
  const d = comparison.difference
  if (p === null || d === null) return insufficient('the comparison has no p-value')
  const figures =
    `canary error rate ${pct(comparison.canary.rate)} vs baseline ${pct(comparison.baseline.rate)}` +
    ` (difference ${signedPp(d)}` +
    (comparison.interval === null
      ? ''
      : `, ${Math.round(comparison.interval.level * 100)} % CI ${signedPp(comparison.interval.lower)} .. ${signedPp(comparison.interval.upper)}`) +
    `), one-sided p = ${fmtP(p)}`
  const significant = p < alpha
  const material = d > margin
  if (significant && material) {
    return {
      verdict: 'worse',
      reason: `${figures} < ${alpha} and difference > ${signedPp(margin)}`,
    }
  }
  const why = !significant ? `p >= ${alpha}` : `difference <= ${signedPp(margin)}`
  return { verdict: 'not_worse', reason: `${figures}: ${why}` }
}

/**
 * worse: one-sided Mann-Whitney p (canary slower) < alpha AND canary quantile > ratioMargin x
 * baseline quantile; not_worse: otherwise, with at least minSamples requests on each side;
 * insufficient_data: fewer requests.
 */
export function latencyVerdict(
  comparison: LatencyComparison,
  options: LatencyVerdictOptions = {}
): VerdictResult {
  const { alpha, minSamples } = common(options)
  const ratioMargin = options.ratioMargin ?? DEFAULT_LATENCY_RATIO_MARGIN
  if (!(ratioMargin > 0 && Number.isFinite(ratioMargin))) {
    throw new RangeError(`ratioMargin must be a positive number, got ${ratioMargin}`)
  }
  const few = tooFew(comparison.canary.requests, comparison.baseline.requests, minSamples)
  if (few !== null) return few
  const mw = comparison.mannWhitney
  const q1 = comparison.canary.quantileNs
  const q2 = comparison.baseline.quantileNs
  if (mw === null || q1 === null || q2 === null) return insufficient('the comparison has no test')
  const name = `p${+(comparison.quantile * 100).toFixed(4)}`
  const figures =
    `canary ${name} ${ms(q1)} vs baseline ${ms(q2)}` +
    (comparison.ratio === null ? '' : ` (ratio ${comparison.ratio.toFixed(3)})`) +
    `, Mann-Whitney one-sided p = ${fmtP(mw.pGreater)}`
  const significant = mw.pGreater < alpha
  const material = q1 > ratioMargin * q2
  if (significant && material) {
    return { verdict: 'worse', reason: `${figures} < ${alpha} and ratio > ${ratioMargin}` }
  }
  const why = !significant ? `p >= ${alpha}` : `ratio <= ${ratioMargin}`
  return { verdict: 'not_worse', reason: `${figures}: ${why}` }
}

function common(options: CommonVerdictOptions): { alpha: number; minSamples: number } {
  const alpha = options.alpha ?? DEFAULT_ALPHA
  assertOpenUnit(alpha, 'alpha')
  const minSamples = options.minSamples ?? DEFAULT_MIN_SAMPLES
  if (!(Number.isSafeInteger(minSamples) && minSamples >= 1)) {
    throw new RangeError(`minSamples must be a positive integer, got ${minSamples}`)
  }
  return { alpha, minSamples }
}

function tooFew(canary: number, baseline: number, minSamples: number): VerdictResult | null {
  if (canary >= minSamples && baseline >= minSamples) return null
  return insufficient(
    `${canary} canary and ${baseline} baseline requests; each side needs at least ${minSamples}`
  )
}

function insufficient(reason: string): VerdictResult {
  return { verdict: 'insufficient_data', reason }
}

function pct(rate: number | null): string {
  return rate === null ? 'n/a' : `${(rate * 100).toFixed(2)} %`
}

function signedPp(fraction: number): string {
  const pp = fraction * 100
  return `${pp >= 0 ? '+' : ''}${pp.toFixed(2)} pp`
}

function fmtP(p: number): string {
  return p >= 0.001 ? p.toFixed(4) : p.toExponential(2)
}

function ms(ns: number): string {
  return `${+(ns / 1e6).toPrecision(4)} ms`
}
