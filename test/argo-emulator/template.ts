/**
 * Argument resolution and `{{args.x}}` templating, as Argo does it when it creates an AnalysisRun
 * (argoproj/argo-rollouts utils/analysis/factory.go, utils/template/template.go).
 */
import type { AnalysisTemplate, DryRun, Metric, RolloutArgument, TemplateArgument } from './types'

/** Where argument values come from besides literal values. */
export interface ArgSources {
  /** Secrets in the AnalysisRun's namespace: secret name -> key -> value. */
  secrets?: Record<string, Record<string, string>>
  /** rollouts-pod-template-hash of the new (Latest) and the stable ReplicaSet. */
  podTemplateHashes?: { Latest?: string; Stable?: string }
  /** The object fieldRef paths read from (the Rollout manifest, with metadata.namespace set). */
  fieldRefObject?: unknown
}

/** Raised when arguments cannot be resolved: Argo fails the whole AnalysisRun with Error. */
export class ArgumentError extends Error {
  override readonly name = 'ArgumentError'
}

/** Reads a Kubernetes fieldPath such as metadata.name or metadata.labels['app'] from `object`. */
export function readFieldPath(object: unknown, fieldPath: string): string {
  const parts: string[] = []
  for (const match of fieldPath.matchAll(/([^.[\]]+)|\[['"]([^'"]+)['"]\]/g)) {
    parts.push(match[1] ?? match[2] ?? '')
  }
  let current: unknown = object
  for (const part of parts) {
    if (current === null || typeof current !== 'object' || !(part in current)) {
      throw new ArgumentError(`failed to resolve fieldRef ${fieldPath}: ${part} not found`)
    }
    current = (current as Record<string, unknown>)[part]
  }
  if (current === undefined || current === null || typeof current === 'object') {
    throw new ArgumentError(`failed to resolve fieldRef ${fieldPath}: not a scalar value`)
  }
  return String(current)
}

/**
 * Resolves the arguments a Rollout passes (value, podTemplateHashValue, fieldRef) into plain
 * name/value pairs.
 */
export function resolveRolloutArgs(
  args: readonly RolloutArgument[],
  sources: ArgSources = {}
): TemplateArgument[] {
  return args.map((arg) => {
    if (arg.value !== undefined) return { name: arg.name, value: arg.value }
    const hashKind = arg.valueFrom?.podTemplateHashValue
    if (hashKind !== undefined) {
      if (hashKind !== 'Latest' && hashKind !== 'Stable') {
        throw new ArgumentError(`args.${arg.name}: podTemplateHashValue must be Latest or Stable`)
      }
      const hash = sources.podTemplateHashes?.[hashKind]
      if (hash === undefined) {
        throw new ArgumentError(`args.${arg.name}: no ${hashKind} ReplicaSet hash available`)
      }
      return { name: arg.name, value: hash }
    }
    const fieldPath = arg.valueFrom?.fieldRef?.fieldPath
    if (fieldPath !== undefined) {
      return { name: arg.name, value: readFieldPath(sources.fieldRefObject, fieldPath) }
    }
    throw new ArgumentError(`args.${arg.name} was not resolved`)
  })
}

/**
 * Concatenates dryRun rules (from templates, then the Rollout's); two rules with the same
 * metricName are an error, as in Argo's validateDryRunMetrics (utils/analysis/helpers.go).
 */
export function mergeDryRun(...lists: ReadonlyArray<readonly DryRun[] | undefined>): DryRun[] {
  const merged: DryRun[] = []
  for (const rule of lists.flatMap((list) => list ?? [])) {
    if (merged.some((r) => r.metricName === rule.metricName)) {
      throw new ArgumentError(`two Dry-Run metric rules have the same name '${rule.metricName}'`)
    }
    merged.push({ metricName: rule.metricName })
  }
  return merged
}

/**
 * Combines several templates into one AnalysisRun spec: metrics side by side (names must be
 * unique), args merged (the same arg declared twice must agree), dryRun rules concatenated.
 */
export function flattenTemplates(templates: readonly AnalysisTemplate[]): {
  args: TemplateArgument[]
  metrics: Metric[]
  dryRun: DryRun[]
} {
  const args: TemplateArgument[] = []
  const metrics: Metric[] = []
  const dryRun = mergeDryRun(...templates.map((t) => t.spec.dryRun))
  for (const template of templates) {
    if (template.spec.templates !== undefined) {
      throw new ArgumentError(`${template.metadata.name}: nested templates are not emulated`)
    }
    for (const metric of template.spec.metrics) {
      if (metrics.some((m) => m.name === metric.name)) {
        throw new ArgumentError(`two metrics have the same name '${metric.name}'`)
      }
      metrics.push(metric)
    }
    for (const arg of template.spec.args ?? []) {
      const existing = args.find((a) => a.name === arg.name)
      if (existing === undefined) args.push(structuredClone(arg))
      else if (JSON.stringify(existing) !== JSON.stringify(arg)) {
        throw new ArgumentError(`two args with the same name '${arg.name}' have different values`)
      }
    }
  }
  return { args, metrics, dryRun }
}

/**
 * Merges incoming values over the template's declared args (an incoming arg the template does not
 * declare is ignored, as in Argo) and resolves every arg to a string: literal value, else
 * valueFrom.secretKeyRef or valueFrom.fieldRef. Returns the values and the secret values (to redact
 * from messages).
 */
export function resolveArgs(
  declared: readonly TemplateArgument[],
  incoming: readonly TemplateArgument[],
  sources: ArgSources = {}
): { values: Record<string, string>; secrets: string[] } {
  const values: Record<string, string> = {}
  const secrets: string[] = []
  for (const arg of declared) {
    const override = incoming.find((a) => a.name === arg.name)
    const merged: TemplateArgument =
      override?.value !== undefined
        ? { name: arg.name, value: override.value }
        : override?.valueFrom !== undefined
          ? { name: arg.name, valueFrom: override.valueFrom }
          : arg
    if (merged.value !== undefined) {
      values[arg.name] = merged.value
      continue
    }
    const secretRef = merged.valueFrom?.secretKeyRef
    if (secretRef !== undefined) {
      const secret = sources.secrets?.[secretRef.name]
      const value = secret?.[secretRef.key]
      if (value === undefined) {
        throw new ArgumentError(
          secret === undefined
            ? `secret "${secretRef.name}" not found`
            : `key "${secretRef.key}" not found in secret "${secretRef.name}"`
        )
      }
      values[arg.name] = value
      if (value !== '') secrets.push(value)
      continue
    }
    const fieldPath = merged.valueFrom?.fieldRef?.fieldPath
    if (fieldPath !== undefined) {
      values[arg.name] = readFieldPath(sources.fieldRefObject, fieldPath)
      continue
    }
    throw new ArgumentError(`args.${arg.name} was not resolved`)
  }
  return { values, secrets }
}

/**
 * Substitutes `{{args.x}}` (spaces inside the braces allowed) throughout a metric: the metric is
 * JSON-serialised, every placeholder replaced by the arg's value JSON-string-escaped (not
 * URL-encoded), and parsed back, so url, headers, jsonPath and conditions all take args. A
 * placeholder naming no known arg is an error.
 */
export function substituteArgs<T>(value: T, args: Readonly<Record<string, string>>): T {
  const json = JSON.stringify(value)
  const replaced = json.replace(/\{\{(.*?)\}\}/g, (_whole, tag: string) => {
    const key = tag.trim()
    const name = key.startsWith('args.') ? key.slice('args.'.length) : undefined
    if (name === undefined || !Object.hasOwn(args, name)) {
      throw new ArgumentError(`failed to resolve {{${tag}}}`)
    }
    return JSON.stringify(args[name]).slice(1, -1)
  })
  return JSON.parse(replaced) as T
}

/** Every `{{args.x}}` name used anywhere in `value` (for manifest checks). */
export function placeholdersIn(value: unknown): string[] {
  const names = new Set<string>()
  for (const match of JSON.stringify(value).matchAll(/\{\{\s*args\.([^}\s]+)\s*\}\}/g)) {
    names.add(match[1] ?? '')
  }
  return [...names]
}
