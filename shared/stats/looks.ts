/**
 * The significance level of each single test so that a whole analysis stays at `alpha`: Argo
 * measures again at every interval and a stateless function cannot see the earlier looks, so the
 * template declares how many looks it makes (`looks`, matching its `count`) and every look spends
 * alpha / (looks x tests per look).
 *
 * This is Bonferroni's inequality (the union bound): P(any of m tests rejects) <= sum of their
 * levels, whatever the dependence between them. Overlapping windows make consecutive looks
 * positively correlated, which only makes the bound more conservative (the real rate is lower).
 * Group-sequential alpha spending (Lan & DeMets 1983) and anytime-valid tests (Johari et al. 2017,
 * "Peeking at A/B tests"; Howard et al. 2021, "Time-uniform, nonparametric, nonasymptotic
 * confidence sequences", Ann. Statist. 49:1055-1080) need data that accumulate from a fixed start;
 * a sliding window drops old requests at every look, which breaks the martingale those rest on,
 * and would need the analysis start time that Argo does not pass to a web metric.
 * @module
 */
import { assertOpenUnit } from './counts'

/** Most looks a template may declare (a 30 s interval for over 8 hours). */
export const MAX_LOOKS = 1000

/**
 * alpha / (looks x testsPerLook). Throws a RangeError unless 0 < alpha < 1 and both counts are
 * positive integers, looks at most {@link MAX_LOOKS}.
 */
export function perTestAlpha(alpha: number, looks: number, testsPerLook = 1): number {
  assertOpenUnit(alpha, 'alpha')
  if (!(Number.isInteger(looks) && looks >= 1 && looks <= MAX_LOOKS)) {
    throw new RangeError(`looks must be an integer in [1, ${MAX_LOOKS}], got ${looks}`)
  }
  if (!(Number.isInteger(testsPerLook) && testsPerLook >= 1)) {
    throw new RangeError(`testsPerLook must be a positive integer, got ${testsPerLook}`)
  }
  return alpha / (looks * testsPerLook)
}
