/**
 * Text for `npm run demo`: emulated rollout events as lines in the spirit of
 * `kubectl argo rollouts get rollout --watch` (step, weight, analysis phase, metric values).
 */
import type { RolloutEmulationResult, RolloutEvent } from '../argo-emulator/rollout'
import type { AnalysisPhase, Measurement } from '../argo-emulator/types'

const ICONS: Record<AnalysisPhase | 'Healthy' | 'Degraded' | 'Paused' | 'Progressing', string> = {
  Successful: '✔',
  Healthy: '✔',
  Failed: '✖',
  Degraded: '✖',
  Error: '⚠',
  Inconclusive: '?',
  Paused: '॥',
  Running: '◌',
  Pending: '◌',
  Progressing: '◌',
}

/** mm:ss of emulated time. */
export function clockText(ms: number): string {
  const total = Math.floor(ms / 1000)
  const minutes = Math.floor(total / 60)
  const seconds = total % 60
  return `${String(minutes).padStart(2, '0')}:${String(seconds).padStart(2, '0')}`
}

const round = (n: number, digits: number): string => n.toFixed(digits)

const fmtP = (p: unknown): string =>
  typeof p !== 'number' ? '?' : p >= 0.001 ? p.toFixed(3) : p.toExponential(1)

/**
 * A comparison answer (a `comparison` block, canary against baseline): "error rate 3.52 % vs
 * baseline 1.01 % (p = 2.1e-9): worse", "p99 181 ms vs baseline 121 ms (x1.50, p = 1.0e-12):
 * worse", "insufficient data (30 canary, 3612 baseline requests)"; undefined for other answers.
 */
function describeComparison(metric: string, value: Record<string, unknown>): string | undefined {
  const comparison = value.comparison as Record<string, Record<string, any>> | undefined
  if (typeof comparison !== 'object' || comparison === null) return undefined
  const judged = metric === 'error-rate' ? comparison.error_rate : comparison.latency
  if (judged === undefined) {
    const share = comparison.throughput?.canary_share
    return typeof share === 'number' ? `canary share ${round(share * 100, 1)} %` : undefined
  }
  if (judged.verdict === 'insufficient_data') {
    return `insufficient data (${String(judged.canary?.requests)} canary, ${String(judged.baseline?.requests)} baseline requests)`
  }
  if (metric === 'error-rate') {
    const rate = (side: any): string =>
      typeof side?.rate === 'number' ? `${round(side.rate * 100, 2)} %` : '?'
    return `error rate ${rate(judged.canary)} vs baseline ${rate(judged.baseline)} (p = ${fmtP(judged.p_value_canary_greater)}): ${String(judged.verdict)}`
  }
  const ms = (side: any): string =>
    typeof side?.quantile_ms === 'number' ? `${round(side.quantile_ms, 0)} ms` : '?'
  const ratio = typeof judged.ratio === 'number' ? `x${round(judged.ratio, 2)}, ` : ''
  return `${String(judged.quantile)} ${ms(judged.canary)} vs baseline ${ms(judged.baseline)} (${ratio}p = ${fmtP(judged.mann_whitney?.p_value_canary_slower)}): ${String(judged.verdict)}`
}

/** "error rate 0.83 % of 481 requests", "p99 178 ms of 481 requests", "8.0 rps of 479 requests". */
export function describeValue(metric: string, measurement: Measurement): string {
  if (measurement.phase === 'Error') return measurement.message ?? 'error'
  let value: Record<string, unknown>
  try {
    value = JSON.parse(measurement.value ?? 'null') as Record<string, unknown>
  } catch {
    return measurement.value ?? ''
  }
  if (value === null || typeof value !== 'object') return String(value)
  const requests = typeof value.requests === 'number' ? value.requests : undefined
  const of = requests === undefined ? '' : ` of ${requests} requests`
  const compared = describeComparison(metric, value)
  if (compared !== undefined && metric !== 'throughput') return compared
  if (requests === 0) return `no traffic (0 requests in ${String(value.window_seconds ?? '?')} s)`
  if (metric === 'error-rate' && typeof value.error_rate === 'number') {
    return `error rate ${round(value.error_rate * 100, 2)} %${of}`
  }
  if (metric === 'latency' && typeof value.latency_ms === 'object' && value.latency_ms !== null) {
    const quantile = typeof value.quantile === 'string' ? value.quantile : 'p99'
    const ms = (value.latency_ms as Record<string, unknown>)[quantile]
    return `${quantile} ${typeof ms === 'number' ? round(ms, 0) : '?'} ms${of}`
  }
  if (metric === 'throughput' && typeof value.rps === 'number')
    return `${round(value.rps, 1)} rps${of}${compared === undefined ? '' : `, ${compared}`}`
  return `value ${JSON.stringify(value.value ?? null)}${of}`
}

/** The line(s) for one event, prefixed with the emulated time; [] for nothing to say. */
export function formatEvent(event: RolloutEvent, stepCount: number): string[] {
  const at = `[${clockText(event.at)}]`
  switch (event.type) {
    case 'step': {
      const step = event.step
      const what =
        step.setWeight !== undefined
          ? `setWeight: ${step.setWeight}`
          : step.pause !== undefined
            ? `pause: ${step.pause.duration === undefined ? '(until promoted)' : String(step.pause.duration)}`
            : step.analysis !== undefined
              ? 'analysis'
              : (Object.keys(step)[0] ?? 'step')
      return [
        `${at} Step ${event.index + 1}/${stepCount}  ${what.padEnd(16)} weight: canary ${event.weight} %, stable ${100 - event.weight} %`,
      ]
    }
    case 'analysis-started':
      return [`${at} AnalysisRun started (${event.kind}: ${event.templates.join(', ')})`]
    case 'measurement': {
      const m = event.measurement
      return [
        `${at}   ${ICONS[m.phase]} ${event.metric.padEnd(11)} ${m.phase.padEnd(12)} ${describeValue(event.metric, m)}`,
        ...(event.metricResult.phase !== 'Running' && event.metricResult.phase !== 'Pending'
          ? [
              `${at}     metric ${event.metric} ${event.metricResult.phase}${event.metricResult.message ? `: ${event.metricResult.message}` : ''}; AnalysisRun ${event.runPhase}`,
            ]
          : []),
      ]
    }
    case 'analysis-completed':
      return [
        `${at} AnalysisRun ${ICONS[event.result.phase]} ${event.result.phase}${event.result.message ? ` (${event.result.message})` : ''}`,
      ]
    case 'completed':
      return [
        `${at} Rollout ${ICONS[event.status]} ${event.status}: ${event.message}; canary weight ${event.weight} %`,
      ]
  }
}

/** A summary block like the top of `kubectl argo rollouts get rollout`. */
export function formatSummary(
  name: string,
  image: string,
  result: RolloutEmulationResult,
  stepCount: number
): string[] {
  const runs = [result.background, ...result.stepAnalyses].filter((r) => r !== undefined)
  const count = (phase: AnalysisPhase): number =>
    runs.reduce(
      (sum, run) =>
        sum +
        run.metricResults.reduce(
          (s, m) => s + m.measurements.filter((x) => x.phase === phase).length,
          0
        ),
      0
    )
  return [
    `Name:            ${name}`,
    `Image:           ${image}`,
    `Status:          ${ICONS[result.status]} ${result.status}`,
    `Message:         ${result.message}`,
    `Step:            ${Math.min(result.stepIndex, stepCount)}/${stepCount}`,
    `SetWeight:       ${result.weight}`,
    `Analysis:        ${result.background ? `${ICONS[result.background.phase]} ${result.background.phase}` : '-'}` +
      `   measurements: ✔ ${count('Successful')}  ✖ ${count('Failed')}  ? ${count('Inconclusive')}  ⚠ ${count('Error')}`,
    `Emulated time:   ${clockText(result.durationMs)}`,
  ]
}
