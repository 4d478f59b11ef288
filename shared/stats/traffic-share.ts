/**
 * Is the canary starved of traffic? Judged against the baseline under the same query window:
 * with Poisson arrivals on each side, the canary's count given the total is Binomial(total, its
 * share) (the conditional test for two Poisson rates, Przyborowski & Wilenski 1940; Lehmann &
 * Romano 2005, Testing Statistical Hypotheses, section 4.5), so an exact one-sided binomial test
 * tells "far less than its expected share" from bad luck. A quiet service is not a starved
 * canary: when so few requests reached both sides that even a canary with none would not be
 * significant, the answer is insufficient_data, never worse.
 * @module
 */
import { binomialCdf } from './binomial'
import { assertCount, assertOpenUnit } from './counts'
import { perTestAlpha } from './looks'
import type { VerdictResult } from './verdict'

export interface TrafficShareOptions {
  /** The canary's expected share of the two sides' requests, in (0, 1). */
  readonly expectedShare: number
  /**
   * The canary is starved when its true share is below shareMargin x expectedShare (default 0.5:
   * less than half the traffic it should get).
   */
  readonly shareMargin?: number
  /** Level over the whole analysis (default 0.05). */
  readonly alpha?: number
  /** Looks the analysis makes (default 1); each spends alpha / looks. */
  readonly looks?: number
}

export interface TrafficShareVerdict extends VerdictResult {
  /** canary / (canary + baseline) requests; null when neither side had any. */
  readonly share: number | null
  /** The share tested against: shareMargin x expectedShare. */
  readonly starvedBelow: number
  /** P(canary <= observed) if its share were starvedBelow; null when insufficient. */
  readonly pValueStarved: number | null
  /** Fewest requests on both sides together before a verdict is possible at this level. */
  readonly minTotal: number
  readonly alphaPerLook: number
}

export const DEFAULT_SHARE_MARGIN = 0.5

/**
 * worse (starved): P(Binomial(total, shareMargin x expectedShare) <= canary) < alpha / looks;
 * insufficient_data (quiet): total < minTotal, the fewest requests for which a canary with none
 * would be significant, (1 - p0)^minTotal < alpha / looks; not_worse: otherwise. Throws
 * result_invalid_count for bad counts and a RangeError for bad options.
 */
export function trafficShareVerdict(
  canaryRequests: number,
  baselineRequests: number,
  options: TrafficShareOptions
): TrafficShareVerdict {
  assertCount(canaryRequests, 'canary.requests')
  assertCount(baselineRequests, 'baseline.requests')
  assertOpenUnit(options.expectedShare, 'expectedShare')
  const margin = options.shareMargin ?? DEFAULT_SHARE_MARGIN
  if (!(margin > 0 && margin <= 1)) {
    throw new RangeError(`shareMargin must be in (0, 1], got ${margin}`)
  }
  const alphaPerLook = perTestAlpha(options.alpha ?? 0.05, options.looks ?? 1)
  const p0 = margin * options.expectedShare
  const minTotal = Math.max(1, Math.ceil(Math.log(alphaPerLook) / Math.log1p(-p0) + 1e-9))
  const total = canaryRequests + baselineRequests
  const share = total > 0 ? canaryRequests / total : null
  const base = { share, starvedBelow: p0, minTotal, alphaPerLook }
  const figures = `canary ${canaryRequests} of ${total} requests (${share === null ? 'n/a' : pct(share)}, starved below ${pct(p0)})`
  if (total < minTotal) {
    return {
      ...base,
      pValueStarved: null,
      verdict: 'insufficient_data',
      reason: `${figures}: fewer than ${minTotal} requests on both sides cannot show starvation at ${fmt(alphaPerLook)}`,
    }
  }
  const p = binomialCdf(canaryRequests, total, p0)
  if (p < alphaPerLook) {
    return {
      ...base,
      pValueStarved: p,
      verdict: 'worse',
      reason: `${figures}, one-sided p = ${fmt(p)} < ${fmt(alphaPerLook)}: the canary is starved`,
    }
  }
  return {
    ...base,
    pValueStarved: p,
    verdict: 'not_worse',
    reason: `${figures}, one-sided p = ${fmt(p)} >= ${fmt(alphaPerLook)}`,
  }
}

/**
 * The share a canary should get when traffic is split by pod count (a rollout without traffic
 * routing): canaryPods / (canaryPods + baselinePods). Throws a RangeError unless both are
 * positive integers.
 */
export function expectedShareFromPods(canaryPods: number, baselinePods: number): number {
  if (!(Number.isInteger(canaryPods) && canaryPods >= 1)) {
    throw new RangeError(`canaryPods must be a positive integer, got ${canaryPods}`)
  }
  if (!(Number.isInteger(baselinePods) && baselinePods >= 1)) {
    throw new RangeError(`baselinePods must be a positive integer, got ${baselinePods}`)
  }
  return canaryPods / (canaryPods + baselinePods)
}

function pct(x: number): string {
  return `${(x * 100).toFixed(1)} %`
}

function fmt(p: number): string {
  return p >= 0.001 ? p.toFixed(4) : p.toExponential(2)
}
