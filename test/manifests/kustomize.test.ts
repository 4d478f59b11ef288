import { spawnSync } from 'node:child_process'
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { parse, parseAllDocuments } from 'yaml'
import { overrideImage, renderKustomization } from './kustomize'
import type { KubeObject } from './kustomize'
import { CANARY_DIR, IN_CLUSTER_DIR, KNATIVE_BASE_DIR, KNATIVE_DIR, REPO_ROOT } from './repo'

const HAS_KUBECTL = spawnSync('kubectl', ['version', '--client'], { timeout: 20_000 }).status === 0
if (!HAS_KUBECTL) console.warn('[test/manifests] kubectl not on PATH: kustomize comparison skipped')

const identity = (o: KubeObject): string => `${o.kind ?? '?'}/${o.metadata?.name ?? '?'}`

/** Asserts renderKustomization(dir) gives what `kubectl kustomize folder` does, in any order. */
function expectRendersAsKubectl(folder: string, dir: string): void {
  const rendered = spawnSync('kubectl', ['kustomize', folder], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    timeout: 60_000,
  })
  expect(rendered.stderr).not.toMatch(/error/i)
  expect(rendered.status).toBe(0)
  const byKubectl = parseAllDocuments(rendered.stdout).map((d) => d.toJS() as KubeObject)
  const ours = renderKustomization(dir)
  const sortById = (objects: KubeObject[]): KubeObject[] =>
    [...objects].sort((a, b) => identity(a).localeCompare(identity(b)))
  expect(sortById(ours)).toEqual(sortById(byKubectl))
}

describe.each([
  ['knative/base', KNATIVE_BASE_DIR],
  ['canary', CANARY_DIR],
])('%s/kustomization.yaml', (folder, dir) => {
  const kustomization = parse(readFileSync(join(dir, 'kustomization.yaml'), 'utf8')) as {
    resources?: string[]
  }

  it('should list every manifest file of the folder, and only files that exist', () => {
    const files = readdirSync(dir)
      .filter((f) => /\.ya?ml$/.test(f) && f !== 'kustomization.yaml')
      .sort()
    const resources = kustomization.resources ?? []
    expect(resources.filter((r) => !r.includes('/')).sort()).toEqual(files)
    for (const resource of resources) expect(existsSync(join(dir, resource)), resource).toBe(true)
  })

  it.skipIf(!HAS_KUBECTL)(`should render exactly as kubectl kustomize ${folder}`, () => {
    expectRendersAsKubectl(folder, dir)
  })
})

// The deployable entries: cloud mode (knative, the base as is) and in-cluster mode (its overlay).
describe.each([
  ['knative', KNATIVE_DIR],
  ['knative/overlays/in-cluster', IN_CLUSTER_DIR],
])('%s', (folder, dir) => {
  it.skipIf(!HAS_KUBECTL)(`should render exactly as kubectl kustomize ${folder}`, () => {
    expectRendersAsKubectl(folder, dir)
  })
})

describe('renderKustomization', () => {
  const dirs: string[] = []
  afterAll(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true })
  })
  function fixture(kustomization: string, files: Record<string, string>): string {
    const dir = mkdtempSync(join(tmpdir(), 'px-canary-kustomize-'))
    dirs.push(dir)
    writeFileSync(join(dir, 'kustomization.yaml'), kustomization)
    for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text)
    return dir
  }

  it('should set the namespace, add labels and override images of every container list', () => {
    const dir = fixture(
      [
        'namespace: team',
        'labels:',
        '  - pairs: { part-of: demo }',
        'images:',
        '  - { name: reg.example/app, newName: mine.example/app, newTag: "2.0" }',
        'resources: [a.yaml]',
      ].join('\n'),
      {
        'a.yaml': [
          'apiVersion: v1',
          'kind: Namespace',
          'metadata: { name: team }',
          '---',
          'apiVersion: apps/v1',
          'kind: Deployment',
          'metadata: { name: d, labels: { app: d } }',
          'spec:',
          '  selector: { matchLabels: { app: d } }',
          '  template:',
          '    metadata: { labels: { app: d } }',
          '    spec:',
          '      initContainers: [{ name: i, image: "reg.example/app:1.0" }]',
          '      containers: [{ name: c, image: "reg.example/app" }, { name: o, image: "reg.example/other:1" }]',
        ].join('\n'),
      }
    )
    const [namespace, deployment] = renderKustomization(dir) as [KubeObject, KubeObject]
    expect(namespace.metadata).toEqual({ name: 'team', labels: { 'part-of': 'demo' } })
    expect(deployment.metadata).toEqual({
      name: 'd',
      namespace: 'team',
      labels: { app: 'd', 'part-of': 'demo' },
    })
    const spec = (
      deployment.spec as { template: { spec: Record<string, Array<{ image: string }>> } }
    ).template.spec
    expect(spec.initContainers?.map((c) => c.image)).toEqual(['mine.example/app:2.0'])
    expect(spec.containers?.map((c) => c.image)).toEqual([
      'mine.example/app:2.0',
      'reg.example/other:1',
    ])
    // Labels go to metadata only: selectors and pod templates keep theirs.
    expect((deployment.spec as { selector: unknown }).selector).toEqual({
      matchLabels: { app: 'd' },
    })
  })

  it('should refuse a kustomization field it does not implement', () => {
    const dir = fixture('resources: []\ncommonLabels: { a: b }\n', {})
    expect(() => renderKustomization(dir)).toThrow(/unsupported field\(s\) commonLabels/)
    const labels = fixture(
      'resources: []\nlabels: [{ pairs: { a: b }, includeSelectors: true }]\n',
      {}
    )
    expect(() => renderKustomization(labels)).toThrow(/includeSelectors/)
  })

  it('should match image names exactly, keeping a tag or digest it does not replace', () => {
    const overrides = [{ name: 'reg.example/app', newName: 'mine.example/app' }]
    expect(overrideImage('reg.example/app:1.0', overrides)).toBe('mine.example/app:1.0')
    expect(overrideImage('reg.example/app@sha256:abc', overrides)).toBe(
      'mine.example/app@sha256:abc'
    )
    expect(overrideImage('reg.example/app-two:1.0', overrides)).toBe('reg.example/app-two:1.0')
    expect(overrideImage('localhost:5000/app', [{ name: 'localhost:5000/app', newTag: '3' }])).toBe(
      'localhost:5000/app:3'
    )
  })
})

describe('renderKustomization: bases and JSON 6902 patches', () => {
  const root = mkdtempSync(join(tmpdir(), 'px-canary-overlay-'))
  afterAll(() => rmSync(root, { recursive: true, force: true }))

  it("should render a base folder, then apply the overlay's patches to the targets only", () => {
    mkdirSync(join(root, 'base'))
    mkdirSync(join(root, 'overlay'))
    writeFileSync(
      join(root, 'base', 'kustomization.yaml'),
      'namespace: team\nresources: [app.yaml]\n'
    )
    writeFileSync(
      join(root, 'base', 'app.yaml'),
      [
        'apiVersion: apps/v1',
        'kind: Deployment',
        'metadata: { name: a }',
        'spec: { template: { spec: { containers: [{ name: c, env: [{ name: X, value: "1" }] }] } } }',
        '---',
        'apiVersion: v1',
        'kind: ConfigMap',
        'metadata: { name: a }',
        'data: { k: v }',
      ].join('\n')
    )
    writeFileSync(
      join(root, 'overlay', 'kustomization.yaml'),
      'resources: [../base]\npatches: [{ path: p.yaml, target: { group: apps, version: v1, kind: Deployment } }]\n'
    )
    writeFileSync(
      join(root, 'overlay', 'p.yaml'),
      [
        '- { op: replace, path: /spec/template/spec/containers/0/env, value: [{ name: Y, value: "2" }] }',
        '- { op: add, path: /spec/template/spec/volumes, value: [{ name: v }] }',
        '- { op: add, path: /spec/template/spec/containers/-, value: { name: d } }',
        '- { op: remove, path: /spec/template/spec/containers/0/env/0 }',
      ].join('\n')
    )
    const [deployment, configMap] = renderKustomization(join(root, 'overlay')) as [
      KubeObject,
      KubeObject,
    ]
    expect(deployment.metadata?.namespace).toBe('team')
    expect(deployment.spec).toEqual({
      template: {
        spec: { containers: [{ name: 'c', env: [] }, { name: 'd' }], volumes: [{ name: 'v' }] },
      },
    })
    expect(configMap.data).toEqual({ k: 'v' })
  })

  it('should refuse a patch whose path or target matches nothing', () => {
    writeFileSync(
      join(root, 'overlay', 'p.yaml'),
      '- { op: replace, path: /spec/nothing/here, value: 1 }\n'
    )
    expect(() => renderKustomization(join(root, 'overlay'))).toThrow(/no \/spec\/nothing\/here/)
    writeFileSync(
      join(root, 'overlay', 'kustomization.yaml'),
      'resources: [../base]\npatches: [{ path: p.yaml, target: { kind: StatefulSet } }]\n'
    )
    expect(() => renderKustomization(join(root, 'overlay'))).toThrow(/selects nothing/)
  })
})
