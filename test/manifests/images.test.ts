// One image naming scheme for the functions everywhere: <registry>/px-canary-<function>:<version>.
// Every reference in the docs, manifests, Dockerfile and scripts is checked, so a README that builds
// or pushes one name while the manifests pull another fails here instead of at ImagePullBackOff.
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'
import { describe, expect, it } from 'vitest'
import { parse } from 'yaml'
import { KNATIVE_BASE_DIR, REPO_ROOT } from './repo'

const VERSION = (
  JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string }
).version
const FUNCTION = String.raw`(?:error-rate|latency|throughput|\$fn|\$\{fn\}|<fn>|<function>)`
/** The last path segment of a function image, in every spelling the repository may use. */
const REFERS_TO_FUNCTION = new RegExp(
  String.raw`(?:^|[-/])(?:error-rate|latency|throughput|\$\{?fn\}?|<fn>|<function>|\$\{?FUNCTION\}?)$`
)
const CANONICAL_NAME = new RegExp(String.raw`^[^/\s]+(?:/[^/\s]+)*/px-canary-${FUNCTION}$`)
const CANONICAL_TAGS = new Set([VERSION, '$VERSION', '${VERSION}', '<version>'])
/** registry/path/name:tag tokens (a tag is required, so paths and URLs do not match). */
const IMAGE_TOKEN = /[\w.$<>{}-]+(?::\d+)?(?:\/[\w.$<>{}-]+)+:[\w.$<>{}-]+/g

const SKIP_DIRS = new Set(['node_modules', 'dist', '.git', 'results'])
/** Docs, manifests, Dockerfiles and scripts; TypeScript sources hold no image names. */
function textFiles(dir: string): string[] {
  const files: string[] = []
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry)
    if (statSync(path).isDirectory()) {
      if (!SKIP_DIRS.has(entry)) files.push(...textFiles(path))
    } else if (/\.(md|ya?ml|sh|mjs|cjs|js)$|^Dockerfile|^run$/.test(entry)) {
      files.push(path)
    }
  }
  return files
}

interface Reference {
  file: string
  image: string
}

function functionImages(): Reference[] {
  const references: Reference[] = []
  for (const path of textFiles(REPO_ROOT)) {
    const file = relative(REPO_ROOT, path)
    for (const match of readFileSync(path, 'utf8').matchAll(IMAGE_TOKEN)) {
      const image = match[0]
      const name = image.slice(0, image.lastIndexOf(':'))
      if (REFERS_TO_FUNCTION.test(name)) references.push({ file, image })
    }
  }
  return references
}

/** The left side of every `kustomize edit set image <name>=<image>` in the docs and manifests. */
function setImageNames(): Reference[] {
  const found: Reference[] = []
  for (const path of textFiles(REPO_ROOT)) {
    for (const match of readFileSync(path, 'utf8').matchAll(/set image ([^\s=]+)=/g)) {
      found.push({ file: relative(REPO_ROOT, path), image: match[1] as string })
    }
  }
  return found
}

describe('function image names', () => {
  const references = functionImages()

  it('should be found where images are built, pushed and deployed', () => {
    const files = new Set(references.map((r) => r.file))
    for (const file of [
      'README.md',
      'knative/README.md',
      'knative/Dockerfile',
      'knative/base/kustomization.yaml',
      'knative/base/error-rate.yaml',
      'knative/base/latency.yaml',
      'knative/base/throughput.yaml',
    ]) {
      expect(files, file).toContain(file)
    }
  })

  it.each(functionImages().map((r) => [`${r.file}: ${r.image}`, r]))(
    'should follow <registry>/px-canary-<function>:<version>: %s',
    (_, reference) => {
      const { image } = reference as Reference
      const colon = image.lastIndexOf(':')
      expect(image.slice(0, colon)).toMatch(CANONICAL_NAME)
      expect(CANONICAL_TAGS.has(image.slice(colon + 1)), image).toBe(true)
    }
  )

  it('should be set in one place, the images: block of knative/base/kustomization.yaml', () => {
    const kustomization = parse(
      readFileSync(join(KNATIVE_BASE_DIR, 'kustomization.yaml'), 'utf8')
    ) as {
      images?: Array<{ name: string; newName?: string; newTag?: string }>
    }
    const images = kustomization.images ?? []
    expect(images.map((i) => i.name).sort()).toEqual(
      ['error-rate', 'latency', 'throughput'].map((fn) => `registry.example.com/px-canary-${fn}`)
    )
    for (const image of images) {
      expect(image.newName).toMatch(CANONICAL_NAME)
      expect(image.newName?.split('/').at(-1)).toBe(image.name.split('/').at(-1))
      expect(image.newTag).toBe(VERSION)
    }
    // `kustomize edit set image` only rewrites an entry whose name is one of these.
    const documented = setImageNames()
    expect(documented.length).toBeGreaterThan(0)
    // A shell loop over the functions spells the name with $fn.
    const allowed = [...images.map((i) => i.name), 'registry.example.com/px-canary-$fn']
    for (const { file, image } of documented) expect(allowed, `${file}: ${image}`).toContain(image)
    const manifests = references.filter(
      (r) =>
        /^knative\/base\/[\w-]+\.yaml$/.test(r.file) && r.file !== 'knative/base/kustomization.yaml'
    )
    expect(manifests.map((r) => r.image.slice(0, r.image.lastIndexOf(':'))).sort()).toEqual(
      images.map((i) => i.name).sort()
    )
  })
})
