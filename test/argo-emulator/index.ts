/** An emulator of Argo Rollouts' web metric provider and analysis rules, for tests and the demo. */
export { AnalysisRun, isWorse, ERROR_RETRY_INTERVAL_MS } from './analysis-run'
export type { AnalysisRunOptions, AnalysisRunSpec, MeasurementEvent } from './analysis-run'
export { VirtualClock } from './clock'
export { parseGoDuration } from './duration'
export { evaluateResult, EvaluationError } from './evaluate'
export { evalCondition, ConditionError } from './expr'
export { createAnalysisRun, runAnalysis } from './factory'
export type { CreateAnalysisRunInput } from './factory'
export { firstJsonPathValue, parseJsonPath, JsonPathError } from './jsonpath'
export type { JsonPathTemplate } from './jsonpath'
export { loadManifestDir, analysisTemplates, findRollout } from './manifests'
export type { ManifestDocument } from './manifests'
export { emulateRollout } from './rollout'
export type {
  CanaryStep,
  RolloutAnalysis,
  RolloutEmulationOptions,
  RolloutEmulationResult,
  RolloutEvent,
  RolloutManifest,
  RolloutStatus,
  TemplateRef,
} from './rollout'
export {
  ArgumentError,
  flattenTemplates,
  mergeDryRun,
  placeholdersIn,
  readFieldPath,
  resolveArgs,
  resolveRolloutArgs,
  substituteArgs,
} from './template'
export type { ArgSources } from './template'
export * from './types'
export { measureWeb, goJsonMarshal, DEFAULT_WEB_TIMEOUT_SECONDS } from './web-provider'
export type { WebMeasurementOutcome, WebProviderOptions } from './web-provider'
