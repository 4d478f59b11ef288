/**
 * An emulated AnalysisRun: Argo's validation, measurement schedule and assessment rules
 * (argoproj/argo-rollouts analysis/analysis.go, utils/analysis/factory.go ValidateMetric) on a
 * VirtualClock, with web measurements against real HTTP servers.
 *
 * Before measuring, each metric is validated as Argo does; an invalid one makes the run Error
 * ("Analysis spec invalid: ..."). Per metric: the first measurement after initialDelay, the next
 * one `interval` after the last finished, or 10 s after an Error whatever the interval; `count`
 * counts non-Error measurements (effectively 1 without count and interval, unbounded with
 * interval alone). A metric is Failed when failed > failureLimit (default 0; -1 disables it),
 * Inconclusive when inconclusive > inconclusiveLimit (default 0), Error when consecutive errors >
 * consecutiveErrorLimit (default 4); Error beats Inconclusive beats Failed. With
 * consecutiveSuccessLimit N > 0 it is Successful after N Successful measurements in a row; if
 * `count` is reached first it is Failed (failureLimit -1) or Inconclusive (failureLimit in use).
 * Once a metric that is not dry-run is Failed, Error or Inconclusive the run terminates: the other
 * metrics stop and count as Successful unless their own limits were already crossed. The run is
 * Running while any metric is not completed, then takes the worst phase of the metrics that are
 * not dry-run (Successful < Running < Pending < Inconclusive < Error < Failed); dry-run metrics
 * are only counted in dryRunSummary.
 */
import type { VirtualClock } from './clock'
import { parseGoDuration } from './duration'
import { ArgumentError, substituteArgs } from './template'
import type {
  AnalysisPhase,
  AnalysisRunResult,
  DryRun,
  Measurement,
  Metric,
  MetricResult,
  RunSummary,
} from './types'
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
  /** dryRun rules: metrics whose name matches run without affecting the run's phase. */
  dryRun?: readonly DryRun[]
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
  /** 0 when unset (disabled). */
  consecutiveSuccessLimit: number
}

function toInt(value: number | string | undefined, fallback: number, field: string): number {
  if (value === undefined || value === '') return fallback
  const n = typeof value === 'number' ? value : Number(value)
  if (!Number.isInteger(n))
    throw new ArgumentError(`${field}: ${JSON.stringify(value)} is not an integer`)
  return n
}

/**
 * Argo's ValidateMetric (utils/analysis/factory.go) for the fields the emulator reads, then the
 * metric's schedule and limits. Throws with Argo's message when the metric is invalid.
 */
function planMetric(metric: Metric): MetricPlan {
  const count = toInt(metric.count, 0, 'count')
  const failureLimit = toInt(metric.failureLimit, DEFAULT_FAILURE_LIMIT, 'failureLimit')
  const consecutiveSuccessLimit = toInt(
    metric.consecutiveSuccessLimit,
    0,
    'consecutiveSuccessLimit'
  )
  const inconclusiveLimit = toInt(
    metric.inconclusiveLimit,
    DEFAULT_INCONCLUSIVE_LIMIT,
    'inconclusiveLimit'
  )
  const consecutiveErrorLimit = toInt(
    metric.consecutiveErrorLimit,
    DEFAULT_CONSECUTIVE_ERROR_LIMIT,
    'consecutiveErrorLimit'
  )
  if (consecutiveSuccessLimit < 0) throw new ArgumentError('consecutiveSuccessLimit must be >= 0')
  if (failureLimit < -1) throw new ArgumentError('failureLimit must be >= 0, or -1 to be disabled')
  if (consecutiveSuccessLimit === 0 && failureLimit === -1) {
    throw new ArgumentError('failureLimit and consecutiveSuccessLimit cannot both be disabled')
  }
  if (inconclusiveLimit < 0) throw new ArgumentError('inconclusiveLimit must be >= 0')
  if (consecutiveErrorLimit < 0) throw new ArgumentError('consecutiveErrorLimit must be >= 0')
  if (count > 0) {
    if (failureLimit >= 0 && count < failureLimit + consecutiveSuccessLimit) {
      throw new ArgumentError(
        `count (${count}) must be >= failureLimit + consecutiveSuccessLimit (${failureLimit} + ${consecutiveSuccessLimit}) if both >= 0`
      )
    }
    if (failureLimit < 0 && count < consecutiveSuccessLimit) {
      throw new ArgumentError('count must be >= consecutiveSuccessLimit')
    }
    if (count < inconclusiveLimit) throw new ArgumentError('count must be >= inconclusiveLimit')
  }
  if (count > 1 && !metric.interval) {
    throw new ArgumentError('interval must be specified when count > 1')
  }
  if (metric.provider.web === undefined) {
    throw new ArgumentError('only the web provider is emulated')
  }
  const intervalMs = metric.interval ? parseGoDuration(metric.interval) : undefined
  return {
    metric,
    intervalMs,
    initialDelayMs: metric.initialDelay ? parseGoDuration(metric.initialDelay) : 0,
    effectiveCount: count > 0 ? count : intervalMs === undefined ? 1 : undefined,
    failureLimit,
    inconclusiveLimit,
    consecutiveErrorLimit,
    consecutiveSuccessLimit,
  }
}

/** Argo's ValidateMetrics: unique names, then each metric (messages prefixed metrics[i]). */
function validateMetrics(metrics: readonly Metric[]): MetricPlan[] {
  if (metrics.length === 0) throw new ArgumentError('no metrics specified')
  const names = new Set<string>()
  return metrics.map((metric, i) => {
    if (names.has(metric.name)) {
      throw new ArgumentError(`metrics[${i}]: duplicate name '${metric.name}'`)
    }
    names.add(metric.name)
    try {
      return planMetric(metric)
    } catch (err) {
      throw new ArgumentError(`metrics[${i}]: ${(err as Error).message}`)
    }
  })
}

/** Argo's GetDryRunMetrics: names matched by a rule; a rule matching no metric is an error. */
function dryRunNames(rules: readonly DryRun[], metrics: readonly Metric[]): Set<string> {
  const names = new Set<string>()
  rules.forEach((rule, index) => {
    let pattern: RegExp
    try {
      pattern = new RegExp(rule.metricName)
    } catch {
      pattern = /(?!)/
    }
    const matched = metrics.filter((m) => pattern.test(m.name))
    if (matched.length === 0) {
      throw new ArgumentError(`dryRun[${index}]: Rule didn't match any metric name(s)`)
    }
    for (const m of matched) names.add(m.name)
  })
  return names
}

/** Argo's assessMetricFailureInconclusiveOrError: a limit crossed, if any. */
function limitCrossed(
  plan: MetricPlan,
  result: MetricResult
): { phase: AnalysisPhase; message: string } | undefined {
  let verdict: { phase: AnalysisPhase; message: string } | undefined
  if (plan.failureLimit >= 0 && result.failed > plan.failureLimit) {
    verdict = {
      phase: 'Failed',
      message: `failed (${result.failed}) > failureLimit (${plan.failureLimit})`,
    }
  }
  if (result.inconclusive > plan.inconclusiveLimit) {
    verdict = {
      phase: 'Inconclusive',
      message: `inconclusive (${result.inconclusive}) > inconclusiveLimit (${plan.inconclusiveLimit})`,
    }
  }
  if (result.consecutiveError > plan.consecutiveErrorLimit) {
    verdict = {
      phase: 'Error',
      message: `consecutiveErrors (${result.consecutiveError}) > consecutiveErrorLimit (${plan.consecutiveErrorLimit})`,
    }
  }
  return verdict
}

/** Argo's assessMetricStatus: the metric's phase given its counters. */
function assessMetric(
  plan: MetricPlan,
  result: MetricResult,
  terminating: boolean
): { phase: AnalysisPhase; message?: string } {
  if (isCompleted(result.phase)) return { phase: result.phase }
  if (result.measurements.length === 0) return { phase: terminating ? 'Successful' : 'Pending' }
  const verdict = limitCrossed(plan, result)
  if (verdict !== undefined) return verdict
  const successLimit = plan.consecutiveSuccessLimit
  if (successLimit > 0 && (result.consecutiveSuccess ?? 0) >= successLimit)
    return { phase: 'Successful' }
  if (plan.effectiveCount !== undefined && result.count >= plan.effectiveCount) {
    if (successLimit > 0) {
      // Count reached without N successes in a row: Inconclusive while failureLimit is in use
      // (it was not crossed either), Failed when failureLimit is disabled (-1).
      return plan.failureLimit >= 0 ? { phase: 'Inconclusive' } : { phase: 'Failed' }
    }
    return { phase: 'Successful' }
  }
  return { phase: terminating ? 'Successful' : 'Running' }
}

function emptySummary(): RunSummary {
  return { count: 0, successful: 0, failed: 0, inconclusive: 0, error: 0 }
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
  /** Per metric, the limit it crossed (Failed, Inconclusive or Error) and why, if any. */
  private readonly crossed = new Map<string, { phase: AnalysisPhase; message: string }>()

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
        consecutiveSuccess: 0,
      })
    }
  }

  /**
   * The run's phase now, as Argo's assessRunStatus computes it: Pending before start, Error when
   * the spec could not be resolved or validated, Running while any metric is not completed, then
   * the worst phase among metrics that are not dry-run (Successful when all are dry-run).
   */
  phase(): AnalysisPhase {
    if (this.setupError !== undefined) return 'Error'
    if (!this.started) return 'Pending'
    if (this.results.some((r) => !isCompleted(r.phase))) return 'Running'
    let worst: AnalysisPhase = 'Successful'
    for (const result of this.results) {
      if (result.dryRun !== true && isWorse(result.phase, worst)) worst = result.phase
    }
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
      stage = 'Analysis spec invalid'
      plans = validateMetrics(templated).map((plan, i) => ({
        plan,
        result: this.results[i] as MetricResult,
      }))
      const dryRun = dryRunNames(this.spec.dryRun ?? [], templated)
      for (const result of this.results) if (dryRun.has(result.name)) result.dryRun = true
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
    const runSummary = emptySummary()
    const dryRunSummary = emptySummary()
    let message = this.setupError
    let worst: AnalysisPhase | undefined
    for (const result of this.setupError === undefined ? metricResults : []) {
      const summary = result.dryRun === true ? dryRunSummary : runSummary
      summary.count++
      // Argo counts by the limit that was crossed, Successful when none was.
      const crossed = this.crossed.get(result.name)
      if (crossed?.phase === 'Failed') summary.failed++
      else if (crossed?.phase === 'Inconclusive') summary.inconclusive++
      else if (crossed?.phase === 'Error') summary.error++
      else summary.successful++
      if (result.dryRun === true) {
        if (crossed !== undefined) {
          result.message = `Metric assessed ${result.phase} due to ${crossed.message}`
        }
        continue
      }
      if (worst === undefined || isWorse(result.phase, worst)) {
        worst = result.phase
        if (crossed !== undefined) {
          message = `Metric "${result.name}" assessed ${result.phase} due to ${crossed.message}`
          if (result.message) message += `: "Error Message: ${result.message}"`
        }
      }
    }
    this.resolveDone({
      phase: this.phase(),
      ...(message === undefined ? {} : { message }),
      metricResults,
      runSummary,
      dryRunSummary,
      durationMs: this.clock.now() - this.startedAt,
    })
  }

  /**
   * Records a metric's new phase. When it completes, its message becomes the last measurement's
   * (analysis/analysis.go assessRunStatus); the limit it crossed is kept for the run message.
   */
  private setPhase(
    result: MetricResult,
    assessed: { phase: AnalysisPhase; message?: string }
  ): void {
    if (assessed.phase === result.phase) return
    result.phase = assessed.phase
    if (!isCompleted(assessed.phase)) return
    const last = result.measurements.at(-1)?.message
    if (last === undefined) delete result.message
    else result.message = last
    if (assessed.message !== undefined) {
      this.crossed.set(result.name, { phase: assessed.phase, message: assessed.message })
    }
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
        result.consecutiveSuccess = 0
      } else {
        result.count++
        result.consecutiveError = 0
        result.consecutiveSuccess =
          measurement.phase === 'Successful' ? (result.consecutiveSuccess ?? 0) + 1 : 0
        if (measurement.phase === 'Successful') result.successful++
        if (measurement.phase === 'Failed') result.failed++
        if (measurement.phase === 'Inconclusive') result.inconclusive++
      }
      const assessed = assessMetric(plan, result, false)
      this.setPhase(result, assessed)
      // A dry-run metric's outcome never terminates the run (utils/analysis/helpers.go IsTerminating).
      if (result.dryRun !== true && ['Failed', 'Error', 'Inconclusive'].includes(assessed.phase)) {
        this.terminate()
      }
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
    this.setPhase(result, assessMetric(plan, result, true))
  }
}
