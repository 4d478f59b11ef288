/**
 * What a canary Rollout does with its analysis (argoproj/argo-rollouts rollout/analysis.go,
 * docs/features/canary/index.md): steps in order (setWeight, pause, inline analysis), a
 * background AnalysisRun from `startingStep` until the last step, and the reaction to each run
 * phase: Failed or Error aborts the rollout (Degraded, traffic back to stable), Inconclusive pauses
 * it for a person, Successful lets it continue; when the steps are done the background run is
 * terminated and the canary is promoted (Healthy). `dryRun` rules of the analysis stanza are
 * passed to the run.
 */
import type { AnalysisRun, AnalysisRunOptions, MeasurementEvent } from './analysis-run'
import type { VirtualClock } from './clock'
import { parseGoDuration } from './duration'
import { createAnalysisRun } from './factory'
import type { ArgSources } from './template'
import type {
  AnalysisPhase,
  AnalysisRunResult,
  AnalysisTemplate,
  DryRun,
  RolloutArgument,
} from './types'
import type { WebProviderOptions } from './web-provider'

export interface TemplateRef {
  templateName: string
  clusterScope?: boolean
}

export interface CanaryStep {
  setWeight?: number
  pause?: { duration?: string | number }
  analysis?: RolloutAnalysis
  [other: string]: unknown
}

/** A Rollout's analysis stanza (background or step): templates, args, dryRun rules. */
export interface RolloutAnalysis {
  templates: TemplateRef[]
  args?: RolloutArgument[]
  dryRun?: DryRun[]
}

/** The parts of a Rollout manifest the emulator reads. */
export interface RolloutManifest {
  apiVersion: string
  kind: 'Rollout'
  metadata: { name: string; namespace?: string; [k: string]: unknown }
  spec: {
    strategy: {
      canary?: {
        steps?: CanaryStep[]
        analysis?: RolloutAnalysis & { startingStep?: number }
        [k: string]: unknown
      }
      [k: string]: unknown
    }
    [k: string]: unknown
  }
}

/** Final state, in `kubectl argo rollouts get rollout` terms. */
export type RolloutStatus = 'Healthy' | 'Degraded' | 'Paused'

export type RolloutEvent =
  | { type: 'step'; at: number; index: number; step: CanaryStep; weight: number }
  | { type: 'analysis-started'; at: number; kind: 'background' | 'step'; templates: string[] }
  | ({ type: 'measurement'; at: number } & MeasurementEvent)
  | {
      type: 'analysis-completed'
      at: number
      kind: 'background' | 'step'
      result: AnalysisRunResult
    }
  | { type: 'completed'; at: number; status: RolloutStatus; message: string; weight: number }

export interface RolloutEmulationOptions extends WebProviderOptions {
  clock: VirtualClock
  /** Every AnalysisTemplate and ClusterAnalysisTemplate the Rollout may reference. */
  templates: readonly AnalysisTemplate[]
  /** The Rollout's namespace (for fieldRef metadata.namespace). */
  namespace: string
  /** rollouts-pod-template-hash of the canary (Latest) and stable ReplicaSets. */
  podTemplateHashes: { Latest: string; Stable?: string }
  /** Secrets in the Rollout's namespace (secretKeyRef args). */
  secrets?: ArgSources['secrets']
  onEvent?: (event: RolloutEvent) => void
  /** Runs before each step with emulated time frozen (e.g. to shift simulated traffic). */
  onStep?: (info: { index: number; step: CanaryStep; weight: number }) => Promise<void> | void
}

export interface RolloutEmulationResult {
  status: RolloutStatus
  message: string
  /** Canary weight at the end: 100 when promoted, 0 when aborted. */
  weight: number
  /** Index of the step the rollout stopped at (steps.length when all completed). */
  stepIndex: number
  background?: AnalysisRunResult
  stepAnalyses: AnalysisRunResult[]
  durationMs: number
}

function findTemplates(
  refs: readonly TemplateRef[],
  templates: readonly AnalysisTemplate[]
): AnalysisTemplate[] {
  return refs.map((ref) => {
    const kind = ref.clusterScope === true ? 'ClusterAnalysisTemplate' : 'AnalysisTemplate'
    const found = templates.find((t) => t.kind === kind && t.metadata.name === ref.templateName)
    if (found === undefined) throw new Error(`${kind} "${ref.templateName}" not found`)
    return found
  })
}

function isBad(phase: AnalysisPhase): boolean {
  return phase === 'Failed' || phase === 'Error'
}

/**
 * Plays a canary update of `rollout` to its end: promoted (Healthy), aborted (Degraded) or paused
 * (Paused: an Inconclusive analysis, or a pause step without duration).
 */
export async function emulateRollout(
  rollout: RolloutManifest,
  options: RolloutEmulationOptions
): Promise<RolloutEmulationResult> {
  const { clock } = options
  const canary = rollout.spec.strategy.canary
  if (canary === undefined) throw new Error('only the canary strategy is emulated')
  const steps = canary.steps ?? []
  const startedAt = clock.now()
  const rolloutObject = {
    ...rollout,
    metadata: { ...rollout.metadata, namespace: rollout.metadata.namespace ?? options.namespace },
  }
  const sources: ArgSources = {
    secrets: options.secrets ?? {},
    podTemplateHashes: options.podTemplateHashes,
    fieldRefObject: rolloutObject,
  }
  const emit = (event: RolloutEvent): void => options.onEvent?.(event)
  const stopSteps = new AbortController()
  let weight = 0
  let outcome: { status: RolloutStatus; message: string } | undefined
  const stepAnalyses: AnalysisRunResult[] = []

  const newRun = (stanza: RolloutAnalysis, kind: 'background' | 'step'): AnalysisRun => {
    const refs = stanza.templates
    const runOptions: AnalysisRunOptions = {
      ...options,
      onMeasurement: (event) => emit({ type: 'measurement', at: clock.now(), ...event }),
    }
    const run = createAnalysisRun(
      {
        templates: findTemplates(refs, options.templates),
        ...(stanza.args ? { args: stanza.args } : {}),
        ...(stanza.dryRun ? { dryRun: stanza.dryRun } : {}),
        sources,
      },
      runOptions
    )
    emit({
      type: 'analysis-started',
      at: clock.now(),
      kind,
      templates: refs.map((r) => r.templateName),
    })
    run.start()
    return run
  }

  const react = (result: AnalysisRunResult, kind: 'background' | 'step'): void => {
    emit({ type: 'analysis-completed', at: clock.now(), kind, result })
    if (outcome !== undefined) return
    const what = kind === 'background' ? 'Background' : 'Step-based'
    if (isBad(result.phase)) {
      outcome = {
        status: 'Degraded',
        message:
          `RolloutAborted: ${what} analysis phase ${result.phase.toLowerCase()}: ${result.message ?? ''}`.trim(),
      }
      stopSteps.abort(new Error('aborted'))
    } else if (result.phase === 'Inconclusive') {
      outcome = {
        status: 'Paused',
        message: `InconclusiveAnalysisRun: ${result.message ?? ''}`.trim(),
      }
      stopSteps.abort(new Error('paused'))
    }
  }

  const backgroundSpec = canary.analysis
  const startingStep = backgroundSpec?.startingStep ?? 0
  let background: AnalysisRun | undefined
  let backgroundResult: AnalysisRunResult | undefined
  const startBackground = (): void => {
    if (background !== undefined || backgroundSpec === undefined) return
    background = newRun(backgroundSpec, 'background')
    void background.done.then((result) => {
      backgroundResult = result
      react(result, 'background')
    })
  }

  let index = 0
  for (; index < steps.length && outcome === undefined; index++) {
    if (index >= startingStep) startBackground()
    const step = steps[index] as CanaryStep
    if (step.setWeight !== undefined) weight = step.setWeight
    emit({ type: 'step', at: clock.now(), index, step, weight })
    await clock.hold(async () => options.onStep?.({ index, step, weight }))
    if (outcome !== undefined) break
    if (step.pause !== undefined) {
      const duration = step.pause.duration
      if (duration === undefined) {
        outcome = { status: 'Paused', message: 'CanaryPauseStep: paused until promoted' }
        break
      }
      const ms = typeof duration === 'number' ? duration * 1000 : parseGoDuration(duration)
      try {
        await clock.sleep(ms, stopSteps.signal)
      } catch {
        break
      }
    } else if (step.analysis !== undefined) {
      const run = newRun(step.analysis, 'step')
      const stopped = new Promise<'stopped'>((resolve) =>
        stopSteps.signal.addEventListener('abort', () => resolve('stopped'), { once: true })
      )
      const result = await Promise.race([run.done, stopped])
      if (result === 'stopped') {
        run.terminate()
        stepAnalyses.push(await run.done)
        break
      }
      stepAnalyses.push(result)
      react(result, 'step')
    } else if (step.setWeight === undefined) {
      const kind = Object.keys(step)[0] ?? 'unknown'
      if (kind === 'experiment' || kind === 'plugin')
        throw new Error(`step ${kind} is not emulated`)
    }
  }

  // Promotion ends the background analysis: still-running metrics count as Successful.
  if (background !== undefined) {
    background.terminate()
    backgroundResult = await background.done
    // Let a completion that raced with the last step be reacted to.
    await new Promise<void>((resolve) => setImmediate(resolve))
  }
  if (outcome === undefined) {
    outcome = { status: 'Healthy', message: 'canary promoted to stable' }
  }
  weight = outcome.status === 'Healthy' ? 100 : outcome.status === 'Degraded' ? 0 : weight
  emit({ type: 'completed', at: clock.now(), ...outcome, weight })
  return {
    ...outcome,
    weight,
    stepIndex: index,
    ...(backgroundResult === undefined ? {} : { background: backgroundResult }),
    stepAnalyses,
    durationMs: clock.now() - startedAt,
  }
}
