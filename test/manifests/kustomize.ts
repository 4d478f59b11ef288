/**
 * A kustomize renderer limited to the features knative/ and canary/ use: `resources` (files, also
 * in sub-folders, and kustomization folders such as an overlay's base), `namespace`, `labels`
 * (pairs only, not into selectors or templates), `images` (name, newName, newTag) and `patches`
 * given as a file of JSON 6902 operations (add, replace, remove) with a target selected by group,
 * version, kind and exact name. Any other field of a kustomization is refused rather than ignored, so a
 * kustomization that grows a feature fails here instead of rendering differently from kustomize.
 * The tests compare it with `kubectl kustomize` where kubectl exists; elsewhere it stands in, so
 * the wiring tests never need kubectl.
 */
import { readFileSync, statSync } from 'node:fs'
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
  patches?: Patch[]
}

interface Patch {
  path: string
  target: { group?: string; version?: string; kind?: string; name?: string }
}

const SUPPORTED = new Set([
  'apiVersion',
  'kind',
  'resources',
  'namespace',
  'labels',
  'images',
  'patches',
])

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
  for (const patch of kustomization.patches ?? []) {
    const extra = Object.keys(patch).filter((k) => k !== 'path' && k !== 'target')
    const targetExtra = Object.keys(patch.target ?? {}).filter(
      (k) => !['group', 'version', 'kind', 'name'].includes(k)
    )
    if (extra.length > 0 || targetExtra.length > 0 || patch.target === undefined) {
      throw new Error(`patches: only path + target (group, version, kind, name) are supported`)
    }
  }
  return kustomization
}

/** Whether a patch target selects the object (group/version from apiVersion; names exact). */
function selects(target: Patch['target'], object: KubeObject): boolean {
  const [group, version] = (object.apiVersion ?? '').includes('/')
    ? (object.apiVersion ?? '').split('/')
    : ['', object.apiVersion ?? '']
  return (
    (target.group === undefined || target.group === group) &&
    (target.version === undefined || target.version === version) &&
    (target.kind === undefined || target.kind === object.kind) &&
    (target.name === undefined || target.name === object.metadata?.name)
  )
}

interface Operation {
  op: string
  path: string
  value?: unknown
}

/** Applies JSON 6902 add / replace / remove operations in place (RFC 6901 pointers). */
export function applyJsonPatch(object: unknown, operations: readonly Operation[]): void {
  for (const { op, path, value } of operations) {
    const tokens = path
      .split('/')
      .slice(1)
      .map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'))
    const last = tokens.pop()
    if (last === undefined) throw new Error(`patch: empty path`)
    let parent: unknown = object
    for (const token of tokens) {
      parent = (parent as Record<string, unknown> | undefined)?.[token]
      if (parent === null || typeof parent !== 'object') throw new Error(`patch: no ${path}`)
    }
    if (Array.isArray(parent)) {
      const index = last === '-' ? parent.length : Number(last)
      if (!Number.isInteger(index) || index < 0 || index > parent.length) {
        throw new Error(`patch: bad index in ${path}`)
      }
      if (op === 'add') parent.splice(index, 0, structuredClone(value))
      else if (index >= parent.length) throw new Error(`patch: no ${path}`)
      else if (op === 'replace') parent[index] = structuredClone(value)
      else if (op === 'remove') parent.splice(index, 1)
      else throw new Error(`patch: unsupported op ${op}`)
      continue
    }
    const record = parent as Record<string, unknown>
    if (op !== 'add' && !(last in record)) throw new Error(`patch: no ${path}`)
    if (op === 'add' || op === 'replace') record[last] = structuredClone(value)
    else if (op === 'remove') delete record[last]
    else throw new Error(`patch: unsupported op ${op}`)
  }
}

/** The objects `kubectl kustomize <dir>` would print, in the order of `resources`. */
export function renderKustomization(dir: string): KubeObject[] {
  const kustomization = readKustomization(dir)
  const objects: KubeObject[] = []
  for (const resource of kustomization.resources ?? []) {
    const path = join(dir, resource)
    if (statSync(path).isDirectory()) {
      objects.push(...renderKustomization(path))
      continue
    }
    if (dirname(resource) !== '.' && !/\.ya?ml$/.test(resource)) {
      throw new Error(`${resource}: only files are supported as resources`)
    }
    for (const doc of parseAllDocuments(readFileSync(path, 'utf8'))) {
      if (doc.errors.length > 0) throw new Error(`${resource}: ${doc.errors[0]?.message}`)
      const object = doc.toJS() as KubeObject | null
      if (object !== null && object !== undefined) objects.push(object)
    }
  }
  for (const patch of kustomization.patches ?? []) {
    const operations = parse(readFileSync(join(dir, patch.path), 'utf8')) as Operation[]
    const targets = objects.filter((o) => selects(patch.target, o))
    if (targets.length === 0) throw new Error(`${patch.path}: the target selects nothing`)
    for (const object of targets) applyJsonPatch(object, operations)
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
