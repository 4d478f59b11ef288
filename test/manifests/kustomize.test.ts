import { spawnSync } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { parse, parseAllDocuments } from 'yaml'
import { loadManifestDir } from '../argo-emulator/manifests'
import { CANARY_DIR, KNATIVE_DIR, REPO_ROOT } from './repo'

const HAS_KUBECTL = spawnSync('kubectl', ['version', '--client'], { timeout: 20_000 }).status === 0
if (!HAS_KUBECTL) console.warn('[test/manifests] kubectl not on PATH: kustomize rendering skipped')

const identity = (o: { kind?: string; metadata?: { name?: string } }): string =>
  `${o.kind ?? '?'}/${o.metadata?.name ?? '?'}`

describe.each([
  ['knative', KNATIVE_DIR],
  ['canary', CANARY_DIR],
])('%s/kustomization.yaml', (folder, dir) => {
  it('should list every manifest file of the folder', () => {
    const kustomization = parse(readFileSync(join(dir, 'kustomization.yaml'), 'utf8')) as {
      resources?: string[]
    }
    const files = readdirSync(dir)
      .filter((f) => /\.ya?ml$/.test(f) && f !== 'kustomization.yaml')
      .sort()
    expect([...(kustomization.resources ?? [])].sort()).toEqual(files)
  })

  it.skipIf(!HAS_KUBECTL)(`should render with kubectl kustomize ${folder}`, () => {
    const rendered = spawnSync('kubectl', ['kustomize', folder], {
      cwd: REPO_ROOT,
      encoding: 'utf8',
      timeout: 60_000,
    })
    expect(rendered.stderr).not.toMatch(/error/i)
    expect(rendered.status).toBe(0)
    const objects = parseAllDocuments(rendered.stdout).map(
      (d) => d.toJS() as { kind?: string; metadata?: { name?: string } }
    )
    expect(objects.map(identity).sort()).toEqual(
      loadManifestDir(dir)
        .map((d) => identity(d.object))
        .sort()
    )
  })
})
