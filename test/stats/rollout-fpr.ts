/**
 * Rollout-level statistics by simulation (`npm run stats`): how often a whole analysis, Argo's
 * repeated looks over overlapping windows, calls an identical canary worse (at most alpha), and
 * how often it catches stated regressions (at least 0.9), through the pure verdict functions of
 * shared/stats. Prints a table and exits 1 when a requirement fails.
 *
 * The traffic comes from a RolloutSource, so the same cases can be measured through another data
 * path (the simulator and the functions' PxL) by supplying a source that returns the same
 * per-look counts. The built-in source draws Poisson arrivals second by second, so consecutive
 * looks share the seconds their windows share, exactly as Argo's overlapping windows do; each
 * request's latency bucket is drawn from the bucket probabilities of the latency model (exact,
 * and an order of magnitude faster than drawing latencies and bucketing them).
 *
 * Options: --seeds N (default 200; the false-alarm cases run twice as many, as their rates are
 * small), --no-sizes (skip the minimum-sample-size scan), --source pxl (the simulator and the
 * functions' PxL, test/stats/pxl-source.ts, instead of the synthetic counts), --short (only the
 * 60 s-window plan for the identical canary).
 *
 * Pass rule: with the synthetic source at 200+ seeds the point estimates must meet the
 * requirements (false alarms per rollout <= alpha, power per rollout >= 0.9). A short PxL run has
 * too few rollouts for point estimates, so there a row fails only when its 95 % Wilson interval
 * excludes the requirement (false alarms significantly above alpha, power significantly below
 * 0.9): it checks that the real data path agrees with the synthetic one.
 */
import { LATENCY_BUCKET_COUNT, LATENCY_BUCKET_LOWER_NS } from '../../shared/stats/buckets'
import { normalCdf } from '../../shared/stats/normal'
import { wilsonInterval } from '../../shared/stats/proportions'
import { errorRateRolloutVerdict, latencyRolloutVerdict } from '../../shared/stats/rollout-verdict'
import type { LatencySpec } from '../../simulator/scenario'

/** How Argo looks: `looks` measurements, one every `intervalSeconds`, each over the last window. */
export interface LookPlan {
  readonly looks: number
  readonly windowSeconds: number
  readonly intervalSeconds: number
}

/** One side's counts over one look's window. */
export interface SideWindow {
  readonly requests: number
  readonly errors: number
  /** Requests per latency bucket (shared/stats/buckets.ts). */
  readonly buckets: number[]
}

export interface Look {
  readonly canary: SideWindow
  readonly baseline: SideWindow
}

/** A latency distribution given by P(latency < ns), from which the buckets are drawn exactly. */
export interface LatencyModel {
  below(ns: number): number
  /** The same distribution as the simulator's scenarios state it (simulator/scenario.ts). */
  readonly spec: LatencySpec
}

/** One side's traffic: a rate, an error probability and a latency distribution. */
export interface SideModel {
  readonly rps: number
  readonly errorRate: number
  /** Null when only the error rate is judged: no latencies are drawn (a faster simulation). */
  readonly latency: LatencyModel | null
}

export interface RolloutCase {
  readonly name: string
  readonly canary: SideModel
  readonly baseline: SideModel
}

/** Where the per-look counts come from; swap it to measure through another path. */
export interface RolloutSource {
  rollout(spec: RolloutCase, plan: LookPlan, seed: number): Look[]
}

/** Mulberry32, seeded: uniform in [0, 1). */
export function seeded(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = Math.imul(state ^ (state >>> 15), 1 | state)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

function poisson(random: () => number, mean: number): number {
  // Inversion by sequential search: exact, O(mean), fine below a few hundred per second.
  let k = 0
  let p = Math.exp(-mean)
  let cdf = p
  const u = random()
  while (u > cdf && k < 10 * mean + 100) {
    k++
    p *= mean / k
    cdf += p
  }
  return k
}

/** Lognormal latency from its median and p99, as the simulator's scenarios state it. */
export function lognormal(medianMs: number, p99Ms: number): LatencyModel {
  const mu = Math.log(medianMs * 1e6)
  const sigma = Math.log(p99Ms / medianMs) / 2.3263478740408408
  return {
    below: (ns) => (ns <= 0 ? 0 : normalCdf((Math.log(ns) - mu) / sigma)),
    spec: { dist: 'lognormal', median_ms: medianMs, p99_ms: p99Ms },
  }
}

/** `share` of requests take exactly `ms`, the rest follow `body`. */
export function withTail(body: LatencyModel, share: number, ms: number): LatencyModel {
  if (body.spec.dist === 'mixture') throw new RangeError('withTail needs a simple body')
  return {
    below: (ns) => (1 - share) * body.below(ns) + (ns > ms * 1e6 ? share : 0),
    spec: {
      dist: 'mixture',
      components: [
        { weight: 1 - share, latency: body.spec },
        { weight: share, latency: { dist: 'constant', ms } },
      ],
    },
  }
}

/**
 * Cumulative bucket probabilities of a latency model: entry k = P(bucket <= k), from the integer
 * bucket bounds, so that a uniform draw picks a bucket with exactly the model's probability.
 */
function bucketCdf(model: LatencyModel): Float64Array {
  const cdf = new Float64Array(LATENCY_BUCKET_COUNT)
  for (let k = 0; k < LATENCY_BUCKET_COUNT - 1; k++) {
    cdf[k] = model.below(LATENCY_BUCKET_LOWER_NS[k + 1] as number)
  }
  cdf[LATENCY_BUCKET_COUNT - 1] = 1
  return cdf
}

function drawBucket(cdf: Float64Array, u: number): number {
  let lo = 0
  let hi = cdf.length - 1
  while (lo < hi) {
    const mid = (lo + hi) >> 1
    if (u < (cdf[mid] as number)) hi = mid
    else lo = mid + 1
  }
  return lo
}

/** Poisson arrivals per second for each side, summed over each look's window by prefix sums. */
export const syntheticSource: RolloutSource = {
  rollout(spec, plan, seed) {
    const seconds = plan.windowSeconds + (plan.looks - 1) * plan.intervalSeconds
    const canary = sideSeconds(spec.canary, seconds, seeded(seed * 2 + 1))
    const baseline = sideSeconds(spec.baseline, seconds, seeded(seed * 2 + 2))
    const looks: Look[] = []
    for (let i = 0; i < plan.looks; i++) {
      const end = plan.windowSeconds + i * plan.intervalSeconds
      const start = end - plan.windowSeconds
      looks.push({ canary: window(canary, start, end), baseline: window(baseline, start, end) })
    }
    return looks
  },
}

interface Cumulative {
  requests: Float64Array
  errors: Float64Array
  /** (seconds + 1) x LATENCY_BUCKET_COUNT, row s = totals before second s. */
  buckets: Float64Array
}

function sideSeconds(model: SideModel, seconds: number, random: () => number): Cumulative {
  const B = LATENCY_BUCKET_COUNT
  const requests = new Float64Array(seconds + 1)
  const errors = new Float64Array(seconds + 1)
  const buckets = new Float64Array((seconds + 1) * B)
  const cdf = model.latency === null ? null : bucketCdf(model.latency)
  for (let s = 0; s < seconds; s++) {
    const n = poisson(random, model.rps)
    let e = 0
    buckets.copyWithin((s + 1) * B, s * B, (s + 1) * B)
    for (let i = 0; i < n; i++) {
      if (random() < model.errorRate) e++
      if (cdf !== null) buckets[(s + 1) * B + drawBucket(cdf, random())]! += 1
    }
    requests[s + 1] = requests[s]! + n
    errors[s + 1] = errors[s]! + e
  }
  return { requests, errors, buckets }
}

function window(c: Cumulative, start: number, end: number): SideWindow {
  const B = LATENCY_BUCKET_COUNT
  const buckets = new Array<number>(B)
  for (let k = 0; k < B; k++) buckets[k] = c.buckets[end * B + k]! - c.buckets[start * B + k]!
  return {
    requests: c.requests[end]! - c.requests[start]!,
    errors: c.errors[end]! - c.errors[start]!,
    buckets,
  }
}

export type Metric = 'error_rate' | 'latency'

/** Verdict settings, as a template would pass them. */
export interface Judge {
  readonly alpha: number
  readonly minSamples: number
  readonly quantile: number
}

/** Flags per look for one rollout: true where the metric answered worse. */
export function judgeRollout(looks: Look[], metric: Metric, judge: Judge): boolean[] {
  return looks.map((look) => {
    if (metric === 'error_rate') {
      return (
        errorRateRolloutVerdict(look.canary, look.baseline, {
          alpha: judge.alpha,
          looks: looks.length,
          minSamples: judge.minSamples,
        }).verdict === 'worse'
      )
    }
    return (
      latencyRolloutVerdict(look.canary.buckets, look.baseline.buckets, {
        alpha: judge.alpha,
        looks: looks.length,
        minSamples: judge.minSamples,
        quantile: judge.quantile,
      }).verdict === 'worse'
    )
  })
}

export interface Rates {
  /** Share of all looks answered worse. */
  readonly perLook: number
  /** Share of rollouts with at least one worse look (Argo failureLimit 0 aborts). */
  readonly anyLook: number
  /** Share of rollouts with at least two worse looks (failureLimit 1, the shipped templates). */
  readonly twoLooks: number
  /** Rollouts simulated. */
  readonly seeds: number
  /** Wall-clock time of the measurement. */
  readonly seconds: number
}

export function measure(
  source: RolloutSource,
  spec: RolloutCase,
  plan: LookPlan,
  metric: Metric,
  judge: Judge,
  seeds: number
): Rates {
  const started = performance.now()
  let flagged = 0
  let any = 0
  let two = 0
  for (let seed = 1; seed <= seeds; seed++) {
    const flags = judgeRollout(source.rollout(spec, plan, seed), metric, judge)
    const count = flags.filter(Boolean).length
    flagged += count
    if (count >= 1) any++
    if (count >= 2) two++
  }
  return {
    perLook: flagged / (seeds * plan.looks),
    anyLook: any / seeds,
    twoLooks: two / seeds,
    seeds,
    seconds: (performance.now() - started) / 1000,
  }
}

const BASELINE_LATENCY = lognormal(25, 120)

/** A case at `perWindow` requests per side per window of `plan`. */
function side(
  plan: LookPlan,
  perWindow: number,
  errorRate: number,
  latency: LatencyModel | null
): SideModel {
  return { rps: perWindow / plan.windowSeconds, errorRate, latency }
}

export interface Row {
  readonly requirement: 'fpr' | 'power'
  readonly name: string
  readonly metric: Metric
  readonly plan: LookPlan
  readonly perWindow: number
  readonly rates: Rates
}

const ARGO: LookPlan = { looks: 20, windowSeconds: 60, intervalSeconds: 30 }
const ARGO_LONG: LookPlan = { looks: 10, windowSeconds: 300, intervalSeconds: 30 }
const JUDGE: Judge = { alpha: 0.05, minSamples: 100, quantile: 0.99 }

/** The power cases, each a function of the requests per side per window. */
export const POWER_CASES: Record<string, { metric: Metric; at: (n: number) => RolloutCase }> = {
  'median +30 %': {
    metric: 'latency',
    at: (n) => ({
      name: 'median +30 %',
      canary: side(ARGO, n, 0.01, lognormal(25 * 1.3, 120 * 1.3)),
      baseline: side(ARGO, n, 0.01, BASELINE_LATENCY),
    }),
  },
  '3 % tail at 10x median': {
    metric: 'latency',
    at: (n) => ({
      name: '3 % tail at 10x median',
      canary: side(ARGO, n, 0.01, withTail(BASELINE_LATENCY, 0.03, 250)),
      baseline: side(ARGO, n, 0.01, BASELINE_LATENCY),
    }),
  },
  'error rate 1 % -> 3 %': {
    metric: 'error_rate',
    at: (n) => ({
      name: 'error rate 1 % -> 3 %',
      canary: side(ARGO, n, 0.03, null),
      baseline: side(ARGO, n, 0.01, null),
    }),
  },
}

function identical(plan: LookPlan, n: number, metric: Metric): RolloutCase {
  const latency = metric === 'latency' ? BASELINE_LATENCY : null
  return {
    name: 'identical canary',
    canary: side(plan, n, 0.01, latency),
    baseline: side(plan, n, 0.01, latency),
  }
}

/** The tail regression of the latency-regression scenario, 10 rps per side, 5-minute window. */
function issueTail(plan: LookPlan, sameAsBaseline: boolean): RolloutCase {
  const baseline = lognormal(20, 80)
  return {
    name: sameAsBaseline ? 'identical (20 ms / p99 80 ms)' : 'p50 8 ms + 3 % at 6 s',
    canary: {
      rps: 10,
      errorRate: 0.005,
      latency: sameAsBaseline ? baseline : withTail(lognormal(8, 32), 0.03, 6000),
    },
    baseline: { rps: 10, errorRate: 0.005, latency: baseline },
  }
}

export function table(source: RolloutSource, seeds: number, long = true): Row[] {
  const rows: Row[] = []
  for (const plan of long ? [ARGO, ARGO_LONG] : [ARGO]) {
    for (const metric of ['error_rate', 'latency'] as const) {
      const rates = measure(source, identical(plan, 1000, metric), plan, metric, JUDGE, 2 * seeds)
      rows.push({
        requirement: 'fpr',
        name: 'identical canary',
        metric,
        plan,
        perWindow: 1000,
        rates,
      })
    }
  }
  const tailPlan: LookPlan = { looks: 10, windowSeconds: 300, intervalSeconds: 30 }
  for (const same of [true, false]) {
    const spec = issueTail(tailPlan, same)
    rows.push({
      requirement: same ? 'fpr' : 'power',
      name: spec.name,
      metric: 'latency',
      plan: tailPlan,
      perWindow: 3000,
      rates: measure(source, spec, tailPlan, 'latency', JUDGE, same ? 2 * seeds : seeds),
    })
  }
  for (const [name, c] of Object.entries(POWER_CASES)) {
    rows.push({
      requirement: 'power',
      name,
      metric: c.metric,
      plan: ARGO,
      perWindow: 1000,
      rates: measure(source, c.at(1000), ARGO, c.metric, JUDGE, seeds),
    })
  }
  return rows
}

/** Smallest size on the grid where the per-look power, and the rollout power, reach 0.9. */
export function minimumSizes(
  source: RolloutSource,
  seeds: number
): { name: string; perLook: number | null; rollout: number | null }[] {
  const grid = [100, 150, 200, 300, 400, 500, 700, 1000, 1500, 2000]
  return Object.entries(POWER_CASES).map(([name, c]) => {
    let perLook: number | null = null
    let rollout: number | null = null
    for (const n of grid) {
      const r = measure(source, c.at(n), ARGO, c.metric, JUDGE, seeds)
      if (rollout === null && r.twoLooks >= 0.9) rollout = n
      if (r.perLook >= 0.9) {
        perLook = n
        break
      }
    }
    return { name, perLook, rollout }
  })
}

const pct = (x: number) => `${(x * 100).toFixed(1)} %`

async function main(): Promise<void> {
  const args = process.argv.slice(2)
  const seedsAt = args.indexOf('--seeds')
  const seeds = seedsAt >= 0 ? Number(args[seedsAt + 1]) : 200
  if (!(Number.isInteger(seeds) && seeds >= 1))
    throw new RangeError('--seeds needs a positive integer')
  const started = performance.now()
  const sourceAt = args.indexOf('--source')
  const sourceName = sourceAt >= 0 ? args[sourceAt + 1] : 'synthetic'
  if (sourceName !== 'synthetic' && sourceName !== 'pxl') {
    throw new RangeError('--source is synthetic or pxl')
  }
  const pxl = sourceName === 'pxl'
  const source = pxl ? (await import('./pxl-source')).pxlSource : syntheticSource
  const rows = table(source, seeds, !args.includes('--short'))
  const alpha = JUDGE.alpha
  let ok = true
  console.log(
    pxl
      ? `Through the simulator and the functions' PxL (each look's exact comparison call on the simulator's engine at that look's end, decoded as the functions decode it); a row fails only when its 95 % interval excludes the requirement.`
      : 'Synthetic per-second Poisson counts; each row must meet its requirement.'
  )
  console.log(
    `Whole-rollout rates, alpha ${alpha} per rollout (alpha / looks per look; latency alpha / (2 looks) per test), min ${JUDGE.minSamples} requests per side, quantile p${JUDGE.quantile * 100}. Baseline lognormal median 25 ms, p99 120 ms, 1 % errors unless named.`
  )
  console.log(
    '| case | metric | looks x window / interval | requests per side per window | rollouts | per look | rollout, >= 1 worse look (95 % CI) | rollout, >= 2 worse looks | needs | ok |'
  )
  console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |')
  for (const row of rows) {
    const r = row.rates
    const ci = wilsonInterval(Math.round(r.anyLook * r.seeds), r.seeds, 0.95)
    const ci2 = wilsonInterval(Math.round(r.twoLooks * r.seeds), r.seeds, 0.95)
    const pass = pxl
      ? row.requirement === 'fpr'
        ? ci.lower <= alpha
        : ci2.upper >= 0.9
      : row.requirement === 'fpr'
        ? r.anyLook <= alpha
        : r.twoLooks >= 0.9
    ok &&= pass
    console.log(
      `| ${row.name} | ${row.metric} | ${row.plan.looks} x ${row.plan.windowSeconds} s / ${row.plan.intervalSeconds} s | ${row.perWindow} | ${r.seeds} | ${pct(r.perLook)} | ${pct(r.anyLook)} (${pct(ci.lower)} .. ${pct(ci.upper)}) | ${pct(r.twoLooks)} | ${row.requirement === 'fpr' ? `>= 1 look <= ${pct(alpha)}` : '>= 2 looks >= 90 %'} | ${pass ? 'yes' : 'NO'} |`
    )
  }
  if (!args.includes('--no-sizes')) {
    console.log(
      `\nSmallest requests per side per window (grid 100..2000, ${seeds} rollouts each) with power >= 0.9:`
    )
    console.log('| case | per look | per rollout (>= 2 worse looks of 20) |')
    console.log('| --- | --- | --- |')
    for (const s of minimumSizes(source, seeds)) {
      console.log(`| ${s.name} | ${s.perLook ?? '> 2000'} | ${s.rollout ?? '> 2000'} |`)
    }
  }
  console.log(`\n${((performance.now() - started) / 1000).toFixed(1)} s`)
  if (!ok) process.exitCode = 1
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((err: unknown) => {
    console.error(err)
    process.exitCode = 2
  })
}
