/** Paths and manifest loading shared by the manifest tests. */
import { existsSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { loadManifestDir } from '../argo-emulator/manifests'
import type { ManifestDocument } from '../argo-emulator/manifests'

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..')
export const KNATIVE_DIR = join(REPO_ROOT, 'knative')
/** The Knative Services both deployment modes share. */
export const KNATIVE_BASE_DIR = join(KNATIVE_DIR, 'base')
/** In-cluster mode's overlay. */
export const IN_CLUSTER_DIR = join(KNATIVE_DIR, 'overlays', 'in-cluster')
export const CANARY_DIR = join(REPO_ROOT, 'canary')

/** The upstream CRD schemas: $PX_CANARY_CRDS_DIR, else ../shared/crds beside the repository. */
export const CRDS_DIR = resolve(REPO_ROOT, process.env.PX_CANARY_CRDS_DIR || '../shared/crds')
export const HAS_CRDS = existsSync(CRDS_DIR)

export const knativeDocs = (): ManifestDocument[] => loadManifestDir(KNATIVE_BASE_DIR)
export const canaryDocs = (): ManifestDocument[] => loadManifestDir(CANARY_DIR)
export const allDocs = (): ManifestDocument[] => [...knativeDocs(), ...canaryDocs()]

/** "error-rate.yaml#0 Service px-error-rate" for test names and messages. */
export function describeDoc(doc: ManifestDocument): string {
  return `${doc.file}#${doc.index} ${doc.object.kind ?? '?'} ${doc.object.metadata?.name ?? '?'}`
}
