/**
 * Verdicts that hold over a whole analysis, not one look: every test runs at its share of alpha
 * (looks.ts), and the latency verdict is worse when the canary is worse at the median (location)
 * OR in the tail, so a regression that lives only in the slowest few percent of requests is not
 * hidden by a faster median.
 *
 * Latency spends alpha / (2 looks) on each of its two tests; by the union bound the chance that
 * an identical canary is called worse at any look, by either test, is at most alpha.
 * @module
 */
import type { BucketCounts } from './buckets'
import { assertBucketCounts } from './buckets'
import type { ErrorCounts } from './counts'
import { compareErrorRates, type ErrorRateComparison } from './error-rate'
import { perTestAlpha } from './looks'
import { mannWhitneyFromBuckets } from './mann-whitney'
import { bucketQuantile } from './quantile'
import { quantileRatioInterval, type RatioInterval } from './quantile-interval'
import { tailTest, type TailTest } from './tail'
import {
  DEFAULT_ALPHA,
  DEFAULT_ERROR_RATE_MARGIN,
  DEFAULT_LATENCY_RATIO_MARGIN,
  DEFAULT_MIN_SAMPLES,
  errorRateVerdict,
  type VerdictResult,
} from './verdict'

interface RolloutOptions {
  /** False-alarm rate over the whole analysis (default 0.05). */
  readonly alpha?: number
  /** Looks the analysis makes, as the template declares (default 1: a single look). */
  readonly looks?: number
  /** Fewest requests each side needs for a verdict (default 100). */
  readonly minSamples?: number
}

export interface ErrorRateRolloutOptions extends RolloutOptions {
  /** The canary's rate must exceed the baseline's by more than this (default 0.01). */
  readonly margin?: number
}

export interface ErrorRateRolloutVerdict extends VerdictResult {
  /** The level each look's test ran at: alpha / looks. */
  readonly alphaPerTest: number
  /** The comparison, its interval at 1 - 2 alphaPerTest (its lower end matches the test). */
  readonly comparison: ErrorRateComparison
}

/** Error rate: errorRateVerdict at alpha / looks (see verdict.ts). */
export function errorRateRolloutVerdict(
  canary: ErrorCounts,
  baseline: ErrorCounts,
  options: ErrorRateRolloutOptions = {}
): ErrorRateRolloutVerdict {
  const alphaPerTest = perTestAlpha(options.alpha ?? DEFAULT_ALPHA, options.looks ?? 1)
  const comparison = compareErrorRates(canary, baseline, { confidence: 1 - 2 * alphaPerTest })
  const verdict = errorRateVerdict(comparison, {
    alpha: alphaPerTest,
    margin: options.margin ?? DEFAULT_ERROR_RATE_MARGIN,
    minSamples: options.minSamples ?? DEFAULT_MIN_SAMPLES,
  })
  return { ...verdict, alphaPerTest, comparison }
}

export interface LatencyRolloutOptions extends RolloutOptions {
  /** The quantile that places the tail threshold and is reported (default 0.99). */
  readonly quantile?: number
  /** Location: the canary's median must exceed the baseline's times this (default 1.1). */
  readonly ratioMargin?: number
  /** Tail: the canary's share in the tail must exceed the baseline's times this (default 2). */
  readonly tailMargin?: number
  /** Confidence of the reported quantile-ratio interval (default 1 - alpha). */
  readonly confidence?: number
}

export const DEFAULT_TAIL_MARGIN = 2

/** Which test called the canary worse. */
export type LatencyDecider = 'location' | 'tail' | 'location_and_tail'

export interface LocationPart {
  /** Canary median / baseline median, both read from the buckets. */
  readonly medianRatio: number | null
  /** Mann-Whitney one-sided p for "the canary is slower". */
  readonly pValueCanarySlower: number
  /** Chance that a random canary request is slower than a random baseline one (ties half). */
  readonly probabilityGreater: number
  readonly worse: boolean
}

export interface TailPart extends TailTest {
  readonly worse: boolean
}

export interface LatencyRolloutVerdict extends VerdictResult {
  /** Null unless the verdict is worse. */
  readonly decidedBy: LatencyDecider | null
  /** The level each of the two tests ran at: alpha / (2 looks). */
  readonly alphaPerTest: number
  readonly location: LocationPart | null
  readonly tail: TailPart | null
  /** Canary q-quantile / baseline q-quantile from the buckets, and its interval. */
  readonly quantileRatio: number | null
  readonly quantileRatioInterval: RatioInterval | null
}

/**
 * worse when either part is worse:
 * - location: Mann-Whitney one-sided p < alpha / (2 looks) AND canary median > ratioMargin x
 *   the baseline's;
 * - tail: the tail test's p (tail.ts) < alpha / (2 looks) AND the canary's share in the tail >
 *   tailMargin x the baseline's (any share over a baseline share of 0);
 * insufficient_data when either side has fewer than minSamples requests; not_worse otherwise.
 * Throws PxCanaryError for malformed counts and a RangeError for bad options.
 */
export function latencyRolloutVerdict(
  canary: BucketCounts,
  baseline: BucketCounts,
  options: LatencyRolloutOptions = {}
): LatencyRolloutVerdict {
  const alpha = options.alpha ?? DEFAULT_ALPHA
  const alphaPerTest = perTestAlpha(alpha, options.looks ?? 1, 2)
  const q = options.quantile ?? 0.99
  const ratioMargin = positive(options.ratioMargin ?? DEFAULT_LATENCY_RATIO_MARGIN, 'ratioMargin')
  const tailMargin = positive(options.tailMargin ?? DEFAULT_TAIL_MARGIN, 'tailMargin')
  const minSamples = options.minSamples ?? DEFAULT_MIN_SAMPLES
  if (!(Number.isSafeInteger(minSamples) && minSamples >= 1)) {
    throw new RangeError(`minSamples must be a positive integer, got ${minSamples}`)
  }
  const n1 = assertBucketCounts(canary, 'canary')
  const n2 = assertBucketCounts(baseline, 'baseline')
  const empty = {
    decidedBy: null,
    alphaPerTest,
    location: null,
    tail: null,
    quantileRatio: null,
    quantileRatioInterval: null,
  }
  if (n1 < minSamples || n2 < minSamples) {
    return {
      ...empty,
      verdict: 'insufficient_data',
      reason: `${n1} canary and ${n2} baseline requests; each side needs at least ${minSamples}`,
    }
  }
  const m1 = bucketQuantile(canary, 0.5) as number
  const m2 = bucketQuantile(baseline, 0.5) as number
  const medianRatio = m2 > 0 ? m1 / m2 : null
  const mw = mannWhitneyFromBuckets(canary, baseline)
  const locationWorse =
    mw.pGreater < alphaPerTest && (medianRatio === null ? m1 > 0 : medianRatio > ratioMargin)
  const location: LocationPart = {
    medianRatio,
    pValueCanarySlower: mw.pGreater,
    probabilityGreater: mw.probabilityGreater,
    worse: locationWorse,
  }
  const t = tailTest(canary, baseline, q) as TailTest
  const tailWorse =
    t.pValueCanaryGreater < alphaPerTest &&
    (t.shareRatio === null ? t.canary.inTail > 0 : t.shareRatio > tailMargin)
  const tail: TailPart = { ...t, worse: tailWorse }
  const q1 = bucketQuantile(canary, q) as number
  const q2 = bucketQuantile(baseline, q) as number
  const quantileRatio = q2 > 0 ? q1 / q2 : null
  const interval = quantileRatioInterval(canary, baseline, q, options.confidence ?? 1 - alpha)
  const name = `p${+(q * 100).toFixed(4)}`
  const figures =
    `median ${ms(m1)} vs ${ms(m2)}, Mann-Whitney p = ${fmtP(mw.pGreater)}; ` +
    `${pct(t.canary.share)} of canary vs ${pct(t.baseline.share)} of baseline requests at or above ${ms(t.thresholdNs)} (pooled ${name} bucket), p = ${fmtP(t.pValueCanaryGreater)}; ` +
    `${name} ratio ${quantileRatio === null ? 'n/a' : quantileRatio.toFixed(2)}` +
    (interval === null
      ? ''
      : ` (${Math.round(interval.level * 100)} % CI ${interval.lower.toFixed(2)} .. ${interval.upper === null ? 'unbounded' : interval.upper.toFixed(2)})`) +
    `; each test at ${+alphaPerTest.toPrecision(3)}`
  const decidedBy: LatencyDecider | null =
    locationWorse && tailWorse
      ? 'location_and_tail'
      : locationWorse
        ? 'location'
        : tailWorse
          ? 'tail'
          : null
  const common = {
    decidedBy,
    alphaPerTest,
    location,
    tail,
    quantileRatio,
    quantileRatioInterval: interval,
  }
  if (decidedBy !== null) {
    const what =
      decidedBy === 'location'
        ? 'slower at the median'
        : decidedBy === 'tail'
          ? 'slower in the tail'
          : 'slower at the median and in the tail'
    return { ...common, verdict: 'worse', reason: `canary ${what}: ${figures}` }
  }
  return {
    ...common,
    verdict: 'not_worse',
    reason: `no significant, material slowdown: ${figures}`,
  }
}

function positive(value: number, what: string): number {
  if (!(value > 0 && Number.isFinite(value))) {
    throw new RangeError(`${what} must be a positive number, got ${value}`)
  }
  return value
}

function ms(ns: number): string {
  return `${+(ns / 1e6).toPrecision(4)} ms`
}

function pct(x: number): string {
  return `${(x * 100).toFixed(2)} %`
}

function fmtP(p: number): string {
  return p >= 0.001 ? p.toFixed(4) : p.toExponential(2)
}
