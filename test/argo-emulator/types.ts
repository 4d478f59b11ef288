/**
 * The subset of Argo Rollouts' analysis API the emulator understands, shaped like the YAML in
 * canary/ (field names as in argoproj.io/v1alpha1), plus what an emulated AnalysisRun records.
 */

/** Phases of a measurement, a metric and a run (Argo's AnalysisPhase). */
export type AnalysisPhase =
  'Pending' | 'Running' | 'Successful' | 'Failed' | 'Error' | 'Inconclusive'

/** Phases after which nothing changes. */
export const COMPLETED_PHASES: readonly AnalysisPhase[] = [
  'Successful',
  'Failed',
  'Error',
  'Inconclusive',
]

export function isCompleted(phase: AnalysisPhase): boolean {
  return COMPLETED_PHASES.includes(phase)
}

export interface WebHeader {
  key: string
  value: string
}

/** provider.web of a metric. */
export interface WebMetric {
  url: string
  method?: string
  headers?: WebHeader[]
  body?: string
  jsonBody?: unknown
  timeoutSeconds?: number
  jsonPath?: string
  insecure?: boolean
  authentication?: Record<string, unknown>
}

export interface Metric {
  name: string
  interval?: string
  initialDelay?: string
  count?: number | string
  successCondition?: string
  failureCondition?: string
  failureLimit?: number | string
  inconclusiveLimit?: number | string
  consecutiveErrorLimit?: number | string
  consecutiveSuccessLimit?: number | string
  provider: { web?: WebMetric; [other: string]: unknown }
}

export interface SecretKeyRef {
  name: string
  key: string
}

/** An argument declared by a template (AnalysisTemplate.spec.args[]). */
export interface TemplateArgument {
  name: string
  value?: string
  valueFrom?: { secretKeyRef?: SecretKeyRef; fieldRef?: { fieldPath: string } }
}

/** An argument passed by a Rollout (strategy.canary.analysis.args[] or a step's analysis). */
export interface RolloutArgument {
  name: string
  value?: string
  valueFrom?: { podTemplateHashValue?: string; fieldRef?: { fieldPath: string } }
}

export interface AnalysisTemplateSpec {
  args?: TemplateArgument[]
  metrics: Metric[]
  dryRun?: DryRun[]
  measurementRetention?: unknown
  templates?: unknown
}

/** An AnalysisTemplate or ClusterAnalysisTemplate manifest. */
export interface AnalysisTemplate {
  apiVersion: string
  kind: 'AnalysisTemplate' | 'ClusterAnalysisTemplate'
  metadata: { name: string; namespace?: string }
  spec: AnalysisTemplateSpec
}

/** One measurement, as Argo records it in AnalysisRun.status.metricResults[].measurements[]. */
export interface Measurement {
  phase: AnalysisPhase
  /** JSON of the value at jsonPath, or the raw body when it is not JSON; absent on Error. */
  value?: string
  /** Why the measurement is an Error (secrets redacted). */
  message?: string
  /** Emulated milliseconds since the run started. */
  startedAt: number
  finishedAt: number
}

/** Per-metric counters and outcome (AnalysisRun.status.metricResults[]). */
export interface MetricResult {
  name: string
  phase: AnalysisPhase
  message?: string
  measurements: Measurement[]
  /** Non-Error measurements (Successful + Failed + Inconclusive). */
  count: number
  successful: number
  failed: number
  inconclusive: number
  error: number
  consecutiveError: number
  /** Successful measurements in a row (reset by any other phase); set by every emulated run. */
  consecutiveSuccess?: number
  /** The metric matches a dryRun rule: its outcome never affects the run's phase. */
  dryRun?: boolean
}

/** Counts of completed metrics by phase (AnalysisRun.status.runSummary / dryRunSummary). */
export interface RunSummary {
  count: number
  successful: number
  failed: number
  inconclusive: number
  error: number
}

/** One dryRun rule: metrics whose name the (unanchored) regular expression matches. */
export interface DryRun {
  metricName: string
}

export interface AnalysisRunResult {
  phase: AnalysisPhase
  message?: string
  metricResults: MetricResult[]
  /** Metrics that are not dry-run, by completed phase. */
  runSummary: RunSummary
  /** Dry-run metrics, by completed phase. */
  dryRunSummary: RunSummary
  /** Emulated milliseconds from start to completion. */
  durationMs: number
}
