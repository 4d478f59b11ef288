/**
 * Turning a measured result into a measurement phase with the metric's conditions: Argo's truth
 * table and error messages (argoproj/argo-rollouts utils/evaluate/evaluate.go EvaluateResult,
 * formatEvalError).
 */
import { ConditionError, evalCondition } from './expr'
import type { AnalysisPhase, Metric } from './types'

/** The measurement cannot be judged: Argo records it as Error with this message. */
export class EvaluationError extends Error {
  override readonly name = 'EvaluationError'
}

function isNilOrEmpty(result: unknown): boolean {
  return result === null || result === undefined || (Array.isArray(result) && result.length === 0)
}

function evaluateOne(kind: string, condition: string, result: unknown): boolean {
  try {
    return evalCondition(condition, result)
  } catch (err) {
    if (!(err instanceof ConditionError)) throw err
    if (isNilOrEmpty(result)) {
      throw new EvaluationError(
        `could not evaluate ${kind} "${condition}": metric result is nil or empty: no data returned from the metric provider`
      )
    }
    throw new EvaluationError(`could not evaluate ${kind} "${condition}": ${err.message}`)
  }
}

/**
 * Applies successCondition and failureCondition to `result`:
 * - neither set: Successful;
 * - only success: Successful if true, else Failed (never Inconclusive);
 * - only failure: Failed if true, else Successful;
 * - both: Failed if failure holds (even when success holds too), Successful if only success
 *   holds, Inconclusive if neither does.
 * Throws EvaluationError when a condition cannot be evaluated (the measurement is Error).
 */
export function evaluateResult(
  result: unknown,
  metric: Pick<Metric, 'successCondition' | 'failureCondition'>
): Exclude<AnalysisPhase, 'Pending' | 'Running' | 'Error'> {
  const success = metric.successCondition ?? ''
  const failure = metric.failureCondition ?? ''
  let successHolds = success !== '' && evaluateOne('successCondition', success, result)
  let failureHolds = failure !== '' && evaluateOne('failureCondition', failure, result)
  if (success === '' && failure === '') return 'Successful'
  if (success !== '' && failure === '') failureHolds = !successHolds
  if (success === '' && failure !== '') successHolds = !failureHolds
  if (failureHolds) return 'Failed'
  if (!successHolds) return 'Inconclusive'
  return 'Successful'
}
