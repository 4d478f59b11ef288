// Seeded simulations of the whole decision: the false "worse" rate with identical canary and
// baseline, and the power against a stated degradation, over 200 seeds each.
import { describe, expect, it } from 'vitest'
import { bucketIndex, LATENCY_BUCKET_COUNT } from './buckets'
import { compareErrorRates } from './error-rate'
import { compareLatency } from './latency'
import { binomial } from '../../test/helpers/stats-oracles'
import { mulberry32, normal } from '../../simulator/prng'
import { errorRateVerdict, latencyVerdict } from './verdict'

const SEEDS = 200

function worseRate(decide: (seed: number) => string): number {
  let worse = 0
  for (let seed = 1; seed <= SEEDS; seed++) if (decide(seed) === 'worse') worse++
  return worse / SEEDS
}

function errorRun(canaryRate: number, baselineRate: number, n: number) {
  return (seed: number) => {
    const random = mulberry32(seed * 7919)
    const canary = { errors: binomial(random, n, canaryRate), requests: n }
    const baseline = { errors: binomial(random, n, baselineRate), requests: n }
    return errorRateVerdict(compareErrorRates(canary, baseline), { alpha: 0.05 }).verdict
  }
}

/** Lognormal latencies, median 50 ms and sigma 0.5, times `factor`, bucketed as PxL would. */
function latencyBuckets(random: () => number, n: number, factor: number): number[] {
  const counts = new Array<number>(LATENCY_BUCKET_COUNT).fill(0)
  for (let i = 0; i < n; i++) {
    counts[bucketIndex(Math.round(factor * 50e6 * Math.exp(0.5 * normal(random))))]! += 1
  }
  return counts
}

function latencyRun(factor: number, n: number) {
  return (seed: number) => {
    const random = mulberry32(seed * 104729)
    const canary = latencyBuckets(random, n, factor)
    const baseline = latencyBuckets(random, n, 1)
    return latencyVerdict(compareLatency(canary, baseline), { alpha: 0.05 }).verdict
  }
}

describe('verdicts on simulated traffic (200 seeds, alpha 0.05)', () => {
  it('should rarely call an identical error rate worse and nearly always catch 2 % -> 6 %', () => {
    const falseAlarms = worseRate(errorRun(0.02, 0.02, 2000))
    const power = worseRate(errorRun(0.06, 0.02, 2000))
    console.log(
      `error rate, 2000 requests each: identical 2 % -> worse in ${(falseAlarms * 100).toFixed(1)} %;` +
        ` canary 6 % vs 2 % -> worse in ${(power * 100).toFixed(1)} %`
    )
    expect(falseAlarms).toBeLessThanOrEqual(0.07)
    expect(power).toBeGreaterThanOrEqual(0.9)
  })

  it('should rarely call identical latency worse and nearly always catch a 1.5x slower p99', () => {
    const falseAlarms = worseRate(latencyRun(1, 500))
    const power = worseRate(latencyRun(1.5, 500))
    console.log(
      `latency p99, 500 requests each: identical -> worse in ${(falseAlarms * 100).toFixed(1)} %;` +
        ` canary x1.5 -> worse in ${(power * 100).toFixed(1)} %`
    )
    expect(falseAlarms).toBeLessThanOrEqual(0.07)
    expect(power).toBeGreaterThanOrEqual(0.9)
  })

  it('should keep the bare tests near their nominal 5 % level on identical sources', () => {
    // Without the practical margins the one-sided tests alone reject about alpha of the time;
    // Fisher is conservative, so at most alpha plus sampling noise (sd 1.5 % over 200 seeds).
    let fisher = 0
    let mannWhitney = 0
    for (let seed = 1; seed <= SEEDS; seed++) {
      const random = mulberry32(seed * 31337)
      const e = compareErrorRates(
        { errors: binomial(random, 2000, 0.02), requests: 2000 },
        { errors: binomial(random, 2000, 0.02), requests: 2000 }
      )
      if ((e.pValueCanaryGreater as number) < 0.05) fisher++
      const l = compareLatency(latencyBuckets(random, 500, 1), latencyBuckets(random, 500, 1))
      if ((l.mannWhitney?.pGreater as number) < 0.05) mannWhitney++
    }
    console.log(
      `bare one-sided tests on identical sources: Fisher ${((fisher / SEEDS) * 100).toFixed(1)} %,` +
        ` Mann-Whitney ${((mannWhitney / SEEDS) * 100).toFixed(1)} %`
    )
    expect(fisher / SEEDS).toBeLessThanOrEqual(0.09)
    expect(mannWhitney / SEEDS).toBeLessThanOrEqual(0.09)
    expect(mannWhitney / SEEDS).toBeGreaterThan(0)
  })
})
