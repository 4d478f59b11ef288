/**
 * An emulated AnalysisRun: Argo's measurement schedule and assessment rules (analysis/analysis.go;
 * argo-knative-peers.md A4) on a VirtualClock, with web measurements against real HTTP servers.
 *
 * Per metric: the first measurement after initialDelay, the next one `interval` after the last
 * finished, or 10 s after an Error whatever the interval; `count` counts non-Error measurements
 * (effectively 1 without count and interval, unbounded with interval alone). A metric is Failed
 * when failed > failureLimit (default 0), Inconclusive when inconclusive > inconclusiveLimit
 * (default 0), Error when consecutive errors > consecutiveErrorLimit (default 4); Error beats
 * Inconclusive beats Failed; a negative limit disables its check. Once a metric is Failed, Error or
 * Inconclusive the run terminates: the other metrics stop and count as Successful unless their
 * own limits were already crossed. The run's phase is the worst metric phase
 * (Successful < Running < Pending < Inconclusive < Error < Failed).
 */
import type { VirtualClock } from './clock'
import { parseGoDuration } from './duration'
import { ArgumentError, substituteArgs } from './template'
import type { AnalysisPhase, AnalysisRunResult, Measurement, Metric, MetricResult } from './types'
import { isCompleted } from './types'
import { measureWeb } from './web-provider'
import type { WebProviderOptions } from './web-provider'

/** Argo retries an Error measurement after 10 s, regardless of the interval. */
export const ERROR_RETRY_INTERVAL_MS = 10_000
export const DEFAULT_FAILURE_LIMIT = 0
export const DEFAULT_INCONCLUSIVE_LIMIT = 0
export const DEFAULT_CONSECUTIVE_ERROR_LIMIT = 4

const PHASE_ORDER: readonly AnalysisPhase[] = [
  'Successful',
  'Running',
  'Pending',
  'Inconclusive',
  'Error',
  'Failed',
]

/** True when `a` is worse than `b` in Argo's run-phase order. */
export function isWorse(a: AnalysisPhase, b: AnalysisPhase): boolean {
  return PHASE_ORDER.indexOf(a) > PHASE_ORDER.indexOf(b)
}

/** Reported after every measurement, for narration and tests. */
export interface MeasurementEvent {
  metric: string
  measurement: Measurement
  metricResult: MetricResult
  runPhase: AnalysisPhase
}

export interface AnalysisRunOptions extends WebProviderOptions {
  clock: VirtualClock
  /** Called after every measurement (synchronously, with emulated time frozen). */
  onMeasurement?: (event: MeasurementEvent) => void
  /** Stops a metric after this many measurements (a safety bound; default 1000). */
  maxMeasurementsPerMetric?: number
}

/** A resolved AnalysisRun spec: metrics with `{{args.x}}` still in place, and the arg values. */
export interface AnalysisRunSpec {
  metrics: readonly Metric[]
  args: Readonly<Record<string, string>>
  /** Secret arg values, replaced by ***** in messages. */
  secrets?: readonly string[]
  /** Set when the run could not be built (unresolvable args): it ends in Error at once. */
  error?: string
}

interface MetricPlan {
  metric: Metric
  intervalMs: number | undefined
  initialDelayMs: number
  effectiveCount: number | undefined
  failureLimit: number
  inconclusiveLimit: number
  consecutiveErrorLimit: number
}

function toInt(value: number | string | undefined, fallback: number, field: string): number {
  if (value === undefined || value === '') return fallback
  const n = typeof value === 'number' ? value : Number(value)
  if (!Number.isInteger(n))
    throw new ArgumentError(`${field}: ${JSON.stringify(value)} is not an integer`)
  return n
}

function planMetric(metric: Metric): MetricPlan {
  if (metric.provider.web === undefined) {
    throw new ArgumentError(`metric "${metric.name}": only the web provider is emulated`)
  }
  if (toInt(metric.consecutiveSuccessLimit, 0, 'consecutiveSuccessLimit') > 0) {
    throw new ArgumentError(`metric "${metric.name}": consecutiveSuccessLimit is not emulated`)
  }
  const intervalMs = metric.interval ? parseGoDuration(metric.interval) : undefined
  const count = metric.count === undefined ? undefined : toInt(metric.count, 0, 'count')
  if (count !== undefined && count > 1 && intervalMs === undefined) {
    throw new ArgumentError(`metric "${metric.name}": interval must be specified when count > 1`)
  }
  return {
    metric,
    intervalMs,
    initialDelayMs: metric.initialDelay ? parseGoDuration(metric.initialDelay) : 0,
    effectiveCount:
      count !== undefined && count > 0 ? count : intervalMs === undefined ? 1 : undefined,
    failureLimit: toInt(metric.failureLimit, DEFAULT_FAILURE_LIMIT, 'failureLimit'),
    inconclusiveLimit: toInt(
      metric.inconclusiveLimit,
      DEFAULT_INCONCLUSIVE_LIMIT,
      'inconclusiveLimit'
    ),
    consecutiveErrorLimit: toInt(
      metric.consecutiveErrorLimit,
      DEFAULT_CONSECUTIVE_ERROR_LIMIT,
      'consecutiveErrorLimit'
    ),
  }
}

/** Argo's assessMetricStatus: the metric's phase given its counters. */
function assessMetric(
  plan: MetricPlan,
  result: MetricResult,
  terminating: boolean
): { phase: AnalysisPhase; message?: string } {
  if (isCompleted(result.phase)) return { phase: result.phase, message: result.message }
  if (result.measurements.length === 0) return { phase: terminating ? 'Successful' : 'Pending' }
  let verdict: { phase: AnalysisPhase; message: string } | undefined
  if (plan.failureLimit >= 0 && result.failed > plan.failureLimit) {
    verdict = {
      phase: 'Failed',
      message: `failed (${result.failed}) > failureLimit (${plan.failureLimit})`,
    }
  }
  if (plan.inconclusiveLimit >= 0 && result.inconclusive > plan.inconclusiveLimit) {
    verdict = {
      phase: 'Inconclusive',
      message: `inconclusive (${result.inconclusive}) > inconclusiveLimit (${plan.inconclusiveLimit})`,
    }
  }
  if (plan.consecutiveErrorLimit >= 0 && result.consecutiveError > plan.consecutiveErrorLimit) {
    verdict = {
      phase: 'Error',
      message: `consecutiveErrors (${result.consecutiveError}) > consecutiveErrorLimit (${plan.consecutiveErrorLimit})`,
    }
  }
  if (verdict !== undefined) return verdict
  if (plan.effectiveCount !== undefined && result.count >= plan.effectiveCount) {
    return { phase: 'Successful' }
  }
  return { phase: terminating ? 'Successful' : 'Running' }
}

function redact(text: string | undefined, secrets: readonly string[]): string | undefined {
  if (text === undefined) return undefined
  let out = text
  for (const secret of secrets) out = out.split(secret).join('*****')
  return out
}

/**
 * One AnalysisRun. Construct it, then `start()`; `done` resolves with the final result. The run
 * ends by itself when every metric completes or one fails; `terminate()` ends it early as Argo
 * does when the Rollout finishes (metrics still running count as Successful unless a limit was
 * already crossed).
 */
export class AnalysisRun {
  readonly done: Promise<AnalysisRunResult>
  private resolveDone!: (result: AnalysisRunResult) => void
  private readonly clock: VirtualClock
  private readonly options: AnalysisRunOptions
  private readonly spec: AnalysisRunSpec
  private readonly results: MetricResult[] = []
  private readonly stop = new AbortController()
  private startedAt = 0
  private started = false
  private setupError: string | undefined

  constructor(spec: AnalysisRunSpec, options: AnalysisRunOptions) {
    this.spec = spec
    this.options = options
    this.clock = options.clock
    this.done = new Promise((resolve) => (this.resolveDone = resolve))
    for (const metric of spec.metrics) {
      this.results.push({
        name: metric.name,
        phase: 'Pending',
        measurements: [],
        count: 0,
        successful: 0,
        failed: 0,
        inconclusive: 0,
        error: 0,
        consecutiveError: 0,
      })
    }
  }

  /** The run's phase now: the worst metric phase (Error when the spec could not be resolved). */
  phase(): AnalysisPhase {
    if (this.setupError !== undefined) return 'Error'
    let worst: AnalysisPhase = 'Successful'
    for (const result of this.results) if (isWorse(result.phase, worst)) worst = result.phase
    return worst
  }

  /** Snapshots of the per-metric results. */
  metricResults(): MetricResult[] {
    return structuredClone(this.results)
  }

  /** True once a metric has ended the run (Failed, Error or Inconclusive). */
  isTerminating(): boolean {
    return this.stop.signal.aborted
  }

  /** Ends the run early (the Rollout completed or was aborted). */
  terminate(): void {
    this.stop.abort(new Error('terminated'))
  }

  /** Starts measuring; safe to call once. */
  start(): void {
    if (this.started) return
    this.started = true
    this.startedAt = this.clock.now()
    if (this.spec.error !== undefined) {
      this.setupError = this.spec.error
      for (const result of this.results) result.phase = 'Error'
      this.finish()
      return
    }
    let plans: Array<{ plan: MetricPlan; result: MetricResult }>
    let stage = 'Unable to resolve metric arguments'
    try {
      const templated = this.spec.metrics.map((metric) => substituteArgs(metric, this.spec.args))
      stage = 'Invalid metric'
      plans = templated.map((metric, i) => ({
        plan: planMetric(metric),
        result: this.results[i] as MetricResult,
      }))
    } catch (err) {
      this.setupError = `${stage}: ${(err as Error).message}`
      for (const result of this.results) result.phase = 'Error'
      this.finish()
      return
    }
    void Promise.all(plans.map(({ plan, result }) => this.runMetric(plan, result))).then(() =>
      this.finish()
    )
  }

  private finish(): void {
    const metricResults = this.metricResults()
    let message = this.setupError
    if (message === undefined) {
      const worst = metricResults.find((r) => r.phase === this.phase() && r.message !== undefined)
      if (worst !== undefined) {
        message = `Metric "${worst.name}" assessed ${worst.phase} due to ${worst.message}`
      }
    }
    this.resolveDone({
      phase: this.phase(),
      ...(message === undefined ? {} : { message }),
      metricResults,
      durationMs: this.clock.now() - this.startedAt,
    })
  }

  private async runMetric(plan: MetricPlan, result: MetricResult): Promise<void> {
    const secrets = this.spec.secrets ?? []
    const maxMeasurements = this.options.maxMeasurementsPerMetric ?? 1000
    let dueAt = this.startedAt + plan.initialDelayMs
    while (!this.isTerminating() && result.measurements.length < maxMeasurements) {
      try {
        await this.clock.sleepUntil(dueAt, this.stop.signal)
      } catch {
        break
      }
      if (this.isTerminating()) break
      const startedAt = this.clock.now()
      const realStart = performance.now()
      const outcome = await this.clock.hold(() => measureWeb(plan.metric, this.options))
      // Emulated time stood still during the request; its own duration is real (timeoutScale 1)
      // or scaled back up from the compressed timeout.
      const elapsed = (performance.now() - realStart) / (this.options.timeoutScale ?? 1)
      const measurement: Measurement = {
        phase: outcome.phase,
        ...(outcome.value === undefined ? {} : { value: redact(outcome.value, secrets) }),
        ...(outcome.message === undefined ? {} : { message: redact(outcome.message, secrets) }),
        startedAt: startedAt - this.startedAt,
        finishedAt: startedAt - this.startedAt + Math.round(elapsed),
      }
      result.measurements.push(measurement)
      if (measurement.phase === 'Error') {
        result.error++
        result.consecutiveError++
      } else {
        result.count++
        result.consecutiveError = 0
        if (measurement.phase === 'Successful') result.successful++
        if (measurement.phase === 'Failed') result.failed++
        if (measurement.phase === 'Inconclusive') result.inconclusive++
      }
      const assessed = assessMetric(plan, result, false)
      result.phase = assessed.phase
      if (assessed.message !== undefined) result.message = assessed.message
      if (['Failed', 'Error', 'Inconclusive'].includes(assessed.phase)) this.terminate()
      this.options.onMeasurement?.({
        metric: result.name,
        measurement: structuredClone(measurement),
        metricResult: structuredClone(result),
        runPhase: this.phase(),
      })
      if (isCompleted(result.phase)) return
      const finishedAt = this.startedAt + measurement.finishedAt
      if (measurement.phase === 'Error') dueAt = finishedAt + ERROR_RETRY_INTERVAL_MS
      else if (plan.intervalMs !== undefined) dueAt = finishedAt + plan.intervalMs
      else break
    }
    const final = assessMetric(plan, result, true)
    result.phase = final.phase
    if (final.message !== undefined) result.message = final.message
  }
}
