// Each function ships as one entry bundle (dist/<fn>.mjs, built by vitest's global setup from
// esbuild.config.mjs) plus the chunks only some configurations load (dist/<fn>.chunks/). Size is
// deterministic, so the 150 KB goal for what start-up loads is held here; times are not, so they
// stay in `npm run bench`.
import { readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { functionNames } from '../../esbuild.config.mjs'

const ROOT = join(import.meta.dirname, '..', '..')
/** Goal: at most 150 KB minified per function bundle (KB = 1024 bytes). */
const MAX_BUNDLE_BYTES = 150 * 1024

interface Output {
  bytes: number
  entryPoint?: string
  imports: Array<{ path: string; kind: string; external?: boolean }>
  inputs: Record<string, { bytesInOutput: number }>
}
interface Metafile {
  outputs: Record<string, Output>
}

function metafile(fn: string): Metafile {
  return JSON.parse(readFileSync(join(ROOT, 'dist', `${fn}.meta.json`), 'utf8')) as Metafile
}

/** The source files that contributed bytes to the given outputs (tree-shaken ones excluded). */
function inputsOf(outputs: Output[]): string[] {
  return outputs.flatMap((o) =>
    Object.entries(o.inputs)
      .filter(([, v]) => v.bytesInOutput > 0)
      .map(([path]) => path)
  )
}

/** Every source file in the entry or its chunks. */
function bundledInputs(fn: string): string[] {
  return inputsOf(Object.values(metafile(fn).outputs))
}

function entryOutput(fn: string): Output {
  const entry = metafile(fn).outputs[`dist/${fn}.mjs`]
  if (!entry) throw new Error(`no dist/${fn}.mjs in dist/${fn}.meta.json`)
  return entry
}

describe('function bundles', () => {
  const names = functionNames()

  it('should build one bundle for each of the three metrics', () => {
    expect(names).toEqual(['error-rate', 'latency', 'throughput'])
  })

  describe.each(names)('%s', (fn) => {
    it('should stay within the 150 KB size goal', () => {
      const bytes = statSync(join(ROOT, 'dist', `${fn}.mjs`)).size
      expect(bytes).toBeGreaterThan(0)
      expect(bytes).toBeLessThanOrEqual(MAX_BUNDLE_BYTES)
    })

    it('should keep jose out of start-up: only dynamic imports reach the chunks that hold it', () => {
      const entry = entryOutput(fn)
      const internal = entry.imports.filter((i) => i.external !== true)
      expect(internal.length).toBeGreaterThan(0)
      for (const i of internal) expect(i, i.path).toMatchObject({ kind: 'dynamic-import' })
      expect(inputsOf([entry]).filter((p) => p.includes('node_modules/jose/'))).toEqual([])
      expect(bundledInputs(fn).some((p) => p.includes('node_modules/jose/'))).toBe(true)
    })

    it('should hold only its own function and shared code: no simulator, tests or other function', () => {
      const inputs = bundledInputs(fn)
      const ours = inputs.filter((p) => !p.includes('node_modules/'))
      expect(ours).toContain(`functions/${fn}/index.ts`)
      for (const path of ours) {
        expect(path, path).toMatch(new RegExp(`^(functions/${fn}/|shared/)`))
        expect(path, path).not.toMatch(/\.test\.ts$|^shared\/testing\/|^shared\/pixie\/gen\//)
      }
    })

    it('should not bundle dev-only packages', () => {
      const packages = bundledInputs(fn).filter((p) => p.includes('node_modules/'))
      for (const banned of [
        'vitest',
        'fast-check',
        'tsx',
        'esbuild/',
        'autocannon',
        'ajv',
        'zod/v4/classic',
        'zod/v4/locales',
        // protobuf-es reflection: the client uses the static codecs of shared/pixie/vizierapi.ts
        '@bufbuild/protobuf/dist/esm/codegenv2',
        '@bufbuild/protobuf/dist/esm/reflect',
        '@bufbuild/protobuf/dist/esm/registry',
        '@bufbuild/protobuf/dist/esm/from-binary',
        '@bufbuild/protobuf/dist/esm/to-binary',
      ]) {
        expect(
          packages.filter((p) => p.includes(`node_modules/${banned}`)),
          banned
        ).toEqual([])
      }
    })
  })
})
