/**
 * Reading the project's Kubernetes manifests (knative/, canary/) for tests, the scenarios and the
 * demo: every YAML document of a folder, and typed lookups of the Rollout and templates.
 */
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { parseAllDocuments } from 'yaml'
import type { RolloutManifest } from './rollout'
import type { AnalysisTemplate } from './types'

/** A parsed YAML document with the file it came from. */
export interface ManifestDocument {
  file: string
  index: number
  object: Record<string, unknown> & {
    apiVersion?: string
    kind?: string
    metadata?: { name?: string; namespace?: string; [k: string]: unknown }
  }
}

/**
 * Every non-empty YAML document of `dir` (non-recursive; kustomization.yaml excluded). Throws on a
 * YAML syntax error, naming the file.
 */
export function loadManifestDir(dir: string): ManifestDocument[] {
  const documents: ManifestDocument[] = []
  const files = readdirSync(dir)
    .filter((f) => /\.ya?ml$/.test(f) && !/^kustomization\.ya?ml$/.test(f))
    .sort()
  for (const file of files) {
    const parsed = parseAllDocuments(readFileSync(join(dir, file), 'utf8'))
    const docs = Array.isArray(parsed) ? parsed : [parsed]
    docs.forEach((doc, index) => {
      if (doc.errors.length > 0) {
        throw new Error(`${file}: ${doc.errors.map((e) => e.message).join('; ')}`)
      }
      const object = doc.toJS() as ManifestDocument['object'] | null
      if (object !== null && object !== undefined) documents.push({ file, index, object })
    })
  }
  return documents
}

/** The AnalysisTemplates and ClusterAnalysisTemplates among `documents`. */
export function analysisTemplates(documents: readonly ManifestDocument[]): AnalysisTemplate[] {
  return documents
    .filter(
      (d) => d.object.kind === 'AnalysisTemplate' || d.object.kind === 'ClusterAnalysisTemplate'
    )
    .map((d) => d.object as unknown as AnalysisTemplate)
}

/** The Rollout named `name` (or the only one) among `documents`. */
export function findRollout(
  documents: readonly ManifestDocument[],
  name?: string
): RolloutManifest {
  const rollouts = documents.filter(
    (d) => d.object.kind === 'Rollout' && (name === undefined || d.object.metadata?.name === name)
  )
  const [first] = rollouts
  if (first === undefined || (name === undefined && rollouts.length > 1)) {
    throw new Error(`expected one Rollout${name ? ` named ${name}` : ''}, found ${rollouts.length}`)
  }
  return first.object as unknown as RolloutManifest
}
