/**
 * Building an AnalysisRun from templates and a Rollout's arguments, as Argo's
 * NewAnalysisRunFromTemplates does: templates flattened, args merged and resolved. An argument
 * that cannot be resolved makes a run that ends in Error ("Unable to resolve metric arguments").
 */
import { AnalysisRun } from './analysis-run'
import type { AnalysisRunOptions } from './analysis-run'
import { flattenTemplates, mergeDryRun, resolveArgs, resolveRolloutArgs } from './template'
import type { ArgSources } from './template'
import type { AnalysisTemplate, DryRun, Metric, RolloutArgument, TemplateArgument } from './types'

export interface CreateAnalysisRunInput {
  templates: readonly AnalysisTemplate[]
  /** Arguments as a Rollout passes them (value, podTemplateHashValue, fieldRef). */
  args?: readonly RolloutArgument[]
  /** dryRun rules of the Rollout's analysis stanza, merged after the templates' own. */
  dryRun?: readonly DryRun[]
  sources?: ArgSources
}

export function createAnalysisRun(
  input: CreateAnalysisRunInput,
  options: AnalysisRunOptions
): AnalysisRun {
  let metrics: Metric[] = []
  try {
    const flat = flattenTemplates(input.templates)
    metrics = flat.metrics
    const incoming: TemplateArgument[] = resolveRolloutArgs(input.args ?? [], input.sources)
    const { values, secrets } = resolveArgs(flat.args, incoming, input.sources)
    const dryRun = mergeDryRun(flat.dryRun, input.dryRun)
    return new AnalysisRun({ metrics, args: values, secrets, dryRun }, options)
  } catch (err) {
    return new AnalysisRun(
      { metrics, args: {}, error: `Unable to resolve metric arguments: ${(err as Error).message}` },
      options
    )
  }
}

/** Creates, starts and awaits a run: the result once every metric completed or one failed. */
export async function runAnalysis(
  input: CreateAnalysisRunInput,
  options: AnalysisRunOptions
): Promise<Awaited<AnalysisRun['done']>> {
  const run = createAnalysisRun(input, options)
  run.start()
  return run.done
}
