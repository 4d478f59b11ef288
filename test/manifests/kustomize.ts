/**
 * A kustomize renderer limited to the features knative/ and canary/ use: `resources` (files, also
 * in sub-folders), `namespace`, `labels` (pairs only, not into selectors or templates) and `images`
 * (name, newName, newTag). Any other field of a kustomization is refused rather than ignored, so a
 * kustomization that grows a feature fails here instead of rendering differently from kustomize.
 * The tests compare it with `kubectl kustomize` where kubectl exists; elsewhere it stands in, so
 * the wiring tests never need kubectl.
 */
import { readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { parse, parseAllDocuments } from 'yaml'

export type KubeObject = Record<string, unknown> & {
  apiVersion?: string
  kind?: string
  metadata?: {
    name?: string
    namespace?: string
    labels?: Record<string, string>
    [k: string]: unknown
  }
}

interface ImageOverride {
  name: string
  newName?: string
  newTag?: string
}

interface Kustomization {
  apiVersion?: string
  kind?: string
  resources?: string[]
  namespace?: string
  labels?: Array<{ pairs: Record<string, string>; [k: string]: unknown }>
  images?: ImageOverride[]
}

const SUPPORTED = new Set(['apiVersion', 'kind', 'resources', 'namespace', 'labels', 'images'])

/** Kinds kustomize's namespace transformer leaves without a namespace (the ones used here). */
const CLUSTER_SCOPED = new Set(['Namespace'])

/** Splits "reg.example/x/y:tag" or "x@sha256:..." into the name and the rest (":tag", "@..."). */
function splitImage(image: string): { name: string; suffix: string } {
  const at = image.indexOf('@')
  if (at >= 0) return { name: image.slice(0, at), suffix: image.slice(at) }
  const colon = image.lastIndexOf(':')
  if (colon > image.lastIndexOf('/'))
    return { name: image.slice(0, colon), suffix: image.slice(colon) }
  return { name: image, suffix: '' }
}

/** The image after the first override whose name matches it, as kustomize's images field does. */
export function overrideImage(image: string, overrides: readonly ImageOverride[]): string {
  const { name, suffix } = splitImage(image)
  const override = overrides.find((o) => o.name === name)
  if (override === undefined) return image
  const newName = override.newName ?? name
  const newSuffix = override.newTag !== undefined ? `:${override.newTag}` : suffix
  return `${newName}${newSuffix}`
}

/** Rewrites every `image` of every `containers` / `initContainers` list anywhere in `value`. */
function rewriteImages(value: unknown, overrides: readonly ImageOverride[]): void {
  if (Array.isArray(value)) {
    for (const item of value) rewriteImages(item, overrides)
    return
  }
  if (value === null || typeof value !== 'object') return
  const record = value as Record<string, unknown>
  for (const [key, child] of Object.entries(record)) {
    if ((key === 'containers' || key === 'initContainers') && Array.isArray(child)) {
      for (const container of child as Array<Record<string, unknown>>) {
        if (typeof container.image === 'string')
          container.image = overrideImage(container.image, overrides)
      }
    }
    rewriteImages(child, overrides)
  }
}

function readKustomization(dir: string): Kustomization {
  const kustomization = parse(
    readFileSync(join(dir, 'kustomization.yaml'), 'utf8')
  ) as Kustomization
  const unsupported = Object.keys(kustomization).filter((k) => !SUPPORTED.has(k))
  if (unsupported.length > 0) {
    throw new Error(`${dir}/kustomization.yaml: unsupported field(s) ${unsupported.join(', ')}`)
  }
  for (const entry of kustomization.labels ?? []) {
    const extra = Object.keys(entry).filter((k) => k !== 'pairs')
    if (extra.length > 0) throw new Error(`labels: unsupported option(s) ${extra.join(', ')}`)
  }
  return kustomization
}

/** The objects `kubectl kustomize <dir>` would print, in the order of `resources`. */
export function renderKustomization(dir: string): KubeObject[] {
  const kustomization = readKustomization(dir)
  const objects: KubeObject[] = []
  for (const resource of kustomization.resources ?? []) {
    const path = join(dir, resource)
    if (dirname(resource) !== '.' && !/\.ya?ml$/.test(resource)) {
      throw new Error(`${resource}: only files are supported as resources`)
    }
    for (const doc of parseAllDocuments(readFileSync(path, 'utf8'))) {
      if (doc.errors.length > 0) throw new Error(`${resource}: ${doc.errors[0]?.message}`)
      const object = doc.toJS() as KubeObject | null
      if (object !== null && object !== undefined) objects.push(object)
    }
  }
  for (const object of objects) {
    object.metadata ??= {}
    if (kustomization.namespace !== undefined && !CLUSTER_SCOPED.has(object.kind ?? '')) {
      object.metadata.namespace = kustomization.namespace
    }
    for (const { pairs } of kustomization.labels ?? []) {
      object.metadata.labels = { ...object.metadata.labels, ...pairs }
    }
    if (kustomization.images !== undefined) rewriteImages(object, kustomization.images)
  }
  return objects
}
